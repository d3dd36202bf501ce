"""The dashboard's figures: counts only, each one query, so the front page stays fast
however large the store grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from ..db import CharterSession
from ..models import ConsentEvent, Record, RightsRequest
from ..rights.lifecycle import UNRESOLVED

WITHDRAWALS = ("withdraw", "object")
UNSUBSCRIBES = ("unsubscribe_link", "unsubscribe_mail")


@dataclass(frozen=True)
class DueBuckets:
    overdue: int
    this_week: int
    next_week: int
    later: int


def requests_by_due(session: CharterSession, organization_id: int, today: date) -> DueBuckets:
    """Requests still owed an answer, by how soon their deadline (extension included) falls."""
    deadline = func.coalesce(RightsRequest.extended_to, RightsRequest.due_on)
    week, fortnight = today + timedelta(days=7), today + timedelta(days=14)
    row = session.execute(select(
        func.count().filter(deadline < today),
        func.count().filter(and_(deadline >= today, deadline < week)),
        func.count().filter(and_(deadline >= week, deadline < fortnight)),
        func.count().filter(deadline >= fortnight),
    ).where(RightsRequest.organization_id == organization_id,
            RightsRequest.status.in_(UNRESOLVED))).one()
    return DueBuckets(*(int(n or 0) for n in row))


@dataclass(frozen=True)
class ConsentTrend:
    weeks: list[date]  # the Monday of each week
    given: list[int]
    withdrawn: list[int]
    unsubscribed: list[int]


def consent_trend(session: CharterSession, organization_id: int, now: datetime, *,
                  weeks: int = 12) -> ConsentTrend:
    """Consents given and withdrawn per week (unsubscribes among the withdrawals)."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0,
                                                            microsecond=0)
    starts = [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    columns = []
    for start in starts:
        in_week = and_(ConsentEvent.occurred_at >= start,
                       ConsentEvent.occurred_at < start + timedelta(weeks=1))
        columns += [
            func.sum(case((and_(in_week, ConsentEvent.action == "grant"), 1), else_=0)),
            func.sum(case((and_(in_week, ConsentEvent.action.in_(WITHDRAWALS)), 1), else_=0)),
            func.sum(case((and_(in_week, ConsentEvent.action.in_(WITHDRAWALS),
                                ConsentEvent.method.in_(UNSUBSCRIBES)), 1), else_=0)),
        ]
    row = session.execute(select(*columns).where(
        ConsentEvent.organization_id == organization_id,
        ConsentEvent.occurred_at >= starts[0])).one()
    values = [int(v or 0) for v in row]
    return ConsentTrend([s.date() for s in starts], values[0::3], values[1::3], values[2::3])


@dataclass(frozen=True)
class RetentionDue:
    due_now: int
    due_within_30_days: int
    held: int  # due, but a legal hold keeps them


def retention_due(session: CharterSession, organization_id: int, now: datetime
                  ) -> RetentionDue:
    soon = now + timedelta(days=30)
    not_held = or_(Record.legal_hold_until.is_(None), Record.legal_hold_until <= now)
    row = session.execute(select(
        func.count().filter(and_(Record.retention_due_at <= now, not_held)),
        func.count().filter(and_(Record.retention_due_at > now, Record.retention_due_at <= soon)),
        func.count().filter(and_(Record.retention_due_at <= now, ~not_held)),
    ).where(Record.organization_id == organization_id,
            Record.retention_due_at <= soon)).one()
    return RetentionDue(*(int(n or 0) for n in row))
