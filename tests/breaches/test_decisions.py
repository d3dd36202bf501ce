"""The decisions a DPO answers for: the risk, the authority (Art. 33(1): no notification only
for a breach unlikely to result in a risk, with the reason), the people (Art. 34: a high risk
obliges a decision; not telling them needs a ground of Art. 34(3)), and closing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from charter.breaches.service import narrative
from charter.runtime import Runtime

from ..factories import staff_login
from .helpers import act, breach, details, events, recorded


def test_no_notification_to_the_authority_only_when_a_risk_is_unlikely(
        client: TestClient, runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=1, risk="high")
    for risk in ("high", "risk"):
        assert act(client, csrf, reference, "assess", risk=risk).status_code == 303
        refused = act(client, csrf, reference, "authority", decision="not_required",
                      reason="Only one person concerned.")
        assert refused.status_code == 422 and f"the risk is {risk}" in refused.text
        assert breach(runtime, reference).authority_decision is None
    assert act(client, csrf, reference, "assess", risk="unlikely",
               note="The disk was encrypted with a strong key.").status_code == 303
    bare = act(client, csrf, reference, "authority", decision="not_required", reason=" ")
    assert bare.status_code == 422 and "reason: say why" in bare.text
    reason = "Encrypted disk, key not compromised."
    assert act(client, csrf, reference, "authority", decision="not_required",
               reason=reason).status_code == 303
    found = breach(runtime, reference)
    assert found.authority_decision == "not_required"
    assert narrative(runtime, found)["authority_reason"] == reason
    page = client.get(f"/breaches/{reference}").text
    assert "Authority notification not required." in page and reason in page
    assert "h left to notify" not in page
    [decided] = events(runtime, "breach.authority_not_required")
    assert decided.details == "{}" and "Encrypted" not in (decided.details or "")
    # New facts: a risk after all. The reason no longer holds; the clock counts again.
    assert act(client, csrf, reference, "assess", risk="risk").status_code == 303
    assert breach(runtime, reference).authority_decision is None
    assert details(events(runtime, "breach.assessed")[-1]) == {
        "risk": "risk", "before": "unlikely", "authority_decision": "reopened"}
    assert "h left to notify the authority" in client.get(f"/breaches/{reference}").text


def test_a_high_risk_needs_a_decision_about_telling_the_people(client: TestClient,
                                                              runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=1, risk="high")
    page = client.get(f"/breaches/{reference}").text
    assert re.search(r'role="alert">High risk: decide whether the people', page)
    act(client, csrf, reference, "authority", decision="notify")
    pending = act(client, csrf, reference, "close", note="Handled.")
    assert pending.status_code == 422
    assert "decide about telling the people (high risk)" in pending.text
    assert breach(runtime, reference).status == "open"
    no_ground = act(client, csrf, reference, "people", decision="not_required",
                    exemption="d", reason="")
    assert no_ground.status_code == 422
    assert "exemption: a, b or c" in no_ground.text and "reason: the facts" in no_ground.text
    no_public = act(client, csrf, reference, "people", decision="not_required",
                    exemption="c", reason="No addresses for 4000 former students.")
    assert no_public.status_code == 422 and "public-communication" in no_public.text
    assert breach(runtime, reference).subjects_decision is None
    assert events(runtime, "breach.subjects") == []
    assert act(client, csrf, reference, "people", decision="not_required", exemption="c",
               reason="No addresses for 4000 former students.",
               public_communication="A notice on the home page and in Le Soir."
               ).status_code == 303
    found = breach(runtime, reference)
    assert found.subjects_decision == "not_required" and found.subjects_notified_at is None
    texts = narrative(runtime, found)
    assert texts["subjects_ground"] == "c"
    assert texts["public_communication"] == "A notice on the home page and in Le Soir."
    [decided] = events(runtime, "breach.subjects_not_required")
    assert details(decided) == {"ground": "c"}
    page = client.get(f"/breaches/{reference}").text
    assert "Art. 34(3)(c)" in page and "in Le Soir" in page
    assert "decide whether the people" not in page


def test_exemptions_only_for_a_high_risk_and_telling_is_recorded(client: TestClient,
                                                                  runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=1, risk="risk")
    not_high = act(client, csrf, reference, "people", decision="not_required", exemption="a",
                   reason="Encrypted.")
    assert not_high.status_code == 422 and "only for a high risk" in not_high.text
    assert act(client, csrf, reference, "people", decision="notify").status_code == 303
    found = breach(runtime, reference)
    assert found.subjects_decision == "notify" and found.subjects_notified_at is not None
    twice = act(client, csrf, reference, "people", decision="notify")
    assert twice.status_code == 422 and "already told" in twice.text
    assert act(client, csrf, reference, "assess", risk="banana").status_code == 422
    assert act(client, csrf, reference, "people", decision="maybe").status_code == 422


def test_closing_needs_the_decisions_and_a_note_and_the_register_lists_open_first(
        client: TestClient, runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    first = recorded(client, csrf, detected_hours_ago=20)
    second = recorded(client, csrf, detected_hours_ago=10)
    unassessed = act(client, csrf, first, "close", note="Done.")
    assert unassessed.status_code == 422 and "assess the risk" in unassessed.text
    assert "notify the authority or record why" in unassessed.text
    act(client, csrf, first, "assess", risk="risk")
    act(client, csrf, first, "authority", decision="notify")
    no_note = act(client, csrf, first, "close", note="")
    assert no_note.status_code == 422 and breach(runtime, first).status == "open"
    assert act(client, csrf, first, "close",
               note="Laptop found; no sign of access.").status_code == 303
    closed = breach(runtime, first)
    assert closed.status == "closed" and closed.closed_at is not None
    assert narrative(runtime, closed)["closing_note"] == "Laptop found; no sign of access."
    assert events(runtime, "breach.closed")[0].details == "{}"
    after = act(client, csrf, first, "assess", risk="high")
    assert after.status_code == 422 and f"breach {first} is closed" in after.text
    register = client.get("/breaches").text
    assert register.index(second) < register.index(first)
    assert register.index("<h2>Open</h2>") < register.index(second) < \
        register.index("<h2>Closed</h2>") < register.index(first)
    assert "Record the risk" not in client.get(f"/breaches/{first}").text
