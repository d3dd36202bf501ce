"""`charter systems`: the scan that proposes a mapping from a live database, the read-only
dry run of a mapping, the list of systems and the tasks — on the real second databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Column, Date, ForeignKey, Integer, MetaData, String, Table, create_engine

from charter.cli import main
from charter.models import AuditEvent
from charter.policy.systems import SqlMapping
from charter.runtime import Runtime
from charter.systems import scan as scanning

from .conftest import SecondDatabase
from .databases import EMAIL, rows

IBAN = "BE71096123456769"


def _args(runtime: Runtime) -> list[str]:
    settings = runtime.settings
    return ["--data-dir", str(settings.data_dir), "--database-url", str(settings.database_url),
            "--policy", str(settings.policy)]


def _run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _shop(path: Path, customers: int = 40) -> str:
    """Columns whose names say little: only their values tell what they hold."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    metadata = MetaData()
    people = Table("people", metadata, Column("id", Integer, primary_key=True),
                   Column("mail_address", String(200)), Column("contact_no", String(30)),
                   Column("account", String(40)), Column("given", String(40)),
                   Column("born", Date), Column("points", Integer))
    orders = Table("orders", metadata, Column("id", Integer, primary_key=True),
                   Column("person_id", Integer, ForeignKey("people.id")),
                   Column("total", Integer))
    Table("settings", metadata, Column("id", Integer, primary_key=True),
          Column("value", String(20)))
    metadata.create_all(engine)
    from datetime import date
    names = ["Sophie", "Marc", "Anna", "Lucas", "Emma", "Thomas", "Julie", "Pieter"]
    with engine.begin() as connection:
        connection.execute(people.insert(), [
            {"id": i, "mail_address": f"person{i}@example.org",
             "contact_no": f"+32 470 {i % 100:02d} 34 56", "account": IBAN,
             "given": names[i % len(names)], "born": date(1970 + i % 30, 1 + i % 12, 1 + i % 27),
             "points": i} for i in range(customers)])
        connection.execute(orders.insert(), [{"id": i, "person_id": i, "total": 10}
                                             for i in range(customers)])
    engine.dispose()
    return url


def test_scan_proposes_a_mapping_by_values_without_printing_them(
        systems_runtime: Runtime, tmp_path: Path) -> None:
    url = _shop(tmp_path / "shop.db")
    result = _run([*_args(systems_runtime), "systems", "scan", url])
    assert result.exit_code == 0, result.output
    proposal = yaml.safe_load(result.stdout)
    mapping = SqlMapping.model_validate(proposal["sql"])  # pastes into the policy as it is
    people = mapping.table("people")
    assert people is not None and people.identity == {"email": "mail_address",
                                                      "phone": "contact_no"}
    assert people.columns == {"mail_address": "contact.email", "contact_no": "contact.phone",
                              "account": "billing.iban", "given": "contact.first_name",
                              "born": "contact.birth_date"}
    assert people.erasure == "mask"  # orders refer to it
    orders = mapping.table("orders")
    assert orders is not None and orders.erasure == "delete"
    assert mapping.table("settings") is None
    assert "no personal data found in: settings" in result.stdout
    assert "40 of 40 sampled values" in result.stdout
    assert "person1@example.org" not in result.output and IBAN not in result.output
    assert "Sophie" not in result.output


def test_scan_samples_across_a_large_table(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url = _shop(tmp_path / "shop.db", customers=400)
    monkeypatch.setattr(scanning, "LARGE", 100)
    engine = create_engine(url)
    progress: dict[str, list[int]] = {}

    def track(name: str, total: int) -> Any:
        progress[name] = [total]
        return progress[name].append

    [_, people, _] = scanning.scan(engine, schema=None, policy=None, region="BE",
                                        only=[], progress=track)
    engine.dispose()
    assert people.rows == 400 and progress["people"][0] == scanning.SAMPLE
    assert sum(progress["people"][1:]) == scanning.SAMPLE  # ten windows of twenty rows
    assert {g.column for g in people.columns} >= {"mail_address", "contact_no", "account"}


def test_scan_of_the_school_follows_its_schema(systems_runtime: Runtime,
                                               school: SecondDatabase) -> None:
    args = ["systems", "scan", school.url, *(["--schema", school.schema] if school.schema
                                             else [])]
    result = _run([*_args(systems_runtime), *args])
    assert result.exit_code == 0, result.output
    mapping = SqlMapping.model_validate(yaml.safe_load(result.stdout)["sql"])
    assert mapping.schema_name == school.schema
    customers = mapping.table("customers")
    assert customers is not None and customers.identity == {"email": "email", "phone": "phone"}
    assert customers.columns["birth_date"] == "contact.birth_date"  # the policy's own field
    assert "# linked to the person by its foreign key customer_id -> customers.id" in \
        result.stdout
    assert {t.name for t in mapping.tables} == {"customers", "invoices", "enrolments"}


def test_scan_of_a_database_that_cannot_be_read_hides_the_url(systems_runtime: Runtime,
                                                              tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*_args(systems_runtime), "systems", "scan",
                                       "postgresql://app:s3cret@127.0.0.1:1/none"])
    assert result.exit_code == 3
    assert "could not be read (OperationalError)" in result.output
    assert "s3cret" not in result.output


def test_check_is_a_dry_run_that_changes_nothing(systems_runtime: Runtime,
                                                 school: SecondDatabase) -> None:
    before = {t: rows(school.engine, t, school.schema)
              for t in ("customers", "invoices", "enrolments", "notes")}
    result = _run([*_args(systems_runtime), "systems", "check", "school", "--email", EMAIL])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for fragment in ("foreign key customer_id -> customers.id", "join customer_ref -> "
                     "customers.id", "anonymise 1", "hold 1 until 2032-11-03", "delete 2",
                     "clear 1"):
        assert fragment in text, fragment
    assert "Sophie" not in result.output
    after = {t: rows(school.engine, t, school.schema) for t in before}
    assert after == before
    with systems_runtime.transaction() as session:
        from sqlalchemy import select
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == systems_runtime.organization_id,
            AuditEvent.action == "system.checked"))
        assert json.loads(event.details)["rows"] == {"customers": 1, "invoices": 1,
                                                     "enrolments": 2, "notes": 1}
        assert EMAIL not in event.details


def test_check_of_every_system_exits_1_naming_each_problem(
        systems_runtime: Runtime, accounting: SecondDatabase) -> None:
    with accounting.engine.begin() as connection:
        from sqlalchemy import text
        connection.execute(text("ALTER TABLE invoices RENAME COLUMN issued_on TO issued"))
    result = CliRunner().invoke(main, [*_args(systems_runtime), "systems", "check"])
    assert result.exit_code == 1
    assert "accounting: the mapping does not fit the database" in result.output
    assert "column invoices.issued_on does not exist" in result.output
    assert "school: mapping fits the database" in result.output


def test_check_refuses_a_system_that_is_not_mapped(systems_runtime: Runtime) -> None:
    result = CliRunner().invoke(main, [*_args(systems_runtime), "systems", "check",
                                       "paper_files"])
    assert result.exit_code == 2 and "not an sql system with a mapping" in result.output
    unknown = CliRunner().invoke(main, [*_args(systems_runtime), "systems", "check", "crm"])
    assert unknown.exit_code == 4 and "'crm' is no longer declared" in unknown.output


def test_list_and_tasks(systems_runtime: Runtime) -> None:
    listed = CliRunner(env={"COLUMNS": "200"}).invoke(main, [*_args(systems_runtime),
                                                             "systems", "list"])
    assert listed.exit_code == 0
    lines = {line.split("│")[1].strip(): line for line in listed.output.splitlines()
             if "│" in line and line.split("│")[1].strip()}
    assert "answered by its people" in lines["paper_files"]
    assert "connector" in lines["accounting"]
    tasks = _run([*_args(systems_runtime), "systems", "tasks"])
    assert tasks.exit_code == 0 and "charter requests fulfil" in tasks.output


def test_seed_000s_accounting_program_is_answered_by_its_two_people(
        cli_args: list[str], engine: Any) -> None:
    """CALL INTERNATIONAL: BOB runs on an isolated computer that the managing director and
    the bookkeeper may open; a request becomes their task, with BOB's own checklist."""
    args = [*cli_args[:-1], str(Path(__file__).parents[2] / "examples" /
                                "call-international.yaml")]
    for email, role in (("gerant@call.be", "admin"), ("compta@call.be", "accounting"),
                        ("accueil@call.be", "management")):
        assert _run([*args, "user", "add", email, "--role", role]).exit_code == 0
    added = _run([*args, "requests", "add", "--type", "access", "--email",
                  "sophie@example.org", "--channel", "post", "--verified"])
    assert added.exit_code == 0, added.output
    reference = added.output.split(":")[0]
    assert _run([*args, "requests", "fulfil", reference]).exit_code == 0
    tasks = CliRunner(env={"COLUMNS": "250"}).invoke(main, [*args, "systems", "tasks"])
    [bob] = [line for line in tasks.output.splitlines() if "bob_accounting" in line]
    assert "compta@call.be, gerant@call.be" in bob and "accueil" not in bob
    assert reference in bob


def test_list_counts_failed_and_waiting_parts(systems_runtime: Runtime,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    args = _args(systems_runtime)
    monkeypatch.delenv("ACCOUNTING_DATABASE_URL")  # the accounting database is out of reach
    added = _run([*args, "requests", "add", "--type", "restriction", "--email", EMAIL,
                  "--channel", "post", "--verified"])
    assert added.exit_code == 0, added.output
    assert _run([*args, "requests", "fulfil", added.output.split(":")[0]]).exit_code == 0
    listed = CliRunner(env={"COLUMNS": "200"}).invoke(main, [*args, "systems", "list"])
    assert listed.exit_code == 0, listed.output
    [header] = [line for line in listed.output.splitlines() if "┃" in line]
    assert [c.strip() for c in header.split("┃")[1:-1]] == [
        "system", "kind", "answered by", "failed", "waiting", "open tasks"]
    cells = {cells[0]: cells[1:] for line in listed.output.splitlines() if "│" in line
             and (cells := [c.strip() for c in line.split("│")[1:-1]])[0]}
    assert cells["accounting"][2:] == ["1", "0", "0"]  # failed, retried with backoff
    assert cells["paper_files"][2:] == ["0", "1", "1"]  # waiting for its people
    assert cells["school"][2:] == ["0", "0", "0"]  # done


def _club(path: Path) -> str:
    """A members table whose dates of birth hide behind odd names: a DATE column ``d1``, and
    ``d2``, dates of birth kept as text; ``d3`` holds recent dates as text (sign-ups)."""
    from datetime import date

    url = f"sqlite:///{path}"
    engine = create_engine(url)
    metadata = MetaData()
    members = Table("members", metadata, Column("id", Integer, primary_key=True),
                    Column("mail", String(200)), Column("d1", Date), Column("d2", String(10)),
                    Column("d3", String(10)), Column("d4", String(10)))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(members.insert(), [
            {"id": i, "mail": f"member{i}@example.org",
             "d1": date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
             "d2": date(1970 + i % 30, 1 + i % 12, 1 + i % 28).isoformat(),
             "d3": date(2025, 1 + i % 12, 1 + i % 28).isoformat(),
             "d4": date(1980 + i % 20, 1 + i % 12, 13 + i % 15).strftime("%d/%m/%Y")}
            for i in range(30)])
    engine.dispose()
    return url


def test_scan_finds_dates_of_birth_by_their_values_whatever_the_column_is_called(
        systems_runtime: Runtime, tmp_path: Path) -> None:
    result = _run([*_args(systems_runtime), "systems", "scan", _club(tmp_path / "club.db")])
    assert result.exit_code == 0, result.output
    mapping = SqlMapping.model_validate(yaml.safe_load(result.stdout)["sql"])
    members = mapping.table("members")
    assert members is not None
    assert members.columns == {"mail": "contact.email", "d1": "contact.birth_date",
                               "d2": "contact.birth_date", "d4": "contact.birth_date"}
    assert members.identity == {"email": "mail"}  # dates as text are no phone numbers
    d1 = next(line for line in result.stdout.splitlines() if line.strip().startswith("d1:"))
    assert d1.endswith("# 30 of 30 sampled values")  # by the values: "d1" says nothing
    assert "1961-02-02" not in result.output  # values are counted, never shown
