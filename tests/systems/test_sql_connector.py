"""The SQL connector on real second databases (the accounting SQLite file, the school on
SQLite and in a PostgreSQL database of its own): finding the person (by address or phone)
and what relates to them, each erasure strategy, legal holds, restriction and its lifting,
rectification (audited), batches for a person with many rows, and mappings that do not fit
the database refused before anything is read or written."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    select,
    update,
)

from charter.errors import EnvironmentProblem
from charter.models import AuditEvent, HeldRow
from charter.policy.lint import lint
from charter.rights.connectors import AwaitingPerson, Change, Person, SystemAnswer, connector_for
from charter.runtime import Runtime
from charter.systems.sql import SqlConnector
from charter.systems.sql_database import MappingMismatch, open_database
from charter.systems.sql_rows import ErasureConflict

from .conftest import PORTAL, SecondDatabase, policy_with, runtime_with, sql_system
from .databases import ACCOUNTING_MAPPING, EMAIL, OTHER, rows, school_tables


def _person(runtime: Runtime, email: str = EMAIL) -> Person:
    return Person(email=email, email_index=runtime.blind_index.email(email), request="R-1")


def _sql(runtime: Runtime, system_id: str) -> SqlConnector:
    system = next(s for s in runtime.policy.systems if s.id == system_id)
    connector = connector_for(runtime, system)
    assert isinstance(connector, SqlConnector)  # the policy's mapping alone chose it
    return connector


def _call(runtime: Runtime, action: str, *args: Any, system: str = "school",
          **kwargs: Any) -> SystemAnswer:
    with runtime.transaction() as session:
        answer: SystemAnswer = getattr(_sql(runtime, system), action)(
            session, runtime, _person(runtime), *args, **kwargs)
        return answer


def test_the_policy_of_these_systems_lints_clean(systems_runtime: Runtime) -> None:
    errors = [f for f in lint(systems_runtime.loaded) if f.severity == "error"]
    assert errors == []


def test_access_follows_foreign_keys_and_declared_joins(systems_runtime: Runtime) -> None:
    answer = _call(systems_runtime, "export", provided_only=False)
    assert answer.found
    [customer] = answer.data["contact"][:1]
    assert customer == {"table": "customers", "email": EMAIL, "phone": "+32470123456",
                        "first_name": "Sophie", "last_name": "Peeters",
                        "birth_date": "1990-06-15"}
    assert {"table": "notes", "body": "Prefers evening classes"} in answer.data["contact"]
    courses = sorted(r["course"] for r in answer.data["language_profile"])
    assert courses == ["Dutch B1", "English C1"]  # not Marc's French A2
    assert answer.data["billing"] == [{"table": "invoices", "number": "S-2025-1",
                                       "company": "Peeters BV"}]
    text = repr(answer.data)
    assert OTHER not in text and "Pays by transfer" not in text


def test_addresses_match_whatever_their_case(systems_runtime: Runtime) -> None:
    answer = _call(systems_runtime, "export", provided_only=False, system="accounting")
    assert [r["company"] for r in answer.data["billing"] if r["table"] == "clients"] == \
        ["Peeters BV"]  # stored as Sophie.Peeters@Example.org


def test_nobody_found_is_an_answer_not_an_error(systems_runtime: Runtime) -> None:
    with systems_runtime.transaction() as session:
        answer = _sql(systems_runtime, "school").export(
            session, systems_runtime, _person(systems_runtime, "nobody@example.org"),
            provided_only=False)
    assert (answer.found, answer.data) == (False, {})


def test_erasure_does_what_each_table_declares(systems_runtime: Runtime,
                                               school: SecondDatabase) -> None:
    answer = _call(systems_runtime, "erase")
    schema = school.schema
    customers = {r["id"]: r for r in rows(school.engine, "customers", schema)}
    sophie = customers[1]
    assert sophie["email"].startswith("erased-") and sophie["email"].endswith("@erased.invalid")
    assert "Sophie" not in repr(sophie) and "Peeters" not in repr(sophie)
    assert sophie["phone"] != "+32470123456"
    assert sophie["birth_date"] == date(1990, 1, 1)  # anonymised: the year stays, for counts
    assert customers[2]["email"] == OTHER  # nobody else is touched
    assert [e["id"] for e in rows(school.engine, "enrolments", schema)] == [32]  # deleted
    notes = {n["id"]: n for n in rows(school.engine, "notes", schema)}
    assert notes[40]["body"] is None and notes[41]["body"] == "Pays by transfer"  # clear
    invoices = {i["id"]: i for i in rows(school.engine, "invoices", schema)}
    assert invoices[20]["company"] == "Peeters BV" and invoices[20]["restricted"] is True
    assert invoices[21]["restricted"] is False
    assert answer.held == ["billing|2032-11-03"]  # seven years from the invoice date
    assert sorted(answer.done) == ["personal details removed from the records we keep",
                                   "records deleted"]


def test_a_hold_that_ended_lets_its_rows_go(systems_runtime: Runtime,
                                            accounting: SecondDatabase) -> None:
    answer = _call(systems_runtime, "erase", system="accounting")
    invoices = {i["id"]: i for i in rows(accounting.engine, "invoices")}
    assert 10 not in invoices  # 2015: its hold ended, then: delete
    assert invoices[11]["blocked"] is True and invoices[11]["client_id"] == 1  # held
    assert invoices[12]["blocked"] is False
    clients = {c["id"]: c for c in rows(accounting.engine, "clients")}
    assert clients[1]["email"].endswith("@erased.invalid")
    assert clients[1]["street"].startswith("erased-")  # NOT NULL: masked, not emptied
    assert clients[2]["email"] == OTHER
    assert answer.held == ["billing|2032-11-03"]


def test_erasure_is_refused_whole_when_it_would_leave_held_rows_dangling(
        systems_runtime: Runtime, accounting: SecondDatabase, tmp_path: Path) -> None:
    mapping = {"tables": [{**ACCOUNTING_MAPPING["tables"][0], "erasure": "delete"},
                          ACCOUNTING_MAPPING["tables"][1]]}
    path = policy_with(tmp_path, [PORTAL, sql_system("accounting", mapping,
                                                     ["contact", "billing"], "Accounting")])
    runtime = runtime_with(systems_runtime, path)
    before = (rows(accounting.engine, "clients"), rows(accounting.engine, "invoices"))
    with pytest.raises(ErasureConflict, match="erase clients with clear, mask or anonymise"):
        _call(runtime, "erase", system="accounting")
    assert (rows(accounting.engine, "clients"), rows(accounting.engine, "invoices")) == before


def test_restriction_marks_rows_and_lifting_unmarks_only_those(
        systems_runtime: Runtime, school: SecondDatabase) -> None:
    table = school_tables(MetaData(), school.schema)["invoices"]
    with school.engine.begin() as connection:  # restricted before, for another reason
        connection.execute(update(table).where(table.c.id == 20).values(restricted=True))
    restricted = _call(systems_runtime, "restrict")
    marked = {t: [r["id"] for r in rows(school.engine, t, school.schema) if r["restricted"]]
              for t in ("customers", "invoices", "enrolments", "notes")}
    assert marked == {"customers": [1], "invoices": [20], "enrolments": [30, 31],
                      "notes": [40]}
    assert restricted.undo["rows"]["invoices"] == []  # it was not this request's doing
    _call(systems_runtime, "lift", restricted)
    still = {t: [r["id"] for r in rows(school.engine, t, school.schema) if r["restricted"]]
             for t in ("customers", "invoices", "enrolments", "notes")}
    assert still == {"customers": [], "invoices": [20], "enrolments": [], "notes": []}


def test_rectification_changes_the_mapped_field(systems_runtime: Runtime,
                                                school: SecondDatabase) -> None:
    answer = _call(systems_runtime, "rectify", [Change("contact", "last_name", "Peeters-Maes")],
                   actor="test")
    assert answer.done == ["contact: last_name"]
    names = {r["id"]: r["last_name"] for r in rows(school.engine, "customers", school.schema)}
    assert names == {1: "Peeters-Maes", 2: "Dubois"}


def test_a_mapping_that_does_not_fit_is_refused_naming_every_problem(
        systems_runtime: Runtime, school: SecondDatabase, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    mapping: dict[str, Any] = {"schema_name": school.schema, "tables": [
        {"name": "customers", "identity": {"email": "mail"}, "columns": {"email": "contact"},
         "erasure": "clear", "restrict_column": "restricted"},
        {"name": "payments", "columns": {"iban": "billing"}, "erasure": "delete"},
        {"name": "notes", "columns": {"body": "contact"}, "erasure": "delete"},
    ]}
    path = policy_with(tmp_path, [PORTAL, sql_system("school", mapping, ["contact", "billing"],
                                                     "School")])
    runtime = runtime_with(systems_runtime, path)
    system = runtime.policy.systems[1]
    with pytest.raises(MappingMismatch) as refused:
        open_database(system)
    assert refused.value.problems == ["table 'payments' does not exist"]
    mapping["tables"].pop(1)
    path = policy_with(tmp_path, [PORTAL, sql_system("school", mapping, ["contact", "billing"],
                                                     "School")])
    system = runtime_with(systems_runtime, path).policy.systems[1]
    with pytest.raises(MappingMismatch) as refused:
        open_database(system)
    assert refused.value.problems == [
        "column customers.mail does not exist",
        "column customers.email cannot be set to NULL (NOT NULL): erase it with mask or "
        "anonymise",
        "table 'notes' is not linked to the person: give it identity columns, a foreign key "
        "to a mapped table, or a join"]


def test_a_missing_variable_or_file_says_what_to_set(systems_runtime: Runtime,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    system = next(s for s in systems_runtime.policy.systems if s.id == "accounting")
    monkeypatch.delenv("ACCOUNTING_DATABASE_URL")
    with pytest.raises(EnvironmentProblem, match="set the variable ACCOUNTING_DATABASE_URL"):
        open_database(system)
    monkeypatch.setenv("ACCOUNTING_DATABASE_URL", f"sqlite:///{tmp_path / 'typo.db'}")
    with pytest.raises(EnvironmentProblem, match="no SQLite database at the path"):
        open_database(system)
    assert not (tmp_path / "typo.db").exists()  # no empty database left behind


def test_charters_own_database_is_never_a_system(systems_runtime: Runtime,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from charter.errors import InvalidInput

    system = next(s for s in systems_runtime.policy.systems if s.id == "accounting")
    monkeypatch.setenv("ACCOUNTING_DATABASE_URL",
                       systems_runtime.settings.resolved_database_url)
    with pytest.raises(InvalidInput, match="Charter's own database"):
        open_database(system, own_url=systems_runtime.settings.resolved_database_url)


def test_the_person_is_found_by_phone_alone(systems_runtime: Runtime) -> None:
    with systems_runtime.transaction() as session:
        answer = _sql(systems_runtime, "school").export(session, systems_runtime, Person(
            email="unknown@example.org", email_index="-", phone="+32470123456"),
            provided_only=False)
    assert [r["first_name"] for r in answer.data["contact"] if r["table"] == "customers"] == \
        ["Sophie"]
    assert sorted(r["course"] for r in answer.data["language_profile"]) == \
        ["Dutch B1", "English C1"]  # and what relates to her row


def test_a_restriction_made_by_hand_is_lifted_by_hand(systems_runtime: Runtime) -> None:
    """The answer of a task carries no list of marked rows: lifting cannot guess them."""
    attested = SystemAnswer(found=True, done=["restricted in the school program"])
    with pytest.raises(AwaitingPerson):
        _call(systems_runtime, "lift", attested)


def test_rectification_is_audited_by_counts(systems_runtime: Runtime) -> None:
    _call(systems_runtime, "rectify", [Change("contact", "last_name", "Peeters-Maes")],
          actor="test")
    with systems_runtime.transaction() as session:
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == systems_runtime.organization_id,
            AuditEvent.action == "system.rectified"))
        assert json.loads(event.details) == {"system": "school", "rows": {"customers": 1}}
        assert event.target == "request:R-1"


def test_a_person_with_many_rows_is_updated_in_batches(
        systems_runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An SQLite built with the old limit of 999 bound parameters, and 1,200 rows of one
    person: restriction, lifting, rectification and a legal hold all go by batches."""
    url = f"sqlite:///{tmp_path / 'visits.db'}"
    engine = create_engine(url)
    metadata = MetaData()
    visits = Table("visits", metadata, Column("id", Integer, primary_key=True),
                   Column("email", String(200), nullable=False), Column("city", String(100)),
                   Column("visited_on", Date, nullable=False),
                   Column("blocked", Boolean, nullable=False))
    metadata.create_all(engine)
    many = 1200
    with engine.begin() as connection:
        connection.execute(visits.insert(), [
            {"id": i, "email": EMAIL, "city": "Gent", "visited_on": date(2025, 1, 1),
             "blocked": False} for i in range(many)])
    monkeypatch.setenv("VISITS_DATABASE_URL", url)
    runtime = runtime_with(systems_runtime, policy_with(tmp_path, [PORTAL, sql_system(
        "visits", {"tables": [{
            "name": "visits", "identity": {"email": "email"},
            "columns": {"email": "contact.email", "city": "contact.last_name"},
            "erasure": "hold", "restrict_column": "blocked",
            "hold": {"legal_hold": "accounting_records", "from_column": "visited_on"}}]},
        ["contact"], "Visits")]))
    database = _sql(runtime, "visits").database(runtime)
    event.listen(database.engine, "connect", lambda connection, _: connection.setlimit(
        sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999))
    database.engine.dispose()  # every new connection has the limit
    restricted = _call(runtime, "restrict", system="visits")
    assert sum(r["blocked"] for r in rows(engine, "visits")) == many
    _call(runtime, "lift", restricted, system="visits")
    assert sum(r["blocked"] for r in rows(engine, "visits")) == 0
    _call(runtime, "rectify", [Change("contact", "last_name", "Antwerpen")], actor="test",
          system="visits")
    assert {r["city"] for r in rows(engine, "visits")} == {"Antwerpen"}
    _call(runtime, "erase", system="visits")
    assert sum(r["blocked"] for r in rows(engine, "visits")) == many
    with runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(HeldRow).where(
            HeldRow.organization_id == runtime.organization_id)) == many
    engine.dispose()
