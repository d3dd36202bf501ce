"""Charter's own by-products go through the sweep itself — the command `charter retention
run` — not through the purge functions: expired export files, undecided proofs of identity,
what children sent while no parent answered, form submissions and rate-limit marks. Of each,
some are due and some are not; only the due ones go, each kind with its evidence."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from charter.cli import main
from charter.models import (
    AuditEvent,
    ExportFile,
    IdentityDocument,
    ParentalConsent,
    RateEvent,
    Submission,
    utcnow,
)
from charter.rights.intake import open_request
from charter.runtime import Runtime
from charter.subjects import find_subject

from ..factories import person

ADULT = "sophie.peeters@example.org"


def _ids(runtime: Runtime, model: Any, *where: Any) -> list[int]:
    with runtime.transaction() as session:
        return sorted(session.scalars(select(model.id).where(
            model.organization_id == runtime.organization_id, *where)))


def _submissions(runtime: Runtime, subject_id: int) -> tuple[int, int]:
    """One proof of a form sent four years ago (past the 3 years), one sent last year."""
    ids = []
    for years in (4, 1):
        with runtime.transaction() as session:
            row = Submission(organization_id=runtime.organization_id, uid=uuid.uuid4().hex,
                             subject_id=subject_id, source="enrolment", channel="web_form",
                             received_at=utcnow() - timedelta(days=365 * years),
                             policy_version="test")
            runtime.cipher.seal(row, {"ip": "192.0.2.7", "user_agent": "test"})
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids[0], ids[1]


def _documents(runtime: Runtime) -> tuple[int, int]:
    """Two proofs of identity nobody decided on: uploaded 40 days ago (past the 30 days)
    and five days ago."""
    ids = []
    with runtime.transaction() as session:
        request = open_request(session, runtime, kind="access", email=ADULT, channel="email",
                               actor="test")
        for days in (40, 5):
            document = IdentityDocument(organization_id=runtime.organization_id,
                                        request_id=request.id, uid=uuid.uuid4().hex,
                                        uploaded_at=utcnow() - timedelta(days=days))
            runtime.cipher.seal(document, {"name": "id.pdf", "media_type": "application/pdf",
                                           "content": "JVBERi0="})
            session.add(document)
            session.flush()
            ids.append(document.id)
    return ids[0], ids[1]


def _exports(runtime: Runtime) -> tuple[tuple[int, Path], tuple[int, Path]]:
    """Two access packages on disk: one whose link expired yesterday, one still live."""
    folder = runtime.settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for days in (-1, 5):
        uid = uuid.uuid4().hex
        path = folder / f"{uid}.bin"
        path.write_bytes(b"an encrypted package")
        with runtime.transaction() as session:
            export = ExportFile(organization_id=runtime.organization_id, uid=uid,
                                key_id=runtime.keyring.active,
                                expires_at=utcnow() + timedelta(days=days))
            session.add(export)
            session.flush()
            made.append((export.id, path))
    return made[0], made[1]


def _children(runtime: Runtime) -> tuple[int, int]:
    """Two children held for a parent's answer: one whose window closed yesterday, one
    with a week left."""
    ids = []
    for email, days in (("late.child@example.org", -1), ("waiting.child@example.org", 7)):
        child = person(runtime, email=email, phone=None, first_name="Tom")
        with runtime.transaction() as session:
            held = ParentalConsent(organization_id=runtime.organization_id,
                                   subject_id=child.id, source="enrolment", status="pending",
                                   confirmer="parent",
                                   deadline=utcnow() + timedelta(days=days))
            runtime.cipher.seal(held, {"parent_email": "parent@example.org", "consents": [],
                                       "whole_subject": True, "policy_version": "test"})
            session.add(held)
            session.flush()
            ids.append(held.id)
    return ids[0], ids[1]


def _rate_marks(runtime: Runtime) -> tuple[int, int]:
    """Two marks of the request form: two days old (past the one-day window), and fresh."""
    ids = []
    for hours in (48, 1):
        with runtime.transaction() as session:
            mark = RateEvent(organization_id=runtime.organization_id, bucket="ip",
                             key=hashlib.sha256(f"mark{hours}".encode()).hexdigest(),
                             at=utcnow() - timedelta(hours=hours))
            session.add(mark)
            session.flush()
            ids.append(mark.id)
    return ids[0], ids[1]


def _evidence(runtime: Runtime) -> dict[str, dict[str, Any]]:
    with runtime.transaction() as session:
        return {e.target.removeprefix("by_product:"): json.loads(e.details)
                for e in session.scalars(select(AuditEvent).where(
                    AuditEvent.organization_id == runtime.organization_id,
                    AuditEvent.action == "retention.swept",
                    AuditEvent.target.like("by_product:%")))}


def _sha256(ids: list[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


def test_the_sweep_takes_only_the_by_products_that_are_due(runtime: Runtime,
                                                           cli_args: list[str]) -> None:
    adult = person(runtime, email=ADULT)
    old_submission, new_submission = _submissions(runtime, adult.id)
    old_document, new_document = _documents(runtime)
    (expired, expired_file), (live, live_file) = _exports(runtime)
    late_child, waiting_child = _children(runtime)
    old_mark, new_mark = _rate_marks(runtime)

    result = CliRunner().invoke(main, [*cli_args, "retention", "run"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("submissions", "identity_documents", "exports", "unconfirmed_minors",
                 "rate_events"):
        assert f"  {name}: 1\n" in result.output, name

    assert _ids(runtime, Submission) == [new_submission]
    assert _ids(runtime, IdentityDocument) == [new_document]
    assert _ids(runtime, RateEvent, RateEvent.bucket == "ip") == [new_mark]
    assert _ids(runtime, ExportFile, ExportFile.deleted_at.is_(None)) == [live]
    assert _ids(runtime, ExportFile, ExportFile.deleted_at.is_not(None)) == [expired]
    assert not expired_file.exists() and live_file.exists()
    assert _ids(runtime, ParentalConsent, ParentalConsent.status == "pending") == \
        [waiting_child]
    with runtime.transaction() as session:
        assert find_subject(session, runtime, email="late.child@example.org") is None
        assert find_subject(session, runtime, email="waiting.child@example.org") is not None
        assert find_subject(session, runtime, email=ADULT) is not None

    evidence = _evidence(runtime)
    assert evidence == {name: {"count": 1, "ids_sha256": _sha256([row])} for name, row in (
        ("submissions", old_submission), ("identity_documents", old_document),
        ("exports", expired), ("unconfirmed_minors", late_child),
        ("rate_events", old_mark))}

    again = CliRunner().invoke(main, [*cli_args, "retention", "run"], catch_exceptions=False)
    assert again.exit_code == 0
    assert [line for line in again.output.splitlines() if line] == [  # nothing left due
        "rescheduled 0, deleted 0, anonymised 0 record(s); removed 0 person(s)"]
    assert _evidence(runtime) == evidence
