"""Staff are reminded of requests due within a week, and of overdue ones, once a day."""

from __future__ import annotations

from datetime import timedelta

from ..accounts.repository import active_users
from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..mail.service import queue_message
from ..models import utcnow
from ..runtime import Runtime
from . import repository

WARN_AHEAD = timedelta(days=7)


def remind_staff(session: CharterSession, runtime: Runtime) -> int:
    """One mail to each member of staff who handles requests; returns how many requests."""
    today = local_date(utcnow(), runtime.policy.organization.country)
    due = [r for r in repository.due_by(session, runtime.organization_id, today + WARN_AHEAD)
           if r.reminded_on != today]
    if not due:
        return 0
    handlers = [u for u in active_users(session, runtime.organization_id)
                if (role := runtime.policy.role(u.role)) and "handle_requests" in role.actions]
    listed = [{"reference": r.reference, "kind": r.kind, "deadline": r.deadline,
               "overdue": r.deadline < today} for r in due]
    for user in handlers:
        queue_message(session, runtime, kind="staff_reminder", to=user.email,
                      language=runtime.policy.languages.default, audited=False,
                      context={"requests": listed,
                               "portal_url": f"{runtime.settings.public_url}/requests"})
    for request in due:
        request.reminded_on = today
    record_event(session, runtime.organization_id, actor="system", action="request.reminded",
                 details={"requests": len(due), "staff": len(handlers)})
    return len(due)
