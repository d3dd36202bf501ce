"""Subscribing: double opt-in over HTTP with the mails really received, manual subscriptions
with their evidence, and bad input that changes nothing."""

from __future__ import annotations

import base64
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.consent import repository as consents
from charter.consent.service import decide, text_hash
from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.models import ConsentEvent, Subject
from charter.runtime import Runtime
from charter.subjects import find_subject

from ..collect.test_forms import post_form
from ..smtp import Inbox, link_in, text_of


def _form_token(client: TestClient, path: str = "/newsletter") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def subscribe(client: TestClient, email: str, *, lang: str = "en") -> None:
    token = _form_token(client, f"/newsletter?lang={lang}")
    response = client.post(f"/newsletter?lang={lang}", data={
        "email": email, "consent": "yes", "csrf_token": token})
    assert response.status_code == 200, response.text


def _deliver(runtime: Runtime) -> None:
    deliver_due(runtime, SmtpTransport(runtime.settings))


def _decision(runtime: Runtime, email: str) -> str:
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        return decide(session, runtime, subject, "newsletter", "email").reason


def _subjects(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(Subject).where(
            Subject.organization_id == runtime.organization_id)) or 0


def test_double_opt_in_round_trip(mail_client: TestClient, mail_runtime: Runtime,
                                  inbox: Inbox) -> None:
    form = mail_client.get("/newsletter")
    assert 'type="checkbox"' in form.text and "checked" not in form.text  # unchecked by default
    assert "Send me the newsletter about new courses." in form.text  # the policy's own words
    subscribe(mail_client, "emma.claes@example.org")
    assert _decision(mail_runtime, "emma.claes@example.org") == "pending"
    _deliver(mail_runtime)
    [mail] = inbox.to("emma.claes@example.org")
    assert mail["Subject"] == "Please confirm your subscription"
    assert "/preferences/" in text_of(mail)  # every mail leads to the person's preferences
    confirm = link_in(mail, "/newsletter/confirm/")
    path = confirm.split("privacy.langschool.be", 1)[1]
    page = mail_client.get(path)  # opening the link (or a mail scanner) changes nothing
    assert page.status_code == 200 and "Yes, subscribe me" in page.text
    assert _decision(mail_runtime, "emma.claes@example.org") == "pending"
    done = mail_client.post(path)
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert _decision(mail_runtime, "emma.claes@example.org") == "granted"
    assert mail_client.post(path).status_code == 404  # single use
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email="emma.claes@example.org")
        assert subject is not None
        events = consents.events_of(session, mail_runtime.organization_id, subject.id)
        assert [(e.action, e.method) for e in events] == [("pending", "double_opt_in"),
                                                          ("grant", "double_opt_in")]
        proof = mail_runtime.cipher.unseal(events[1])
        assert proof["confirmed_by"] == "link" and proof["text"] == \
            "Send me the newsletter about new courses."
        assert events[1].text_hash and events[1].policy_version.startswith("sha256:")


def test_confirmation_mail_speaks_the_page_language(mail_client: TestClient,
                                                    mail_runtime: Runtime, inbox: Inbox) -> None:
    subscribe(mail_client, "louise.dubois@example.org", lang="fr")
    _deliver(mail_runtime)
    [mail] = inbox.messages
    assert mail["Subject"] == "Veuillez confirmer votre inscription"
    assert "Questions relatives à la vie privée" in text_of(mail)  # the signature too


def test_bad_input_names_each_problem_and_stores_nothing(mail_client: TestClient,
                                                         mail_runtime: Runtime,
                                                         inbox: Inbox) -> None:
    token = _form_token(mail_client)
    response = mail_client.post("/newsletter", data={"email": "not-an-address",
                                                     "csrf_token": token})
    assert response.status_code == 422
    assert "Give a valid e-mail address." in response.text
    assert "Tick the box to agree" in response.text
    forged = mail_client.post("/newsletter", data={"email": "x@example.org", "consent": "yes",
                                                   "csrf_token": "forged"})
    assert forged.status_code == 400
    assert _subjects(mail_runtime) == 0
    _deliver(mail_runtime)
    assert inbox.messages == []


def test_confirmation_mails_are_rate_limited(mail_client: TestClient, mail_runtime: Runtime,
                                            inbox: Inbox) -> None:
    for _ in range(5):
        subscribe(mail_client, "target@example.org")
    _deliver(mail_runtime)
    assert len(inbox.to("target@example.org")) == 3


def test_manual_subscription_with_written_evidence(mail_client: TestClient,
                                                   mail_runtime: Runtime, cli_args: list[str],
                                                   ) -> None:
    from click.testing import CliRunner

    from charter.cli import main

    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "desk", "--scope",
                                    "consent:write"]).output.strip()
    scan = base64.b64encode(b"%PDF-1.4 signed form").decode()
    headers = {"Authorization": f"Bearer {key}"}
    ok = mail_client.post("/api/v1/newsletter/subscriptions", headers=headers, json={
        "email": "bram.wouters@example.org", "language": "nl", "method": "written",
        "evidence": {"document_base64": scan, "document_name": "form.pdf",
                     "obtained_at": "2026-03-02T10:00:00+01:00"}})
    assert ok.status_code == 202 and ok.json() == {"status": "subscribed"}
    assert _decision(mail_runtime, "bram.wouters@example.org") == "granted"
    with mail_runtime.transaction() as session:
        [event] = session.scalars(select(ConsentEvent).where(
            ConsentEvent.organization_id == mail_runtime.organization_id)).all()
        assert event.method == "written" and event.occurred_at.isoformat().startswith(
            "2026-03-02T09:00")
        assert mail_runtime.cipher.unseal(event)["document"] == scan
    bad = [
        {"email": "x@example.org", "method": "written"},  # no evidence
        {"email": "x@example.org", "method": "written", "evidence": {"note": "n",
         "obtained_at": "2026-03-02T10:00:00"}},  # no time zone
        {"email": "x@example.org", "method": "written", "evidence": {"note": "n"},
         "colour": "blue"},  # undeclared field
        {"email": "nope", "method": "verbal", "evidence": {"note": "phone call"}},
    ]
    for payload in bad:
        refused = mail_client.post("/api/v1/newsletter/subscriptions", headers=headers,
                                   json=payload)
        assert refused.status_code == 422, (payload, refused.text)
    assert _subjects(mail_runtime) == 1


def test_a_stranger_signing_someone_up_changes_nothing_for_them(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    from charter.consent.service import record_consent
    from charter.subjects import ensure_subject

    with mail_runtime.transaction() as session:
        subject, _ = ensure_subject(session, mail_runtime, email="anna@example.org",
                                    language="fr")
        record_consent(session, mail_runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")
    subscribe(mail_client, "anna@example.org", lang="en")
    assert _decision(mail_runtime, "anna@example.org") == "granted"
    with mail_runtime.transaction() as session:
        found = find_subject(session, mail_runtime, email="anna@example.org")
        assert found is not None and found.language == "fr"
    _deliver(mail_runtime)
    assert inbox.messages == []  # and she is not mailed a confirmation


def test_expired_used_and_unknown_links_are_refused(mail_client: TestClient,
                                                    mail_runtime: Runtime, inbox: Inbox) -> None:
    from sqlalchemy import update

    from charter.models import MailLink, utcnow

    subscribe(mail_client, "hugo@example.org")
    _deliver(mail_runtime)
    path = link_in(inbox.messages[0], "/newsletter/confirm/").split(".be", 1)[1]
    with mail_runtime.transaction() as session:
        session.execute(update(MailLink).where(
            MailLink.organization_id == mail_runtime.organization_id).values(
            expires_at=utcnow()))
    assert mail_client.get(path).status_code == 404
    assert mail_client.post(path).status_code == 404
    assert _decision(mail_runtime, "hugo@example.org") == "pending"
    for bad in ("/u/nope", "/preferences/nope", "/newsletter/confirm/nope", "/parental/nope"):
        assert mail_client.get(bad).status_code == 404, bad


def test_the_grant_proves_the_words_of_the_box_ticked(full_client: TestClient,
                                                      full_runtime: Runtime,
                                                      inbox: Inbox) -> None:
    # two forms offer the newsletter in different words: the grant confirmed by the link
    # must carry the text of the form the person used, under the version they saw
    shown = "Send me the newsletter about new courses."
    elsewhere = [option.text.get("en", "en") for point in full_runtime.policy.collection_points
                 for option in point.consent_options
                 if option.purpose == "newsletter" and point.id != "newsletter_signup"]
    assert elsewhere and shown not in elsewhere
    answer = post_form(full_client, "newsletter_signup",
                       {"email": "amir.haddad@example.org", "consent": ["newsletter:email"]})
    assert answer.status_code == 200, answer.text
    _deliver(full_runtime)
    [mail] = inbox.to("amir.haddad@example.org")
    assert full_client.post(link_in(mail, "/newsletter/confirm/").split(".be", 1)[1]
                            ).status_code == 200
    with full_runtime.transaction() as session:
        subject = find_subject(session, full_runtime, email="amir.haddad@example.org")
        assert subject is not None
        pending, grant = consents.events_of(session, full_runtime.organization_id, subject.id)
        assert (pending.action, grant.action) == ("pending", "grant")
        assert grant.text_hash == pending.text_hash == text_hash(shown)
        assert full_runtime.cipher.unseal(grant)["text"] == shown
        assert grant.policy_version == pending.policy_version
        assert grant.source == "newsletter_signup"
