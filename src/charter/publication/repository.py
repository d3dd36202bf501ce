from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, union

from ..db import CharterSession
from ..models import ChangeNotice, ConsentState, PolicyVersion, Record


def latest(session: CharterSession, organization_id: int) -> PolicyVersion | None:
    statement = select(PolicyVersion).where(PolicyVersion.organization_id == organization_id)
    return session.scalars(statement.order_by(PolicyVersion.number.desc()).limit(1)).first()


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
    statement = (select(func.coalesce(ChangeNotice.answer, "none"), func.count())
                 .where(ChangeNotice.organization_id == organization_id,
                        ChangeNotice.version_id == version_id)
                 .group_by(func.coalesce(ChangeNotice.answer, "none")))
    return {answer: count for answer, count in session.execute(statement)}


def concerned(session: CharterSession, organization_id: int, categories: list[str],
              purposes: list[str]) -> list[int]:
    """People with data in these categories, or a consent for these purposes."""
    holders = select(Record.subject_id).where(Record.organization_id == organization_id,
                                              Record.category.in_(categories or [""]))
    consenting = select(ConsentState.subject_id).where(
        ConsentState.organization_id == organization_id,
        ConsentState.purpose.in_(purposes or [""]))
    return sorted(session.scalars(union(holders, consenting)))
