from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..db import CharterSession
from ..models import ImportRun, ParentalConsent


def open_hold(session: CharterSession, organization_id: int, subject_id: int, source: str
              ) -> ParentalConsent | None:
    statement = select(ParentalConsent).where(
        ParentalConsent.organization_id == organization_id,
        ParentalConsent.subject_id == subject_id,
        ParentalConsent.source == source,
        ParentalConsent.status == "pending",
    )
    return session.scalars(statement).first()


def expired_holds(session: CharterSession, organization_id: int, moment: datetime
                  ) -> list[ParentalConsent]:
    statement = select(ParentalConsent).where(
        ParentalConsent.organization_id == organization_id,
        ParentalConsent.status == "pending",
        ParentalConsent.deadline <= moment,
    )
    return list(session.scalars(statement))


def import_run(session: CharterSession, organization_id: int, source: str, file_hash: str
               ) -> ImportRun | None:
    statement = select(ImportRun).where(ImportRun.organization_id == organization_id,
                                        ImportRun.source == source,
                                        ImportRun.file_hash == file_hash)
    return session.scalars(statement).first()
