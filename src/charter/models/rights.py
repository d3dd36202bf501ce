"""Data-subject requests (Art. 15-22): the request with its clock, what each system did for
it, proof of identity asked for in case of doubt, and the exports people download."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class RightsRequest(IdMixin, OrganizationScoped, Sealed, Base):
    """One request. Statuses follow the Data Rights Protocol: open, in_progress, fulfilled,
    denied, expired, revoked; while it is handled the stage says where it stands, and
    rights/lifecycle.py keeps the two in step. The address, the details and the answer are
    sealed."""

    __tablename__ = "rights_requests"
    __table_args__ = (
        UniqueConstraint("organization_id", "reference", name="uq_rights_requests_reference"),
        Index("ix_rights_requests_due", "organization_id", "status", "due_on"),
        Index("ix_rights_requests_email", "organization_id", "email_index"),
    )

    reference: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(16), doc="access, rectification, erasure, ...")
    status: Mapped[str] = mapped_column(String(16), default="open")
    stage: Mapped[str] = mapped_column(
        String(24), default="received",
        doc="received, awaiting_verification, awaiting_proof, proof_received, processing, "
        "awaiting_systems, review; done once closed (a restriction: lifting, lifted); erased "
        "once the person was erased and the request forgotten",
    )
    reason: Mapped[str | None] = mapped_column(
        String(24), doc="why it was denied, in the Data Rights Protocol's words "
        "(suspected_fraud, insuf_verification, no_match, ...); the words told the person "
        "are sealed",
    )
    ground: Mapped[str | None] = mapped_column(
        String(1), doc="erasure: the Art. 17(1) ground, a to f"
    )
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    email_index: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("subjects.id", ondelete="SET NULL"), index=True
    )
    received_on: Mapped[date] = mapped_column(Date, doc="the legal day of receipt")
    due_on: Mapped[date] = mapped_column(Date)
    extended_to: Mapped[date | None] = mapped_column(Date)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))

    def sealed_context(self) -> str:
        return f"request:{self.organization_id}:{self.reference}"

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on


class RequestSystemPart(IdMixin, OrganizationScoped, Sealed, Base):
    """What one declared system did for a request (found, exported, erased...). A request is
    answered only when every system holding data has answered. The result is sealed."""

    __tablename__ = "request_system_parts"
    __table_args__ = (
        UniqueConstraint("request_id", "system", name="uq_request_system_parts_system"),
    )

    request_id: Mapped[int] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), doc="pending, done, failed")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(255))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def sealed_context(self) -> str:
        return f"request-part:{self.organization_id}:{self.request_id}:{self.system}"


class IdentityDocument(IdMixin, OrganizationScoped, Sealed, Base):
    """Proof of identity asked for in case of reasonable doubt; deleted once decided."""

    __tablename__ = "identity_documents"

    request_id: Mapped[int] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def sealed_context(self) -> str:
        return f"identity:{self.organization_id}:{self.request_id}:{self.uid}"


class ExportFile(IdMixin, OrganizationScoped, Base):
    """A ZIP behind an expiring link; the file itself is encrypted on disk, and deleted when
    the policy's retention for exports ends."""

    __tablename__ = "export_files"

    request_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="SET NULL"), index=True
    )
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecordRevision(IdMixin, OrganizationScoped, Sealed, Base):
    """What a record held before a rectification (Art. 16): history kept, sealed."""

    __tablename__ = "record_revisions"

    record_id: Mapped[int] = mapped_column(
        Id, ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("rights_requests.id", ondelete="SET NULL"), index=True
    )
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64))

    def sealed_context(self) -> str:
        return f"revision:{self.organization_id}:{self.record_id}:{self.uid}"


class RateEvent(IdMixin, OrganizationScoped, Base):
    """One use of a rate-limited door (request form, per address and per IP), by keyed hash."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key", "organization_id", "bucket", "key", "at"),)

    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
