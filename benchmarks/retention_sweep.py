"""The retention sweep against a raw DELETE of the same rows, on the same database, in the
same run.

    .venv/bin/python benchmarks/retention_sweep.py --people 50000                  # SQLite
    .venv/bin/python benchmarks/retention_sweep.py --people 50000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test                  # PostgreSQL

The store gets PEOPLE people with four sealed records each, past their retention, and as
many again whose records are not yet due (bulk inserts). Charter's sweep deletes the due
records in batches of BATCH — each batch one transaction that also writes its evidence (rule,
category, count, a hash over the ids) and removes the people left with nothing — and it is
timed end to end. The store is then filled again the same way and the baseline deletes the
same rows by hand: one DELETE of the records past their date, one DELETE of the people left
without a record.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import charter_store
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import text

from charter.models import utcnow
from charter.retention.schedule import fingerprint
from charter.retention.sweep import sweep
from charter.runtime import Runtime

CATEGORIES = ["identity", "contact", "language_profile", "billing"]
RULE = "after_last_contact"
CHUNK = 10_000


def fill(runtime: Runtime, people: int, label: str) -> None:
    """PEOPLE people due and as many not due, four records each (blobs nobody decrypts)."""
    org = runtime.organization_id
    now = utcnow().replace(tzinfo=None)
    past, future = now - timedelta(days=30), now + timedelta(days=365)
    version = fingerprint(runtime.policy)
    blob = os.urandom(120)
    with Progress() as progress, runtime.engine.begin() as connection:
        task = progress.add_task(label, total=2 * people)
        first = 1 + (connection.execute(text("SELECT coalesce(max(id), 0) FROM subjects"))
                     .scalar() or 0)
        for start in range(0, 2 * people, CHUNK):
            ids = range(first + start, first + min(start + CHUNK, 2 * people))
            connection.execute(text(
                "INSERT INTO subjects (id, organization_id, email_index, language, created_at) "
                "VALUES (:id, :o, :e, 'en', :t)"),
                [{"id": i, "o": org, "e": f"{i:064x}", "t": now} for i in ids])
            connection.execute(text(
                "INSERT INTO records (organization_id, subject_id, category, source, value, "
                "key_id, collected_at, last_contact_at, updated_at, restricted, schedule, "
                "retention_rule, retention_due_at) VALUES (:o, :s, :c, 'information_request', "
                ":v, 'k1', :t, :t, :t, false, :version, :rule, :due)"),
                [{"o": org, "s": i, "c": c, "v": blob, "t": now, "version": version,
                  "rule": RULE, "due": past if (i - first) % 2 == 0 else future}
                 for i in ids for c in CATEGORIES])
            progress.advance(task, len(ids))
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(pg_get_serial_sequence('subjects', 'id'), "
                                    "(SELECT max(id) FROM subjects))"))
            connection.execute(text("ANALYZE subjects"))
            connection.execute(text("ANALYZE records"))


def raw_delete(runtime: Runtime) -> int:
    with runtime.engine.begin() as connection:
        deleted = connection.execute(text(
            "DELETE FROM records WHERE organization_id = :o AND retention_due_at <= :now"),
            {"o": runtime.organization_id, "now": utcnow().replace(tzinfo=None)}).rowcount
        connection.execute(text(
            "DELETE FROM subjects WHERE organization_id = :o AND NOT EXISTS "
            "(SELECT 1 FROM records WHERE records.subject_id = subjects.id)"),
            {"o": runtime.organization_id})
    return int(deleted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--people", type=int, default=50_000, help="people due (as many kept)")
    parser.add_argument("--batch", type=int, default=500, help="rows per sweep transaction")
    args = parser.parse_args()
    console = Console()
    with charter_store(args.database_url) as runtime:
        fill(runtime, args.people, "sweep: filling")
        with Progress() as progress:
            task = progress.add_task("charter retention run", total=4 * args.people)
            started = time.perf_counter()
            result = sweep(runtime, batch_size=args.batch, actor="bench",
                           progress=lambda stage, n: progress.advance(task, n))
            charter_seconds = time.perf_counter() - started
        fill(runtime, args.people, "baseline: filling")
        started = time.perf_counter()
        baseline_rows = raw_delete(runtime)
        baseline_seconds = time.perf_counter() - started
    if result.deleted != 4 * args.people or baseline_rows != 4 * args.people:
        raise SystemExit(f"unexpected counts: sweep {result.deleted}, raw {baseline_rows}")
    database = "PostgreSQL" if args.database_url else "SQLite"
    table = Table(title=f"{database}: {4 * args.people:,} records due among "
                        f"{8 * args.people:,}, batches of {args.batch}")
    for column in ("measured", "records", "seconds", "records per second", "× baseline time"):
        table.add_column(column, justify="left" if column == "measured" else "right")
    for name, seconds in (("baseline: raw DELETE of the same rows", baseline_seconds),
                          ("charter retention run", charter_seconds)):
        table.add_row(name, f"{4 * args.people:,}", f"{seconds:.2f}",
                      f"{4 * args.people / seconds:,.0f}", f"{seconds / baseline_seconds:.1f}")
    console.print(table)
    console.print(f"people removed by the sweep: {result.people_removed:,}")


if __name__ == "__main__":
    main()
