"""Only roles granted manage_breaches reach the register; every form carries the CSRF token;
every action and every view is in the audit log, with ids and counts but no personal data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from charter.runtime import Runtime

from ..factories import staff_login
from .helpers import DESCRIPTION, act, add, breach, breach_count, events, form, recorded


@pytest.mark.parametrize("role", ["support", "viewer", "billing"])
def test_roles_without_manage_breaches_get_nothing(client: TestClient, runtime: Runtime,
                                                   role: str) -> None:
    reference = add(runtime)
    csrf = staff_login(client, runtime, role)
    for path in ("/breaches", "/breaches/new", f"/breaches/{reference}",
                 f"/breaches/{reference}/authority.txt", f"/breaches/{reference}/notice-fr.txt"):
        assert client.get(path).status_code == 403, path
    created = client.post("/breaches/new", data={**form(), "csrf_token": csrf})
    assert created.status_code == 403 and breach_count(runtime) == 1
    assessed = act(client, csrf, reference, "assess", risk="high")
    assert assessed.status_code == 403 and breach(runtime, reference).risk == "unassessed"
    assert "Breaches" not in client.get("/").text  # not in the menu either
    assert [e.action for e in events(runtime)] == ["breach.recorded"]


@pytest.mark.parametrize("role", ["admin", "dpo"])
def test_admin_and_dpo_keep_the_register(client: TestClient, runtime: Runtime,
                                         role: str) -> None:
    reference = add(runtime)
    staff_login(client, runtime, role)
    assert 'href="/breaches"' in client.get("/").text
    assert client.get("/breaches").status_code == 200
    assert client.get(f"/breaches/{reference}").status_code == 200
    assert client.get("/breaches/B-1999-0001").status_code == 404


def test_without_a_session_the_register_asks_to_log_in(client: TestClient,
                                                       runtime: Runtime) -> None:
    reference = add(runtime)
    for path in ("/breaches", f"/breaches/{reference}", f"/breaches/{reference}/authority.txt"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"


def test_forms_without_the_csrf_token_change_nothing(client: TestClient,
                                                     runtime: Runtime) -> None:
    reference = add(runtime)
    staff_login(client, runtime, "dpo")
    forged = client.post("/breaches/new", data={**form(), "csrf_token": "forged"})
    assert forged.status_code == 400 and breach_count(runtime) == 1
    for action, fields in [("assess", {"risk": "high"}), ("close", {"note": "x"}),
                           ("authority", {"decision": "notify"}),
                           ("people", {"decision": "notify"})]:
        response = act(client, "", reference, action, **fields)
        assert response.status_code == 400, action
    found = breach(runtime, reference)
    assert found.risk == "unassessed" and found.authority_notified_at is None
    assert found.subjects_notified_at is None and found.status == "open"
    assert [e.action for e in events(runtime)] == ["breach.recorded"]


def test_every_step_is_audited_without_personal_data(client: TestClient,
                                                     runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=75, risk="high",
                         contact="Marie Dubois <marie@langschool.be>")
    secrets = [DESCRIPTION, "Sophie", "Phishing", "laptop", "Marie", "marie@",
               "Two weeks of holidays", "Mails sent", "APD-99", "Lost and found"]
    client.get(f"/breaches/{reference}")
    client.get(f"/breaches/{reference}/authority.txt")
    act(client, csrf, reference, "assess", risk="high", note="Sophie's class: minors.")
    act(client, csrf, reference, "authority", decision="notify", authority_reference="APD-99",
        delay_reason="Two weeks of holidays.")
    act(client, csrf, reference, "people", decision="notify")
    assert act(client, csrf, reference, "close", note="Lost and found.").status_code == 303
    trail = events(runtime)
    assert [e.action for e in trail] == [
        "breach.recorded", "breach.viewed", "breach.draft_downloaded", "breach.assessed",
        "breach.authority_notified", "breach.subjects_notified", "breach.closed"]
    for event in trail:
        assert event.target == f"breach:{reference}" and event.actor.startswith("staff:")
        for secret in secrets:
            assert secret not in (event.details or ""), (event.action, secret)
    page = client.get(f"/breaches/{reference}").text
    assert "breach.closed" in page and "breach.authority_notified" in page  # the timeline
