"""The audit log in the Portal: filter, page back through it, and verify the chain on demand
(the nightly job verifies it too; both results are written into the log itself)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..db import CharterSession
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .service import ChainReport, verify_and_record

router = APIRouter(include_in_schema=False)
PAGE = 100


def _page(request: Request, staff: Staff, session: CharterSession, *, actor: str = "",
          action: str = "", target: str = "", before: int | None = None,
          report: ChainReport | None = None) -> Response:
    org = runtime_of(request).organization_id
    events = repository.search_events(session, org, actor=actor.strip(), action=action.strip(),
                                      target=target.strip(), before_seq=before, limit=PAGE)
    last = repository.last_verification(session, org)
    return render_staff(request, staff, "audit/log.html", {
        "events": events, "filters": {"actor": actor, "action": action, "target": target},
        "older": events[-1].seq if len(events) == PAGE else None, "report": report,
        "last": last, "last_details": json.loads(last.details) if last else None})


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, actor: str = "", action: str = "", target: str = "",
              before: int | None = None, staff: Staff = Depends(require("view_audit")),
              session: CharterSession = TRANSACTION) -> Response:
    return _page(request, staff, session, actor=actor, action=action, target=target,
                 before=before)


@router.post("/audit/verify", response_class=HTMLResponse)
def verify(request: Request,
           staff: Staff = Depends(require("view_audit")),
           session: CharterSession = TRANSACTION) -> Response:
    report = verify_and_record(session, runtime_of(request).organization_id, actor=staff.actor)
    return _page(request, staff, session, report=report)
