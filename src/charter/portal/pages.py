"""The Portal's front page for staff."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..audit import verify_chain
from ..audit.repository import recent_events
from ..db import CharterSession
from ..subjects import repository as subjects
from ..web.deps import TRANSACTION, Staff, current_staff, runtime_of
from ..web.templating import render_staff

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    staff: Staff = Depends(current_staff),
    session: CharterSession = TRANSACTION,
) -> Response:
    runtime = runtime_of(request)
    org = runtime.organization_id
    policy = runtime.policy
    lang = policy.languages.default
    role = policy.role(staff.user.role)
    can_audit = role is not None and "view_audit" in role.actions
    context = {
        "lang": lang,
        "subject_count": subjects.subject_count(session, org),
        "records_by_category": subjects.counts_by_category(session, org),
        "chain": verify_chain(session, org) if can_audit else None,
        "events": recent_events(session, org, 15) if can_audit else [],
    }
    return render_staff(request, staff, "dashboard.html", context)
