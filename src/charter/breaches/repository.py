"""Queries on the breach register, every one scoped to the organization."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, func, select

from ..db import CharterSession
from ..models import Breach


def breach_by_reference(session: CharterSession, organization_id: int, reference: str
                        ) -> Breach | None:
    statement = select(Breach).where(Breach.organization_id == organization_id,
                                     Breach.reference == reference)
    return session.scalars(statement).first()


def breaches_in_year(session: CharterSession, organization_id: int, year: int) -> int:
    statement = select(func.count()).select_from(Breach).where(
        Breach.organization_id == organization_id, Breach.reference.like(f"B-{year}-%"))
    return session.scalar(statement) or 0


def open_breaches(session: CharterSession, organization_id: int) -> list[Breach]:
    """Open breaches, the one detected first (whose deadline comes first) at the top."""
    statement = select(Breach).where(Breach.organization_id == organization_id,
                                     Breach.status == "open")
    return list(session.scalars(statement.order_by(Breach.detected_at, Breach.id)))


def closed_breaches(session: CharterSession, organization_id: int, *, limit: int = 200
                    ) -> list[Breach]:
    """Closed breaches, the most recently closed first."""
    statement = select(Breach).where(Breach.organization_id == organization_id,
                                     Breach.status == "closed")
    ordered = statement.order_by(Breach.closed_at.desc(), Breach.id.desc())
    return list(session.scalars(ordered.limit(limit)))


def open_clock_rows(session: CharterSession, organization_id: int
                    ) -> Sequence[Row[str, datetime, str, str | None, datetime | None,
                                      str | None]]:
    """What the dashboard needs of each open breach, in one query and without the sealed
    narrative: reference, detected_at, risk, authority_decision, authority_notified_at,
    subjects_decision."""
    statement = select(Breach.reference, Breach.detected_at, Breach.risk,
                       Breach.authority_decision, Breach.authority_notified_at,
                       Breach.subjects_decision).where(
        Breach.organization_id == organization_id, Breach.status == "open")
    return session.execute(statement.order_by(Breach.detected_at, Breach.id)).all()
