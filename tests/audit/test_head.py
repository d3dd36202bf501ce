"""The head of the chain: deleting the newest events shows against the head recorded with each
append, and a head kept outside the database shows a rewrite of both."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from charter.audit import ChainHead, record_event, verify_chain
from charter.audit.service import GENESIS, _digest
from charter.cli import main
from charter.db import make_engine, upgrade
from charter.errors import InvalidInput
from charter.models import AuditEvent
from charter.runtime import Runtime


def _log(runtime: Runtime, count: int) -> None:
    with runtime.transaction() as session:
        for n in range(count):
            record_event(session, runtime.organization_id, actor="staff:1",
                         action="subject.viewed", target=f"subject:{n}")


def _sql(runtime: Runtime, statement: str, **params: object) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(text(statement), params)


def _hash_of(runtime: Runtime, seq: int) -> str:
    with runtime.engine.connect() as connection:
        return str(connection.execute(text("SELECT hash FROM audit_events WHERE seq = :s"),
                                      {"s": seq}).scalar_one())


def test_deleting_the_newest_events_is_named(runtime: Runtime, cli_args: list[str]) -> None:
    _log(runtime, 5)
    _sql(runtime, "DELETE FROM audit_events WHERE seq >= 4")
    with runtime.transaction() as session:
        report = verify_chain(session, runtime.organization_id)
    assert report.problem == "events after #3 are missing: the chain's head is #5"
    assert report.broken_at == 4 and report.checked == 3
    result = CliRunner().invoke(main, [*cli_args, "audit", "verify"])
    assert result.exit_code == 1
    assert result.output == ("audit chain BROKEN: events after #3 are missing: "
                             "the chain's head is #5\n")


def test_the_gap_stays_visible_after_the_next_append(runtime: Runtime) -> None:
    _log(runtime, 5)
    _sql(runtime, "DELETE FROM audit_events WHERE seq >= 4")
    _log(runtime, 1)  # follows the recorded head (#5), not the surviving #3
    with runtime.transaction() as session:
        report = verify_chain(session, runtime.organization_id)
    assert report.problem == "event 4 is missing: the chain jumps from event 3 to 6"


def test_an_emptied_log_is_named(runtime: Runtime) -> None:
    _log(runtime, 2)
    _sql(runtime, "DELETE FROM audit_events")
    with runtime.transaction() as session:
        report = verify_chain(session, runtime.organization_id)
    assert report.problem == "every event is missing: the chain's head is #2"


def test_events_added_around_charter_are_named(runtime: Runtime) -> None:
    _log(runtime, 3)
    _sql(runtime, "UPDATE organizations SET audit_head_seq = 2, audit_head_hash = :h",
         h=_hash_of(runtime, 2))
    with runtime.transaction() as session:
        report = verify_chain(session, runtime.organization_id)
    assert report.problem == ("events after #2 were added without moving the chain's head "
                              "(#2): the log ends at #3")


def test_head_and_expect(runtime: Runtime, cli_args: list[str]) -> None:
    _log(runtime, 5)
    runner = CliRunner()
    head = runner.invoke(main, [*cli_args, "audit", "head"])
    assert head.exit_code == 0, head.output
    assert head.output == f"5:{_hash_of(runtime, 5)}\n"
    kept = head.output.strip()
    _log(runtime, 2)  # the log grows past the kept head: still fine
    ok = runner.invoke(main, [*cli_args, "audit", "verify", "--expect", kept])
    assert ok.exit_code == 0, ok.output
    assert ok.output == (f"audit chain intact: 7 event(s) verified; head 7:{_hash_of(runtime, 7)}"
                         "; passes through the head you kept (#5)\n")

    # Someone who can write both tables deletes the newest events and moves the head back:
    # the database alone agrees with itself, the kept head does not.
    _sql(runtime, "DELETE FROM audit_events WHERE seq >= 4")
    _sql(runtime, "UPDATE organizations SET audit_head_seq = 3, audit_head_hash = :h",
         h=_hash_of(runtime, 3))
    assert runner.invoke(main, [*cli_args, "audit", "verify"]).exit_code == 0
    broken = runner.invoke(main, [*cli_args, "audit", "verify", "--expect", kept])
    assert broken.exit_code == 1
    assert broken.output == ("audit chain BROKEN: the head you kept (#5) is missing: "
                             "the log ends at #3\n")


def test_expect_catches_a_recomputed_chain(runtime: Runtime, cli_args: list[str]) -> None:
    _log(runtime, 3)
    kept = f"3:{_hash_of(runtime, 3)}"
    # Rewrite event 2, recompute every hash from there on and the recorded head with them.
    with runtime.transaction() as session:
        prev = GENESIS
        for event in session.scalars(select(AuditEvent).where(
                AuditEvent.organization_id == runtime.organization_id).order_by(AuditEvent.seq)):
            if event.seq == 2:
                event.target = "subject:99"
            event.prev_hash = prev
            event.hash = prev = _digest(prev, event.seq, event.occurred_at, event.actor,
                                        event.action, event.target, event.details)
        session.execute(text("UPDATE organizations SET audit_head_hash = :h"), {"h": prev})
    runner = CliRunner()
    assert runner.invoke(main, [*cli_args, "audit", "verify"]).exit_code == 0
    broken = runner.invoke(main, [*cli_args, "audit", "verify", "--expect", kept])
    assert broken.exit_code == 1
    assert broken.output == (f"audit chain BROKEN: event #3 is not the head you kept ({kept}): "
                             "the log was rewritten at or before it\n")


def test_a_malformed_expectation_is_bad_input(runtime: Runtime, cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "audit", "verify", "--expect", "5:abc"])
    assert result.exit_code == 2
    assert result.output.startswith("error: '5:abc' is not a chain head: expected SEQ:HASH")
    assert len(result.output.strip().splitlines()) == 1


def test_chain_head_round_trips() -> None:
    head = ChainHead(12, "ab" * 32)
    assert ChainHead.parse(str(head).upper()) == head
    assert ChainHead.parse(f"0:{GENESIS}") == ChainHead(0, GENESIS)
    with pytest.raises(InvalidInput, match="before event 1 the hash is all zeros"):
        ChainHead.parse(f"0:{'ab' * 32}")


def test_the_migration_anchors_existing_logs_at_their_newest_event(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0007")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organizations (id, slug, legal_name, country, created_at) VALUES "
            "(1, 'a', 'A', 'BE', '2026-01-01'), (2, 'b', 'B', 'BE', '2026-01-01')"))
        for seq in (1, 2):
            connection.execute(text(
                "INSERT INTO audit_events (organization_id, seq, occurred_at, actor, action, "
                "target, details, prev_hash, hash) VALUES (1, :s, '2026-01-01 00:00:00', 'x', "
                "'y', '', '{}', :p, :h)"), {"s": seq, "p": str(seq - 1) * 64, "h": str(seq) * 64})
    upgrade(engine)
    with engine.connect() as connection:
        heads = connection.execute(text(
            "SELECT id, audit_head_seq, audit_head_hash FROM organizations ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in heads] == [(1, 2, "2" * 64), (2, 0, "0" * 64)]


def test_events_appended_during_the_walk_are_not_tampering(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL each statement sees its own snapshot: a page view audited while the
    nightly check walks the log lands past the head it read first — that is no gap."""
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one transaction at a time: nothing lands during the walk")
    from charter.audit import repository

    _log(runtime, 3)
    walk = repository.events_in_order

    def walk_while_staff_work(session: object, organization_id: int, batch: int = 1000):
        _log(runtime, 2)  # committed by another transaction after the head was read
        yield from walk(session, organization_id, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(repository, "events_in_order", walk_while_staff_work)
    with runtime.transaction() as session:
        report = verify_chain(session, runtime.organization_id)
    assert report.intact, report.problem
    assert report.checked == 3  # the two newcomers are for the next check
