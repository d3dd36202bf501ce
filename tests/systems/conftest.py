"""Fixtures of the connector tests: the accounting SQLite file, the school database (an SQLite
file, and when CHARTER_TEST_DATABASE_URL is set a PostgreSQL database of its own — never
Charter's — with the school in a schema), and the test policy with its systems replaced by
the ones a test names."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, create_engine, make_url, text

from charter.runtime import Runtime, open_runtime
from charter.systems.sql_database import external_url, forget_databases

from ..conftest import PG_URL, POLICY
from .databases import ACCOUNTING_MAPPING, create_accounting, create_school, school_mapping

PORTAL = {"id": "portal", "kind": "builtin", "label": {"en": "Charter store"},
          "categories": ["contact", "language_profile", "billing"]}
PAPER = {"id": "paper_files", "kind": "manual", "label": {"en": "Paper files"},
         "categories": ["billing"], "responsible": ["Billing clerk"],
         "manual": {"roles": ["billing"], "lead_days": 5}}


@dataclass
class SecondDatabase:
    url: str
    engine: Engine
    schema: str | None


@pytest.fixture
def accounting(tmp_path: Path) -> Iterator[SecondDatabase]:
    """The accounting program's own SQLite file: clients and their invoices."""
    url = f"sqlite:///{tmp_path / 'accounting.db'}"
    engine = create_engine(url)
    create_accounting(engine)
    yield SecondDatabase(url, engine, None)
    engine.dispose()
    forget_databases()


@pytest.fixture(params=["sqlite", "postgresql"])
def school(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SecondDatabase]:
    """The school's database: customers, invoices, enrolments and notes."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'school.db'}"
        engine = create_engine(url)
        create_school(engine, None)
        yield SecondDatabase(url, engine, None)
        engine.dispose()
        forget_databases()
        return
    if not PG_URL:
        pytest.skip("the PostgreSQL school database needs CHARTER_TEST_DATABASE_URL")
    with pg_database("charter_school") as url:
        engine = create_engine(external_url(url))
        with engine.begin() as connection:
            connection.execute(text("CREATE SCHEMA school"))
        create_school(engine, "school")
        yield SecondDatabase(url, engine, "school")
        forget_databases()
        engine.dispose()


@contextmanager
def pg_database(prefix: str) -> Iterator[str]:
    """A database of its own on the test server (Charter refuses its own as a system),
    dropped after."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(external_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(PG_URL).set(database=name, query={}).render_as_string(
            hide_password=False)
    finally:
        forget_databases()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def sql_system(system_id: str, mapping: dict[str, Any], categories: list[str],
               label: str) -> dict[str, Any]:
    return {"id": system_id, "kind": "sql", "label": {"en": label}, "categories": categories,
            "url_env": f"{system_id.upper()}_DATABASE_URL", "sql": mapping}


def policy_with(tmp_path: Path, systems: list[dict[str, Any]]) -> Path:
    """The test policy with these systems, and a date of birth among the contact fields."""
    document = yaml.safe_load(POLICY.read_text())
    document["systems"] = systems
    contact = next(c for c in document["data_categories"] if c["id"] == "contact")
    contact["fields"].append({"name": "birth_date", "type": "date"})
    path = tmp_path / "systems-policy.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return path


def runtime_with(base: Runtime, path: Path) -> Runtime:
    settings = base.settings.model_copy(update={"policy": path})
    return open_runtime(settings, engine=base.engine)


@pytest.fixture
def systems_runtime(mail_runtime: Runtime, tmp_path: Path, accounting: SecondDatabase,
                    school: SecondDatabase, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """Charter with four systems: its own store, the accounting file, the school database
    and paper files answered by the billing clerk; mail on loopback."""
    monkeypatch.setenv("ACCOUNTING_DATABASE_URL", accounting.url)
    monkeypatch.setenv("SCHOOL_DATABASE_URL", school.url)
    path = policy_with(tmp_path, [
        PORTAL,
        sql_system("accounting", ACCOUNTING_MAPPING, ["contact", "billing"],
                   "Accounting program"),
        sql_system("school", school_mapping(school.schema),
                   ["contact", "language_profile", "billing"], "School database"),
        PAPER,
    ])
    return runtime_with(mail_runtime, path)
