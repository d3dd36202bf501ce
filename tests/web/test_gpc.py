"""/.well-known/gpc.json: declared only when the policy honours Global Privacy Control, always
with a lastUpdate — the notice in force, else the policy's effective date, else the day the
policy file was written."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from charter.dates import local_date
from charter.models import utcnow
from charter.publication.service import publish
from charter.runtime import Runtime

from ..conftest import POLICY
from ..factories import policy_with


def _runtime(runtime: Runtime, tmp_path: Path, source: str, name: str = "policy.yaml"
             ) -> Runtime:
    return policy_with(runtime, tmp_path, source=source, name=name)


def _get(runtime: Runtime) -> tuple[int, dict[str, object]]:
    from charter.web.app import create_app

    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        response = client.get("/.well-known/gpc.json")
    return response.status_code, response.json()


def test_before_any_publication_the_policy_effective_date(client: TestClient) -> None:
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.json() == {"gpc": True, "lastUpdate": "2026-01-01"}


def test_the_effective_date_of_the_version_in_force(runtime: Runtime, client: TestClient,
                                                     tmp_path: Path) -> None:
    today = local_date(utcnow(), runtime.policy.organization.country)
    with runtime.transaction() as session:
        publish(session, runtime, actor="test")  # in force from today
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == today.isoformat()
    # a later version published for next month is not in force yet
    later = _runtime(runtime, tmp_path, POLICY.read_text().replace(
        'effective_date: "2026-01-01"', 'effective_date: "2026-02-01"'))
    with later.transaction() as session:
        publish(session, later, actor="test", effective_on=today + timedelta(days=30))
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == today.isoformat()


def test_without_an_effective_date_the_day_the_policy_was_written(runtime: Runtime,
                                                                  tmp_path: Path) -> None:
    undated = _runtime(runtime, tmp_path,
                       POLICY.read_text().replace('effective_date: "2026-01-01"\n', ""))
    assert undated.policy.effective_date is None
    written = datetime(2025, 3, 4, 12, 0, tzinfo=UTC).timestamp()
    os.utime(undated.loaded.file, (written, written))
    status, body = _get(undated)
    assert status == 200 and body == {"gpc": True, "lastUpdate": "2025-03-04"}


def test_no_declaration_when_the_policy_does_not_honour_gpc(runtime: Runtime,
                                                            tmp_path: Path) -> None:
    silent = _runtime(runtime, tmp_path,
                      POLICY.read_text() + "signals:\n  honour_gpc: false\n")
    assert silent.policy.signals.honour_gpc is False
    status, _body = _get(silent)
    assert status == 404
