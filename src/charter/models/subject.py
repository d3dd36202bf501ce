"""Subjects (people) and their records, the encrypted personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class Subject(IdMixin, OrganizationScoped, Base):
    """A person, found only through blind indexes; no personal data in clear here."""

    __tablename__ = "subjects"
    __table_args__ = (
        UniqueConstraint("organization_id", "email_index", name="uq_subjects_email_index"),
        Index("ix_subjects_phone_index", "organization_id", "phone_index"),
        # SQLite would reuse the id of an erased person: the audit trail must never mix two.
        {"sqlite_autoincrement": True},
    )

    email_index: Mapped[str | None] = mapped_column(String(64))
    phone_index: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    restricted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="Art. 18: set while processing is restricted to storage"
    )


class SubjectContact(IdMixin, OrganizationScoped, Sealed, Base):
    """How to reach a subject (e-mail, phone), sealed: Charter's own messages need it even
    when no record of a category holds it."""

    __tablename__ = "subject_contacts"
    __table_args__ = (
        UniqueConstraint("subject_id", "organization_id", name="uq_subject_contacts_subject"),
    )

    subject_id: Mapped[int] = mapped_column(Id, ForeignKey("subjects.id", ondelete="CASCADE"))

    def sealed_context(self) -> str:
        return f"contact:{self.organization_id}:{self.subject_id}"


class Record(IdMixin, OrganizationScoped, Sealed, Base):
    """Personal data of one subject in one category from one source, encrypted at rest."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_subject", "subject_id", "organization_id"),
        Index("ix_records_retention_due", "organization_id", "retention_due_at"),
    )

    subject_id: Mapped[int] = mapped_column(Id, ForeignKey("subjects.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    # The column kept its first name; the attribute is the one all sealed tables share.
    sealed: Mapped[bytes] = mapped_column("value", LargeBinary)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_contact_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contract_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    account_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_rule: Mapped[str | None] = mapped_column(
        String(64), doc="the rule that decides retention_due_at (its action applies)")
    schedule: Mapped[str] = mapped_column(
        String(16), default="", server_default="",
        doc="fingerprint of the retention rules the dates follow: a changed policy "
        "reschedules the records that followed the old ones")
    legal_hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def sealed_context(self) -> str:
        return f"record:{self.organization_id}:{self.subject_id}:{self.category}:{self.source}"
