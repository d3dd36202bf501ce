"""Background jobs run inside `serve` on SQLite, or in `charter worker` processes on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from charter import jobs
from charter.accounts.service import add_staff_user, open_session
from charter.models import RequestSystemPart, StaffSession, utcnow
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings

from .smtp import Inbox

REDIS = "redis://127.0.0.1:6379"


def _idle_session(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        user = add_staff_user(session, runtime, email="support@langschool.be", role="support",
                              password="a long enough password", actor="test")
        open_session(session, runtime, user)
        session.flush()
        session.execute(update(StaffSession)
                        .where(StaffSession.organization_id == runtime.organization_id)
                        .values(last_seen_at=utcnow() - timedelta(days=1)))


def _sessions(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(StaffSession).where(
            StaffSession.organization_id == runtime.organization_id)) or 0


def _wait_until_purged(runtime: Runtime, seconds: float) -> None:
    """Periodic tasks keep no result: wait for their effect instead."""
    deadline = time.monotonic() + seconds
    while _sessions(runtime) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_serve_runs_jobs_in_process_on_sqlite(runtime: Runtime) -> None:
    from charter.web.app import create_app

    _idle_session(runtime)
    with TestClient(create_app(runtime, run_jobs=True)):
        queue = jobs.build_queue(runtime.settings)
        queue.tasks["accounts.purge_idle_sessions"]()
        _wait_until_purged(runtime, 20)
    assert _sessions(runtime) == 0
    assert (runtime.settings.data_dir / "jobs.db").exists()


@pytest.fixture
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = 8 if os.environ.get("CHARTER_TEST_DATABASE_URL") else 1
    url = f"{REDIS}/{offset + int(worker.removeprefix('gw') or 0)}"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS}: the Redis job mode cannot be exercised here")
    yield url
    client.flushdb()


def test_worker_processes_run_jobs_from_redis(runtime: Runtime, settings: Settings,
                                              redis_url: str) -> None:
    from charter.web.app import create_app

    _idle_session(runtime)
    with_redis = open_runtime(settings.model_copy(update={"redis_url": redis_url}),
                              engine=runtime.engine)
    queue = jobs.build_queue(with_redis.settings)
    with TestClient(create_app(with_redis, run_jobs=True)):  # `serve` with Redis set
        queue.tasks["accounts.purge_idle_sessions"]()
        time.sleep(2)  # an embedded consumer would have run it by now
        assert queue.huey.pending_count() == 1 and _sessions(runtime) == 1  # left to workers
    assert not (settings.data_dir / "jobs.db").exists()  # no embedded queue either
    env = {**os.environ, "CHARTER_REDIS_URL": redis_url,
           "CHARTER_DATABASE_URL": str(settings.database_url),
           "CHARTER_DATA_DIR": str(settings.data_dir), "CHARTER_POLICY": str(settings.policy)}
    worker = subprocess.Popen([sys.executable, "-m", "charter", "worker", "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_until_purged(runtime, 30)  # the job serve queued
    finally:
        worker.terminate()
        output = worker.communicate(timeout=15)[0].decode()
    assert _sessions(runtime) == 0
    assert "support@langschool.be" not in output  # workers log no personal data


def _runs_on(queue: jobs.JobQueue, moments: list[datetime]) -> dict[str, int]:
    """How many of these minutes each periodic task of the queue is due at."""
    counts: dict[str, int] = {}
    for moment in moments:
        for task in queue.huey.read_periodic(moment):
            counts[task.name] = counts.get(task.name, 0) + 1
    return counts


def test_the_queue_schedules_the_nightly_sweep_and_the_connector_jobs(
        settings: Settings) -> None:
    queue = jobs.build_queue(settings)
    day = datetime(2026, 3, 9)  # the minutes of one whole day
    minutes = [day + timedelta(minutes=m) for m in range(24 * 60)]
    runs = _runs_on(queue, minutes)
    assert runs["retention.sweep"] == 1  # once a night ...
    assert [t.name for t in queue.huey.read_periodic(day.replace(hour=2, minute=40))
            if t.name == "retention.sweep"] == ["retention.sweep"]  # ... at 02:40
    assert runs["systems.remind_tasks"] == 1  # each morning
    assert runs["systems.release_holds"] == 1  # each night
    assert runs["systems.silent_webhooks"] == 24 * 6  # every ten minutes
    assert runs["rights.housekeeping"] == 24 * 6  # retries failed parts every ten minutes
    for name in ("retention.sweep", "systems.remind_tasks", "systems.silent_webhooks",
                 "systems.release_holds", "rights.housekeeping"):
        assert name in queue.tasks, name  # and each can be run at once by its name


def test_housekeeping_retries_the_failed_parts_of_requests(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    from charter.rights import repository
    from charter.rights.connectors import SystemAnswer
    from charter.systems.mock import ConnectorCall, MockConnector

    from .factories import person
    from .rights.helpers import ask_and_confirm, fulfil_by_staff, refresh

    def down_once(call: ConnectorCall) -> SystemAnswer:
        if call.number == 1:
            raise ConnectionError("the accounting computer is off")
        return SystemAnswer(found=True, data={"billing": [{"invoice": "2026-014"}]})

    double = MockConnector(down_once)
    mail_runtime.connectors["accounting"] = double
    person(mail_runtime, email="sophie.peeters@example.org")
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access",
                              "sophie.peeters@example.org")
    fulfil_by_staff(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        session.execute(update(RequestSystemPart).where(
            RequestSystemPart.organization_id == mail_runtime.organization_id).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))  # its backoff has passed
    queue = jobs.build_queue(mail_runtime.settings)
    jobs.bind_runtime(mail_runtime)
    try:
        assert queue.tasks["rights.housekeeping"].call_local() >= 1
    finally:
        jobs.bind_runtime(None)  # type: ignore[arg-type]
    assert len(double.calls) == 2
    with mail_runtime.transaction() as session:
        parts = repository.parts_of(session, mail_runtime.organization_id,
                                    refresh(mail_runtime, request.reference).id)
        assert {p.system: p.status for p in parts}["accounting"] == "done"
