"""Consent checks and form intake through Charter's whole web stack (the ASGI app called
in-process, as uvicorn calls it: middleware, API-key check, validation, the transaction),
against a bare FastAPI endpoint doing one indexed read / one insert on the same database.

    .venv/bin/python benchmarks/consent_and_intake.py                      # SQLite
    .venv/bin/python benchmarks/consent_and_intake.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/test          # PostgreSQL

Prints requests per second and p50/p99 latency for each, and each one's time as a multiple
of its baseline's.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import anyio
from _harness import Timing, charter_store, measure, report
from fastapi import FastAPI
from httpx2 import ASGITransport, AsyncClient
from rich.console import Console
from rich.progress import track
from sqlalchemy import text

from charter.accounts.service import add_api_key
from charter.consent.service import record_consent
from charter.runtime import Runtime
from charter.subjects import ensure_subject
from charter.web.app import create_app


def populate(runtime: Runtime, people: int) -> list[str]:
    emails = [f"person{n}@example.org" for n in range(people)]
    with runtime.transaction() as session:
        for n, email in enumerate(track(emails, description="people and consents")):
            subject, _ = ensure_subject(session, runtime, email=email)
            if n % 2 == 0:
                record_consent(
                    session,
                    runtime,
                    subject,
                    purpose="newsletter",
                    channel="email",
                    action="grant",
                    method="online_checkbox",
                    actor="bench",
                    text="Newsletter",
                )
    return emails


def baseline_app(runtime: Runtime) -> FastAPI:
    """The least a web endpoint can do: one indexed read, or one insert, per request."""
    app = FastAPI()
    engine = runtime.engine
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS bench_rows (id {serial} PRIMARY KEY,"
                " email VARCHAR(255), payload VARCHAR(1000))"
            )
        )

    @app.get("/read")
    def read(subject_id: int) -> dict[str, object]:
        with engine.connect() as connection:
            status = connection.execute(
                text(
                    "SELECT status FROM consent_states WHERE organization_id = :o AND "
                    "subject_id = :s AND purpose = 'newsletter' AND channel = 'email'"
                ),
                {"o": runtime.organization_id, "s": subject_id},
            ).scalar()
        return {"allowed": status == "granted"}

    @app.post("/insert")
    def insert(row: dict[str, str]) -> dict[str, bool]:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_rows (email, payload) VALUES (:e, :p)"),
                {"e": row["email"], "p": str(row)},
            )
        return {"ok": True}

    return app


async def _run(
    runtime: Runtime,
    emails: list[str],
    headers: dict[str, str],
    args: argparse.Namespace,
    rng: random.Random,
) -> list[tuple[Timing, Timing]]:
    charter_app, bare_app = create_app(runtime), baseline_app(runtime)
    async with (
        AsyncClient(transport=ASGITransport(charter_app), base_url="http://c") as charter,
        AsyncClient(transport=ASGITransport(bare_app), base_url="http://b") as bare,
    ):

        async def check(n: int) -> None:
            response = await charter.get(
                "/api/v1/consent/check",
                headers=headers,
                params={"email": rng.choice(emails), "purpose": "newsletter"},
            )
            assert response.status_code == 200

        async def read(n: int) -> None:
            response = await bare.get("/read", params={"subject_id": rng.randint(1, args.people)})
            assert response.status_code == 200

        async def submit(n: int) -> None:
            response = await charter.post(
                "/api/v1/forms/information_request/submissions",
                headers=headers,
                json={
                    "fields": {
                        "email": f"new{n}@example.org",
                        "first_name": "Anna",
                        "last_name": "Peeters",
                        "phone": "+32470123456",
                        "target_language": "Dutch",
                        "message": "Please call me about the courses.",
                    }
                },
            )
            assert response.status_code == 201, response.text

        async def insert(n: int) -> None:
            response = await bare.post(
                "/insert", json={"email": f"new{n}@example.org", "message": "Please call me."}
            )
            assert response.status_code == 200

        return [
            (
                await measure("charter: consent check", check, args.requests),
                await measure("baseline: one indexed read", read, args.requests),
            ),
            (
                await measure("charter: form submission", submit, args.requests // 2),
                await measure("baseline: one insert", insert, args.requests // 2),
            ),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    console = Console()
    with charter_store(args.database_url) as runtime:
        emails = populate(runtime, args.people)
        with runtime.transaction() as session:
            key = add_api_key(
                session,
                runtime,
                name="bench",
                scopes=["consent:read", "forms:submit"],
                actor="bench",
            )
        headers = {"Authorization": f"Bearer {key}"}
        rng = random.Random(1)
        pairs = anyio.run(_run, runtime, emails, headers, args, rng)
        where = "PostgreSQL" if args.database_url else "SQLite"
        report(f"{where}: {args.people} people, sequential requests", pairs, console)


if __name__ == "__main__":
    main()
