"""API: subscriptions by machine clients and staff tools, and mail fed to the unsubscribe
address by the mail server."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Body, Depends, Request

from ..db import CharterSession
from ..errors import InvalidInput
from ..models import ApiKey
from ..web.deps import TRANSACTION, api_key, runtime_of
from .schemas import InboundOut, SubscriptionIn, SubscriptionOut
from .service import handle_inbound, request_subscription, subscribe_manually

router = APIRouter(prefix="/api/v1", tags=["newsletter"])
MAX_INBOUND = 1_000_000


def _evidence(payload: SubscriptionIn) -> dict[str, Any]:
    if payload.evidence is None:
        return {}
    evidence = payload.evidence.model_dump(exclude_none=True, exclude={"obtained_at"})
    if "document_base64" in evidence:
        try:
            base64.b64decode(evidence.pop("document_base64"), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("evidence.document_base64: not base64") from None
        evidence["document"] = payload.evidence.document_base64
    return evidence


@router.post("/newsletter/subscriptions", status_code=202)
def subscribe(
    payload: SubscriptionIn,
    request: Request,
    key: ApiKey = Depends(api_key("consent:write")),
    session: CharterSession = TRANSACTION,
) -> SubscriptionOut:
    """Double opt-in (a confirmation mail), or a subscription given in writing or by phone,
    recorded with its evidence."""
    runtime = runtime_of(request)
    language = payload.language or runtime.policy.languages.default
    if payload.method == "double_opt_in":
        request_subscription(session, runtime, email=payload.email, language=language,
                             evidence={"via": f"api:{key.name}"})
        return SubscriptionOut(status="confirmation_sent")
    subscribe_manually(session, runtime, email=payload.email, language=language,
                       method=payload.method, evidence=_evidence(payload),
                       actor=f"apikey:{key.id}",
                       obtained_at=payload.evidence.obtained_at if payload.evidence else None)
    return SubscriptionOut(status="subscribed")


@router.post("/mail/inbound")
def inbound_mail(
    request: Request,
    raw: bytes = Body(media_type="message/rfc822"),
    key: ApiKey = Depends(api_key("mail:inbound")),
    session: CharterSession = TRANSACTION,
) -> InboundOut:
    """A raw RFC 5322 message sent to the unsubscribe address, posted by the mail server."""
    if not raw or len(raw) > MAX_INBOUND:
        raise InvalidInput("body: a raw e-mail message of at most 1 MB")
    return InboundOut(unsubscribed=handle_inbound(session, runtime_of(request), raw) is not None)
