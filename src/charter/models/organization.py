from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of an organization's first audit event, and its head before any."""


class Organization(IdMixin, Base):
    """A controller (or processor) hosted by this instance; owns every personal-data row."""

    __tablename__ = "organizations"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    legal_name: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The head of the audit chain, written in the transaction of every append (which holds
    # this row's lock). The chain alone cannot show that its newest events were deleted;
    # compared with this anchor, it can.
    audit_head_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    audit_head_hash: Mapped[str] = mapped_column(
        String(64), default=GENESIS_HASH, server_default=GENESIS_HASH
    )
