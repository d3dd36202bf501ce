"""Art. 33(4): what is learnt after the first record is added in phases — the facts can be
updated while the decisions stay, and the authority's reference can come later."""

from __future__ import annotations

from fastapi.testclient import TestClient

from charter.breaches.service import narrative
from charter.runtime import Runtime

from ..factories import staff_login
from .helpers import act, breach, details, events, form, recorded


def test_facts_are_updated_in_phases_and_the_change_is_logged(client: TestClient,
                                                              runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=5, risk="risk")
    edit = client.get(f"/breaches/{reference}/edit")
    assert edit.status_code == 200 and 'value="120"' in edit.text  # the form, filled in
    learnt = form(detected_hours_ago=5, people="480", records="1200",
                  categories=["contact", "billing", "language_profile"],
                  consequences="Phishing mails and invoices sent to a fake account.")
    saved = client.post(f"/breaches/{reference}/edit", data={**learnt, "csrf_token": csrf},
                        follow_redirects=False)
    assert saved.status_code == 303
    found = breach(runtime, reference)
    assert (found.subjects_affected, found.records_affected) == (480, 1200)
    assert found.categories.split() == ["contact", "billing", "language_profile"]
    assert found.risk == "risk"  # the decision stays
    assert narrative(runtime, found)["consequences"].startswith("Phishing mails and invoices")
    [updated] = events(runtime, "breach.updated")
    changed = details(updated)["changed"]
    assert set(changed) >= {"subjects_affected", "records_affected", "categories",
                            "consequences"}
    assert "Phishing" not in updated.details  # names of fields, never their content
    bad = client.post(f"/breaches/{reference}/edit",
                      data={**learnt, "people": "many", "csrf_token": csrf})
    assert bad.status_code == 422 and "a whole number" in bad.text
    assert breach(runtime, reference).subjects_affected == 480  # the refused form changed nothing


def test_the_authority_reference_can_come_later(client: TestClient, runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=2, risk="risk")
    early = act(client, csrf, reference, "reference", authority_reference="DPA-1")
    assert early.status_code == 422 and "notification to the authority first" in early.text
    assert act(client, csrf, reference, "authority", decision="notify", notified_at="",
               authority_reference="", delay_reason="").status_code == 303
    assert act(client, csrf, reference, "reference",
               authority_reference="DPA-2026-118").status_code == 303
    assert breach(runtime, reference).authority_reference == "DPA-2026-118"
    assert events(runtime, "breach.authority_reference")
