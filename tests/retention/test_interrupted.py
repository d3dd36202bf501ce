"""A real `charter retention run` killed with SIGKILL in the middle of a sweep: the rerun
completes with nothing lost, nothing left that was due, and nothing counted twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from charter.models import AuditEvent, Record, Subject, utcnow
from charter.retention.schedule import fingerprint
from charter.runtime import Runtime

DUE, KEPT = 3000, 400


def _fill(runtime: Runtime) -> None:
    """People in bulk: DUE whose contact is past its retention, KEPT whose is not."""
    past, future = utcnow().replace(year=utcnow().year - 1), utcnow().replace(
        year=utcnow().year + 1)
    version = fingerprint(runtime.policy)
    with runtime.transaction() as session:
        org = runtime.organization_id
        people = [Subject(organization_id=org, email_index=f"{n:064x}", language="en")
                  for n in range(DUE + KEPT)]
        session.add_all(people)
        session.flush()
        for n, subject in enumerate(people):
            record = Record(organization_id=org, subject_id=subject.id, category="contact",
                            source="newsletter_signup", schedule=version,
                            retention_rule="prospects",
                            retention_due_at=past if n < DUE else future)
            runtime.cipher.seal(record, {"email": f"p{n}@example.org"})
            session.add(record)


def _count(runtime: Runtime, *where: object) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(Record).where(
            Record.organization_id == runtime.organization_id, *where)) or 0  # type: ignore[arg-type]


def _swept(runtime: Runtime) -> list[int]:
    with runtime.transaction() as session:
        return [json.loads(e.details)["count"] for e in session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "retention.swept", AuditEvent.target == "rule:prospects"))]


def _run(cli_args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "charter", *cli_args, "retention", "run",
                             "--batch-size", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"})


def test_a_killed_sweep_resumes_without_loss_or_double_count(runtime: Runtime,
                                                             cli_args: list[str]) -> None:
    _fill(runtime)
    first = _run(cli_args)
    deadline = time.monotonic() + 60
    while len(_swept(runtime)) < 5:  # a few batches are through: kill it mid-sweep
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the sweep did not start"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert first.returncode == -signal.SIGKILL
    left = _count(runtime, Record.retention_due_at <= utcnow())
    assert 0 < left < DUE, "the kill did not land in the middle of the sweep"
    assert sum(_swept(runtime)) == DUE - left  # what went is exactly what was counted
    second = _run(cli_args)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    assert _count(runtime, Record.retention_due_at <= utcnow()) == 0  # nothing due left
    assert _count(runtime) == KEPT  # nothing lost
    assert sum(_swept(runtime)) == DUE  # nothing counted twice
    assert b"p1@example.org" not in out + err
