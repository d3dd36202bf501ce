"""The outbox against a real SMTP server: sent once, retried after a refusal, never twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import select

from charter import jobs
from charter.mail import tasks as mail_tasks
from charter.mail.repository import message_by_id
from charter.mail.service import MAX_ATTEMPTS, deliver_due, queue_message
from charter.mail.transport import SmtpTransport
from charter.models import AuditEvent, OutboxMessage, utcnow
from charter.runtime import Runtime

from ..smtp import Inbox, text_of

CONTEXT = {"purpose_label": "Newsletter", "confirm_url": "https://x.example/newsletter/confirm/t"}


def _queue(runtime: Runtime, count: int = 1, to: str = "lucas.maes@example.org") -> list[int]:
    with runtime.transaction() as session:
        return [queue_message(session, runtime, kind="newsletter_confirmation", to=to,
                              language="en", context=CONTEXT).id for _ in range(count)]


def _messages(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.transaction() as session:
        return list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == runtime.organization_id).order_by(OutboxMessage.id)))


def test_a_queued_message_is_delivered_once(mail_runtime: Runtime, inbox: Inbox) -> None:
    _queue(mail_runtime)
    report = deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings))
    assert report.sent == 1
    [mail] = inbox.messages
    assert mail["To"] == "lucas.maes@example.org"
    assert mail["From"] == "Test Language School SRL <privacy@langschool.be>"
    assert mail["Subject"] == "Please confirm your subscription"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "https://x.example/newsletter/confirm/t" in text_of(mail)
    assert "Rue de la Loi 16, 1000 Bruxelles, BE" in text_of(mail)  # the signature
    [row] = _messages(mail_runtime)
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 0
    assert deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings)).handled == 0
    assert len(inbox.messages) == 1


def test_a_refusal_is_retried_after_a_backoff(mail_runtime: Runtime, inbox: Inbox) -> None:
    _queue(mail_runtime)
    inbox.refusals.append("451 4.3.0 <lucas.maes@example.org> greylisted, try again later")
    first = deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings))
    assert first.retried == 1 and inbox.messages == []
    [row] = _messages(mail_runtime)
    assert row.status == "queued" and row.attempts == 1
    assert row.last_error == "451 4.3.0 <address> greylisted, try again later"  # no address kept
    # not yet due: the backoff holds it back
    assert deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings)).handled == 0
    later = utcnow() + timedelta(minutes=2)
    assert deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings), now=later).sent == 1
    assert len(inbox.messages) == 1
    assert _messages(mail_runtime)[0].status == "sent"


def test_a_permanent_refusal_fails_and_is_audited(mail_runtime: Runtime, inbox: Inbox) -> None:
    _queue(mail_runtime)
    inbox.refusals.append("550 5.1.1 mailbox unavailable")
    assert deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings)).failed == 1
    [row] = _messages(mail_runtime)
    assert row.status == "failed" and row.last_error == "550 5.1.1 mailbox unavailable"
    with mail_runtime.transaction() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.organization_id == mail_runtime.organization_id)).all()
    assert "mail.failed" in actions


def test_repeated_temporary_failures_end_as_failed(mail_runtime: Runtime, inbox: Inbox) -> None:
    _queue(mail_runtime)
    inbox.refusals.extend(["421 4.7.0 busy"] * MAX_ATTEMPTS)
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings), now=moment)
        moment += timedelta(hours=7)
    [row] = _messages(mail_runtime)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and inbox.messages == []


def test_two_workers_flushing_together_send_each_message_once(
        mail_runtime: Runtime, inbox: Inbox) -> None:
    _queue(mail_runtime, 30)
    start = threading.Barrier(2)
    reports = []

    def worker() -> None:
        start.wait()
        reports.append(deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings), limit=30))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.sent for r in reports) == 30
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert {m.status for m in _messages(mail_runtime)} == {"sent"}


def test_a_message_left_sending_by_a_crashed_worker_is_taken_again(
        mail_runtime: Runtime, inbox: Inbox) -> None:
    [message_id] = _queue(mail_runtime)
    with mail_runtime.transaction() as session:
        row = message_by_id(session, mail_runtime.organization_id, message_id)
        assert row is not None
        row.status, row.claim, row.claimed_at = "sending", "crashed", utcnow()
    assert deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings)).handled == 0
    later = utcnow() + timedelta(minutes=11)
    assert deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings), now=later).sent == 1


def test_without_smtp_host_mail_stays_in_the_outbox(runtime: Runtime) -> None:
    _queue(runtime)
    jobs.bind_runtime(runtime)
    assert mail_tasks._deliver() == 0
    assert [m.status for m in _messages(runtime)] == ["queued"]


def test_mail_of_a_rolled_back_transaction_is_neither_kept_nor_scheduled(
        runtime: Runtime) -> None:
    huey = MemoryHuey("test")
    queue = jobs.JobQueue(huey)
    queue.tasks.update(mail_tasks.register(huey))
    jobs.bind_queue(queue)
    try:
        with pytest.raises(RuntimeError), runtime.transaction() as session:
            queue_message(session, runtime, kind="newsletter_confirmation",
                          to="a@example.org", language="en", context=CONTEXT)
            raise RuntimeError("the erasure failed half-way")
        assert _messages(runtime) == [] and huey.pending_count() == 0
        _queue(runtime)
        assert huey.pending_count() == 1  # committed: delivery is scheduled at once
    finally:
        jobs.bind_queue(None)


def test_the_envelope_is_sealed(mail_runtime: Runtime) -> None:
    _queue(mail_runtime, to="secret.person@example.org")
    with mail_runtime.engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT * FROM outbox_messages").all()
    assert b"secret.person" not in repr(raw).encode()


def test_the_server_delivers_right_after_the_request_commits(mail_runtime: Runtime,
                                                             inbox: Inbox) -> None:
    """Inside `charter serve` a committed request schedules delivery at once (no minute's
    wait for the periodic run)."""
    import re

    from fastapi.testclient import TestClient

    from charter.web.app import create_app

    with TestClient(create_app(mail_runtime, run_jobs=True),
                    base_url="http://127.0.0.1") as client:
        page = client.get("/newsletter")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post("/newsletter", data={"email": "jules@example.org", "consent": "yes",
                                         "csrf_token": token.group(1)})
        received = inbox.wait_for(1, seconds=20)
    assert [m["To"] for m in received] == ["jules@example.org"]


def test_a_broken_message_does_not_hold_up_the_others(mail_runtime: Runtime,
                                                      inbox: Inbox) -> None:
    first, second = _queue(mail_runtime, 2)
    with mail_runtime.transaction() as session:
        broken = message_by_id(session, mail_runtime.organization_id, first)
        assert broken is not None
        broken.sealed = b"\x00" * len(broken.sealed)  # a value that no longer opens
    report = deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings))
    assert report.sent == 1 and report.retried == 1 and len(inbox.messages) == 1
    rows = {m.id: m for m in _messages(mail_runtime)}
    assert rows[second].status == "sent"
    assert rows[first].status == "queued" and rows[first].attempts == 1
    assert rows[first].last_error == "not sent: DecryptionFailed"


def _claim_long_ago(runtime: Runtime, message_id: int, claim: str) -> None:
    from charter.mail.repository import claim_due

    with runtime.transaction() as session:
        assert claim_due(session, runtime.organization_id, claim=claim, now=utcnow(),
                         stale_before=utcnow(), limit=10) == [message_id]
        row = message_by_id(session, runtime.organization_id, message_id)
        assert row is not None
        row.claimed_at = utcnow() - timedelta(minutes=11)


def test_a_slow_worker_and_a_second_one_never_both_send(mail_runtime: Runtime,
                                                        inbox: Inbox) -> None:
    from charter.mail.service import DeliveryReport, _prepare, _record

    smtp = SmtpTransport(mail_runtime.settings)
    # A claimed long ago, and is about to send: it renews its claim first...
    [message_id] = _queue(mail_runtime)
    _claim_long_ago(mail_runtime, message_id, "A")
    report = DeliveryReport()
    email = _prepare(mail_runtime, message_id, "A", report)
    assert email is not None
    # ...so B, running meanwhile, does not take it over
    assert deliver_due(mail_runtime, smtp).handled == 0
    smtp.send(email)
    _record(mail_runtime, message_id, "A", report, None)
    assert len(inbox.messages) == 1 and report.sent == 1
    # taken over before A got to it: A sends nothing
    [other] = _queue(mail_runtime)
    _claim_long_ago(mail_runtime, other, "A")
    assert deliver_due(mail_runtime, smtp).sent == 1
    assert _prepare(mail_runtime, other, "A", DeliveryReport()) is None
    assert len(inbox.messages) == 2
