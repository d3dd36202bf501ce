"""Queries on complaints. Every one filters by organization (the scoping guard insists)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select

from ..db import CharterSession
from ..models import Complaint

STATUSES = ("open", "answered", "closed")


def complaint_by_reference(
    session: CharterSession, organization_id: int, reference: str
) -> Complaint | None:
    statement = select(Complaint).where(
        Complaint.organization_id == organization_id, Complaint.reference == reference
    )
    return session.scalars(statement).first()


def complaints_in_year(session: CharterSession, organization_id: int, year: int) -> int:
    statement = select(func.count()).select_from(Complaint).where(
        Complaint.organization_id == organization_id,
        Complaint.reference.like(f"C-{year}-%"),
    )
    return session.scalar(statement) or 0


def register(session: CharterSession, organization_id: int, *, limit: int = 500
             ) -> list[Complaint]:
    """Unanswered complaints first, the nearest due date first; then answered ones waiting to
    be closed; then the closed ones, newest first."""
    rank = case((Complaint.status == "open", 0), (Complaint.status == "answered", 1), else_=2)
    due = case((Complaint.status == "closed", None), else_=Complaint.due_on)
    statement = select(Complaint).where(Complaint.organization_id == organization_id)
    ordered = statement.order_by(rank, due, Complaint.id.desc())
    return list(session.scalars(ordered.limit(limit)))


def unanswered_counts(session: CharterSession, organization_id: int, today: date
                      ) -> tuple[int, int, date | None]:
    """How many complaints wait for an answer, how many of them are overdue, and the nearest
    due date — one aggregate query, for the dashboard."""
    statement = select(
        func.count(),
        func.coalesce(func.sum(case((Complaint.due_on < today, 1), else_=0)), 0),
        func.min(Complaint.due_on),
    ).where(Complaint.organization_id == organization_id, Complaint.status == "open")
    row = session.execute(statement).one()
    return int(row[0]), int(row[1]), row[2]
