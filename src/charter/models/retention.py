"""What anonymisation leaves: facts about no one. A record past its retention whose rule says
"anonymise" becomes one of these rows — its category, where it came from, the month it was
collected, the person's language and the fields the policy chose to keep — and the record
itself is deleted. Figures drawn from them are shown only for groups of at least k."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, OrganizationScoped, UTCDateTime, utcnow


class AnonymousFact(IdMixin, OrganizationScoped, Base):
    __tablename__ = "anonymous_facts"
    __table_args__ = (Index("ix_anonymous_facts_category", "organization_id", "category"),)

    category: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7), doc="YYYY-MM the data was collected")
    language: Mapped[str] = mapped_column(String(2))
    kept: Mapped[str] = mapped_column(Text, default="{}", doc="the fields kept, as JSON")
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
