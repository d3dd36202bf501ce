from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from ..db import CharterSession
from ..models import MailLink, OutboxMessage


def claim_due(
    session: CharterSession,
    organization_id: int,
    *,
    claim: str,
    now: datetime,
    stale_before: datetime,
    limit: int,
) -> list[int]:
    """Mark up to ``limit`` due messages as ours in one statement, so that two workers never
    take the same one; messages left ``sending`` by a crashed worker are taken again."""
    takeable = or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < stale_before),
    )
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.organization_id == organization_id, takeable)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.organization_id == organization_id, OutboxMessage.id.in_(due), takeable
        )
        .values(status="sending", claim=claim, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    mine = select(OutboxMessage.id).where(
        OutboxMessage.organization_id == organization_id, OutboxMessage.claim == claim
    )
    return list(session.scalars(mine.order_by(OutboxMessage.id)))


def renew_claim(
    session: CharterSession, organization_id: int, message_id: int, claim: str, now: datetime
) -> bool:
    """Still ours? Then mark it fresh (one statement, so the answer cannot go stale)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.organization_id == organization_id,
            OutboxMessage.id == message_id,
            OutboxMessage.claim == claim,
            OutboxMessage.status == "sending",
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def claimed(
    session: CharterSession, organization_id: int, message_id: int, claim: str
) -> OutboxMessage | None:
    statement = select(OutboxMessage).where(
        OutboxMessage.organization_id == organization_id,
        OutboxMessage.id == message_id,
        OutboxMessage.claim == claim,
    )
    return session.scalars(statement).first()


def message_by_id(
    session: CharterSession, organization_id: int, message_id: int
) -> OutboxMessage | None:
    statement = select(OutboxMessage).where(
        OutboxMessage.organization_id == organization_id, OutboxMessage.id == message_id
    )
    return session.scalars(statement).first()


def recent_messages(
    session: CharterSession, organization_id: int, *, limit: int, status: str | None = None
) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(OutboxMessage.organization_id == organization_id)
    if status:
        statement = statement.where(OutboxMessage.status == status)
    return list(session.scalars(statement.order_by(OutboxMessage.id.desc()).limit(limit)))


@dataclass(frozen=True)
class ServerTrouble:
    """Mail waiting because the SMTP server itself failed (connection, TLS, login)."""

    waiting: int
    since: datetime
    error: str


def server_trouble(session: CharterSession, organization_id: int) -> ServerTrouble | None:
    """Nothing counts attempts against such failures, so staff must see them: how many
    messages wait on the server, since when, and its last answer."""
    statement = (
        select(func.count(), func.min(OutboxMessage.created_at), func.max(OutboxMessage.last_error))
        .where(OutboxMessage.organization_id == organization_id,
               OutboxMessage.status == "queued", OutboxMessage.last_error.like("server:%"))
    )
    waiting, since, error = session.execute(statement).one()
    return ServerTrouble(waiting, since, str(error)) if waiting else None


def counts_by_status(session: CharterSession, organization_id: int) -> dict[str, int]:
    statement = (
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.organization_id == organization_id)
        .group_by(OutboxMessage.status)
    )
    return {status: count for status, count in session.execute(statement)}


def sent_since(
    session: CharterSession, organization_id: int, subject_id: int, kind: str, since: datetime
) -> int:
    statement = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.organization_id == organization_id,
            OutboxMessage.subject_id == subject_id,
            OutboxMessage.kind == kind,
            OutboxMessage.created_at >= since,
        )
    )
    return session.scalar(statement) or 0


def messages_of(
    session: CharterSession, organization_id: int, subject_id: int
) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(
        OutboxMessage.organization_id == organization_id, OutboxMessage.subject_id == subject_id
    )
    return list(session.scalars(statement))


def link_by_hash(session: CharterSession, organization_id: int, token_hash: str) -> MailLink | None:
    statement = select(MailLink).where(
        MailLink.organization_id == organization_id, MailLink.token_hash == token_hash
    )
    return session.scalars(statement).first()
