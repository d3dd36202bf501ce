"""The outbox and campaigns in the Portal: who may see and send, and what it leaves behind."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.consent.service import record_consent
from charter.mail.service import deliver_due, queue_message
from charter.mail.transport import SmtpTransport
from charter.models import AuditEvent, OutboxMessage
from charter.runtime import Runtime, open_runtime
from charter.subjects import ensure_subject

from ..factories import staff_login
from ..smtp import free_port


def _subscriber(runtime: Runtime, email: str) -> None:
    with runtime.transaction() as session:
        subject, _ = ensure_subject(session, runtime, email=email)
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")


def test_dpo_reads_the_outbox_and_each_reading_is_audited(client: TestClient,
                                                          runtime: Runtime) -> None:
    with runtime.transaction() as session:
        message = queue_message(session, runtime, kind="newsletter_confirmation",
                                to="noah.janssens@example.org", language="en",
                                context={"purpose_label": "News", "confirm_url": "https://x/c"})
    staff_login(client, runtime, "dpo")
    listing = client.get("/outbox")
    assert listing.status_code == 200 and "newsletter_confirmation" in listing.text
    assert "No SMTP server is configured" in listing.text
    assert "noah.janssens" not in listing.text  # the list shows no addresses
    opened = client.get(f"/outbox/{message.id}")
    assert opened.status_code == 200 and "noah.janssens@example.org" in opened.text
    # a link in a mail is a capability: staff see where it leads, not the token
    with runtime.transaction() as session:
        confirm = queue_message(session, runtime, kind="newsletter_confirmation",
                                to="x@example.org", language="en", context={
                                    "purpose_label": "News", "confirm_url":
                                    "https://p.example/newsletter/confirm/abcdefghijklmnopqrstuvwx"})
    masked = client.get(f"/outbox/{confirm.id}").text
    assert "/newsletter/confirm/…" in masked and "abcdefghijklmnopqrstuvwx" not in masked
    with runtime.transaction() as session:
        viewed = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "mail.viewed")).all()
    assert len(viewed) == 2 and viewed[0].actor.startswith("staff:")  # one per reading
    assert client.get("/outbox/999999").status_code == 404


@pytest.mark.parametrize("role", ["support", "billing", "viewer"])
def test_other_roles_may_not_read_the_outbox(client: TestClient, runtime: Runtime,
                                             role: str) -> None:
    staff_login(client, runtime, role)
    assert client.get("/outbox").status_code == 403
    assert client.get("/campaigns").status_code == 403
    assert "Outbox" not in client.get("/").text


def test_a_campaign_sent_from_the_portal(client: TestClient, runtime: Runtime) -> None:
    _subscriber(runtime, "elise@example.org")
    csrf = staff_login(client, runtime, "dpo")
    page = client.get("/campaigns")
    assert page.status_code == 200 and "1 recipient(s)" in page.text
    form = {"csrf_token": csrf, "purpose": "newsletter", "subject_en": "Autumn courses",
            "body_en": "Autumn courses start soon."}
    forged = client.post("/campaigns", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 400
    empty = client.post("/campaigns", data={**form, "subject_en": ""})
    assert empty.status_code == 422 and "subject (en)" in empty.text
    sent = client.post("/campaigns", data=form, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/campaigns?sent=1"
    assert "Autumn courses" in client.get("/campaigns").text
    with runtime.transaction() as session:
        rows = session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == runtime.organization_id)).all()
    assert [(r.kind, r.marketing, r.purpose) for r in rows] == [("campaign", True, "newsletter")]


def test_staff_see_when_the_smtp_server_keeps_failing(client: TestClient,
                                                     runtime: Runtime) -> None:
    """Nothing listens on the configured port: the mail waits without spending attempts, and
    the outbox and the dashboard say it is not leaving, and why."""
    broken = open_runtime(runtime.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": free_port()}), engine=runtime.engine)
    with broken.transaction() as session:
        queue_message(session, broken, kind="newsletter_confirmation", to="x@example.org",
                      language="en", context={"purpose_label": "News",
                                              "confirm_url": "https://x/c"})
    assert deliver_due(broken, SmtpTransport(broken.settings)).retried == 1
    staff_login(client, runtime, "dpo")
    for page in ("/outbox", "/"):
        text = client.get(page).text
        assert "Mail is not leaving: 1 message(s) wait since" in text, page
        assert "server: ConnectionRefusedError" in text, page
        assert "x@example.org" not in text
