"""Published versions of the policy and its notice (immutable once stored), and the notices
of a material change sent to each person concerned, with their answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, UTCDateTime, utcnow


class PolicyVersion(IdMixin, OrganizationScoped, Base):
    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("organization_id", "number", name="uq_policy_versions_number"),
    )

    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text, doc="the policy file as published")
    notices: Mapped[str] = mapped_column(Text, doc="JSON: {lang: {html, md, txt}}")
    changes: Mapped[str] = mapped_column(Text, doc="JSON: the changes since the previous one")
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_on: Mapped[date] = mapped_column(Date)
    window_ends_on: Mapped[date | None] = mapped_column(Date)
    window_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(64))


class ChangeNotice(IdMixin, OrganizationScoped, Base):
    """One person told of a material change: what they answered, and what their silence
    meant when the window closed."""

    __tablename__ = "change_notices"
    __table_args__ = (
        UniqueConstraint("version_id", "subject_id", name="uq_change_notices_subject"),
    )

    version_id: Mapped[int] = mapped_column(
        Id, ForeignKey("policy_versions.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[int] = mapped_column(
        Id, ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(
        String(24), doc="accepted, objected, withdrew, unsubscribed, erasure"
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(24), doc="when the window closed")
