"""API: requests from a client's own site or app, and their status (Data Rights Protocol
vocabulary)."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import APIRouter, Depends, HTTPException, Request

from ..db import CharterSession
from ..errors import InvalidInput
from ..models import ApiKey, RightsRequest
from ..runtime import Runtime
from ..web.deps import TRANSACTION, api_key, runtime_of
from . import repository
from .fulfilment import act_if_immediate
from .intake import open_request
from .lifecycle import drp_reason
from .schemas import RequestIn, RequestOut

router = APIRouter(prefix="/api/v1", tags=["requests"])


def request_out(runtime: Runtime, request: RightsRequest) -> RequestOut:
    told = runtime.cipher.unseal(request).get("denial_reason") \
        if request.status == "denied" else None
    return RequestOut(reference=request.reference, type=request.kind,
                      status=request.status,
                      reason=drp_reason(request), processing_details=told,
                      stage=request.stage, ground=request.ground,
                      received_on=request.received_on, due_on=request.deadline)


@router.post("/requests", status_code=201)
def create(payload: RequestIn, request: Request,
           key: ApiKey = Depends(api_key("requests:write")),
           session: CharterSession = TRANSACTION) -> RequestOut:
    runtime = runtime_of(request)
    if payload.purpose and runtime.policy.purpose(payload.purpose) is None:
        raise InvalidInput(f"purpose: {payload.purpose!r} is not declared in the policy")
    if payload.target_url and urlparse(payload.target_url).scheme != "https":
        raise InvalidInput("target_url: an https:// address")
    extra = {k: v for k, v in (("purpose", payload.purpose),
                               ("target_url", payload.target_url)) if v}
    created = open_request(
        session, runtime, kind=payload.type, email=payload.email, details=payload.details,
        language=payload.language, channel=payload.channel, extra=extra, ground=payload.ground,
        verified_by=f"apikey:{key.id}:{payload.verified_by}" if payload.verified_by else None,
        actor=f"apikey:{key.id}")
    act_if_immediate(session, runtime, created, actor=f"apikey:{key.id}")
    return request_out(runtime, created)


@router.get("/requests/{reference}")
def status(reference: str, request: Request, key: ApiKey = Depends(api_key("requests:read")),
           session: CharterSession = TRANSACTION) -> RequestOut:
    runtime = runtime_of(request)
    found = repository.request_by_reference(session, runtime.organization_id, reference)
    if found is None:
        raise HTTPException(404, "no such request")
    return request_out(runtime, found)
