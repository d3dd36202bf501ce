"""Campaigns reach only those who agreed; every mail carries RFC 2369 / RFC 8058 unsubscribe
headers and footer links; unsubscribing works in one click, by link, by mail, at once."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from charter.cli import main
from charter.consent.service import decide, record_consent
from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.models import OutboxMessage, Subject, Suppression, utcnow
from charter.newsletter.campaigns import Letter, send_campaign
from charter.runtime import Runtime
from charter.subjects import ensure_subject, find_subject

from ..smtp import Inbox, link_in, text_of

BASE = "https://privacy.langschool.be"


def _person(runtime: Runtime, email: str, *, language: str = "en", consent: str | None = "grant",
            when_days_ago: int = 10) -> int:
    with runtime.transaction() as session:
        subject, _ = ensure_subject(session, runtime, email=email, language=language)
        if consent:
            record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                           action=consent,  # type: ignore[arg-type]
                           method="online_checkbox", actor="test", text="Send me the newsletter",
                           occurred_at=utcnow() - timedelta(days=when_days_ago))
        return subject.id


def _withdraw(runtime: Runtime, email: str) -> None:
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="withdraw", method="api", actor="test")


def _send(runtime: Runtime, subject: str = "Spring courses", **bodies: str) -> int:
    letters = {lang: Letter(f"{subject} ({lang})", body) for lang, body in
               (bodies or {"en": "New courses start in April."}).items()}
    with runtime.transaction() as session:
        return send_campaign(session, runtime, purpose="newsletter", letters=letters,
                             actor="test").recipients


def _deliver(runtime: Runtime) -> None:
    deliver_due(runtime, SmtpTransport(runtime.settings))


@pytest.fixture
def audience(mail_runtime: Runtime) -> Runtime:
    _person(mail_runtime, "anna@example.org")
    _person(mail_runtime, "fien@example.org", language="nl")
    _person(mail_runtime, "lotte@example.org")
    _withdraw(mail_runtime, "lotte@example.org")
    hugo = _person(mail_runtime, "hugo@example.org")
    _person(mail_runtime, "mehdi@example.org")
    _person(mail_runtime, "zoe@example.org", consent="pending")
    _person(mail_runtime, "victor@example.org", consent=None)
    with mail_runtime.transaction() as session:
        session.execute(update(Subject).where(Subject.organization_id ==
                                              mail_runtime.organization_id,
                                              Subject.id == hugo).values(restricted_at=utcnow()))
        mehdi = find_subject(session, mail_runtime, email="mehdi@example.org")
        assert mehdi is not None and mehdi.email_index
        session.add(Suppression(organization_id=mail_runtime.organization_id,
                                email_index=mehdi.email_index, reason="staff"))
    return mail_runtime


def test_campaign_from_the_cli_reaches_only_those_who_agreed(
        audience: Runtime, inbox: Inbox, cli_args: list[str], tmp_path: Path) -> None:
    files = {}
    for name, text in {"s_en": "Spring courses", "b_en": "New courses start in April.",
                       "s_nl": "Lentecursussen", "b_nl": "Nieuwe cursussen starten in april."
                       }.items():
        files[name] = tmp_path / name
        files[name].write_text(text)
    args = [*cli_args, "--smtp-host", "127.0.0.1", "--smtp-port", str(inbox.port),
            "--smtp-tls", "none", "--base-url", BASE, "campaign", "send", "--purpose",
            "newsletter", "--subject-file", str(files["s_en"]), "--body-file",
            str(files["b_en"]), "--subject-file", f"nl={files['s_nl']}", "--body-file",
            f"nl={files['b_nl']}"]
    dry = CliRunner().invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0 and "would reach 2 recipient(s)" in dry.output
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "queued for 2 recipient(s)" in result.output
    _deliver(audience)
    assert sorted(m["To"] for m in inbox.messages) == ["anna@example.org", "fien@example.org"]
    [anna] = inbox.to("anna@example.org")
    [fien] = inbox.to("fien@example.org")
    assert anna["Subject"] == "Spring courses" and fien["Subject"] == "Lentecursussen"
    assert "Nieuwe cursussen starten in april." in text_of(fien)
    _check_unsubscribe_headers(anna)
    with audience.transaction() as session:
        rows = session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == audience.organization_id)).all()
    assert {r.status for r in rows} == {"sent"} and len({r.subject_id for r in rows}) == 2


def _check_unsubscribe_headers(mail: EmailMessage) -> None:
    header = str(mail["List-Unsubscribe"])
    https, mailto = (part.strip(" <>") for part in header.split(","))
    assert https.startswith(f"{BASE}/u/")
    assert mailto.startswith("mailto:privacy@langschool.be?subject=unsubscribe%20")
    assert https.rsplit("/", 1)[1] == mailto.rsplit("%20", 1)[1]  # the same opaque token
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Auto-Submitted" not in mail
    text = text_of(mail)
    assert f"Unsubscribe: {https}" in text
    assert f"{BASE}/preferences/" in text


def test_one_click_unsubscribe_takes_effect_at_once_and_is_idempotent(
        audience: Runtime, inbox: Inbox, mail_client: TestClient) -> None:
    _send(audience)
    _deliver(audience)
    [anna] = inbox.to("anna@example.org")
    url = str(anna["List-Unsubscribe"]).split(",")[0].strip(" <>")
    path = url.removeprefix(BASE)
    mail_client.cookies.clear()
    page = mail_client.get(path)  # GET only asks
    assert page.status_code == 200 and "Stop receiving" in page.text
    assert _reason(audience, "anna@example.org") == "granted"
    for _ in range(2):  # RFC 8058: a POST without cookies or login; twice is harmless
        done = mail_client.post(path, content=b"List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert _reason(audience, "anna@example.org") == "suppressed"
    inbox.messages.clear()
    assert _send(audience) == 1
    _deliver(audience)
    assert [m["To"] for m in inbox.messages] == ["fien@example.org"]
    assert mail_client.post("/u/not-a-token").status_code == 404


def _reason(runtime: Runtime, email: str) -> str:
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        return decide(session, runtime, subject, "newsletter", "email").reason


def _restrict(runtime: Runtime, email: str) -> None:
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        subject.restricted_at = utcnow()


def _suppress(runtime: Runtime, email: str) -> None:
    from charter.consent.service import suppress

    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None and subject.email_index
        suppress(session, runtime, subject.email_index, reason="staff", actor="test")


def _object(runtime: Runtime, email: str) -> None:
    from charter.consent.service import object_to_direct_marketing

    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        object_to_direct_marketing(session, runtime, subject, actor="test")


def _erase(runtime: Runtime, email: str) -> None:
    from charter.subjects.removal import remove_subject

    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        remove_subject(session, runtime, subject)


@pytest.mark.parametrize("change, reason", [
    (_withdraw, "withdrawn"), (_restrict, "restricted"), (_suppress, "suppressed"),
    (_object, "objected"), (_erase, "erased"),
])
def test_what_happens_after_queueing_is_checked_again_at_send_time(
        audience: Runtime, inbox: Inbox, change: Any, reason: str) -> None:
    assert _send(audience) == 2
    change(audience, "fien@example.org")  # before the worker picks the campaign up
    _deliver(audience)
    assert [m["To"] for m in inbox.messages] == ["anna@example.org"]
    with audience.transaction() as session:
        cancelled = session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == audience.organization_id,
            OutboxMessage.status == "cancelled")).all()
    assert [m.last_error for m in cancelled] == [f"not sent: {reason}"]
    if reason == "erased":  # nothing about her is left in the outbox
        assert cancelled[0].purged_at is not None and cancelled[0].subject_id is None
        assert audience.cipher.unseal(cancelled[0]) == {}


def test_unsubscribe_by_mail_to_the_mailto_address(audience: Runtime, inbox: Inbox,
                                                   cli_args: list[str], tmp_path: Path) -> None:
    _send(audience)
    _deliver(audience)
    [fien] = inbox.to("fien@example.org")
    token = str(fien["List-Unsubscribe"]).rsplit("%20", 1)[1].rstrip(">")
    incoming = tmp_path / "reply.eml"
    incoming.write_bytes(f"From: fien@example.org\r\nTo: privacy@langschool.be\r\nSubject: "
                         f"unsubscribe {token}\r\n\r\n\r\n".encode())
    result = CliRunner().invoke(main, [*cli_args, "mail", "inbound", str(incoming)])
    assert result.exit_code == 0 and "unsubscribed" in result.output
    assert _reason(audience, "fien@example.org") == "suppressed"
    incoming.write_bytes(b"From: x@example.org\r\nSubject: hello\r\n\r\nJust saying hi.\r\n")
    assert CliRunner().invoke(main, [*cli_args, "mail", "inbound", str(incoming)]).exit_code == 4


def test_preferences_page_withdraws_and_gives_consent(audience: Runtime, inbox: Inbox,
                                                      mail_client: TestClient) -> None:
    _send(audience)
    _deliver(audience)
    [anna] = inbox.to("anna@example.org")
    path = link_in(anna, "/preferences/").removeprefix(BASE)
    page = mail_client.get(path)
    assert page.status_code == 200 and 'value="newsletter:email" checked' in page.text
    saved = mail_client.post(path, data={})
    assert saved.status_code == 200 and 'value="newsletter:email" checked' not in saved.text
    assert _reason(audience, "anna@example.org") == "withdrawn"
    again = mail_client.post(path, data={"consent": "newsletter:email"})
    assert 'value="newsletter:email" checked' in again.text
    assert _reason(audience, "anna@example.org") == "granted"


def test_suppression_survives_erasure_and_only_fresh_consent_lifts_it(
        mail_runtime: Runtime, inbox: Inbox, mail_client: TestClient) -> None:
    _person(mail_runtime, "sophie@example.org", when_days_ago=30)
    _send(mail_runtime)
    _deliver(mail_runtime)
    url = str(inbox.messages[0]["List-Unsubscribe"]).split(",")[0].strip(" <>")
    mail_client.post(url.removeprefix(BASE))
    with mail_runtime.transaction() as session:  # the person is erased
        subject = find_subject(session, mail_runtime, email="sophie@example.org")
        session.delete(subject)
    with mail_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Suppression).where(
            Suppression.organization_id == mail_runtime.organization_id)) == 1
    # an old list re-imported with its old consent does not bring her back
    _person(mail_runtime, "sophie@example.org", when_days_ago=30)
    assert _send(mail_runtime) == 0
    # she subscribes again herself: fresh consent wins over the suppression
    _person(mail_runtime, "sophie@example.org", when_days_ago=0)
    assert _send(mail_runtime) == 1


def test_campaign_input_is_checked(audience: Runtime) -> None:
    from charter.errors import InvalidInput

    cases = [
        ({"purpose": "courses", "letters": {"en": Letter("s", "b")}}, "not on consent"),
        ({"purpose": "nope", "letters": {"en": Letter("s", "b")}}, "not declared"),
        ({"purpose": "newsletter", "letters": {"fr": Letter("s", "b")}}, "default language"),
        ({"purpose": "newsletter", "letters": {"en": Letter("", "b")}}, r"subject \(en\)"),
        ({"purpose": "newsletter", "letters": {"en": Letter("a\nb", "b")}}, "one line"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidInput, match=message), audience.transaction() as session:
            send_campaign(session, audience, actor="test", **kwargs)  # type: ignore[arg-type]
    with audience.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.organization_id == audience.organization_id)) == 0


def test_the_mail_server_can_post_unsubscribe_mail_to_the_api(
        audience: Runtime, inbox: Inbox, mail_client: TestClient, cli_args: list[str]) -> None:
    _send(audience)
    _deliver(audience)
    [anna] = inbox.to("anna@example.org")
    token = str(anna["List-Unsubscribe"]).rsplit("%20", 1)[1].rstrip(">")
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "mta", "--scope",
                                    "mail:inbound"]).output.strip()
    raw = f"From: anna@example.org\r\nSubject: unsubscribe {token}\r\n\r\n".encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "message/rfc822"}
    done = mail_client.post("/api/v1/mail/inbound", content=raw, headers=headers)
    assert done.status_code == 200 and done.json() == {"unsubscribed": True}
    assert _reason(audience, "anna@example.org") == "suppressed"
    empty = mail_client.post("/api/v1/mail/inbound", content=b"", headers=headers)
    assert empty.status_code == 422
    assert mail_client.post("/api/v1/mail/inbound", content=raw).status_code == 401


def test_an_objection_to_direct_marketing_is_absolute_and_immediate(audience: Runtime,
                                                                     inbox: Inbox) -> None:
    from charter.consent.service import object_to_direct_marketing

    with audience.transaction() as session:
        fien = find_subject(session, audience, email="fien@example.org")
        assert fien is not None
        object_to_direct_marketing(session, audience, fien, actor="staff:1")
    assert _reason(audience, "fien@example.org") == "objected"
    assert _send(audience) == 1
    _deliver(audience)
    assert [m["To"] for m in inbox.messages] == ["anna@example.org"]
    # even a fresh consent does not override a standing objection until it is lifted
    _person(audience, "fien@example.org", when_days_ago=0)
    assert _send(audience) == 1


def test_the_unsubscribe_token_may_be_in_the_body_of_the_mail(
        audience: Runtime, inbox: Inbox, cli_args: list[str], tmp_path: Path) -> None:
    _send(audience)
    _deliver(audience)
    [anna] = inbox.to("anna@example.org")
    token = str(anna["List-Unsubscribe"]).rsplit("%20", 1)[1].rstrip(">")
    incoming = tmp_path / "reply.eml"
    incoming.write_bytes(f"From: anna@example.org\r\nSubject: Re: Spring courses\r\n"
                         f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
                         f"Please stop. unsubscribe {token}\r\n".encode())
    assert CliRunner().invoke(main, [*cli_args, "mail", "inbound", str(incoming)]).exit_code == 0
    assert _reason(audience, "anna@example.org") == "suppressed"
    incoming.write_bytes(b"Subject: hi\r\nContent-Type: text/plain; charset=x-unknown\r\n"
                         b"\r\nbody\r\n")  # an unknown charset is no crash
    assert CliRunner().invoke(main, [*cli_args, "mail", "inbound", str(incoming)]).exit_code == 4


def test_links_of_an_erased_person_open_nothing_even_for_the_next_one(
        mail_runtime: Runtime, inbox: Inbox, mail_client: TestClient) -> None:
    first = _person(mail_runtime, "first@example.org")
    _send(mail_runtime)
    _deliver(mail_runtime)
    old = link_in(inbox.messages[0], "/preferences/").removeprefix(BASE)
    _erase(mail_runtime, "first@example.org")
    second = _person(mail_runtime, "second@example.org")
    assert second != first  # ids are never reused, on SQLite either
    assert mail_client.get(old).status_code == 404
