"""Access and erasure of one person in a large store, against hand-written SQL doing the same
reads and deletes on the same database.

    .venv/bin/python benchmarks/rights_access_erasure.py --subjects 1000000          # SQLite
    .venv/bin/python benchmarks/rights_access_erasure.py --subjects 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test                    # PostgreSQL

The store is filled with SUBJECTS people and about ten records each (bulk inserts of sealed
blobs; only the people measured are written through Charter). Both sides start from the
person's id (found by blind index before). Charter's access reads and decrypts every record
of the person and their consent history (the built-in connector); its erasure deletes them
except what a legal hold keeps. The baseline selects, then deletes, the same rows by hand.
The rest of a request (package, letter, mail, audit) is not measured here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Timing, charter_store, report
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import text

from charter.models import utcnow
from charter.rights.connectors import BuiltinStore, Person
from charter.runtime import Runtime
from charter.subjects import RecordInput, store_subject_data

CATEGORIES = ["identity", "contact", "language_profile", "billing", "messages", "technical"]
CHUNK = 20_000


def fill(runtime: Runtime, subjects: int) -> None:
    """Bulk rows: a blob of the right size in each record; nobody decrypts these."""
    org = runtime.organization_id
    now = utcnow().replace(tzinfo=None)
    blob = os.urandom(120)
    with Progress() as progress, runtime.engine.begin() as connection:
        task = progress.add_task(f"{subjects:,} people, ~{subjects * 10:,} records", total=subjects)
        next_id = 1 + (
            connection.execute(text("SELECT coalesce(max(id), 0) FROM subjects")).scalar() or 0
        )
        for start in range(0, subjects, CHUNK):
            ids = range(next_id + start, next_id + min(start + CHUNK, subjects))
            connection.execute(
                text(
                    "INSERT INTO subjects (id, organization_id, email_index, language, created_at) "
                    "VALUES (:id, :o, :e, 'en', :t)"
                ),
                [{"id": i, "o": org, "e": f"{i:064x}", "t": now} for i in ids],
            )
            connection.execute(
                text(
                    "INSERT INTO records (organization_id, subject_id, category, source, value, "
                    "key_id, collected_at, last_contact_at, updated_at, restricted) VALUES "
                    "(:o, :s, :c, :src, :v, 'k1', :t, :t, :t, false)"
                ),
                [
                    {
                        "o": org,
                        "s": i,
                        "c": CATEGORIES[n % len(CATEGORIES)],
                        "src": f"form{n}",
                        "v": blob,
                        "t": now,
                    }
                    for i in ids
                    for n in range(10)
                ],
            )
            progress.advance(task, len(ids))
        if connection.dialect.name == "postgresql":  # ids given by hand: move the sequence on
            connection.execute(text("SELECT setval(pg_get_serial_sequence('subjects', 'id'), "
                                    "(SELECT max(id) FROM subjects))"))
            connection.execute(text("ANALYZE subjects"))
            connection.execute(text("ANALYZE records"))


def people(runtime: Runtime, count: int) -> list[int]:
    ids = []
    for n in range(count):
        with runtime.transaction() as session:
            subject = store_subject_data(
                session,
                runtime,
                email=f"measured{n}@example.org",
                records=_records(n),
                actor="bench",
            )
            ids.append(subject.id)
    return ids


def _records(n: int) -> list[RecordInput]:
    """A person measured: what the CALL INTERNATIONAL forms would have stored."""
    form, order = "information_request", "course_registration"
    return [
        RecordInput(
            category="contact",
            source=form,
            fields={"email": f"measured{n}@example.org", "phone": "+32470123456"},
        ),
        RecordInput(
            category="identity", source=form, fields={"first_name": "Anna", "last_name": "Peeters"}
        ),
        RecordInput(category="language_profile", source=form, fields={"target_language": "Dutch"}),
        RecordInput(
            category="billing",
            source=order,
            fields={"company": "Atelier", "vat_number": "BE0123456789"},
        ),
    ]


def charter_access(runtime: Runtime, subject_id: int) -> None:
    store = BuiltinStore(next(s for s in runtime.policy.systems if s.kind == "builtin"))
    with runtime.transaction() as session:
        answer = store.export(session, runtime, Person("x", "x", subject_id), provided_only=False)
        assert answer.found


def charter_erasure(runtime: Runtime, subject_id: int) -> None:
    store = BuiltinStore(next(s for s in runtime.policy.systems if s.kind == "builtin"))
    with runtime.transaction() as session:
        store.erase(session, runtime, Person("x", "x", subject_id))


def sql_access(runtime: Runtime, subject_id: int) -> None:
    with runtime.engine.begin() as connection:
        for table in ("records", "consent_events"):
            connection.execute(
                text(f"SELECT * FROM {table} WHERE organization_id = :o AND subject_id = :s"),
                {"o": runtime.organization_id, "s": subject_id},
            ).fetchall()


def sql_erasure(runtime: Runtime, subject_id: int) -> None:
    """What Charter's erasure does, by hand: billing is under a legal hold, so it stays,
    restricted, with the person; the rest goes."""
    with runtime.engine.begin() as connection:
        params = {"o": runtime.organization_id, "s": subject_id}
        scope = "WHERE organization_id = :o AND subject_id = :s"
        connection.execute(text(f"DELETE FROM records {scope} AND category <> 'billing'"), params)
        connection.execute(text(f"UPDATE records SET restricted = true {scope}"), params)
        for table in (
            "consent_states",
            "consent_events",
            "submissions",
            "mail_links",
            "parental_consents",
            "subject_contacts",
        ):
            connection.execute(text(f"DELETE FROM {table} {scope}"), params)
        connection.execute(
            text("UPDATE subjects SET restricted_at = :t WHERE organization_id = :o AND id = :s"),
            {**params, "t": utcnow().replace(tzinfo=None)},
        )


def timed(name: str, action: object, subjects: list[int], runtime: Runtime) -> Timing:
    seconds = []
    for subject_id in subjects:
        started = time.perf_counter()
        action(runtime, subject_id)  # type: ignore[operator]
        seconds.append(time.perf_counter() - started)
    return Timing(name, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--measured", type=int, default=30)
    args = parser.parse_args()
    console = Console()

    with charter_store(args.database_url) as runtime:
        started = time.perf_counter()
        fill(runtime, args.subjects)
        console.print(f"filled in {time.perf_counter() - started:.0f} s")
        groups = [people(runtime, args.measured) for _ in range(4)]
        pairs = [
            (
                timed("charter: access of one person", charter_access, groups[0], runtime),
                timed("baseline: SELECT the same rows", sql_access, groups[1], runtime),
            ),
            (
                timed("charter: erasure of one person", charter_erasure, groups[2], runtime),
                timed("baseline: DELETE the same rows", sql_erasure, groups[3], runtime),
            ),
        ]
        where = "PostgreSQL" if args.database_url else "SQLite"
        report(
            f"{where}: {args.subjects:,} people, ~{args.subjects * 10:,} records; "
            f"{args.measured} people measured per line",
            pairs,
            console,
        )


if __name__ == "__main__":
    main()
