"""The connector to an SQL database the policy maps (a CRM, the accounting program's
database, a school's enrolments): it finds the person by their identity columns, follows
relations outward, and answers each right as the policy declares per table. Each action
runs in one transaction of that database; erasure writes only after its plan is read and
found sound, and records the rows it keeps under a legal hold (sql_holds) so they get their
``then`` once the hold ends. Updates go by batches of primary keys, as deletes do."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, update

from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..i18n import N_
from ..models import utcnow
from ..policy.processing import System
from ..rights.connectors import AwaitingPerson, Change, Person, SystemAnswer
from ..runtime import Runtime
from .sql_database import Database, MappedTable, open_database
from .sql_holds import record_held_rows
from .sql_masks import replacements
from .sql_rows import (
    Rows,
    Step,
    by_key,
    by_keys,
    erasure_plan,
    in_chunks,
    jsonable,
    key_of,
    person_rows,
)

DELETED = N_("records deleted")
REMOVED = N_("personal details removed from the records we keep")


def _categories(mapped: MappedTable) -> set[str]:
    return {target.partition(".")[0] for target in mapped.config.columns.values()}


def _found(database: Database, rows: Rows) -> list[MappedTable]:
    return [t for t in database.tables if rows.get(t.name)]


def _mark(connection: Connection, mapped: MappedTable, keys: list[tuple[Any, ...]],
          value: bool) -> None:
    """Set or unset the table's restrict_column on these rows."""
    column = mapped.config.restrict_column
    assert column is not None
    for chunk in in_chunks(keys):
        connection.execute(update(mapped.table).where(by_keys(mapped, chunk))
                           .values({column: value}))


class SqlConnector:
    """An SQL database that is not Charter's own, as the policy maps it."""

    def __init__(self, system: System) -> None:
        self.system = system

    def database(self, runtime: Runtime) -> Database:
        return open_database(self.system, own_url=runtime.settings.resolved_database_url)

    def _read(self, runtime: Runtime, person: Person) -> tuple[Database, Rows]:
        database = self.database(runtime)
        with database.engine.connect() as connection:
            return database, person_rows(connection, database, person)

    def find(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        database, rows = self._read(runtime, person)
        found = _found(database, rows)
        return SystemAnswer(found=bool(found),
                            done=[f"{t.name}: {len(rows[t.name])} row(s)" for t in found],
                            categories=sorted({c for t in found for c in _categories(t)}))

    def export(self, session: CharterSession, runtime: Runtime, person: Person, *,
               provided_only: bool) -> SystemAnswer:
        """Each mapped column under its category (its field name when the policy gives one);
        for portability, only categories used on the basis of consent or contract."""
        database, rows = self._read(runtime, person)
        portable = {c for p in runtime.policy.purposes if p.legal_basis in ("consent", "contract")
                    for c in p.categories}
        answer = SystemAnswer(found=bool(_found(database, rows)))
        for mapped in _found(database, rows):
            for row in rows[mapped.name]:
                parts: dict[str, dict[str, Any]] = {}
                for column, target in mapped.config.columns.items():
                    category, _, field = target.partition(".")
                    if provided_only and category not in portable:
                        continue
                    parts.setdefault(category, {"table": mapped.name})[field or column] = \
                        jsonable(row[column])
                for category, values in parts.items():
                    answer.data.setdefault(category, []).append(values)
        answer.categories = sorted(answer.data)
        return answer

    def plan(self, runtime: Runtime, person: Person) -> list[Step]:
        """The dry run: what erasure would do, read only."""
        database, rows = self._read(runtime, person)
        return erasure_plan(database, rows, runtime.policy, self.today(runtime))

    def today(self, runtime: Runtime) -> date:
        return local_date(utcnow(), runtime.policy.organization.country)

    def erase(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        database, today = self.database(runtime), self.today(runtime)
        with database.engine.begin() as connection:
            rows = person_rows(connection, database, person)
            steps = erasure_plan(database, rows, runtime.policy, today, connection=connection)
            deletes = [s for s in reversed(steps) if s.action == "delete"]  # outermost first
            for step in [*deletes, *(s for s in steps if s.action != "delete")]:
                self._apply(connection, database.table(step.table), step, runtime)
                if step.action == "hold":
                    record_held_rows(session, runtime, self.system.id,
                                     database.table(step.table), step, today)
        answer = SystemAnswer(found=bool(steps))
        held: dict[str, str] = {}
        for step in steps:
            mapped = database.table(step.table)
            answer.categories = sorted({*answer.categories, *_categories(mapped)})
            if step.action == "hold" and step.until is not None:
                for category in _categories(mapped):
                    held[category] = max(held.get(category, ""), step.until.isoformat())
            elif (DELETED if step.action == "delete" else REMOVED) not in answer.done:
                answer.done.append(DELETED if step.action == "delete" else REMOVED)
        answer.held = [f"{c}|{until}" for c, until in sorted(held.items())]
        self._audit(session, runtime, person, "system.erased",
                    {f"{s.table}:{s.action}": len(s.rows) for s in steps})
        return answer

    def _apply(self, connection: Connection, mapped: MappedTable, step: Step,
               runtime: Runtime) -> None:
        """One step, by primary key (the rows were read before anything changed)."""
        table, keys = mapped.table, [key_of(mapped, r) for r in step.rows]
        if step.action == "delete":
            for chunk in in_chunks(keys):
                connection.execute(table.delete().where(by_keys(mapped, chunk)))
        elif step.action == "hold":
            if mapped.config.restrict_column:
                _mark(connection, mapped, keys, True)
        else:
            for row, key in zip(step.rows, keys, strict=True):
                connection.execute(update(table).where(by_key(mapped, key)).values(
                    replacements(mapped, row, step.action, runtime.policy)))

    def restrict(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        """Marks every row of the person; a table without a marker column is for people to
        restrict by hand (the whole part then goes to them, before any write)."""
        database = self.database(runtime)
        undo: dict[str, list[list[Any]]] = {}
        with database.engine.begin() as connection:
            rows = person_rows(connection, database, person)
            found = _found(database, rows)
            if any(t.config.restrict_column is None for t in found):
                raise AwaitingPerson(self.system.id)
            for mapped in found:
                column = mapped.config.restrict_column
                assert column is not None
                keys = [key_of(mapped, r) for r in rows[mapped.name] if not r[column]]
                _mark(connection, mapped, keys, True)
                undo[mapped.name] = [[jsonable(v) for v in k] for k in keys]
        self._audit(session, runtime, person, "system.restricted",
                    {name: len(keys) for name, keys in undo.items()})
        return SystemAnswer(found=bool(found), done=[N_("use restricted")] if found else [],
                            categories=sorted({c for t in found for c in _categories(t)}),
                            undo={"rows": undo})

    def lift(self, session: CharterSession, runtime: Runtime, person: Person,
             restricted: SystemAnswer) -> SystemAnswer:
        """Unmarks exactly the rows the restriction marked: rows held for a legal hold or
        marked by someone else stay marked. A restriction people made by hand (a table
        without restrict_column) left no such list: lifting it is theirs too."""
        if "rows" not in restricted.undo:
            raise AwaitingPerson(self.system.id)
        database = self.database(runtime)
        marked: dict[str, list[list[Any]]] = restricted.undo["rows"]
        with database.engine.begin() as connection:
            for name, keys in marked.items():
                mapped = database.table(name)
                if mapped.config.restrict_column:
                    _mark(connection, mapped, [tuple(k) for k in keys], False)
        self._audit(session, runtime, person, "system.lifted",
                    {name: len(keys) for name, keys in marked.items()})
        return SystemAnswer(found=bool(marked), done=[N_("restriction lifted")] if marked else [])

    def rectify(self, session: CharterSession, runtime: Runtime, person: Person,
                changes: list[Change], *, actor: str) -> SystemAnswer:
        """Columns mapped to ``category.field`` take the approved value."""
        database = self.database(runtime)
        answer = SystemAnswer(found=False)
        changed: dict[str, int] = {}
        with database.engine.begin() as connection:
            rows = person_rows(connection, database, person)
            answer.found = bool(_found(database, rows))
            for mapped in _found(database, rows):
                values = {column: c.value for column, target in mapped.config.columns.items()
                          for c in changes if target == f"{c.category}.{c.field}"}
                if not values:
                    continue
                keys = [key_of(mapped, r) for r in rows[mapped.name]]
                for chunk in in_chunks(keys):
                    connection.execute(update(mapped.table).where(by_keys(mapped, chunk))
                                       .values(values))
                changed[mapped.name] = len(keys)
                answer.done.extend(d for c in changes
                                   if (d := f"{c.category}: {c.field}") not in answer.done
                                   and f"{c.category}.{c.field}" in
                                   mapped.config.columns.values())
                answer.categories = sorted({*answer.categories, *_categories(mapped)})
        self._audit(session, runtime, person, "system.rectified", changed)
        return answer

    def _audit(self, session: CharterSession, runtime: Runtime, person: Person, action: str,
               rows: dict[str, int]) -> None:
        """Counts by table only: never a value."""
        record_event(session, runtime.organization_id, actor="system", action=action,
                     target=f"request:{person.request}" if person.request else "",
                     details={"system": self.system.id, "rows": rows})
