"""Rows of SQL systems kept under a legal hold, until it ends. Erasure masks the person's own
row, so no later request could find their invoices again: Charter records each held row
(system, table, primary key, the day its hold ends, what then) and every night does
``then`` to the rows whose day has come — in that database, in one transaction per system.
A system that cannot be reached keeps its rows recorded, for the next night."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Numeric,
    RowMapping,
    delete,
    func,
    select,
    update,
)

from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..logs import failure
from ..models import HeldRow, utcnow
from ..runtime import Runtime
from .sql_database import Database, MappedTable, open_database
from .sql_masks import replacements
from .sql_rows import Step, by_key, by_keys, hold_ends, in_chunks, jsonable, key_of, refuse_dangling

log = logging.getLogger(__name__)


class HeldTableUnmapped(Exception):
    """The policy no longer maps a table whose rows are held: they stay recorded."""


def _key_text(key: Sequence[Any]) -> str:
    return json.dumps([jsonable(v) for v in key], separators=(",", ":"))


def record_held_rows(session: CharterSession, runtime: Runtime, system_id: str,
                     mapped: MappedTable, step: Step, today: date) -> None:
    """Remember the rows an erasure keeps under a hold, each with the day its hold ends;
    a row already recorded keeps the later of the two days."""
    hold, marker = mapped.config.hold, mapped.config.restrict_column
    assert hold is not None
    org = runtime.organization_id
    ends = {_key_text(key_of(mapped, r)): (hold_ends(runtime.policy, mapped, r, today),
                                           not (marker and r[marker]))
            for r in step.rows}
    for chunk in in_chunks(sorted(ends)):
        known = session.scalars(select(HeldRow).where(
            HeldRow.organization_id == org, HeldRow.system == system_id,
            HeldRow.table_name == mapped.name, HeldRow.key.in_(chunk)))
        for held in known:
            held.until = max(held.until, ends.pop(held.key)[0])
    session.add_all(HeldRow(organization_id=org, system=system_id, table_name=mapped.name,
                            key=key, until=until, then=hold.then, unmark=unmark)
                    for key, (until, unmark) in ends.items())
    session.flush()  # inside the erasure's own transaction: no write there without the record


def _typed(mapped: MappedTable, key: list[Any]) -> tuple[Any, ...]:
    """Key values back from JSON, in the type of their column."""
    typed = []
    for name, value in zip(mapped.key, key, strict=True):
        kind = mapped.table.c[name].type
        if isinstance(value, str) and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Date):
            value = date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Numeric):
            value = Decimal(value)
        typed.append(value)
    return tuple(typed)


def _release(connection: Connection, database: Database, runtime: Runtime,
             held: list[HeldRow]) -> dict[str, int]:
    """Do ``then`` to the held rows still in the database; refuse (ErasureConflict) a delete
    that other kept rows still refer to, as erasure does. Counts by ``table:then``."""
    released: dict[str, int] = {}
    by_table: dict[tuple[str, str], list[HeldRow]] = {}
    for row in held:
        by_table.setdefault((row.table_name, row.then), []).append(row)
    steps: list[tuple[MappedTable, Step, set[tuple[Any, ...]]]] = []
    for (name, then), rows in sorted(by_table.items()):
        mapped = database.mapped(name)
        if mapped is None:
            raise HeldTableUnmapped(name)
        keys = [_typed(mapped, json.loads(r.key)) for r in rows]
        unmark = {k for k, r in zip(keys, rows, strict=True) if r.unmark}
        found: list[RowMapping] = []
        for chunk in in_chunks(keys):
            found.extend(connection.execute(
                select(mapped.table).where(by_keys(mapped, chunk))).mappings())
        steps.append((mapped, Step(name, then, found), unmark))
        released[f"{name}:{then}"] = len(rows)
    refuse_dangling(connection, database, [step for _, step, _ in steps])
    for mapped, step, unmark in steps:
        keys = [key_of(mapped, r) for r in step.rows]
        if step.action == "delete":
            for chunk in in_chunks(keys):
                connection.execute(delete(mapped.table).where(by_keys(mapped, chunk)))
            continue
        marker = mapped.config.restrict_column
        for found_row, key in zip(step.rows, keys, strict=True):
            values = replacements(mapped, found_row, step.action, runtime.policy)
            if marker and key in unmark:
                values[marker] = False
            connection.execute(update(mapped.table).where(by_key(mapped, key)).values(values))
    return released


def release_ended_holds(session: CharterSession, runtime: Runtime, *,
                        today: date | None = None) -> int:
    """Every held row whose hold has ended gets ``then``; audited by counts per table. A
    system that fails (unreachable, no longer mapped, a delete others refer to) keeps its
    rows recorded and is tried again the next day; the log names the error type only."""
    org = runtime.organization_id
    today = today or local_date(utcnow(), runtime.policy.organization.country)
    due = list(session.scalars(select(HeldRow).where(
        HeldRow.organization_id == org, HeldRow.until <= today).order_by(HeldRow.id)))
    done = 0
    for system_id in sorted({h.system for h in due}):
        held = [h for h in due if h.system == system_id]
        system = next((s for s in runtime.policy.systems
                       if s.id == system_id and s.kind == "sql" and s.sql), None)
        try:
            if system is None:
                raise HeldTableUnmapped(system_id)
            database = open_database(system, own_url=runtime.settings.resolved_database_url)
            with database.engine.begin() as connection:
                released = _release(connection, database, runtime, held)
        except Exception as exc:
            log.warning("systems: rows held in %s whose hold ended stay until tomorrow (%s)",
                        system_id, failure(exc))
            continue
        for chunk in in_chunks([h.id for h in held]):
            session.execute(delete(HeldRow).where(HeldRow.organization_id == org,
                                                  HeldRow.id.in_(chunk)))
        record_event(session, org, actor="system", action="system.hold_ended",
                     details={"system": system_id, "rows": released})
        done += len(held)
    return done


def held_counts(session: CharterSession, organization_id: int
                ) -> list[tuple[str, str, int, date]]:
    """Per system and table: rows still held, and the nearest day a hold ends."""
    statement = (select(HeldRow.system, HeldRow.table_name, func.count(), func.min(HeldRow.until))
                 .where(HeldRow.organization_id == organization_id)
                 .group_by(HeldRow.system, HeldRow.table_name)
                 .order_by(HeldRow.system, HeldRow.table_name))
    return [(system, table, count, nearest)
            for system, table, count, nearest in session.execute(statement)]
