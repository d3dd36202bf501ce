from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from charter.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    """The schema the migrations build is exactly the one the models describe."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_keeps_the_data(tmp_path: object) -> None:
    """Rebuilding a table on SQLite (batch mode) must not cascade into its children."""
    from pathlib import Path

    from sqlalchemy import text

    from charter.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{Path(str(tmp_path)) / 'old.db'}")
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organizations (slug, legal_name, country, created_at) "
            "VALUES ('o', 'O', 'BE', '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO subjects (organization_id, email_index, language, created_at) "
            "VALUES (1, 'x', 'en', '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO records (organization_id, subject_id, category, source, value, key_id,"
            " collected_at, last_contact_at, updated_at, restricted) VALUES (1, 1, 'contact',"
            " 'form', x'00', 'k1', '2026-01-01', '2026-01-01', '2026-01-01', 0)"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM records")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_every_foreign_key_leads_an_index() -> None:
    """Deleting a person cascades through every table that points at them: without an index
    led by the referencing column, each erasure would scan those tables whole."""
    missing = []
    for table in Base.metadata.sorted_tables:
        leading = {index.columns[0].name for index in table.indexes}
        leading |= {c.columns[0].name for c in table.constraints
                    if hasattr(c, "columns") and len(c.columns) and c.__class__.__name__ in
                    ("UniqueConstraint", "PrimaryKeyConstraint")}
        for column in table.columns:
            if column.foreign_keys and column.name not in leading:
                missing.append(f"{table.name}.{column.name}")
    assert missing == []
