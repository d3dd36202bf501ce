from __future__ import annotations

from typing import Any

from alembic import context

from charter.models import Base

config = context.config
engine = config.attributes["engine"]


def _pragma(connection: Any, statement: str) -> list[Any]:
    """PRAGMAs outside any transaction (inside one, SQLite ignores foreign_keys)."""
    raw = connection.connection.dbapi_connection
    return list(raw.execute(statement).fetchall())


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild a table by dropping it: with foreign keys on, SQLite would
        # cascade that drop into every child table. Off for the migration, checked after.
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        broken = _pragma(connection, "PRAGMA foreign_key_check") if sqlite else []
    finally:
        if sqlite:  # the pooled connection goes back with its foreign keys on, whatever happened
            _pragma(connection, "PRAGMA foreign_keys=ON")
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} broken foreign key(s)")
