"""The person's rows in a mapped SQL database, and what erasure will do to each of them.
The plan is computed by reading only, before any write: it is the dry run staff see, and
a plan that would leave rows pointing at deleted ones is refused as a whole."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    and_,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from ..dates import add_months
from ..policy import Policy
from ..rights.connectors import Person
from .sql_database import Database, MappedTable, Reference

CHUNK = 500
Rows = dict[str, list[RowMapping]]


class ErasureConflict(Exception):  # by type in a part's last error; the message names tables
    """Erasure would delete rows that other kept rows still refer to."""


@dataclass
class Step:
    table: str
    action: str  # delete, clear, mask, anonymise, hold
    rows: list[RowMapping]
    until: date | None = None


def in_chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Batches small enough for any database's limit on bound parameters (SQLite: 999 on
    older builds)."""
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _identity(mapped: MappedTable, person: Person) -> ColumnElement[bool] | None:
    table, config = mapped.table, mapped.config
    found: list[ColumnElement[bool]] = []
    email = config.identity.get("email")
    if email and person.email:
        column = table.c[email]
        found.append(func.lower(column) == person.email.lower() if config.ignore_case
                     else column == person.email)
    phone = config.identity.get("phone")
    if phone and person.phone:
        found.append(table.c[phone] == person.phone)
    return or_(*found) if found else None


def person_rows(connection: Connection, database: Database, person: Person) -> Rows:
    """Every mapped row of the person: by identity, then outward along each link, using the
    values of the rows already found (an index on each link column keeps this fast)."""
    rows: Rows = {}
    for mapped in database.tables:
        table, link = mapped.table, mapped.link
        if link is None:
            condition = _identity(mapped, person)
            rows[mapped.name] = [] if condition is None else list(
                connection.execute(select(table).where(condition)).mappings())
            continue
        values = sorted({r[link.parent_column] for r in rows[link.parent]
                         if r[link.parent_column] is not None}, key=str)
        found: list[RowMapping] = []
        for chunk in in_chunks(values):
            statement = select(table).where(table.c[link.column].in_(chunk))
            found.extend(connection.execute(statement).mappings())
        rows[mapped.name] = found
    return rows


def key_of(mapped: MappedTable, row: RowMapping) -> tuple[Any, ...]:
    return tuple(row[k] for k in mapped.key)


def by_keys(mapped: MappedTable, keys: Sequence[tuple[Any, ...]]) -> ColumnElement[bool]:
    columns = [mapped.table.c[k] for k in mapped.key]
    if len(columns) == 1:
        return columns[0].in_([k[0] for k in keys])
    return tuple_(*columns).in_(list(keys))


def by_key(mapped: MappedTable, key: Sequence[Any]) -> ColumnElement[bool]:
    return and_(*(mapped.table.c[k] == v for k, v in zip(mapped.key, key, strict=True)))


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def hold_ends(policy: Policy, mapped: MappedTable, row: RowMapping, today: date) -> date:
    """The hold counts from the row's date column; without one, from today (the latest the
    event it counts from can have happened)."""
    hold = mapped.config.hold
    assert hold is not None
    declared = next(h for h in policy.legal_holds if h.id == hold.legal_hold)
    start = _day(row[hold.from_column]) or today
    duration = declared.duration
    if duration.unit == "days":
        return start + timedelta(days=duration.amount)
    return add_months(start, duration.amount * (12 if duration.unit == "years" else 1))


def erasure_plan(database: Database, rows: Rows, policy: Policy, today: date, *,
                 connection: Connection | None = None) -> list[Step]:
    """What erasure will do, table by table; raises ErasureConflict for a plan that would
    delete rows that kept rows refer to (the database would refuse, or dangle). Reads
    through ``connection`` (erasure's own transaction), or a connection of its own."""
    steps: list[Step] = []
    for mapped in database.tables:
        found = rows.get(mapped.name, [])
        config = mapped.config
        if not found or config.erasure is None:
            continue
        if config.erasure != "hold" or config.hold is None:
            steps.append(Step(mapped.name, config.erasure, found))
            continue
        ends = {key_of(mapped, r): hold_ends(policy, mapped, r, today) for r in found}
        held = [r for r in found if ends[key_of(mapped, r)] > today]
        ended = [r for r in found if ends[key_of(mapped, r)] <= today]
        if held:
            steps.append(Step(mapped.name, "hold", held,
                              until=max(ends[key_of(mapped, r)] for r in held)))
        if ended:
            steps.append(Step(mapped.name, config.hold.then, ended))
    if connection is not None:
        refuse_dangling(connection, database, steps)
    else:
        with database.engine.connect() as reading:
            refuse_dangling(reading, database, steps)
    return steps


def refuse_dangling(connection: Connection, database: Database, steps: list[Step]) -> None:
    """Every foreign key pointing into a table that loses rows — from a mapped table or
    not — must not be left referring to a deleted row."""
    deleted: dict[str, list[RowMapping]] = {}
    for step in steps:
        if step.action == "delete":
            deleted.setdefault(step.table, []).extend(step.rows)
    for parent, gone in deleted.items():
        for reference in database.references.get(parent, []):
            kept = _kept_referring(connection, database, reference, gone, deleted)
            if kept:
                mapped = database.mapped(reference.table) is not None
                raise ErasureConflict(
                    f"{kept} row(s) of {reference.table} that erasure keeps refer to rows of "
                    f"{parent} it would delete: erase {parent} with clear, mask or anonymise"
                    + ("" if mapped else f", or map {reference.table}"))


def _kept_referring(connection: Connection, database: Database, reference: Reference,
                    gone: list[RowMapping], deleted: dict[str, list[RowMapping]]) -> int:
    """How many rows of the referring table still point at a deleted row afterwards."""
    values = sorted({v for r in gone
                     if None not in (v := tuple(r[c] for c in reference.referred_columns))},
                    key=str)
    mapped = database.mapped(reference.table)
    table = mapped.table if mapped else sql_table(
        reference.table, *(sql_column(c) for c in reference.columns), schema=database.schema)
    columns = [table.c[c] for c in reference.columns]
    pointing = columns[0].in_ if len(columns) == 1 else tuple_(*columns).in_
    also_deleted = {key_of(mapped, r) for r in deleted.get(reference.table, [])} \
        if mapped else set()
    kept = 0
    for chunk in in_chunks(values):
        condition = pointing([v[0] for v in chunk] if len(columns) == 1 else list(chunk))
        if not also_deleted:
            kept += connection.execute(
                select(func.count()).select_from(table).where(condition)).scalar_one()
            continue
        assert mapped is not None
        keys = connection.execute(select(*(table.c[k] for k in mapped.key)).where(condition))
        kept += sum(1 for key in keys if tuple(key) not in also_deleted)
    return kept
