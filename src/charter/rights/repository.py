from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select

from ..db import CharterSession
from ..models import (
    ExportFile,
    IdentityDocument,
    RateEvent,
    RequestSystemPart,
    RightsRequest,
)
from .lifecycle import UNRESOLVED


def request_by_reference(
    session: CharterSession, organization_id: int, reference: str
) -> RightsRequest | None:
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id, RightsRequest.reference == reference
    )
    return session.scalars(statement).first()


def request_by_id(
    session: CharterSession, organization_id: int, request_id: int | None
) -> RightsRequest | None:
    if request_id is None:
        return None
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id, RightsRequest.id == request_id
    )
    return session.scalars(statement).first()


def requests_in_year(session: CharterSession, organization_id: int, year: int) -> int:
    statement = select(func.count()).select_from(RightsRequest).where(
        RightsRequest.organization_id == organization_id,
        RightsRequest.reference.like(f"R-{year}-%"),
    )
    return session.scalar(statement) or 0


def queue(
    session: CharterSession, organization_id: int, *, statuses: tuple[str, ...] = UNRESOLVED,
    limit: int = 500,
) -> list[RightsRequest]:
    """Requests by deadline, the nearest first."""
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id, RightsRequest.status.in_(statuses)
    )
    ordered = statement.order_by(func.coalesce(RightsRequest.extended_to, RightsRequest.due_on),
                                 RightsRequest.id)
    return list(session.scalars(ordered.limit(limit)))


def recent_closed(session: CharterSession, organization_id: int, *, limit: int
                  ) -> list[RightsRequest]:
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id, RightsRequest.status.not_in(UNRESOLVED)
    )
    return list(session.scalars(statement.order_by(RightsRequest.id.desc()).limit(limit)))


def unverified_before(
    session: CharterSession, organization_id: int, moment: datetime
) -> list[RightsRequest]:
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id,
        RightsRequest.stage == "awaiting_verification",
        RightsRequest.created_at < moment,
    )
    return list(session.scalars(statement))


def due_by(session: CharterSession, organization_id: int, day: date) -> list[RightsRequest]:
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id,
        RightsRequest.status.in_(UNRESOLVED),
        func.coalesce(RightsRequest.extended_to, RightsRequest.due_on) <= day,
    )
    return list(session.scalars(statement))


def parts_of(session: CharterSession, organization_id: int, request_id: int
             ) -> list[RequestSystemPart]:
    statement = select(RequestSystemPart).where(
        RequestSystemPart.organization_id == organization_id,
        RequestSystemPart.request_id == request_id,
    )
    return list(session.scalars(statement.order_by(RequestSystemPart.id)))


def failed_parts_due(session: CharterSession, organization_id: int, moment: datetime
                     ) -> list[RequestSystemPart]:
    statement = select(RequestSystemPart).where(
        RequestSystemPart.organization_id == organization_id,
        RequestSystemPart.status == "failed",
        RequestSystemPart.next_attempt_at <= moment,
    )
    return list(session.scalars(statement))


def documents_of(session: CharterSession, organization_id: int, request_id: int
                 ) -> list[IdentityDocument]:
    statement = select(IdentityDocument).where(
        IdentityDocument.organization_id == organization_id,
        IdentityDocument.request_id == request_id,
    )
    return list(session.scalars(statement))


def export_by_uid(session: CharterSession, organization_id: int, uid: str) -> ExportFile | None:
    statement = select(ExportFile).where(
        ExportFile.organization_id == organization_id, ExportFile.uid == uid
    )
    return session.scalars(statement).first()


def exports_expired(session: CharterSession, organization_id: int, moment: datetime
                    ) -> list[ExportFile]:
    statement = select(ExportFile).where(
        ExportFile.organization_id == organization_id,
        ExportFile.deleted_at.is_(None),
        ExportFile.expires_at <= moment,
    )
    return list(session.scalars(statement))


def count_rate_events(session: CharterSession, organization_id: int, bucket: str, key: str,
                      since: datetime) -> int:
    statement = select(func.count()).select_from(RateEvent).where(
        RateEvent.organization_id == organization_id, RateEvent.bucket == bucket,
        RateEvent.key == key, RateEvent.at >= since,
    )
    return session.scalar(statement) or 0


def lifting(session: CharterSession, organization_id: int) -> list[RightsRequest]:
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == organization_id,
        RightsRequest.kind == "restriction",
        RightsRequest.stage == "lifting",
    )
    return list(session.scalars(statement))


def delete_rate_events_before(session: CharterSession, organization_id: int,
                              moment: datetime) -> int:
    result = session.execute(delete(RateEvent).where(RateEvent.organization_id == organization_id,
                                                     RateEvent.at < moment))
    return int(getattr(result, "rowcount", 0) or 0)


def live_exports_for(session: CharterSession, organization_id: int, email_index: str
                     ) -> list[ExportFile]:
    statement = (select(ExportFile)
                 .join(RightsRequest, RightsRequest.id == ExportFile.request_id)
                 .where(ExportFile.organization_id == organization_id,
                        RightsRequest.organization_id == organization_id,
                        RightsRequest.email_index == email_index,
                        ExportFile.deleted_at.is_(None)))
    return list(session.scalars(statement))


def live_exports_of_request(session: CharterSession, organization_id: int, request_id: int
                            ) -> list[ExportFile]:
    statement = select(ExportFile).where(ExportFile.organization_id == organization_id,
                                         ExportFile.request_id == request_id,
                                         ExportFile.deleted_at.is_(None))
    return list(session.scalars(statement))


def requests_of(session: CharterSession, organization_id: int, subject_id: int
                ) -> list[RightsRequest]:
    """A person's requests, newest first (their page in the Portal)."""
    statement = select(RightsRequest).where(RightsRequest.organization_id == organization_id,
                                            RightsRequest.subject_id == subject_id)
    return list(session.scalars(statement.order_by(RightsRequest.id.desc())))
