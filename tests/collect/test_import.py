"""`charter import`: each row with its own dates and consent evidence; bad rows named by line
and left out entirely; an interrupted import resumes without counting anything twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from charter.cli import main
from charter.collect import importer
from charter.consent import repository as consents
from charter.models import OutboxMessage, Record, Subject
from charter.runtime import Runtime
from charter.subjects import find_subject

HEADER = ("email,first_name,last_name,phone,collected_at,last_contact_at,contract_end_at,"
          "language,consent:newsletter:email,consent_method,consent_evidence\n")


def _args(cli_args: list[str], runtime: Runtime) -> list[str]:
    flags = [*cli_args]
    flags[flags.index("--policy") + 1] = str(runtime.settings.policy)
    return flags


def _count(runtime: Runtime, model: type) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(
            model.organization_id == runtime.organization_id)) or 0  # type: ignore[attr-defined]


def test_rows_are_imported_with_their_own_dates_and_bad_rows_are_named(
        full_runtime: Runtime, cli_args: list[str], tmp_path: Path) -> None:
    data = tmp_path / "crm.csv"
    data.write_text(
        HEADER
        + "emma@example.org,Emma,Claes,+32470111111,2021-03-04,2023-05-06,2023-06-30,fr,"
          "2021-03-04,written,paper form in the 2021 binder\n"
        + "not-an-email,Bad,Row,,2021-01-01,,,en,,,\n"
        + "victor@example.org,Victor,Leroy,12,2022-01-01,,,en,,,\n"
        + "arthur@example.org,Arthur,Simon,,2022-02-02,,,xx,yes,,\n"
        + "louise@example.org,Louise,Mertens,,2019-09-09,2020-01-01,,nl,,,\n")
    result = CliRunner().invoke(main, [*_args(cli_args, full_runtime), "import", "--source",
                                       "legacy_crm", str(data)])
    assert result.exit_code == 1, result.output
    assert "2 row(s) stored, 3 rejected" in result.output
    assert f"{data}:3: email: expected an e-mail address" in result.output
    assert f"{data}:4: phone: expected a phone number" in result.output
    assert f"{data}:5: language: one of en, fr, nl" in result.output
    assert f"{data}:5: consent_method: needed with a consent" in result.output
    assert "Bad" not in result.output and "12," not in result.output  # no values echoed
    assert _count(full_runtime, Subject) == 2
    with full_runtime.transaction() as session:
        emma = find_subject(session, full_runtime, email="emma@example.org")
        assert emma is not None and emma.language == "fr"
        record = session.scalars(select(Record).where(
            Record.organization_id == full_runtime.organization_id,
            Record.subject_id == emma.id)).one()
        assert record.collected_at.date().isoformat() == "2021-03-04"
        assert record.last_contact_at.date().isoformat() == "2023-05-06"
        # kept as long as the longest of the import's purposes needs it: courses end two
        # years after the contract (2025-06-30), the newsletter she agreed to three years
        # after the last contact
        assert record.retention_due_at is not None
        assert record.retention_due_at.date().isoformat() == "2026-05-06"
        assert record.retention_rule == "prospects"
        [event] = consents.events_of(session, full_runtime.organization_id, emma.id)
        assert (event.action, event.method) == ("grant", "written")
        assert event.occurred_at.date().isoformat() == "2021-03-04"
        assert full_runtime.cipher.unseal(event)["note"] == "paper form in the 2021 binder"
    assert _count(full_runtime, OutboxMessage) == 0  # an import mails nobody
    again = CliRunner().invoke(main, [*_args(cli_args, full_runtime), "import", "--source",
                                      "legacy_crm", str(data)])
    assert "already imported" in again.output and _count(full_runtime, Subject) == 2


def test_an_interrupted_import_resumes_where_it_stopped(
        full_runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "crm.jsonl"
    rows = [{"email": f"p{n}@example.org", "first_name": f"P{n}", "collected_at": "2024-01-01"}
            for n in range(7)]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    monkeypatch.setattr(importer, "BATCH", 3)
    seen = 0

    def power_cut() -> None:
        nonlocal seen
        seen += 1
        if seen == 5:  # in the middle of the second batch
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        importer.import_file(full_runtime, "legacy_crm", data, on_row=power_cut)
    assert _count(full_runtime, Subject) == 3  # the first batch only: the second rolled back
    ticks: list[None] = []  # what moves the progress bar: every row, those done before too
    report = importer.import_file(full_runtime, "legacy_crm", data,
                                  on_row=lambda: ticks.append(None))
    assert report.resumed_at == 3 and report.stored == 7 and not report.rejected
    assert len(ticks) == len(rows)
    assert _count(full_runtime, Subject) == 7


def test_only_import_points_take_imports(full_runtime: Runtime, cli_args: list[str],
                                         tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("email\nx@example.org\n")
    result = CliRunner().invoke(main, [*_args(cli_args, full_runtime), "import", "--source",
                                       "enrolment", str(data)])
    assert result.exit_code == 4 and "no collection point 'enrolment' of kind import" in \
        result.output


def test_an_imported_consent_keeps_its_own_date_and_claims_no_text(
        full_runtime: Runtime, tmp_path: Path) -> None:
    data = tmp_path / "old.csv"
    data.write_text("email,collected_at,consent:newsletter:email,consent_method,consent_evidence\n"
                    "fien@example.org,2018-05-01,yes,written,2018 paper forms\n")
    assert importer.import_file(full_runtime, "legacy_crm", data).stored == 1
    with full_runtime.transaction() as session:
        fien = find_subject(session, full_runtime, email="fien@example.org")
        assert fien is not None
        [event] = consents.events_of(session, full_runtime.organization_id, fien.id)
    assert event.occurred_at.date().isoformat() == "2018-05-01"  # "yes": when collected
    assert event.text_hash is None and event.policy_version == "imported"
