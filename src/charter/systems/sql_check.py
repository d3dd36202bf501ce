"""The dry run of an SQL system (`charter systems check`): its mapping against the live
schema and, for one person, what each table holds of them and what erasure would do. It
reads only, and prints counts, never a value."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from ..audit import record_event
from ..db import CharterSession
from ..errors import EnvironmentProblem, InvalidInput
from ..rights.connectors import Person
from ..runtime import Runtime
from ..subjects.service import valid_email
from .registry import configured_connector
from .service import system_of
from .sql import SqlConnector
from .sql_database import MappedTable
from .sql_rows import ErasureConflict, erasure_plan, person_rows


@dataclass
class PlannedStep:
    table: str
    action: str  # delete, clear, mask, anonymise, hold
    rows: int
    until: str = ""


@dataclass
class SystemCheck:
    """The dry run of an SQL system: its mapping against the live schema, and for one person
    what each table holds of them and what erasure would do — nothing written."""

    system: str
    tables: list[tuple[str, str, str]]  # name, how it is reached, erasure strategy
    found: dict[str, int] = field(default_factory=dict)
    plan: list[PlannedStep] = field(default_factory=list)
    conflict: str = ""


def _reached(mapped: MappedTable) -> str:
    if mapped.link is None:
        return "identity " + ", ".join(f"{k}={v}" for k, v in mapped.config.identity.items())
    how = "join" if mapped.link.declared else "foreign key"
    return f"{how} {mapped.link.column} -> {mapped.link.parent}.{mapped.link.parent_column}"


def check_system(session: CharterSession, runtime: Runtime, system_id: str, *,
                 email: str | None, actor: str) -> SystemCheck:
    """Resolve an SQL system's mapping (MappingMismatch names every problem); with an
    address, read the person's rows and plan erasure. Counts only: never a value."""
    system = system_of(runtime, system_id)
    connector = configured_connector(system)
    if not isinstance(connector, SqlConnector):
        raise InvalidInput(f"system {system_id!r} is not an sql system with a mapping "
                           "(sql: tables)")
    try:
        database = connector.database(runtime)
        checked = SystemCheck(system.id, [(t.name, _reached(t), t.config.erasure or "")
                                          for t in database.tables])
        if email is None:
            return checked
        address = valid_email(email)
        person = Person(email=address, email_index=runtime.blind_index.email(address))
        with database.engine.connect() as connection:
            rows = person_rows(connection, database, person)
    except SQLAlchemyError as exc:  # the message could hold the URL and its password
        raise EnvironmentProblem(f"system {system.id}: its database could not be read "
                                 f"({type(exc).__name__})") from None
    checked.found = {name: len(found) for name, found in rows.items()}
    try:
        steps = erasure_plan(database, rows, runtime.policy, connector.today(runtime))
        checked.plan = [PlannedStep(s.table, s.action, len(s.rows),
                                    s.until.isoformat() if s.until else "") for s in steps]
    except ErasureConflict as exc:
        checked.conflict = str(exc)
    record_event(session, runtime.organization_id, actor=actor, action="system.checked",
                 details={"system": system.id, "rows": checked.found})
    return checked
