"""What the connectors to other systems leave behind: tasks for the people who answer a
system by hand, the calls made to webhooks that answer later, and the rows of SQL systems
kept under a legal hold until it ends."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class ManualTask(IdMixin, OrganizationScoped, Sealed, Base):
    """A system answered by people owes its part of a request: a checklist, a due date
    before the request's own, the staff in charge. Their attestation is sealed."""

    __tablename__ = "manual_tasks"
    __table_args__ = (Index("ix_manual_tasks_open", "organization_id", "status", "due_on"),)

    uid: Mapped[str] = mapped_column(String(32), unique=True)
    request_id: Mapped[int] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16), doc="access, erasure, ..., lift")
    assignees: Mapped[str] = mapped_column(String(1000), doc="staff e-mails, one per line")
    status: Mapped[str] = mapped_column(String(16), default="open", doc="open, done")
    due_on: Mapped[date] = mapped_column(Date)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(64))

    def sealed_context(self) -> str:
        return f"task:{self.organization_id}:{self.uid}"

    @property
    def assignee_list(self) -> list[str]:
        return [line for line in self.assignees.splitlines() if line]


class WebhookDelivery(IdMixin, OrganizationScoped, Base):
    """A call to a webhook that said it would answer later (202): the callback finds it by
    the hash of its one-time token. Holds no personal data: the call is rebuilt from the
    request when it must be made again."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_waiting", "organization_id", "status",
                            "sent_at"),)

    uid: Mapped[str] = mapped_column(String(32), unique=True)
    request_id: Mapped[int] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="accepted",
                                        doc="accepted, answered, expired")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HeldRow(IdMixin, OrganizationScoped, Base):
    """A row of an SQL system that an erasure kept under a legal hold (an invoice). Once the
    person's own row is masked no later request could find it again, so Charter remembers
    it: when ``until`` has come, the daily job does ``then`` to it. Holds the row's primary
    key, never a value of its other columns."""

    __tablename__ = "held_rows"
    __table_args__ = (
        Index("ix_held_rows_due", "organization_id", "until"),
        UniqueConstraint("organization_id", "system", "table_name", "key",
                         name="uq_held_rows_row"),
    )

    system: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(String(1000), doc="the primary key's values, JSON")
    until: Mapped[date] = mapped_column(Date, doc="the hold ends this day")
    then: Mapped[str] = mapped_column(String(16), doc="delete, clear, mask, anonymise")
    unmark: Mapped[bool] = mapped_column(
        Boolean, default=True, doc="the hold set restrict_column: unset it if the row stays")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
