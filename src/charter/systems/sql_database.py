"""An SQL database that is not Charter's own, as the policy maps it: the URL from the
environment, the tables read from the live schema, and the way from the person's identity
outward to every mapped table (foreign keys, or the joins the policy declares). A mapping
that does not fit the database is refused before anything is read or written."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Inspector, MetaData, String, Table, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SAWarning

from ..errors import EnvironmentProblem, InvalidInput
from ..policy.processing import System
from ..policy.systems import SqlTable

MASK_LENGTH = 16
"""a masked value's random part, 64 bits in hex: a shorter column could not stay unique"""


class ConnectionMissing(EnvironmentProblem):
    """The variable that should hold the database URL is not set."""


class MappingMismatch(InvalidInput):
    """The policy's mapping names tables or columns the database does not have."""

    def __init__(self, system: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"system {system}: " + "; ".join(problems))


@dataclass(frozen=True)
class Link:
    """Rows of a table belong to the person when ``column`` equals ``parent_column`` of the
    person's rows in ``parent``."""

    column: str
    parent: str
    parent_column: str
    declared: bool


@dataclass(frozen=True)
class Reference:
    """A foreign key of the database, mapped or not: rows of ``table`` whose ``columns``
    hold the values of ``referred_columns`` of the table it points into."""

    table: str
    columns: tuple[str, ...]
    referred_columns: tuple[str, ...]


@dataclass(frozen=True)
class MappedTable:
    config: SqlTable
    table: Table
    key: list[str]
    link: Link | None  # None: found by its identity columns

    @property
    def name(self) -> str:
        return self.config.name


@dataclass
class Database:
    engine: Engine
    tables: list[MappedTable]
    """from the identity outward: a table comes after the one it links to"""
    schema: str | None = None
    references: dict[str, list[Reference]] = field(default_factory=dict)
    """by mapped table: every foreign key of the schema that points into it"""

    def table(self, name: str) -> MappedTable:
        return next(t for t in self.tables if t.name == name)

    def mapped(self, name: str) -> MappedTable | None:
        return next((t for t in self.tables if t.name == name), None)


def external_url(url: str) -> str:
    """The driver Charter ships with (psycopg 3) for plain PostgreSQL URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def url_of(system: System) -> str:
    url = os.environ.get(system.url_env or "", "").strip()
    if not url:
        raise ConnectionMissing(f"system {system.id}: set the variable {system.url_env} to its "
                                "database URL")
    return url


LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433,
                 "oracle": 1521}


def _sqlite_path(parsed: URL) -> str | None:
    """The file an SQLite URL opens, absolute and with links resolved; None in memory."""
    path = parsed.database or ""
    if path.startswith("file:"):
        path = path.removeprefix("file:").split("?")[0]
    if not path or path == ":memory:" or parsed.query.get("mode") == "memory":
        return None
    return os.path.realpath(path)


def _server_database(parsed: URL) -> tuple[str, str, int | None, str]:
    backend = parsed.get_backend_name()
    host = (parsed.host or "").lower()
    return (backend, "localhost" if host in LOCAL_HOSTS else host,
            parsed.port or DEFAULT_PORTS.get(backend), parsed.database or "")


def same_database(url: str, other: str) -> bool:
    """Whether two URLs open the same database, however each is written: the driver,
    user, password, options and default port do not matter, nor a relative SQLite path."""
    first, second = make_url(external_url(url)), make_url(external_url(other))
    if first.get_backend_name() != second.get_backend_name():
        return False
    if first.get_backend_name() == "sqlite":
        path = _sqlite_path(first)
        return path is not None and path == _sqlite_path(second)
    return _server_database(first) == _server_database(second)


def _foreign_keys_on(connection: Any, record: Any) -> None:
    """SQLite checks foreign keys only when asked, on each connection."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_open: dict[tuple[str, str], Database] = {}


def open_database(system: System, *, own_url: str = "") -> Database:
    """The system's database, resolved once per process (the engine keeps its pool). Never
    Charter's own database, not even another schema of it: its store would be one erasure
    mapping away from being written by a connector."""
    url = url_of(system)
    _refuse_missing_file(system, url)
    if own_url and same_database(url, own_url):
        raise InvalidInput(f"system {system.id}: that URL is Charter's own database; give the "
                           "system a database of its own")
    cache_key = (url, system.model_dump_json(include={"sql"}))
    if cache_key not in _open:
        engine = create_engine(external_url(url), pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _foreign_keys_on)
        try:
            _open[cache_key] = resolve(engine, system)
        except Exception:
            engine.dispose()
            raise
    return _open[cache_key]


def _refuse_missing_file(system: System, url: str) -> None:
    """SQLite would create an empty file at a mistyped path, and then find nobody in it."""
    parsed = make_url(external_url(url))
    path = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:" \
            and not path.startswith("file:") and not os.path.exists(path):
        raise ConnectionMissing(f"system {system.id}: no SQLite database at the path in "
                                f"{system.url_env}")


def forget_databases() -> None:
    """Close every pool (tests, and after the policy changed)."""
    for database in _open.values():
        database.engine.dispose()
    _open.clear()


def resolve(engine: Engine, system: System) -> Database:
    """Read the mapped tables from the live schema and order them from the identity out."""
    assert system.sql is not None
    schema = system.sql.schema_name
    configs = system.sql.tables
    present = set(inspect(engine).get_table_names(schema=schema))
    problems = [f"table {c.name!r} does not exist" for c in configs if c.name not in present]
    if problems:
        raise MappingMismatch(system.id, problems)
    metadata = MetaData()
    with warnings.catch_warnings():  # an index on lower(email) is not ours to read
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        metadata.reflect(bind=engine, schema=schema, only=[c.name for c in configs])
    tables = {c.name: metadata.tables[f"{schema}.{c.name}" if schema else c.name]
              for c in configs}
    references = _references(inspect(engine), schema, set(tables))
    for config in configs:
        problems += _column_problems(config, tables)
    ordered: list[MappedTable] = []
    pending = list(configs)
    for config in [c for c in configs if c.identity]:
        ordered.append(MappedTable(config, tables[config.name], _key(config, tables), None))
        pending.remove(config)
    progress = True
    while pending and progress:
        progress = False
        for config in list(pending):
            link = _link(config, tables, {t.name for t in ordered})
            if link is not None:
                ordered.append(MappedTable(config, tables[config.name],
                                           _key(config, tables), link))
                pending.remove(config)
                progress = True
    problems += [f"table {c.name!r} is not linked to the person: give it identity columns, "
                 "a foreign key to a mapped table, or a join" for c in pending]
    problems += [f"table {t.name!r} has no primary key: give key" for t in ordered if not t.key]
    if problems:
        raise MappingMismatch(system.id, problems)
    return Database(engine=engine, tables=ordered, schema=schema, references=references)


def _references(inspector: Inspector, schema: str | None, mapped: set[str]
                ) -> dict[str, list[Reference]]:
    """Every foreign key of the schema pointing into a mapped table, from any table: erasure
    must not delete rows that an unmapped table still refers to."""
    found: dict[str, list[Reference]] = {}
    for (_, name), keys in sorted(inspector.get_multi_foreign_keys(schema=schema).items(),
                                  key=lambda item: item[0][1]):
        for key in keys:
            referred = key["referred_table"]
            if referred in mapped and key.get("referred_schema") in (None, schema):
                found.setdefault(referred, []).append(Reference(
                    name, tuple(key["constrained_columns"]), tuple(key["referred_columns"])))
    return found


def _key(config: SqlTable, tables: dict[str, Table]) -> list[str]:
    return list(config.key) or [c.name for c in tables[config.name].primary_key.columns]


def _column_problems(config: SqlTable, tables: dict[str, Table]) -> list[str]:
    table = tables[config.name]
    wanted = [*config.columns, *config.identity.values(), *config.key]
    if config.restrict_column:
        wanted.append(config.restrict_column)
    if config.hold:
        wanted.append(config.hold.from_column)
    if config.join:
        wanted.append(config.join.column)
    problems = [f"column {config.name}.{name} does not exist"
                for name in dict.fromkeys(wanted) if name not in table.c]
    join = config.join
    if join and join.table in tables and join.other_column not in tables[join.table].c:
        problems.append(f"column {join.to} does not exist")
    strategies = {config.erasure, config.hold.then if config.hold else None}
    personal = [name for name in dict.fromkeys([*config.columns, *config.identity.values()])
                if name in table.c and not table.c[name].primary_key]
    if strategies & {"mask", "anonymise"}:
        problems += [f"column {config.name}.{name} holds at most {length} characters, too few "
                     f"for a masked value ({MASK_LENGTH} or more): erase it with clear or "
                     "delete"
                     for name in personal if (length := _length(table, name)) < MASK_LENGTH]
    if "clear" in strategies:
        problems += [f"column {config.name}.{name} cannot be set to NULL (NOT NULL): "
                     "erase it with mask or anonymise"
                     for name in personal if not table.c[name].nullable]
    return problems


def _length(table: Table, name: str) -> int:
    """How many characters a text column holds (no limit: as many as a mask needs)."""
    kind = table.c[name].type
    return (kind.length or MASK_LENGTH) if isinstance(kind, String) else MASK_LENGTH


def _link(config: SqlTable, tables: dict[str, Table], reached: set[str]) -> Link | None:
    if config.join is not None:
        if config.join.table in reached:
            return Link(config.join.column, config.join.table, config.join.other_column, True)
        return None
    table = tables[config.name]
    for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
        parent = fk.column.table.name
        if parent in reached and parent != config.name:
            return Link(fk.parent.name, parent, fk.column.name, False)
    return None
