"""API: "may we?", consents recorded by staff with their evidence, withdrawals, receipts."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from ..collect.schemas import ConsentCheckOut, ConsentIn, ConsentOut, WithdrawalIn, WithdrawalOut
from ..db import CharterSession
from ..errors import InvalidInput
from ..models import ApiKey
from ..subjects import contact_of, ensure_subject, find_subject
from ..subjects.repository import subject_by_id
from ..subjects.service import valid_email
from ..web.deps import TRANSACTION, api_key, runtime_of
from . import repository
from .receipts import consent_receipt
from .service import CHANNELS, decide, record_consent, withdraw_all

router = APIRouter(prefix="/api/v1", tags=["consent"])


@router.get("/consent/check")
def check(
    request: Request,
    email: str,
    purpose: str,
    channel: str = "email",
    key: ApiKey = Depends(api_key("consent:read")),
    session: CharterSession = TRANSACTION,
) -> ConsentCheckOut:
    """May this person be contacted, or their data used, for this purpose on this channel?"""
    runtime = runtime_of(request)
    if channel not in CHANNELS:
        raise InvalidInput(f"channel: one of {', '.join(CHANNELS)}")
    if runtime.policy.purpose(purpose) is None:
        raise InvalidInput(f"purpose: {purpose!r} is not declared in the policy")
    subject = find_subject(session, runtime, email=valid_email(email))
    if subject is None:
        return ConsentCheckOut(allowed=False, reason="no_consent", purpose=purpose,
                               channel=channel)
    decision = decide(session, runtime, subject, purpose, channel)
    return ConsentCheckOut(allowed=decision.allowed, reason=decision.reason, purpose=purpose,
                           channel=channel)


def _evidence(payload: ConsentIn) -> dict[str, Any]:
    evidence: dict[str, Any] = payload.evidence.model_dump(
        exclude_none=True, exclude={"obtained_at", "document_base64"})
    if payload.evidence.document_base64:
        try:
            base64.b64decode(payload.evidence.document_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("evidence.document_base64: not base64") from None
        evidence["document"] = payload.evidence.document_base64
    if not evidence.get("note") and not evidence.get("document"):
        raise InvalidInput("evidence: give a note or the document itself")
    return evidence


@router.post("/consents", status_code=201)
def record(
    payload: ConsentIn,
    request: Request,
    key: ApiKey = Depends(api_key("consent:write")),
    session: CharterSession = TRANSACTION,
) -> ConsentOut:
    """Record consent given in writing, by phone or by accepting terms, with its proof."""
    runtime = runtime_of(request)
    evidence = _evidence(payload)
    subject, _ = ensure_subject(session, runtime, email=payload.email,
                                language=payload.language)
    event = record_consent(session, runtime, subject, purpose=payload.purpose,
                           channel=payload.channel, action="grant", method=payload.method,
                           actor=f"apikey:{key.id}", text=payload.text, evidence=evidence,
                           occurred_at=payload.evidence.obtained_at)
    return ConsentOut(receipt_id=event.receipt_id,
                      receipt_url=f"/api/v1/consents/{event.receipt_id}/receipt")


@router.post("/consents/withdrawals")
def withdraw(
    payload: WithdrawalIn,
    request: Request,
    key: ApiKey = Depends(api_key("consent:write")),
    session: CharterSession = TRANSACTION,
) -> WithdrawalOut:
    """Withdraw a person's consents (all, or for one purpose or channel) at once."""
    runtime = runtime_of(request)
    if payload.purpose and runtime.policy.purpose(payload.purpose) is None:
        raise InvalidInput(f"purpose: {payload.purpose!r} is not declared in the policy")
    subject = find_subject(session, runtime, email=valid_email(payload.email))
    if subject is None:
        return WithdrawalOut(withdrawn=0)
    count = withdraw_all(session, runtime, subject, method="api", actor=f"apikey:{key.id}",
                         purpose=payload.purpose, channel=payload.channel)
    return WithdrawalOut(withdrawn=count)


@router.get("/consents/{receipt_id}/receipt")
def receipt(
    receipt_id: str,
    request: Request,
    key: ApiKey = Depends(api_key("consent:read")),
    session: CharterSession = TRANSACTION,
) -> dict[str, Any]:
    """The Kantara Consent Receipt v1.1 (with ISO/IEC TS 27560 fields) of one event."""
    runtime = runtime_of(request)
    event = repository.event_by_receipt(session, runtime.organization_id, receipt_id)
    subject = subject_by_id(session, runtime.organization_id, event.subject_id) if event else None
    if event is None or subject is None:
        raise HTTPException(404, "no such receipt")
    return consent_receipt(runtime, event, contact_of(session, runtime, subject).get("email", ""))
