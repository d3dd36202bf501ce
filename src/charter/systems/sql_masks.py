"""What a personal column of an SQL system becomes when erasure keeps its row: NULL, a
placeholder of its type, or (anonymise) a value that still counts in statistics without
pointing at the person."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    RowMapping,
    String,
)

from ..policy import Policy
from .sql_database import MASK_LENGTH, MappedTable

IDENTIFYING_TYPES = ("email", "phone", "iban", "ip")


def _field_type(mapped: MappedTable, name: str, policy: Policy) -> str | None:
    category, _, field = mapped.config.columns.get(name, "").partition(".")
    declared = policy.category(category)
    if declared is None or not field:
        return None
    return next((f.type for f in declared.fields if f.name == field), None)


def _is_email(mapped: MappedTable, name: str, policy: Policy) -> bool:
    return mapped.config.identity.get("email") == name or "mail" in name.lower() \
        or _field_type(mapped, name, policy) == "email"


def identifies(mapped: MappedTable, name: str, policy: Policy) -> bool:
    """An identity column, or one mapped to an address, a phone number, an IBAN or an IP
    address: its value points at the person whatever its type, so it is never kept."""
    return name in mapped.config.identity.values() \
        or _field_type(mapped, name, policy) in IDENTIFYING_TYPES


def placeholder(length: int | None, *, email: bool) -> str:
    """``erased-`` and 64 random bits in hex, ``@erased.invalid`` after it for an address
    when the column has room: unique, so unique constraints hold. On a short column the
    word ``erased-`` is cut, never the random part (resolve refuses a column of fewer than
    MASK_LENGTH characters)."""
    token = secrets.token_hex(MASK_LENGTH // 2)
    domain = "@erased.invalid"
    if length is not None and length < MASK_LENGTH:
        raise ValueError(f"a masked value needs {MASK_LENGTH} characters")
    suffix = domain if email and (length is None or length >= MASK_LENGTH + len(domain)) \
        else ""
    word = "erased-"
    if length is not None:
        word = word[:max(0, length - len(token) - len(suffix))]
    return f"{word}{token}{suffix}"


def replacement(column: Column[Any], value: Any, action: str, *, email: bool,
                identifying: bool = False) -> Any:
    """The value a personal column gets: ``clear`` empties it; ``mask`` puts a placeholder
    of its type (unique, so unique constraints hold); ``anonymise`` masks text, keeps only
    the year of a date and keeps numbers — except in a column that identifies the person —
    so the row still counts in statistics."""
    kind = column.type
    if action == "clear":
        return None
    if isinstance(kind, String):
        return placeholder(kind.length, email=email)
    if action == "anonymise" and not identifying:
        if isinstance(value, datetime):
            return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        if isinstance(value, date):
            return value.replace(month=1, day=1)
        if isinstance(kind, Integer | Numeric | Boolean):
            return value
    if column.nullable:
        return None
    if isinstance(kind, DateTime):
        return datetime(1900, 1, 1)
    if isinstance(kind, Date):
        return date(1900, 1, 1)
    if isinstance(kind, LargeBinary):
        return b""
    if isinstance(kind, Integer) and identifying:  # negative, 31 random bits: still unique
        return -1 - secrets.randbelow(2**31 - 1)
    return False if isinstance(kind, Boolean) else 0


def personal_columns(mapped: MappedTable) -> list[str]:
    """The columns erasure empties: the mapped ones and the identity columns (an address
    that finds the person is personal data even when the policy does not map it)."""
    config = mapped.config
    named = [*config.columns, *config.identity.values()]
    return [name for name in dict.fromkeys(named) if name not in mapped.key]


def replacements(mapped: MappedTable, row: RowMapping, action: str, policy: Policy
                 ) -> dict[str, Any]:
    table = mapped.table
    return {name: replacement(table.c[name], row[name], action,
                              email=_is_email(mapped, name, policy),
                              identifying=identifies(mapped, name, policy))
            for name in personal_columns(mapped)}
