"""`charter breach`: the register without the Portal, with the same rules, the same errors
(exit 2 bad input, 4 not found, 5 conflict) and the same audit trail."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from charter.breaches.service import narrative
from charter.cli import main
from charter.models import utcnow
from charter.runtime import Runtime

from .helpers import DESCRIPTION, ago, breach, breach_count, details, events


def _run(cli_args: list[str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*cli_args, "breach", *args])
    return result.exit_code, result.output


def _add(cli_args: list[str], *more: str) -> str:
    code, output = _run(cli_args, "add", "--nature", "confidentiality", "--category",
                        "contact", "--people", "120", "--description", DESCRIPTION, *more)
    assert code == 0, output
    return output.split(":", 1)[0]


def test_add_names_every_bad_option_and_writes_nothing(runtime: Runtime,
                                                       cli_args: list[str]) -> None:
    future = (utcnow() + timedelta(days=1)).isoformat()
    code, output = _run(cli_args, "add", "--detected-at", future, "--nature", "secrecy",
                        "--category", "health", "--people", "many")
    assert code == 2
    for said in ("detected-at: may not be in the future", "nature: unknown: secrecy",
                 "categories: not declared in the policy: health", "people: a whole number",
                 "description: required"):
        assert said in output, said
    assert breach_count(runtime) == 0 and events(runtime) == []


def test_add_list_show_and_drafts(runtime: Runtime, cli_args: list[str]) -> None:
    late = _add(cli_args, "--detected-at", ago(80.5).isoformat())
    fresh = _add(cli_args, "--detected-at", "2026-01-05 09:30", "--risk", "unlikely")
    assert breach(runtime, fresh).detected_at.isoformat() == "2026-01-05T08:30:00+00:00"
    code, listing = _run(cli_args, "list")
    assert code == 0 and late in listing and "OVERDUE by 8 h" in listing
    code, shown = _run(cli_args, "show", late)
    assert code == 0
    record = json.loads(shown)
    assert record["texts"]["description"] == DESCRIPTION and record["people"] == 120
    assert record["clock"].startswith("overdue by 8 h")
    code, draft = _run(cli_args, "show", late, "--draft", "authority")
    assert code == 0 and "To: Data Protection Authority" in draft
    assert "6. Reasons for the delay" in draft
    code, notice = _run(cli_args, "show", late, "--draft", "notice", "--lang", "nl")
    assert code == 0 and "Wat er is gebeurd" in notice and DESCRIPTION in notice
    assert [e.action for e in events(runtime)][-3:] == [
        "breach.viewed", "breach.draft_downloaded", "breach.draft_downloaded"]
    assert all(e.actor == "cli" for e in events(runtime))
    assert _run(cli_args, "show", "B-2026-9999")[0] == 4


def test_notify_and_close_follow_the_law(runtime: Runtime, cli_args: list[str]) -> None:
    reference = _add(cli_args, "--detected-at", ago(80.5).isoformat())
    code, output = _run(cli_args, "notify", reference, "--to", "authority")
    assert code == 2 and "delay-reason" in output
    code, output = _run(cli_args, "notify", reference, "--to", "authority", "--at", "soon")
    assert code == 2 and "--at: a date and time" in output
    code, output = _run(cli_args, "notify", reference, "--to", "authority",
                        "--authority-reference", "APD-7", "--delay-reason", "Holidays.")
    assert code == 0 and "authority notified after 80 h, late" in output, output
    assert narrative(runtime, breach(runtime, reference))["delay_reason"] == "Holidays."
    code, output = _run(cli_args, "notify", reference, "--to", "authority")
    assert code == 5 and "already notified" in output
    code, output = _run(cli_args, "close", reference, "--note", "Done.")
    assert code == 5 and "assess the risk" in output
    assert _run(cli_args, "assess", reference, "--risk", "high")[0] == 0
    code, output = _run(cli_args, "notify", reference, "--to", "people", "--not-required",
                        "Backups were encrypted.", "--exemption", "c")
    assert code == 2 and "public-communication" in output
    code, output = _run(cli_args, "notify", reference, "--to", "people", "--not-required",
                        "The stolen disk was encrypted (AES-256).", "--exemption", "a")
    assert code == 0, output
    assert details(events(runtime, "breach.subjects_not_required")[0]) == {"ground": "a"}
    code, output = _run(cli_args, "close", reference, "--note", "Police report filed.")
    assert code == 0 and "closed" in output
    code, listing = _run(cli_args, "list", "--all")
    assert reference in listing and "closed" in listing
    assert _run(cli_args, "close", "B-2026-9999", "--note", "x")[0] == 4
    assert _run(cli_args, "assess", reference, "--risk", "huge")[0] == 2
