"""The outbox (every message Charter sends), newsletter campaigns, and the links mails carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class Campaign(IdMixin, OrganizationScoped, Base):
    """A newsletter sent to everyone who agreed to a purpose on the e-mail channel."""

    __tablename__ = "campaigns"

    purpose: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), doc="the subject line in the default language")
    content: Mapped[str] = mapped_column(Text, doc="JSON: {lang: {subject, body}}")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(IdMixin, OrganizationScoped, Sealed, Base):
    """One message to one person. The envelope (address, subject, body, headers) is sealed;
    the row stays as the record of what was sent after retention empties the envelope."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "organization_id", "status", "next_attempt_at"),
        # A campaign reaches each recipient once, even when its sending is resumed.
        UniqueConstraint("campaign_id", "subject_id", name="uq_outbox_messages_campaign"),
    )

    uid: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    subject_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("subjects.id", ondelete="SET NULL"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    purpose: Mapped[str | None] = mapped_column(String(64), doc="marketing: checked again at send")
    marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    forget_after_sending: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="the answer to an erasure: emptied once delivered"
    )
    status: Mapped[str] = mapped_column(
        String(16), default="queued", doc="queued, sending, sent, failed, cancelled"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def sealed_context(self) -> str:
        return f"outbox:{self.organization_id}:{self.uid}"


class MailLink(IdMixin, OrganizationScoped, Base):
    """A capability carried by a mail: unsubscribe, preferences, confirm a subscription.
    Only the token's hash is stored; unsubscribe and preferences tokens are derived again
    for every mail, so old mails keep working."""

    __tablename__ = "mail_links"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True,
        doc="links about a request, which may come from someone Charter does not know",
    )
    purpose: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
