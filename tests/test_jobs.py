"""Background jobs run inside `serve` on SQLite, or in `charter worker` processes on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from charter import jobs
from charter.accounts.service import add_staff_user, open_session
from charter.models import StaffSession, utcnow
from charter.runtime import Runtime
from charter.settings import Settings

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
    _idle_session(runtime)
    env = {**os.environ, "CHARTER_REDIS_URL": redis_url,
           "CHARTER_DATABASE_URL": str(settings.database_url),
           "CHARTER_DATA_DIR": str(settings.data_dir), "CHARTER_POLICY": str(settings.policy)}
    worker = subprocess.Popen([sys.executable, "-m", "charter", "worker", "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        queue = jobs.build_queue(settings.model_copy(update={"redis_url": redis_url}))
        queue.tasks["accounts.purge_idle_sessions"]()
        _wait_until_purged(runtime, 30)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=15)[0].decode()
    assert _sessions(runtime) == 0
    assert "support@langschool.be" not in output  # workers log no personal data
