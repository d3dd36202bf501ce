"""The Portal's front page: what needs doing (requests by deadline, open breaches and
complaints, data past its retention) and how consent is moving — each part shown to the
roles whose work it is. Figures are counts; no personal data is on this page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..breaches.service import open_breaches
from ..complaints.service import open_complaints
from ..dates import local_date
from ..db import CharterSession
from ..mail import repository as outbox
from ..models import utcnow
from ..publication.service import running_ahead
from ..rights import repository as rights
from ..subjects import repository as subjects
from ..web.deps import TRANSACTION, Staff, current_staff, runtime_of
from ..web.templating import render_staff
from . import metrics
from .charts import Series, bar_chart

router = APIRouter(include_in_schema=False)


def _requests_part(session: CharterSession, org: int, today: Any) -> dict[str, Any]:
    due = metrics.requests_by_due(session, org, today)
    chart = bar_chart("Requests by deadline", ["overdue", "this week", "next week", "later"],
                      [Series("requests", [due.overdue, due.this_week, due.next_week,
                                           due.later], "chart-a")])
    overdue = [r for r in rights.queue(session, org, limit=50) if r.deadline < today]
    return {"due": due, "due_chart": chart, "overdue": overdue}


def _consent_part(session: CharterSession, org: int) -> dict[str, Any]:
    trend = metrics.consent_trend(session, org, utcnow())
    chart = bar_chart("Consents per week, last 12 weeks",
                      [w.strftime("%d/%m") for w in trend.weeks],
                      [Series("given", trend.given, "chart-a"),
                       Series("withdrawn", trend.withdrawn, "chart-b"),
                       Series("of which unsubscribed", trend.unsubscribed, "chart-alert")])
    return {"trend": trend, "trend_chart": chart}


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    staff: Staff = Depends(current_staff),
    session: CharterSession = TRANSACTION,
) -> Response:
    runtime = runtime_of(request)
    org = runtime.organization_id
    policy = runtime.policy
    role = policy.role(staff.user.role)
    actions = set(role.actions if role else [])
    today = local_date(utcnow(), policy.organization.country)
    context: dict[str, Any] = {
        "lang": policy.languages.default,
        "subject_count": subjects.subject_count(session, org),
        "records_by_category": subjects.counts_by_category(session, org),
        "retention": metrics.retention_due(session, org, utcnow()),
    }
    if "handle_requests" in actions:
        context.update(_requests_part(session, org, today))
    if actions & {"send_campaigns", "view_subjects"}:
        context.update(_consent_part(session, org))
    if "manage_breaches" in actions:
        context["breaches"] = open_breaches(session, runtime)
    if "handle_complaints" in actions:
        context["complaints"] = open_complaints(session, runtime)
    if "read_outbox" in actions:
        context["trouble"] = outbox.server_trouble(session, org)
    if "manage_policy" in actions:
        context["policy_ahead"] = running_ahead(session, runtime)
    return render_staff(request, staff, "dashboard.html", context)
