"""Engines and sessions. The caller (request, command, job) owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from . import scoping


class CharterSession(Session):
    """Sessions whose queries are checked for organization scoping."""


scoping.install(CharterSession)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would open a transaction only before the first write, so a SAVEPOINT could
    # start one and its RELEASE commit it: Charter begins every transaction itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE: take the write lock at the start, so a transaction that reads and then
    # writes waits for another writer instead of failing on a stale snapshot. Embedded mode
    # thus runs one transaction at a time; PostgreSQL is the way to scale.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **options: Any) -> Engine:
    engine = create_engine(url, future=True, pool_pre_ping=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[CharterSession]:
    return sessionmaker(bind=engine, class_=CharterSession, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[CharterSession]) -> Iterator[CharterSession]:
    """Commit when the block ends, roll back when it raises: nothing half-written."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
