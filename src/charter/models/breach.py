"""The breach register (Art. 33(5)): every personal-data breach, notified or not, with the
facts, the effects, the measures taken and the decisions about telling the authority and the
people concerned. The narrative (what happened, consequences, measures, reasons) is sealed:
it may name people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class Breach(IdMixin, OrganizationScoped, Sealed, Base):
    __tablename__ = "breaches"
    __table_args__ = (UniqueConstraint("organization_id", "reference",
                                       name="uq_breaches_reference"),)

    reference: Mapped[str] = mapped_column(String(20), doc="B-2026-0001")
    detected_at: Mapped[datetime] = mapped_column(
        UTCDateTime, doc="when the organization became aware: the 72 hours start here")
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nature: Mapped[str] = mapped_column(
        String(48), doc="confidentiality, integrity, availability (one or more, space-separated)")
    categories: Mapped[str] = mapped_column(Text, default="", doc="data category ids, spaces")
    subjects_affected: Mapped[int | None] = mapped_column(Integer, doc="approximate number")
    records_affected: Mapped[int | None] = mapped_column(Integer, doc="approximate number")
    risk: Mapped[str] = mapped_column(
        String(16), default="unassessed", doc="unassessed, unlikely, risk, high")
    status: Mapped[str] = mapped_column(String(16), default="open", doc="open, closed")
    authority_decision: Mapped[str | None] = mapped_column(
        String(16), doc="notify, not_required (with the reason, sealed)")
    authority_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authority_reference: Mapped[str | None] = mapped_column(String(64))
    subjects_decision: Mapped[str | None] = mapped_column(
        String(24), doc="notify, not_required (Art. 34(3) a, b or c, with the reason, sealed)")
    subjects_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def sealed_context(self) -> str:
        return f"breach:{self.organization_id}:{self.reference}"
