from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, union

from ..db import CharterSession
from ..models import ChangeNotice, ConsentState, PolicyVersion, Record, Subject


def latest(session: CharterSession, organization_id: int) -> PolicyVersion | None:
    statement = select(PolicyVersion).where(PolicyVersion.organization_id == organization_id)
    return session.scalars(statement.order_by(PolicyVersion.number.desc()).limit(1)).first()


def in_force(session: CharterSession, organization_id: int, today: date
             ) -> PolicyVersion | None:
    """The version that applies today: the last one whose effective date has come."""
    statement = select(PolicyVersion).where(PolicyVersion.organization_id == organization_id,
                                            PolicyVersion.effective_on <= today)
    return session.scalars(statement.order_by(PolicyVersion.effective_on.desc(),
                                              PolicyVersion.number.desc()).limit(1)).first()


def upcoming(session: CharterSession, organization_id: int, today: date
             ) -> list[PolicyVersion]:
    """Versions published but not yet in force, the soonest first."""
    statement = select(PolicyVersion).where(PolicyVersion.organization_id == organization_id,
                                            PolicyVersion.effective_on > today)
    return list(session.scalars(statement.order_by(PolicyVersion.effective_on,
                                                   PolicyVersion.number)))


def by_number(session: CharterSession, organization_id: int, number: int
              ) -> PolicyVersion | None:
    statement = select(PolicyVersion).where(PolicyVersion.organization_id == organization_id,
                                            PolicyVersion.number == number)
    return session.scalars(statement).first()


def all_versions(session: CharterSession, organization_id: int) -> list[PolicyVersion]:
    statement = select(PolicyVersion).where(PolicyVersion.organization_id == organization_id)
    return list(session.scalars(statement.order_by(PolicyVersion.number.desc())))


def windows_to_close(session: CharterSession, organization_id: int, today: date
                     ) -> list[PolicyVersion]:
    statement = select(PolicyVersion).where(
        PolicyVersion.organization_id == organization_id,
        PolicyVersion.window_ends_on <= today,
        PolicyVersion.window_closed_at.is_(None),
    )
    return list(session.scalars(statement))


def notices_of(session: CharterSession, organization_id: int, version_id: int
               ) -> list[ChangeNotice]:
    statement = select(ChangeNotice).where(ChangeNotice.organization_id == organization_id,
                                           ChangeNotice.version_id == version_id)
    return list(session.scalars(statement))


def notice_for(session: CharterSession, organization_id: int, version_id: int, subject_id: int
               ) -> ChangeNotice | None:
    statement = select(ChangeNotice).where(ChangeNotice.organization_id == organization_id,
                                           ChangeNotice.version_id == version_id,
                                           ChangeNotice.subject_id == subject_id)
    return session.scalars(statement).first()


def counts_by_answer(session: CharterSession, organization_id: int, version_id: int
                     ) -> dict[str, int]:
    """How many of the people told answered what ("none": not yet). Grouped on the column
    itself: PostgreSQL does not see two bound "none" as the same expression."""
    statement = (select(ChangeNotice.answer, func.count())
                 .where(ChangeNotice.organization_id == organization_id,
                        ChangeNotice.version_id == version_id)
                 .group_by(ChangeNotice.answer))
    return {answer or "none": count for answer, count in session.execute(statement)}


def concerned(session: CharterSession, organization_id: int, categories: list[str],
              purposes: list[str], *, known_before: datetime | None = None) -> list[int]:
    """People with data in these categories, or a consent for these purposes (optionally:
    only those Charter already knew at a given moment)."""
    holders = select(Record.subject_id).where(Record.organization_id == organization_id,
                                              Record.category.in_(categories or [""]))
    consenting = select(ConsentState.subject_id).where(
        ConsentState.organization_id == organization_id,
        ConsentState.purpose.in_(purposes or [""]))
    people = union(holders, consenting).subquery()
    statement = select(people.c.subject_id)
    if known_before is not None:
        statement = statement.join(Subject, Subject.id == people.c.subject_id).where(
            Subject.organization_id == organization_id, Subject.created_at < known_before)
    return sorted(session.scalars(statement))
