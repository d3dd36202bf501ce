"""Recording a breach: the facts Art. 33(3) asks for, numbered B-YEAR-NNNN, free texts sealed
and kept out of the audit log; a bad form names every bad field and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from charter.breaches.facts import default_contact
from charter.breaches.service import narrative
from charter.models import utcnow
from charter.policy.organization import DataProtectionOfficer
from charter.runtime import Runtime

from ..factories import staff_login
from .helpers import DESCRIPTION, breach, breach_count, details, events, record, recorded

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_breach_is_numbered_sealed_and_audited_without_its_texts(
        client: TestClient, runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    detected = utcnow().replace(microsecond=0) - timedelta(hours=5)
    occurred = detected - timedelta(days=2)
    reference = recorded(client, csrf, detected_at=detected.isoformat(),
                         occurred_at=occurred.isoformat(),
                         nature=["confidentiality", "integrity", "availability"],
                         risk="risk")
    assert reference == f"B-{detected.astimezone(BRUSSELS).year}-0001"
    assert recorded(client, csrf) == f"B-{utcnow().year}-0002"
    found = breach(runtime, reference)
    assert (found.detected_at, found.occurred_at) == (detected, occurred)
    assert found.nature == "confidentiality integrity availability"  # all fit, on PostgreSQL too
    assert found.categories == "contact billing" and found.risk == "risk"
    assert (found.subjects_affected, found.records_affected) == (120, 340)
    assert found.status == "open" and found.recorded_by.startswith("staff:")
    assert DESCRIPTION.encode() not in found.sealed and b"Phishing" not in found.sealed
    texts = narrative(runtime, found)
    assert texts["description"] == DESCRIPTION
    assert texts["measures_proposed"] == "Full-disk encryption on every laptop by June."
    assert texts["contact"] == "privacy@langschool.be"  # the policy names no DPO
    [first, _second] = events(runtime, "breach.recorded")
    assert first.target == f"breach:{reference}" and first.actor.startswith("staff:")
    assert details(first) == {"detected_at": detected.isoformat(), "risk": "risk",
                              "nature": ["confidentiality", "integrity", "availability"],
                              "categories": ["contact", "billing"], "people": 120,
                              "records": 340}
    assert "Sophie" not in (first.details or "") and "laptop" not in (first.details or "")


def test_detected_at_defaults_to_now_and_is_read_in_local_time(client: TestClient,
                                                                runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    before = utcnow()
    now_ref = recorded(client, csrf, contact="Marie Dubois, security officer")
    assert before <= breach(runtime, now_ref).detected_at <= utcnow()
    assert narrative(runtime, breach(runtime, now_ref))["contact"] == \
        "Marie Dubois, security officer"
    brussels = (utcnow() - timedelta(days=3)).astimezone(BRUSSELS)
    typed = brussels.strftime("%Y-%m-%dT%H:%M")  # what a datetime-local field sends
    local_ref = recorded(client, csrf, detected_at=typed)
    expected = datetime.fromisoformat(typed).replace(
        tzinfo=BRUSSELS).astimezone(UTC)
    assert breach(runtime, local_ref).detected_at == expected


def test_the_contact_point_defaults_to_the_dpo_then_the_privacy_address(
        runtime: Runtime) -> None:
    policy = runtime.policy
    assert default_contact(policy) == "privacy@langschool.be"
    dpo = DataProtectionOfficer(name="Marie Dubois", email="dpo@langschool.be")
    with_dpo = policy.model_copy(update={
        "organization": policy.organization.model_copy(update={"dpo": dpo})})
    assert default_contact(with_dpo) == "Marie Dubois <dpo@langschool.be>"


def test_a_bad_form_names_every_bad_field_and_changes_nothing(client: TestClient,
                                                               runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    future = (utcnow() + timedelta(hours=2)).isoformat()
    response = record(client, csrf, detected_at=future, nature=["secrecy"],
                      categories=["contact", "health"], people="lots", records="-3",
                      description="  ", risk="catastrophic", consequences="x" * 10_001)
    assert response.status_code == 422
    page = response.text
    assert "Nothing was recorded" in page and 'role="alert"' in page
    for field, message in [
            ("detected-at", "may not be in the future"),
            ("nature", "unknown: secrecy; one or more of confidentiality, integrity, "
                       "availability"),
            ("categories", "not declared in the policy: health"),
            ("people", "a whole number"), ("records", "a whole number"),
            ("description", "required"), ("risk", "one of unlikely, risk, high"),
            ("consequences", "at most 10000 characters")]:
        assert f"<strong>{field}</strong>: {message}" in page, field
    assert 'id="people" name="people" inputmode="numeric" value="lots" aria-invalid="true"' \
        in page  # what was typed stays, marked
    assert breach_count(runtime) == 0 and events(runtime) == []


def test_occurred_after_detection_and_unreadable_times_are_refused(
        client: TestClient, runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    later = record(client, csrf, detected_hours_ago=10,
                   occurred_at=(utcnow() - timedelta(hours=2)).isoformat())
    assert later.status_code == 422
    assert "<strong>occurred-at</strong>: may not be after detected-at" in later.text
    garbled = record(client, csrf, detected_at="yesterday", nature=[], categories=[])
    assert garbled.status_code == 422
    for field in ("detected-at", "nature", "categories"):
        assert f"<strong>{field}</strong>" in garbled.text
    assert breach_count(runtime) == 0 and events(runtime) == []
