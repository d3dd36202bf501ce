"""The consent ledger (append-only events with their proof), the current state it yields,
and the suppression list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class ConsentEvent(IdMixin, OrganizationScoped, Sealed, Base):
    """One grant, withdrawal or pending request of consent, never updated. The proof (IP
    address, user agent, a written agreement, a note) is sealed; the receipt id is public."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_subject", "subject_id", "organization_id"),
                      # the dashboard's trend reads the last weeks of the ledger
                      Index("ix_consent_events_time", "organization_id", "occurred_at"))

    receipt_id: Mapped[str] = mapped_column(String(36), unique=True)
    subject_id: Mapped[int] = mapped_column(Id, ForeignKey("subjects.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16), doc="grant, withdraw or pending")
    method: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    policy_version: Mapped[str] = mapped_column(String(80))
    text_hash: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    source: Mapped[str | None] = mapped_column(String(64), doc="collection point, if any")
    actor: Mapped[str] = mapped_column(String(64))
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    dnt: Mapped[bool] = mapped_column(Boolean, default=False)

    def sealed_context(self) -> str:
        return f"consent:{self.organization_id}:{self.subject_id}:{self.receipt_id}"


class LedgerIsAppendOnly(RuntimeError):
    """A programming error: an attempt to rewrite or delete one event of the consent ledger."""


@event.listens_for(ConsentEvent, "before_update")
def _never_rewritten(_mapper: Any, _connection: Any, event_row: ConsentEvent) -> None:
    # only key rotation touches a written event: it re-seals the same proof under a new key
    state = inspect(event_row)
    changed = {a.key for a in state.attrs if a.history.has_changes()} - {"sealed", "key_id"}
    if changed:
        names = ", ".join(sorted(changed))
        raise LedgerIsAppendOnly(f"consent event {event_row.receipt_id}: {names} cannot "
                                 "change; record a new event instead")


@event.listens_for(ConsentEvent, "before_delete")
def _never_deleted_alone(_mapper: Any, _connection: Any, event_row: ConsentEvent) -> None:
    # the ledger goes only with the person (erasure, retention), never one event at a time
    raise LedgerIsAppendOnly(f"consent event {event_row.receipt_id} cannot be deleted")


class ConsentState(IdMixin, OrganizationScoped, Base):
    """The latest word per subject, purpose and channel: "may we?" in one indexed lookup."""

    __tablename__ = "consent_states"
    __table_args__ = (
        UniqueConstraint(
            "subject_id", "purpose", "channel", "organization_id", name="uq_consent_states_key"
        ),
        Index("ix_consent_states_audience", "organization_id", "purpose", "channel", "status"),
    )

    subject_id: Mapped[int] = mapped_column(Id, ForeignKey("subjects.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), doc="granted, withdrawn or pending")
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[int] = mapped_column(
        Id, ForeignKey("consent_events.id", ondelete="CASCADE"), index=True
    )


class Suppression(IdMixin, OrganizationScoped, Base):
    """An e-mail (by blind index) that marketing must never reach again unless the person
    gives fresh consent. Not linked to a subject, so it survives erasure."""

    __tablename__ = "suppressions"
    __table_args__ = (
        UniqueConstraint("organization_id", "email_index", name="uq_suppressions_email_index"),
    )

    email_index: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32), doc="unsubscribed, erased, complaint, staff")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Objection(IdMixin, OrganizationScoped, Base):
    """Art. 21: an objection to one purpose, or (``purpose`` empty) to all direct marketing,
    which is upheld at once and without discussion. Objections to a legitimate interest wait
    for a staff decision."""

    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_subject", "subject_id", "organization_id"),)

    subject_id: Mapped[int] = mapped_column(Id, ForeignKey("subjects.id", ondelete="CASCADE"))
    purpose: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), doc="upheld, pending or rejected")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
