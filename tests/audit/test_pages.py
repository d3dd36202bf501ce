"""The audit log in the Portal: filtered, paged, verified on demand — and a tampered log is
named as broken on the page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from charter.audit import record_event
from charter.runtime import Runtime

from ..factories import staff_login


def _log(runtime: Runtime, count: int, action: str = "subject.viewed") -> None:
    with runtime.transaction() as session:
        for n in range(count):
            record_event(session, runtime.organization_id, actor="staff:9", action=action,
                         target=f"subject:{n}", details={"categories": ["contact"]})


def test_filter_and_page_back(client: TestClient, runtime: Runtime) -> None:
    _log(runtime, 120)
    _log(runtime, 2, action="request.viewed")
    staff_login(client, runtime, "dpo")
    page = client.get("/audit", params={"action": "subject."}).text
    assert page.count("<td>subject.viewed</td>") == 100 and "request.viewed" not in page
    older = page.split('href="/audit?')[-1].split('"')[0].replace("&amp;", "&")
    rest = client.get(f"/audit?{older}").text
    assert rest.count("<td>subject.viewed</td>") == 20
    one = client.get("/audit", params={"target": "subject:7"}).text
    assert one.count("<td>subject.viewed</td>") == 1 and 'href="/subjects/7"' in one


def test_verify_now_and_a_broken_chain(client: TestClient, runtime: Runtime) -> None:
    _log(runtime, 3)
    csrf = staff_login(client, runtime, "dpo")
    assert "Not verified yet" in client.get("/audit").text
    verified = client.post("/audit/verify", data={"csrf_token": csrf})
    assert verified.status_code == 200 and "Chain intact" in verified.text
    assert "verified on" in client.get("/audit").text  # the result is in the log itself
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'staff:1' WHERE seq = 2"))
    broken = client.post("/audit/verify", data={"csrf_token": csrf})
    assert 'role="alert">Chain broken: event 2 was edited' in broken.text
    assert client.post("/audit/verify", data={"csrf_token": "forged"}).status_code == 400


def test_only_roles_that_may_read_the_log(client: TestClient, runtime: Runtime) -> None:
    staff_login(client, runtime, "support")
    assert client.get("/audit").status_code == 403
