"""Removing a person entirely: what erasure, an unconfirmed child's sign-up and the end of
every retention period come to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from ..db import CharterSession
from ..mail.repository import messages_of
from ..models import OutboxMessage, Subject, utcnow
from ..runtime import Runtime


def remove_subject(session: CharterSession, runtime: Runtime, subject: Subject) -> None:
    """Delete the person with everything attached to them (records, contact, consents,
    links), and empty the envelopes of the mail written to them: the outbox rows stay as the
    record that something was sent, with nothing left in them about whom or what."""
    purge_mail_of(session, runtime, subject.id)
    session.delete(subject)
    session.flush()


def remove_subjects(session: CharterSession, runtime: Runtime, subject_ids: list[int]) -> None:
    """The same for many people at once (a retention sweep), in a few statements: what is
    attached to them goes with them (ON DELETE CASCADE)."""
    org, now = runtime.organization_id, utcnow()
    for message in session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == org, OutboxMessage.subject_id.in_(subject_ids))):
        _empty(runtime, message, now)
    session.flush()
    session.execute(delete(Subject).where(Subject.organization_id == org,
                                          Subject.id.in_(subject_ids)))


def purge_mail_of(session: CharterSession, runtime: Runtime, subject_id: int) -> None:
    """Empty the envelopes of every message to a person; unsent ones are cancelled."""
    now = utcnow()
    for message in messages_of(session, runtime.organization_id, subject_id):
        _empty(runtime, message, now)


def _empty(runtime: Runtime, message: OutboxMessage, now: datetime) -> None:
    message.subject_id = None
    if message.forget_after_sending and message.status in ("queued", "sending"):
        return  # the answer to the erasure itself: it goes, then empties itself
    runtime.cipher.seal(message, {})
    message.purged_at = message.purged_at or now
    if message.status in ("queued", "sending"):
        message.status, message.last_error = "cancelled", "not sent: erased"
