"""Rows kept under a legal hold in an SQL system get their ``then`` once the hold ends: the
erasure records them in Charter (keys only), the nightly job releases those whose day has
come, and a system out of reach keeps them recorded for the next night."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select, update

from charter.cli import main
from charter.models import AuditEvent, HeldRow
from charter.rights.connectors import Person, connector_for
from charter.runtime import Runtime
from charter.systems.sql import SqlConnector
from charter.systems.sql_holds import release_ended_holds
from charter.systems.tasks import register

from .conftest import PORTAL, SecondDatabase, policy_with, runtime_with, sql_system
from .databases import EMAIL, OTHER, rows, school_mapping, school_tables

HOLD_ENDS = date(2032, 11, 3)  # seven years from the recent invoices


def _erase(runtime: Runtime, system_id: str) -> None:
    system = next(s for s in runtime.policy.systems if s.id == system_id)
    connector = connector_for(runtime, system)
    assert isinstance(connector, SqlConnector)
    with runtime.transaction() as session:
        connector.erase(session, runtime, Person(
            email=EMAIL, email_index=runtime.blind_index.email(EMAIL), request="R-1"))


def _held(runtime: Runtime) -> list[tuple[str, str, str, date, str, bool]]:
    with runtime.transaction() as session:
        return [(h.system, h.table_name, h.key, h.until, h.then, h.unmark)
                for h in session.scalars(select(HeldRow).where(
                    HeldRow.organization_id == runtime.organization_id).order_by(HeldRow.id))]


def _release(runtime: Runtime, today: date) -> int:
    with runtime.transaction() as session:
        return release_ended_holds(session, runtime, today=today)


def _events(runtime: Runtime, action: str) -> list[dict[str, Any]]:
    with runtime.transaction() as session:
        return [json.loads(e.details) for e in session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == action))]


def test_held_invoices_are_deleted_once_their_hold_ends(
        systems_runtime: Runtime, accounting: SecondDatabase) -> None:
    _erase(systems_runtime, "accounting")
    assert _held(systems_runtime) == [  # the key only, never a value
        ("accounting", "invoices", "[11]", HOLD_ENDS, "delete", True)]
    assert _release(systems_runtime, date(2032, 11, 2)) == 0  # the day before: kept
    assert [i["id"] for i in rows(accounting.engine, "invoices")] == [11, 12]
    assert _release(systems_runtime, HOLD_ENDS) == 1
    assert [i["id"] for i in rows(accounting.engine, "invoices")] == [12]  # Marc's stays
    assert _held(systems_runtime) == []
    [event] = _events(systems_runtime, "system.hold_ended")
    assert event == {"system": "accounting", "rows": {"invoices:delete": 1}}


@pytest.mark.parametrize("then", ["clear", "mask"])
def test_rows_that_stay_after_their_hold_are_emptied_and_unmarked(
        systems_runtime: Runtime, school: SecondDatabase, tmp_path: Path, then: str) -> None:
    mapping = school_mapping(school.schema)
    invoices = mapping["tables"][1]
    invoices["hold"] = {**invoices["hold"], "then": then}
    if then == "clear":  # number is NOT NULL: only company can be emptied
        invoices["columns"] = {"company": "billing.company"}
    runtime = runtime_with(systems_runtime, policy_with(tmp_path, [PORTAL, sql_system(
        "school", mapping, ["contact", "language_profile", "billing"], "School")]))
    _erase(runtime, "school")
    held = {i["id"]: i for i in rows(school.engine, "invoices", school.schema)}
    assert held[20]["restricted"] is True and held[20]["company"] == "Peeters BV"
    assert _release(runtime, HOLD_ENDS) == 1
    after = {i["id"]: i for i in rows(school.engine, "invoices", school.schema)}
    assert after[20]["restricted"] is False  # the hold set it, the hold's end unsets it
    assert after[21] == held[21]  # Marc's invoice is not touched
    if then == "clear":
        assert after[20]["company"] is None and after[20]["number"] == "S-2025-1"
    else:
        assert after[20]["company"].startswith("erased-")
        assert re.fullmatch(r"eras[0-9a-f]{16}", after[20]["number"])  # VARCHAR(20): the
        # word is cut, never the 64 random bits
    assert _events(runtime, "system.hold_ended") == [
        {"system": "school", "rows": {f"invoices:{then}": 1}}]


def test_a_row_marked_before_the_hold_stays_marked_after_it(
        systems_runtime: Runtime, school: SecondDatabase, tmp_path: Path) -> None:
    mapping = school_mapping(school.schema)
    mapping["tables"][1]["hold"]["then"] = "mask"
    runtime = runtime_with(systems_runtime, policy_with(tmp_path, [PORTAL, sql_system(
        "school", mapping, ["contact", "language_profile", "billing"], "School")]))
    table = school_tables(MetaData(), school.schema)["invoices"]
    with school.engine.begin() as connection:  # restricted for another reason
        connection.execute(update(table).where(table.c.id == 20).values(restricted=True))
    _erase(runtime, "school")
    assert [h[5] for h in _held(runtime)] == [False]
    _release(runtime, HOLD_ENDS)
    assert {i["id"]: i["restricted"] for i in rows(school.engine, "invoices", school.schema)
            } == {20: True, 21: False}


def test_a_system_out_of_reach_keeps_its_held_rows_for_the_next_night(
        systems_runtime: Runtime, accounting: SecondDatabase, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    _erase(systems_runtime, "accounting")
    monkeypatch.setenv("ACCOUNTING_DATABASE_URL", f"sqlite:///{tmp_path / 'moved.db'}")
    with caplog.at_level(logging.WARNING, logger="charter.systems.sql_holds"):
        assert _release(systems_runtime, HOLD_ENDS) == 0
    assert len(_held(systems_runtime)) == 1
    assert "ConnectionMissing" in caplog.text
    assert "moved.db" not in caplog.text and EMAIL not in caplog.text  # the type only
    monkeypatch.setenv("ACCOUNTING_DATABASE_URL", accounting.url)
    assert _release(systems_runtime, date(2032, 11, 4)) == 1  # the next night
    assert [i["id"] for i in rows(accounting.engine, "invoices")] == [12]


def test_the_nightly_job_and_the_command(systems_runtime: Runtime,
                                         accounting: SecondDatabase) -> None:
    from huey import MemoryHuey

    assert "systems.release_holds" in register(MemoryHuey(immediate=True))
    _erase(systems_runtime, "accounting")
    settings = systems_runtime.settings
    args = ["--data-dir", str(settings.data_dir), "--database-url", str(settings.database_url),
            "--policy", str(settings.policy), "systems", "holds"]
    listed = CliRunner(env={"COLUMNS": "200"}).invoke(main, args, catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    [line] = [li for li in listed.output.splitlines() if "accounting" in li]
    assert [c.strip() for c in line.split("│")[1:5]] == ["accounting", "invoices", "1",
                                                        "2032-11-03"]
    released = CliRunner().invoke(main, [*args, "--release"], catch_exceptions=False)
    assert "0 held row(s) released" in released.output  # 2032 has not come
    assert OTHER not in released.output
