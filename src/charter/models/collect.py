"""What collection leaves behind: submissions (with the signals the browser sent), minors
waiting for a parent, import runs (to resume), and the proof of cookie choices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class Submission(IdMixin, OrganizationScoped, Sealed, Base):
    """One form or API submission: when, through which collection point, under which policy
    version, with which browser signals. The IP address and user agent are sealed."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_subject", "subject_id", "organization_id"),)

    uid: Mapped[str] = mapped_column(String(32), unique=True)
    subject_id: Mapped[int] = mapped_column(Id, ForeignKey("subjects.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), doc="web_form, api or import")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    policy_version: Mapped[str] = mapped_column(String(80))
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    dnt: Mapped[bool] = mapped_column(Boolean, default=False)

    def sealed_context(self) -> str:
        return f"submission:{self.organization_id}:{self.uid}"


class ParentalConsent(IdMixin, OrganizationScoped, Sealed, Base):
    """A child's data held (restricted) until a parent or the school confirms; erased when
    the window closes without an answer. The parent's address is sealed."""

    __tablename__ = "parental_consents"

    subject_id: Mapped[int] = mapped_column(
        Id, ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), doc="pending, confirmed or expired")
    confirmer: Mapped[str] = mapped_column(String(16), doc="parent or school")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def sealed_context(self) -> str:
        return f"parental:{self.organization_id}:{self.subject_id}:{self.source}"


class ImportRun(IdMixin, OrganizationScoped, Base):
    """Progress of `charter import` on one file, so an interrupted import resumes."""

    __tablename__ = "import_runs"
    __table_args__ = (
        UniqueConstraint("organization_id", "source", "file_hash", name="uq_import_runs_file"),
    )

    source: Mapped[str] = mapped_column(String(64))
    file_hash: Mapped[str] = mapped_column(String(64))
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejections: Mapped[str] = mapped_column(
        Text, default="[]", doc="JSON: [[line, field, problem]]; never the values themselves"
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CookieConsent(IdMixin, OrganizationScoped, Base):
    """A choice made in the cookie banner, kept as proof. A random id chosen by the browser
    ties a person's successive choices together; nothing else identifies them."""

    __tablename__ = "cookie_consents"
    __table_args__ = (Index("ix_cookie_consents_consent", "organization_id", "consent_id"),)

    consent_id: Mapped[str] = mapped_column(String(36))
    policy_version: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))
    choices: Mapped[str] = mapped_column(Text, doc="JSON: {category: bool}")
    vendors: Mapped[str] = mapped_column(Text, doc="JSON: {vendor: bool}")
    do_not_sell: Mapped[bool] = mapped_column(Boolean, default=False)
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
