"""A child under the policy's age: held until a parent confirms, erased if nobody does."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.cli import main
from charter.collect.minors import erase_unconfirmed_minors
from charter.consent import repository as consents
from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.models import AuditEvent, OutboxMessage, Subject, utcnow
from charter.runtime import Runtime
from charter.subjects import find_subject
from charter.web.app import create_app

from ..factories import policy_with
from ..smtp import Inbox, link_in, text_of
from .test_forms import post_form

TWELVE = (date.today() - timedelta(days=12 * 366)).isoformat()
KEYS: list[str] = []
CHILD = {"email": "tom@example.org", "first_name": "Tom", "birth_date": TWELVE,
         "parent_email": "parent.peeters@example.org", "consent": ["newsletter:email"]}


def _check(client: TestClient, cli_args: list[str], email: str, purpose: str) -> dict[str, str]:
    name = f"reader{len(KEYS)}"
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", name, "--scope",
                                    "consent:read"]).output.strip()
    KEYS.append(name)
    return client.get("/api/v1/consent/check", headers={"Authorization": f"Bearer {key}"},
                      params={"email": email, "purpose": purpose}).json()


def test_a_parent_confirms_and_the_childs_choices_then_count(
        full_client: TestClient, full_runtime: Runtime, inbox: Inbox,
        cli_args: list[str]) -> None:
    response = post_form(full_client, "summer_camp", CHILD)
    assert response.status_code == 200 and "parent or guardian" in response.text
    assert _check(full_client, cli_args, "tom@example.org", "newsletter")["reason"] == \
        "minor_pending"
    deliver_due(full_runtime, SmtpTransport(full_runtime.settings))
    [mail] = inbox.to("parent.peeters@example.org")
    assert "under 16" in text_of(mail) and "Summer camp sign-up" in text_of(mail)
    path = link_in(mail, "/parental/").split(".be", 1)[1]
    assert full_client.get(path).status_code == 200  # opening the link asks, changes nothing
    done = full_client.post(path)
    assert done.status_code == 200 and "Your consent is recorded." in done.text
    assert full_client.post(path).status_code == 404  # once
    with full_runtime.transaction() as session:
        child = find_subject(session, full_runtime, email="tom@example.org")
        assert child is not None and child.restricted_at is None
        events = consents.events_of(session, full_runtime.organization_id, child.id)
        # the newsletter still asks the child's own address to confirm (double opt-in)
        assert [(e.action, e.method) for e in events] == [("pending", "parental"),
                                                          ("pending", "double_opt_in")]
    deliver_due(full_runtime, SmtpTransport(full_runtime.settings))
    [confirmation] = inbox.to("tom@example.org")
    full_client.post(link_in(confirmation, "/newsletter/confirm/").split(".be", 1)[1])
    assert _check(full_client, cli_args, "tom@example.org", "newsletter")["allowed"] is True


def test_a_childs_form_cannot_touch_someone_who_already_exists(
        full_client: TestClient, full_runtime: Runtime, cli_args: list[str]) -> None:
    from charter.consent.service import record_consent
    from charter.subjects import ensure_subject

    with full_runtime.transaction() as session:  # an adult, subscribed in writing
        adult, _ = ensure_subject(session, full_runtime, email="victim@example.org")
        record_consent(session, full_runtime, adult, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")
    response = post_form(full_client, "summer_camp", {
        **CHILD, "email": "victim@example.org", "parent_email": "attacker@example.org",
        "consent": ["partner_offers:sms"]})
    assert response.status_code == 200
    with full_runtime.transaction() as session:
        victim = find_subject(session, full_runtime, email="victim@example.org")
        assert victim is not None and victim.restricted_at is None  # not restricted
    assert _check(full_client, cli_args, "victim@example.org", "newsletter")["allowed"] is True
    with full_runtime.transaction() as session:  # the window closes: only the form's part goes
        assert erase_unconfirmed_minors(session, full_runtime,
                                        now=utcnow() + timedelta(days=15)) == 1
        victim = find_subject(session, full_runtime, email="victim@example.org")
        assert victim is not None
    assert _check(full_client, cli_args, "victim@example.org", "newsletter")["allowed"] is True
    assert _check(full_client, cli_args, "victim@example.org", "partner_offers")["allowed"] \
        is False


def test_two_sign_ups_one_confirmation(full_client: TestClient, full_runtime: Runtime,
                                       inbox: Inbox) -> None:
    post_form(full_client, "summer_camp", CHILD)
    post_form(full_client, "summer_camp", CHILD)
    deliver_due(full_runtime, SmtpTransport(full_runtime.settings))
    [mail] = inbox.to("parent.peeters@example.org")  # one link for the open hold
    assert full_client.post(link_in(mail, "/parental/").split(".be", 1)[1]).status_code == 200
    with full_runtime.transaction() as session:
        assert erase_unconfirmed_minors(session, full_runtime,
                                        now=utcnow() + timedelta(days=15)) == 0
        assert find_subject(session, full_runtime, email="tom@example.org") is not None


def test_without_an_answer_the_childs_data_is_erased(full_client: TestClient,
                                                     full_runtime: Runtime) -> None:
    post_form(full_client, "summer_camp", CHILD)
    post_form(full_client, "summer_camp", {**CHILD, "email": "adult@example.org",
                                            "birth_date": "1990-01-01", "parent_email": ""})
    with full_runtime.transaction() as session:
        assert erase_unconfirmed_minors(session, full_runtime) == 0  # the window is open
    with full_runtime.transaction() as session:
        erased = erase_unconfirmed_minors(session, full_runtime,
                                          now=utcnow() + timedelta(days=15))
    assert erased == 1
    with full_runtime.transaction() as session:
        assert find_subject(session, full_runtime, email="tom@example.org") is None
        assert find_subject(session, full_runtime, email="adult@example.org") is not None
        org = full_runtime.organization_id
        assert session.scalar(select(func.count()).select_from(Subject).where(
            Subject.organization_id == org)) == 1
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.organization_id == org, AuditEvent.action == "minor.erased")).all()
        parent_mail = session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == org,
            OutboxMessage.kind == "parental_consent")).one()
        assert parent_mail.purged_at is not None and full_runtime.cipher.unseal(parent_mail) == {}


def test_a_child_without_a_parent_address_is_refused(full_client: TestClient,
                                                     full_runtime: Runtime) -> None:
    response = post_form(full_client, "summer_camp", {**CHILD, "parent_email": ""})
    assert response.status_code == 422 and 'href="#f-parent_email"' in response.text
    same = post_form(full_client, "summer_camp", {**CHILD, "parent_email": "tom@example.org"})
    assert same.status_code == 422 and "must differ" in same.text
    school = post_form(full_client, "summer_camp", {**CHILD, "confirmer": "school"})
    assert school.status_code == 200  # this policy lets the school confirm
    late = post_form(full_client, "summer_camp", {**CHILD, "birth_date": "2999-01-01"})
    assert late.status_code == 422 and "not a plausible date of birth" in late.text


def test_the_school_confirms_only_where_the_policy_allows(full_runtime: Runtime,
                                                          tmp_path: Path) -> None:
    runtime = policy_with(full_runtime, tmp_path, ("school_consent: true", "school_consent: false"))
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        form = client.get("/forms/summer_camp")
        assert "your school" not in form.text  # not offered
        school = post_form(client, "summer_camp", {**CHILD, "confirmer": "school"})
        assert school.status_code == 422 and 'href="#f-confirmer"' in school.text
    assert _subjects(runtime) == 0  # nothing of the refused child kept


def test_a_form_may_ask_the_age_in_years(full_runtime: Runtime, tmp_path: Path,
                                         cli_args: list[str]) -> None:
    runtime = policy_with(full_runtime, tmp_path,
                       ("    asks_age: true\n", "    asks_age: true\n    age_question: age\n"))
    child = {**{k: v for k, v in CHILD.items() if k != "birth_date"}, "age": "12"}
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        form = client.get("/forms/summer_camp")
        assert 'name="age"' in form.text and 'name="birth_date"' not in form.text
        assert post_form(client, "summer_camp", {**child, "age": "twelve"}).status_code == 422
        assert post_form(client, "summer_camp", {**CHILD}).status_code == 422  # not asked
        assert post_form(client, "summer_camp", child).status_code == 200
        assert _check(client, cli_args, "tom@example.org", "newsletter")["reason"] == \
            "minor_pending"  # twelve, under sixteen: held for a parent
        adult = {**child, "email": "ann@example.org", "age": "30", "parent_email": ""}
        assert post_form(client, "summer_camp", adult).status_code == 200
    with runtime.transaction() as session:
        grown = find_subject(session, runtime, email="ann@example.org")
        assert grown is not None and grown.restricted_at is None


def _subjects(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(Subject).where(
            Subject.organization_id == runtime.organization_id)) or 0
