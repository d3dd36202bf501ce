"""Complaints: from a person about how their data is handled, or from a supervisory
authority passing one on. Who complained and what they said is sealed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class Complaint(IdMixin, OrganizationScoped, Sealed, Base):
    __tablename__ = "complaints"
    __table_args__ = (UniqueConstraint("organization_id", "reference",
                                       name="uq_complaints_reference"),)

    reference: Mapped[str] = mapped_column(String(20), doc="C-2026-0001")
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16), doc="email, post, phone, web, authority")
    from_authority: Mapped[bool] = mapped_column(default=False)
    authority_reference: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("subjects.id", ondelete="SET NULL"), index=True)
    request_reference: Mapped[str | None] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date, doc="when an answer is owed")
    status: Mapped[str] = mapped_column(String(16), default="open",
                                        doc="open, answered, closed")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16), doc="upheld, partly, rejected")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def sealed_context(self) -> str:
        return f"complaint:{self.organization_id}:{self.reference}"
