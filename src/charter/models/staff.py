"""Staff accounts, their sessions, and API keys for machine clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Id, IdMixin, OrganizationScoped, Sealed, UTCDateTime, utcnow


class StaffUser(IdMixin, OrganizationScoped, Base):
    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("organization_id", "email", name="uq_staff_users_email"),)

    email: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffTotp(IdMixin, OrganizationScoped, Sealed, Base):
    """A staff member's TOTP secret (sealed), once set up; ``last_step`` refuses a code
    used twice."""

    __tablename__ = "staff_totp"

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("staff_users.id", ondelete="CASCADE"), unique=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="None while being set up: not asked at login until confirmed")
    last_step: Mapped[int] = mapped_column(Integer, default=0)

    def sealed_context(self) -> str:
        return f"totp:{self.organization_id}:{self.user_id}"


class StaffSession(IdMixin, OrganizationScoped, Base):
    """Server-side session: the cookie holds a random token, the table its hash."""

    __tablename__ = "staff_sessions"

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(IdMixin, OrganizationScoped, Base):
    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("organization_id", "name", name="uq_api_keys_name"),)

    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
