from __future__ import annotations

from sqlalchemy import func, select

from ..db import CharterSession
from ..models import Record, Subject, SubjectContact


def subject_by_email_index(
    session: CharterSession, organization_id: int, email_index: str
) -> Subject | None:
    statement = select(Subject).where(
        Subject.organization_id == organization_id, Subject.email_index == email_index
    )
    return session.scalars(statement).first()


def subjects_by_phone_index(
    session: CharterSession, organization_id: int, phone_index: str
) -> list[Subject]:
    statement = select(Subject).where(
        Subject.organization_id == organization_id, Subject.phone_index == phone_index
    )
    return list(session.scalars(statement))


def subject_by_id(
    session: CharterSession, organization_id: int, subject_id: int | None
) -> Subject | None:
    if subject_id is None:
        return None
    statement = select(Subject).where(
        Subject.organization_id == organization_id, Subject.id == subject_id
    )
    return session.scalars(statement).first()


def records_of(
    session: CharterSession,
    organization_id: int,
    subject_id: int,
    categories: set[str] | None = None,
) -> list[Record]:
    statement = select(Record).where(
        Record.organization_id == organization_id, Record.subject_id == subject_id
    )
    if categories is not None:
        statement = statement.where(Record.category.in_(categories))
    return list(session.scalars(statement.order_by(Record.id)))


def record_of(
    session: CharterSession, organization_id: int, subject_id: int, category: str, source: str
) -> Record | None:
    statement = select(Record).where(
        Record.organization_id == organization_id,
        Record.subject_id == subject_id,
        Record.category == category,
        Record.source == source,
    )
    return session.scalars(statement).first()


def counts_by_category(session: CharterSession, organization_id: int) -> dict[str, int]:
    statement = (
        select(Record.category, func.count())
        .where(Record.organization_id == organization_id)
        .group_by(Record.category)
    )
    return {category: count for category, count in session.execute(statement)}


def subject_count(session: CharterSession, organization_id: int) -> int:
    statement = (
        select(func.count()).select_from(Subject).where(Subject.organization_id == organization_id)
    )
    return session.scalar(statement) or 0


def contact_of(
    session: CharterSession, organization_id: int, subject_id: int
) -> SubjectContact | None:
    statement = select(SubjectContact).where(
        SubjectContact.organization_id == organization_id,
        SubjectContact.subject_id == subject_id,
    )
    return session.scalars(statement).first()
