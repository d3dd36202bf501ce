"""`charter import`: existing data for a collection point of kind `import`, from CSV or JSON
lines, each row with its own dates and consent evidence. A bad row is reported with its line
number and nothing of it is stored; batches commit with the run's progress, so an interrupted
import resumes where it stopped, and running it again changes nothing."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from ..consent.service import Method, record_consent
from ..db import CharterSession
from ..errors import CharterError, InvalidInput
from ..models import ImportRun, utcnow
from ..runtime import Runtime
from ..subjects.repository import subject_by_id
from . import repository
from .fields import Problem, SubmissionInvalid, check_submission, consent_keys
from .service import Signals, collection_point, submit

BATCH = 200
DATE_COLUMNS = ("collected_at", "last_contact_at", "contract_end_at")
IMPORT_METHODS = ("online_checkbox", "written", "verbal", "implied_by_terms")
Row = tuple[int, dict[str, Any]]


@dataclass
class ImportReport:
    stored: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    resumed_at: int = 0
    already_done: bool = False


def read_rows(path: Path) -> Iterator[Row]:
    """(line number, row) from CSV with a header, or from JSON lines (.jsonl, .ndjson)."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    with handle:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"not JSON: {exc.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not an object"}
        else:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, {k: v for k, v in row.items() if k is not None}


def _moment(text: Any, column: str) -> datetime | None:
    if text in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"{column}: a date as YYYY-MM-DD or an ISO date and time") from None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    if value > utcnow():
        raise ValueError(f"{column}: in the future")
    return value


def _split(runtime: Runtime, source: str, row: dict[str, Any]) -> dict[str, Any]:
    """Separate a row's special columns (dates, language, consents) from the form fields."""
    point = collection_point(runtime.policy, source, ("import",))
    problems: list[Problem] = []
    if "__error__" in row:
        raise SubmissionInvalid([Problem("row", row["__error__"])])
    values = dict(row)
    dates: dict[str, datetime | None] = {}
    for column in DATE_COLUMNS:
        try:
            dates[column] = _moment(values.pop(column, None), column)
        except ValueError as exc:
            problems.append(Problem(column, str(exc).split(": ", 1)[1]))
    language = str(values.pop("language", "") or runtime.policy.languages.default)
    if language not in runtime.policy.languages.all:
        problems.append(Problem("language", f"one of {', '.join(runtime.policy.languages.all)}"))
    method = str(values.pop("consent_method", "") or "")
    evidence = str(values.pop("consent_evidence", "") or "")
    consents: dict[tuple[str, str], datetime | None] = {}
    for purpose, channel in consent_keys(point):
        given = str(values.pop(f"consent:{purpose}:{channel}", "") or "").strip().lower()
        if given in ("", "no", "false", "0"):
            continue
        try:  # each consent at its own date; "yes" at the date the data was collected
            consents[(purpose, channel)] = dates.get("collected_at") if given in (
                "yes", "true", "1") else _moment(given, f"consent:{purpose}:{channel}")
        except ValueError:
            problems.append(Problem(f"consent:{purpose}:{channel}",
                                    "yes, no, or the date it was given"))
    if consents and method not in IMPORT_METHODS:
        problems.append(Problem("consent_method", f"needed with a consent: one of "
                                                  f"{', '.join(IMPORT_METHODS)}"))
    if consents and not evidence:
        problems.append(Problem("consent_evidence", "needed with a consent: where the proof is"))
    if problems:
        raise SubmissionInvalid(problems)
    return {"point": point, "values": values, "dates": dates, "language": language,
            "consents": consents, "method": method or "written", "evidence": evidence}


def _store_row(session: CharterSession, runtime: Runtime, source: str,
               row: dict[str, Any]) -> None:
    parts = _split(runtime, source, row)
    checked = check_submission(runtime.policy, parts["point"], parts["values"], [],
                               today=utcnow().date())
    outcome = submit(session, runtime, parts["point"], checked, channel="import",
                     language=parts["language"], signals=Signals(), dates=parts["dates"],
                     evidence={"import": source}, actor="import")
    subject = subject_by_id(session, runtime.organization_id, outcome.subject_id)
    assert subject is not None
    for (purpose, channel), given_at in parts["consents"].items():
        # What was shown back then is not known: no text, and no policy version of ours.
        record_consent(session, runtime, subject, purpose=purpose, channel=channel,
                       action="grant", method=cast(Method, parts["method"]), actor="import",
                       source=source, evidence={"note": parts["evidence"]},
                       occurred_at=given_at, policy_version="imported")


def file_fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(session: CharterSession, runtime: Runtime, source: str, file_hash: str) -> ImportRun:
    run = repository.import_run(session, runtime.organization_id, source, file_hash)
    if run is None:
        run = ImportRun(organization_id=runtime.organization_id, source=source,
                        file_hash=file_hash, rows_done=0, rows_stored=0, rows_rejected=0,
                        rejections="[]")
        session.add(run)
        session.flush()
    return run


def import_file(runtime: Runtime, source: str, path: Path, *,
                on_row: Callable[[], None] | None = None) -> ImportReport:
    collection_point(runtime.policy, source, ("import",))
    file_hash = file_fingerprint(path)
    with runtime.transaction() as session:
        run = _run(session, runtime, source, file_hash)
        report = ImportReport(resumed_at=run.rows_done, already_done=run.finished_at is not None)
    rows = read_rows(path)
    for _ in range(report.resumed_at):
        next(rows, None)
        if on_row:
            on_row()
    while batch := [row for _, row in zip(range(BATCH), rows, strict=False)]:
        with runtime.transaction() as session:
            run = _run(session, runtime, source, file_hash)
            rejections = json.loads(run.rejections)
            for line, row in batch:
                try:
                    with session.begin_nested():  # a failing row leaves nothing behind
                        _store_row(session, runtime, source, row)
                    run.rows_stored += 1
                except SubmissionInvalid as exc:
                    rejections.extend([line, p.field, p.message] for p in exc.problems)
                    run.rows_rejected += 1
                except CharterError as exc:
                    rejections.append([line, "row", str(exc)])
                    run.rows_rejected += 1
                if on_row:
                    on_row()
            run.rows_done += len(batch)
            run.rejections = json.dumps(rejections)
    with runtime.transaction() as session:
        run = _run(session, runtime, source, file_hash)
        run.finished_at = run.finished_at or utcnow()
        report.stored = run.rows_stored
        report.rejected = [(int(r[0]), str(r[1]), str(r[2])) for r in json.loads(run.rejections)]
    return report
