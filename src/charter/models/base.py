"""Declarative base: stable constraint names, UTC timestamps, organization scoping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Charter stores aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)


class OrganizationScoped:
    """Rows that belong to one organization. Every query on them must filter by it
    (enforced at run time by :mod:`charter.db.scoping`)."""

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(
            Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
        )


def table_is_scoped(table: Any) -> bool:
    return "organization_id" in table.c


class Sealed:
    """Rows holding one encrypted value: ``sealed`` (AES-GCM) under the data key ``key_id``,
    bound by :meth:`sealed_context` to the row it belongs to, so a value copied into another
    row does not open. Key rotation re-encrypts every model that mixes this in."""

    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(16), index=True)

    def sealed_context(self) -> str:
        raise NotImplementedError  # abstract: each sealed table says what binds its values


def sealed_models() -> list[type[Sealed]]:
    """Every mapped table with sealed values (for key rotation)."""
    return [
        mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Sealed)
    ]
