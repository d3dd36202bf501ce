from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from charter.audit import record_event, verify_chain
from charter.cli import main
from charter.runtime import Runtime


def _log(runtime: Runtime, count: int) -> None:
    with runtime.transaction() as session:
        for n in range(count):
            record_event(session, runtime.organization_id, actor="staff:1",
                         action="subject.viewed", target=f"subject:{n}",
                         details={"categories": ["contact"]})


def _verify(runtime: Runtime):  # type: ignore[no-untyped-def]
    with runtime.transaction() as session:
        return verify_chain(session, runtime.organization_id)


def test_intact_chain_verifies(runtime: Runtime) -> None:
    _log(runtime, 5)
    report = _verify(runtime)
    assert report.intact and report.checked == 5


@pytest.mark.parametrize("tamper, expected", [
    ("UPDATE audit_events SET details = '{\"categories\": []}' WHERE seq = 3",
     "event 3 was edited"),
    ("UPDATE audit_events SET actor = 'staff:2' WHERE seq = 2", "event 2 was edited"),
    ("DELETE FROM audit_events WHERE seq = 3", "event 3 is missing"),
    ("UPDATE audit_events SET seq = CASE seq WHEN 2 THEN 4 WHEN 4 THEN 2 ELSE seq END "
     "WHERE seq IN (2, 4)", "event 2 does not follow event 1"),
])
def test_tampering_is_named(runtime: Runtime, tamper: str, expected: str) -> None:
    _log(runtime, 5)
    with runtime.engine.begin() as connection:
        if "CASE" in tamper:  # swapping seqs collides with the unique constraint mid-update
            connection.execute(text("UPDATE audit_events SET seq = seq + 100 WHERE seq IN (2, 4)"))
            tamper = ("UPDATE audit_events SET seq = CASE seq WHEN 102 THEN 4 WHEN 104 THEN 2 "
                      "ELSE seq END WHERE seq IN (102, 104)")
        connection.execute(text(tamper))
    report = _verify(runtime)
    assert not report.intact
    assert expected in (report.problem or "")


def test_a_rewritten_hash_is_caught(runtime: Runtime) -> None:
    _log(runtime, 4)
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET hash = :h WHERE seq = 2"),
                           {"h": "f" * 64})
    report = _verify(runtime)
    assert report.broken_at == 2
    assert report.problem == "event 2 was edited"


def test_cli_verify_exits_non_zero_and_names_the_event(runtime: Runtime,
                                                       cli_args: list[str]) -> None:
    _log(runtime, 3)
    runner = CliRunner()
    ok = runner.invoke(main, [*cli_args, "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 event(s) verified" in ok.output
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET target = 'subject:99' WHERE seq = 2"))
    broken = runner.invoke(main, [*cli_args, "audit", "verify"])
    assert broken.exit_code == 1
    assert "event 2 was edited" in broken.output
