from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, OrganizationScoped, UTCDateTime, utcnow


class AuditEvent(IdMixin, OrganizationScoped, Base):
    """Append-only, hash-chained per organization: ``hash = sha256(prev_hash | event)``.
    Never holds personal data itself: subject ids, categories and counts only."""

    __tablename__ = "audit_events"
    # Two writers racing for the same place in the chain: one of them fails and retries.
    # A request's timeline and a person's trail are read by target.
    __table_args__ = (UniqueConstraint("organization_id", "seq", name="uq_audit_events_seq"),
                      Index("ix_audit_events_target", "organization_id", "target"))

    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
