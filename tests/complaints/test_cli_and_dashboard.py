"""`charter complaint` from the command line, and the dashboard's count of complaints owed an
answer in one query."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner
from sqlalchemy import event

from charter.cli import main
from charter.complaints.service import (
    ComplaintInput,
    OpenComplaints,
    answer,
    open_complaints,
    record_complaint,
    today,
)
from charter.runtime import Runtime

from .helpers import complaint_count, complaint_events, stored


def test_the_cli_records_lists_shows_answers_and_closes(runtime: Runtime,
                                                        cli_args: list[str]) -> None:
    def run(*args: str) -> str:
        result = CliRunner().invoke(main, [*cli_args, "complaint", *args])
        assert result.exit_code == 0, result.output
        return result.output

    added = run("add", "--channel", "post", "--received-on", "2026-03-31", "--name",
                "Jules Martin", "--statement", "You kept my address after I left.")
    # 31 March + one month = 30 April (no 31st), a Thursday
    assert added.strip() == "C-2026-0001: received 2026-03-31, due 2026-04-30"
    by_authority = run("add", "--channel", "authority", "--authority", "APD-77",
                       "--authority-deadline", "2026-04-10", "--received-on", "2026-03-02",
                       "--statement", "Passed on: access refused.")
    assert "C-2026-0002" in by_authority and "due 2026-04-10" in by_authority
    listing = run("list")
    assert listing.index("C-2026-0002") < listing.index("C-2026-0001")  # nearer deadline
    assert "OVERDUE" in listing
    shown = json.loads(run("show", "C-2026-0001"))
    assert shown["name"] == "Jules Martin" and shown["due_on"] == "2026-04-30"
    assert shown["statement"] == "You kept my address after I left."
    run("note", "C-2026-0001", "--text", "Address deleted from the CRM.")
    assert "answered" in run("answer", "C-2026-0001", "--outcome", "partly", "--text",
                             "Deleted now; the invoices stay seven years.")
    assert "closed" in run("close", "C-2026-0001")
    complaint = stored(runtime, "C-2026-0001")
    assert (complaint.status, complaint.outcome) == ("closed", "partly")
    actions = [e.action for e in complaint_events(runtime) if e.target.endswith("0001")]
    assert actions == ["complaint.recorded", "complaint.viewed", "complaint.noted",
                       "complaint.answered", "complaint.closed"]
    assert all(e.actor == "cli" for e in complaint_events(runtime))


def test_the_cli_names_bad_input_and_changes_nothing(runtime: Runtime,
                                                     cli_args: list[str]) -> None:
    bad = CliRunner().invoke(main, [*cli_args, "complaint", "add", "--channel", "email",
                                    "--statement", "x", "--received-on", "2999-01-01",
                                    "--request", "R-2026-0404"])
    assert bad.exit_code == 2
    assert "received on: a day in the future" in bad.output
    assert "request: there is no request R-2026-0404" in bad.output
    assert "name: who complains" in bad.output
    assert complaint_count(runtime) == 0
    missing = CliRunner().invoke(main, [*cli_args, "complaint", "show", "C-2026-0404"])
    assert missing.exit_code == 4 and "no complaint C-2026-0404" in missing.output


def test_open_complaints_counts_the_unanswered_in_one_query(runtime: Runtime) -> None:
    def add(received: str) -> str:
        with runtime.transaction() as session:
            return record_complaint(session, runtime, ComplaintInput(
                channel="email", statement="s", name="n", received_on=received),
                actor="test").reference

    with runtime.transaction() as session:
        assert open_complaints(session, runtime) == OpenComplaints(0, 0, None)
    add("2026-01-15")  # due 16 February: overdue
    answered = add("2026-01-05")
    add(today(runtime).isoformat())
    with runtime.transaction() as session:
        complaint = stored(runtime, answered)
        session.add(complaint)
        answer(session, runtime, complaint, outcome="rejected", text="No.", actor="test")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        with runtime.transaction() as session:
            summary = open_complaints(session, runtime)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    assert summary == OpenComplaints(count=2, overdue=1, next_due=date(2026, 2, 16))
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, statements
