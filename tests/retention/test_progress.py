"""`charter retention run` reports its progress: the sweep calls back with each stage and
the rows it took, and the command turns that into a bar on a terminal. Nothing is timed."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from charter.consent.service import record_consent, withdraw_all
from charter.retention.sweep import sweep
from charter.runtime import Runtime
from charter.subjects import store_subject_data

from .conftest import prospect, years_ago

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_the_sweep_reports_each_batch(qualifio: Runtime) -> None:
    for n in range(3):
        prospect(qualifio, f"old{n}@example.org", years_ago(4))  # two records each
    prospect(qualifio, "new@example.org", years_ago(1))
    events: list[tuple[str, int]] = []
    report = sweep(qualifio, batch_size=4, progress=lambda stage, n: events.append((stage, n)))
    assert events == [("records", 4), ("records", 2)]  # batches of at most four rows
    assert sum(n for _stage, n in events) == report.deleted == 6


def _emptied_by_a_withdrawal(runtime: Runtime) -> None:
    """Someone with no record whose only consent is withdrawn: the sweep removes them,
    though the plan counted no row of theirs."""
    with runtime.transaction() as session:
        subject = store_subject_data(session, runtime, email="gone@example.org", records=[],
                                     actor="test")
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="double_opt_in", actor="test")
        withdraw_all(session, runtime, subject, method="unsubscribe_link", actor="test")


def test_the_command_shows_a_bar_on_a_terminal(qualifio: Runtime) -> None:
    for n in range(3):
        prospect(qualifio, f"old{n}@example.org", years_ago(4))
    _emptied_by_a_withdrawal(qualifio)
    settings = qualifio.settings
    env = {**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    done = subprocess.run([
        sys.executable, "-m", "charter", "--data-dir", str(settings.data_dir),
        "--database-url", str(settings.database_url), "--policy", str(settings.policy),
        "retention", "run", "--batch-size", "2"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    shown = ANSI.sub("", done.stdout.decode())
    frames = [f.strip() for f in shown.replace("\n", "\r").split("\r") if "━" in f]
    assert frames[0].startswith("sweeping ━") and " 0/6 " in frames[0]  # the plan's rows
    # each stage and its rows done; the person the plan did not count grows the bar
    assert frames[-1].startswith("people ━") and " 7/7 " in frames[-1], frames
    assert "deleted 6, anonymised 0 record(s); removed 4 person(s)" in shown
