from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, update

from ..db import CharterSession
from ..models import AuditEvent, Organization
from .head import ChainHead


def lock_head(session: CharterSession, organization_id: int) -> ChainHead:
    """The recorded head of the chain (sequence number, hash), for the next event to follow.

    Appends are serialised per organization by locking its row until the transaction ends
    (on PostgreSQL; SQLite has one writer): locking the last event would not do, since a
    second writer waiting on it would then read that same event, not the one appended
    meanwhile, and both would take the same sequence number — and with no event yet there
    is nothing to lock. The head lives on that row, so it is read under the same lock."""
    row = session.execute(
        select(Organization.audit_head_seq, Organization.audit_head_hash)
        .where(Organization.id == organization_id)
        .with_for_update()
    ).one()
    return ChainHead(row.audit_head_seq, row.audit_head_hash)


def recorded_head(session: CharterSession, organization_id: int) -> ChainHead:
    """The head as last recorded, without a lock (for verifying and printing)."""
    row = session.execute(
        select(Organization.audit_head_seq, Organization.audit_head_hash)
        .where(Organization.id == organization_id)
    ).one()
    return ChainHead(row.audit_head_seq, row.audit_head_hash)


def move_head(session: CharterSession, organization_id: int, head: ChainHead) -> None:
    session.execute(
        update(Organization)
        .where(Organization.id == organization_id)
        .values(audit_head_seq=head.seq, audit_head_hash=head.hash)
        .execution_options(synchronize_session=False)
    )


def last_event(session: CharterSession, organization_id: int) -> AuditEvent | None:
    """The newest event in the table (which the recorded head should name)."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.organization_id == organization_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def events_in_order(
    session: CharterSession, organization_id: int, batch: int = 1000
) -> Iterator[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.organization_id == organization_id)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=batch)
    )
    yield from session.scalars(statement)


def recent_events(session: CharterSession, organization_id: int, limit: int) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.organization_id == organization_id)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def events_about(session: CharterSession, organization_id: int, target: str) -> list[AuditEvent]:
    statement = select(AuditEvent).where(
        AuditEvent.organization_id == organization_id, AuditEvent.target == target
    )
    return list(session.scalars(statement.order_by(AuditEvent.seq)))


def search_events(session: CharterSession, organization_id: int, *, actor: str = "",
                  action: str = "", target: str = "", before_seq: int | None = None,
                  limit: int = 100) -> list[AuditEvent]:
    """Newest first; ``action`` matches a prefix ("request." for every request event)."""
    statement = select(AuditEvent).where(AuditEvent.organization_id == organization_id)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action:
        statement = statement.where(AuditEvent.action.startswith(action, autoescape=True))
    if target:
        statement = statement.where(AuditEvent.target == target)
    if before_seq is not None:
        statement = statement.where(AuditEvent.seq < before_seq)
    return list(session.scalars(statement.order_by(AuditEvent.seq.desc()).limit(limit)))


def last_verification(session: CharterSession, organization_id: int) -> AuditEvent | None:
    statement = select(AuditEvent).where(AuditEvent.organization_id == organization_id,
                                         AuditEvent.action == "audit.verified")
    return session.scalars(statement.order_by(AuditEvent.seq.desc()).limit(1)).first()
