"""The outbox: every message is queued in the transaction that decided to send it, then
delivered by a job (with retries and backoff), so a message goes out only for work that
committed, and exactly one worker sends it."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from .. import jobs
from ..audit import record_event
from ..consent.service import decide
from ..db import CharterSession
from ..models import OutboxMessage, Subject, utcnow
from ..runtime import Runtime
from ..subjects import contact_of
from ..subjects.repository import subject_by_id
from . import repository
from .compose import compose
from .links import lasting_link
from .transport import DeliveryFailed, MailTransport

log = logging.getLogger(__name__)
DELIVER_TASK = "mail.deliver"
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def sender_address(runtime: Runtime) -> str:
    org = runtime.policy.organization
    return str(runtime.settings.mail_from or org.privacy_email or org.contact_email
               or "privacy@localhost")


def queue_message(
    session: CharterSession,
    runtime: Runtime,
    *,
    kind: str,
    to: str,
    language: str,
    context: dict[str, Any],
    subject_id: int | None = None,
    headers: dict[str, str] | None = None,
    marketing: bool = False,
    purpose: str | None = None,
    campaign_id: int | None = None,
    audited: bool = True,
    forget_after_sending: bool = False,
) -> OutboxMessage:
    """Write one message into the outbox (sealed); delivery starts once the caller commits."""
    composed = compose(kind, language, runtime.policy, **context)
    message = OutboxMessage(
        organization_id=runtime.organization_id,
        uid=uuid.uuid4().hex,
        kind=kind,
        language=language,
        subject_id=subject_id,
        campaign_id=campaign_id,
        purpose=purpose,
        marketing=marketing,
        forget_after_sending=forget_after_sending,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    runtime.cipher.seal(message, {"to": to, "subject": composed.subject, "text": composed.text,
                                  "headers": headers or {}})
    session.add(message)
    session.flush()
    if audited:
        record_event(session, runtime.organization_id, actor="system", action="mail.queued",
                     target=f"subject:{subject_id}" if subject_id else "",
                     details={"kind": kind, "message": message.uid})
    jobs.enqueue_after_commit(session, DELIVER_TASK)
    return message


def preferences_url(session: CharterSession, runtime: Runtime, subject: Subject) -> str:
    """The person's lasting link to their consents: in the footer of every mail to them, so
    withdrawing is always one click away."""
    token = lasting_link(session, runtime, "preferences", subject)
    return f"{runtime.settings.public_url}/preferences/{token}"


def mail_subject(
    session: CharterSession,
    runtime: Runtime,
    subject: Subject,
    kind: str,
    *,
    language: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """A message to a known subject at their own address, in their language (or the one
    given), with the link to their preferences in the footer, as every mail carries it;
    None when no address is known."""
    email = contact_of(session, runtime, subject).get("email")
    if not email:
        return None
    context.setdefault("preferences_url", preferences_url(session, runtime, subject))
    return queue_message(session, runtime, kind=kind, to=email,
                         language=language or subject.language, context=context,
                         subject_id=subject.id)


def build_email(runtime: Runtime, message: OutboxMessage, envelope: dict[str, Any]) -> EmailMessage:
    sender = sender_address(runtime)
    email = EmailMessage()
    email["From"] = formataddr((runtime.policy.organization.legal_name, sender))
    email["To"] = envelope["to"]
    email["Subject"] = envelope["subject"]
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<{message.uid}@{sender.rpartition('@')[2]}>"
    if not message.marketing:
        email["Auto-Submitted"] = "auto-generated"
    for name, value in envelope.get("headers", {}).items():
        email[name] = value
    email.set_content(envelope["text"])
    return email


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled


def _still_allowed(session: CharterSession, runtime: Runtime, message: OutboxMessage) -> str | None:
    """Marketing is checked again at the moment of sending; returns why not, if not."""
    if not message.marketing or not message.purpose:
        return None
    subject = (subject_by_id(session, runtime.organization_id, message.subject_id)
               if message.subject_id else None)
    if subject is None:
        return "erased"
    if runtime.policy.purpose(message.purpose) is None:
        return "purpose no longer declared"
    decision = decide(session, runtime, subject, message.purpose, "email")
    return None if decision.allowed else decision.reason


def _prepare(runtime: Runtime, message_id: int, claim: str,
             report: DeliveryReport) -> EmailMessage | None:
    """Renew the claim and commit it before sending, so no other worker takes the message
    over while it is on its way; cancel marketing that is no longer allowed."""
    with runtime.transaction() as session:
        org = runtime.organization_id
        if not repository.renew_claim(session, org, message_id, claim, utcnow()):
            return None  # taken over after a timeout: the other worker owns it now
        message = repository.claimed(session, org, message_id, claim)
        assert message is not None
        refused = _still_allowed(session, runtime, message)
        if refused:
            message.status, message.last_error = "cancelled", f"not sent: {refused}"
            message.claim, message.claimed_at = None, None
            report.cancelled += 1
            return None
        return build_email(runtime, message, runtime.cipher.unseal(message))


def _record(runtime: Runtime, message_id: int, claim: str, report: DeliveryReport,
            failure: DeliveryFailed | None) -> None:
    with runtime.transaction() as session:
        message = repository.claimed(session, runtime.organization_id, message_id, claim)
        if message is None:
            return
        message.claim, message.claimed_at = None, None
        if failure is None:
            message.status, message.sent_at, message.last_error = "sent", utcnow(), None
            if message.forget_after_sending:
                runtime.cipher.seal(message, {})
                message.purged_at = utcnow()
            report.sent += 1
            return
        message.last_error = str(failure)
        report.errors.append(str(failure))
        if failure.server:  # the server's fault, not the message's: no attempt spent
            message.status = "queued"
            message.next_attempt_at = utcnow() + backoff(1)
            report.retried += 1
            return
        message.attempts += 1
        if failure.permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            report.failed += 1
            record_event(session, runtime.organization_id, actor="system", action="mail.failed",
                         details={"message": message.uid, "error": str(failure)})
        else:
            message.status = "queued"
            message.next_attempt_at = utcnow() + backoff(message.attempts)
            report.retried += 1


def _deliver_one(runtime: Runtime, transport: MailTransport, message_id: int, claim: str,
                 report: DeliveryReport) -> bool:
    """Send one message; False when the server itself failed (the batch stops there)."""
    try:
        email = _prepare(runtime, message_id, claim, report)
        if email is None:
            return True
        try:
            transport.send(email)
        except DeliveryFailed as exc:
            _record(runtime, message_id, claim, report, exc)
            return not exc.server
        _record(runtime, message_id, claim, report, None)
    except Exception as exc:  # one broken message must never hold up the others
        log.warning("mail: message %d could not be handled (%s)", message_id,
                    type(exc).__name__)
        _record(runtime, message_id, claim, report,
                DeliveryFailed(f"not sent: {type(exc).__name__}", permanent=False))
    return True


def _release(runtime: Runtime, message_ids: list[int], claim: str) -> None:
    """Give back what this batch claimed but did not try: queued again, no attempt spent."""
    with runtime.transaction() as session:
        for message_id in message_ids:
            message = repository.claimed(session, runtime.organization_id, message_id, claim)
            if message is not None:
                message.status, message.claim, message.claimed_at = "queued", None, None


def deliver_due(
    runtime: Runtime, transport: MailTransport, *, limit: int = 50, now: datetime | None = None
) -> DeliveryReport:
    """Send what is due: claim a batch, send each message, record each outcome."""
    claim = secrets.token_hex(16)
    moment = now or utcnow()
    with runtime.transaction() as session:
        claimed = repository.claim_due(session, runtime.organization_id, claim=claim, now=moment,
                                       stale_before=moment - CLAIM_TIMEOUT, limit=limit)
    report = DeliveryReport()
    try:
        for position, message_id in enumerate(claimed):
            if not _deliver_one(runtime, transport, message_id, claim, report):
                log.warning("mail: the SMTP server failed (%s); the batch waits",
                            report.errors[-1])
                _release(runtime, claimed[position + 1:], claim)
                break
    finally:
        transport.close()
    if report.handled:
        log.info("mail: %d sent, %d to retry, %d failed, %d cancelled", report.sent,
                 report.retried, report.failed, report.cancelled)
    return report
