"""Fixtures: a real database per test worker (SQLite file, or a PostgreSQL schema when
CHARTER_TEST_DATABASE_URL is set), emptied between tests; real key files; the real app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from charter.db import make_engine, upgrade
from charter.models import Base
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings
from charter.setup import ensure_key

from . import smtp
from .smtp import Inbox

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = FIXTURES / "policy.yaml"
PG_URL = os.environ.get("CHARTER_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        path = tmp_path_factory.mktemp("db") / "charter.db"
        yield f"sqlite:///{path}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"charter_test_{worker}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    url = Settings(database_url=database_url).resolved_database_url
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    yield migrated_engine
    with migrated_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, policy=POLICY)
    settings.data_dir.mkdir()
    ensure_key(settings)
    return settings


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> Runtime:
    return open_runtime(settings, engine=engine)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    from charter.web.app import create_app

    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def cli_args(settings: Settings) -> list[str]:
    """Global flags pointing the CLI at this test's store."""
    return ["--data-dir", str(settings.data_dir), "--database-url", str(settings.database_url),
            "--policy", str(settings.policy)]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on loopback; what it receives."""
    received = Inbox()
    controller = smtp.start(received)
    yield received
    controller.stop()


@pytest.fixture
def mail_runtime(settings: Settings, engine: Engine, inbox: Inbox) -> Runtime:
    """The runtime, sending its mail to the loopback SMTP server."""
    configured = settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": inbox.port,
        "smtp_tls": "none", "base_url": "https://privacy.langschool.be"})
    return open_runtime(configured, engine=engine)


@pytest.fixture
def mail_client(mail_runtime: Runtime) -> Iterator[TestClient]:
    from charter.web.app import create_app

    with TestClient(create_app(mail_runtime), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _with_extras() -> str:
    text = POLICY.read_text()
    extras = yaml.safe_load((FIXTURES / "policy-extras.yaml").read_text())
    for anchor, extra in extras.items():
        assert anchor in text, anchor
        text = text.replace(anchor, anchor + extra if anchor.endswith("\n") else extra, 1)
    return text


@pytest.fixture
def full_runtime(mail_runtime: Runtime, tmp_path: Path) -> Runtime:
    """The test policy with what only some tests need: a minors rule and a form that asks the
    age, a purpose that sells data (for GPC), cookies (for the banner); mail on loopback."""
    path = tmp_path / "full-policy.yaml"
    path.write_text(_with_extras())
    settings = mail_runtime.settings.model_copy(update={"policy": path})
    return open_runtime(settings, engine=mail_runtime.engine)


@pytest.fixture
def full_client(full_runtime: Runtime) -> Iterator[TestClient]:
    from charter.web.app import create_app

    with TestClient(create_app(full_runtime), base_url="http://127.0.0.1") as test_client:
        yield test_client
