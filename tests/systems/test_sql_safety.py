"""What keeps the SQL connector from doing harm: Charter's own database is never a system
however its URL is written; erasure never deletes a row that any kept row — mapped or not —
still refers to; masked values stay unique and whole; and anonymisation keeps no number that
identifies the person."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, text

from charter.errors import InvalidInput
from charter.rights.connectors import Person, connector_for
from charter.runtime import Runtime
from charter.systems.sql import SqlConnector
from charter.systems.sql_database import MappingMismatch, open_database, same_database
from charter.systems.sql_masks import placeholder
from charter.systems.sql_rows import ErasureConflict

from ..conftest import PG_URL
from .conftest import PORTAL, SecondDatabase, policy_with, runtime_with, sql_system
from .databases import EMAIL, rows, school_mapping


def _connector(runtime: Runtime, system_id: str) -> SqlConnector:
    system = next(s for s in runtime.policy.systems if s.id == system_id)
    connector = connector_for(runtime, system)
    assert isinstance(connector, SqlConnector)
    return connector


def _erase(runtime: Runtime, system_id: str, email: str = EMAIL) -> None:
    with runtime.transaction() as session:
        _connector(runtime, system_id).erase(session, runtime, Person(
            email=email, email_index=runtime.blind_index.email(email), request="R-1"))


def _with(runtime: Runtime, tmp_path: Path, system_id: str, mapping: dict[str, Any]
          ) -> Runtime:
    return runtime_with(runtime, policy_with(tmp_path, [PORTAL, sql_system(
        system_id, mapping, ["contact", "language_profile", "billing"], system_id)]))


@pytest.mark.parametrize(("url", "other", "same"), [
    ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg://app:pw@localhost:5432/test"
     "?options=-csearch_path%3Dcharter", True),
    ("postgres://db.example.org/crm", "postgresql://db.example.org:5432/crm", True),
    ("postgresql://db.example.org/crm", "postgresql://db.example.org:5433/crm", False),
    ("postgresql://db.example.org/crm", "postgresql://db.example.org/charter", False),
    ("sqlite:///data/charter.db", f"sqlite:///{os.getcwd()}/data/charter.db", True),
    ("sqlite:///data/charter.db", "sqlite:///data/./other/../charter.db", True),
    ("sqlite:///data/accounting.db", "sqlite:///data/charter.db", False),
    ("sqlite://", "sqlite://", False),  # two databases in memory are two databases
])
def test_the_same_database_is_recognised_however_written(url: str, other: str,
                                                         same: bool) -> None:
    assert same_database(url, other) is same


def test_charters_own_database_is_refused_written_differently_and_with_a_schema(
        systems_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    own = systems_runtime.settings.resolved_database_url
    if PG_URL:  # the same server and database, its default port written or left out
        bare = own.split("?")[0]
        written = bare.replace(":5432/", "/") if ":5432/" in bare else \
            bare.replace("127.0.0.1/", "127.0.0.1:5432/")
        assert written != bare
    else:  # the same file by a relative path
        written = "sqlite:///" + os.path.relpath(own.removeprefix("sqlite:///"))
    monkeypatch.setenv("SCHOOL_DATABASE_URL", written)
    system = next(s for s in systems_runtime.policy.systems if s.id == "school")
    assert system.sql is not None
    for schema in (None, "school", "charter_elsewhere"):  # no schema makes it another one
        refused = system.model_copy(update={"sql": system.sql.model_copy(
            update={"schema_name": schema})})
        with pytest.raises(InvalidInput, match="Charter's own database"):
            open_database(refused, own_url=own)


def test_erasure_is_refused_when_an_unmapped_table_refers_to_a_deleted_row(
        systems_runtime: Runtime, accounting: SecondDatabase) -> None:
    metadata = MetaData()
    Table("invoices", metadata, autoload_with=accounting.engine)
    reminders = Table("reminders", metadata, Column("id", Integer, primary_key=True),
                      Column("invoice_id", Integer, ForeignKey("invoices.id")))
    metadata.create_all(accounting.engine, tables=[reminders])
    with accounting.engine.begin() as connection:  # a reminder for the 2015 invoice
        connection.execute(reminders.insert(), [{"id": 1, "invoice_id": 10}])
    before = [rows(accounting.engine, t) for t in ("clients", "invoices", "reminders")]
    with pytest.raises(ErasureConflict, match=r"1 row\(s\) of reminders .* rows of invoices "
                       r".*, or map reminders"):
        _erase(systems_runtime, "accounting")  # then: delete would delete invoice 10
    assert [rows(accounting.engine, t) for t in ("clients", "invoices", "reminders")] == before
    database = _connector(systems_runtime, "accounting").database(systems_runtime)
    with database.engine.connect() as connection:  # the database would refuse it too
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_kept_row_reached_another_way_still_counts(
        systems_runtime: Runtime, school: SecondDatabase, tmp_path: Path) -> None:
    """Enrolments are deleted; a mapped table that points at them, though reached through
    customers, keeps its rows: erasure is refused naming it."""
    prefix = f"{school.schema}." if school.schema else ""
    with school.engine.begin() as connection:
        connection.execute(text(
            f"CREATE TABLE {prefix}certificates (id INTEGER PRIMARY KEY, customer_id INTEGER "
            f"NOT NULL REFERENCES {prefix}customers(id), enrolment_id INTEGER REFERENCES "
            f"{prefix}enrolments(id), grade VARCHAR(40))"))
        connection.execute(text(f"INSERT INTO {prefix}certificates VALUES (1, 1, 30, 'B1')"))
    mapping = school_mapping(school.schema)
    mapping["tables"].append({"name": "certificates", "join": {"column": "customer_id",
                                                               "to": "customers.id"},
                              "columns": {"grade": "language_profile"}, "erasure": "mask",
                              "restrict_column": None})
    runtime = _with(systems_runtime, tmp_path, "school", mapping)
    with pytest.raises(ErasureConflict, match=r"1 row\(s\) of certificates that erasure "
                       r"keeps refer to rows of enrolments"):
        _erase(runtime, "school")
    assert len(rows(school.engine, "enrolments", school.schema)) == 3  # nothing written


def test_masked_values_keep_64_random_bits_and_their_domain() -> None:
    assert re.fullmatch(r"erased-[0-9a-f]{16}@erased\.invalid", placeholder(None, email=True))
    assert re.fullmatch(r"erased-[0-9a-f]{16}", placeholder(None, email=False))
    assert re.fullmatch(r"[0-9a-f]{16}@erased\.invalid", placeholder(31, email=True))
    assert re.fullmatch(r"erase[0-9a-f]{16}", placeholder(21, email=True))  # no room: no domain
    assert len({placeholder(16, email=False) for _ in range(1000)}) == 1000


def test_mask_on_a_column_too_short_for_a_placeholder_is_refused(
        systems_runtime: Runtime, school: SecondDatabase, tmp_path: Path) -> None:
    mapping = school_mapping(school.schema)
    mapping["tables"][2]["erasure"] = "mask"  # enrolments.level is VARCHAR(10)
    runtime = _with(systems_runtime, tmp_path, "school", mapping)
    with pytest.raises(MappingMismatch) as refused:
        _connector(runtime, "school").database(runtime)
    assert refused.value.problems == [
        "column enrolments.level holds at most 10 characters, too few for a masked value (16 "
        "or more): erase it with clear or delete"]


def test_anonymise_keeps_numbers_but_not_one_that_identifies_the_person(
        systems_runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'club.db'}"
    engine = create_engine(url)
    metadata = MetaData()
    members = Table("members", metadata, Column("id", Integer, primary_key=True),
                    Column("email", String(200), nullable=False),
                    Column("mobile", Integer, nullable=False, unique=True),
                    Column("landline", Integer), Column("visits", Integer))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(members.insert(), [
            {"id": 1, "email": EMAIL, "mobile": 470123456, "landline": 22334455, "visits": 12},
            {"id": 2, "email": "other@example.org", "mobile": 470654321, "landline": None,
             "visits": 3}])
    monkeypatch.setenv("CLUB_DATABASE_URL", url)
    runtime = _with(systems_runtime, tmp_path, "club", {"tables": [{
        "name": "members", "identity": {"email": "email", "phone": "mobile"},
        "columns": {"email": "contact.email", "mobile": "contact.phone",
                    "landline": "contact.phone", "visits": "contact"},
        "erasure": "anonymise"}]})
    _erase(runtime, "club")
    kept = {m["id"]: m for m in rows(engine, "members")}
    engine.dispose()
    assert kept[1]["visits"] == 12  # a count: kept for statistics
    assert kept[1]["mobile"] < 0  # NOT NULL and unique: a negative placeholder
    assert kept[1]["landline"] is None  # a phone number: emptied
    assert kept[1]["email"].endswith("@erased.invalid")
    assert kept[2] == {"id": 2, "email": "other@example.org", "mobile": 470654321,
                       "landline": None, "visits": 3}
