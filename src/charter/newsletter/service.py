"""Subscribing (double opt-in or a written agreement) and unsubscribing (a link, a one-click
POST, a mail to the unsubscribe address). Unsubscribing withdraws the consent and puts the
address on the suppression list at once."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from ..consent.repository import latest_pending, state_of
from ..consent.service import Method, consent_purpose, record_consent, suppress, withdraw_all
from ..db import CharterSession
from ..errors import InvalidInput
from ..mail import repository as outbox
from ..mail.links import lasting_link, one_time_link, resolve, spend_all, use
from ..mail.service import mail_subject, sender_address
from ..models import Subject, utcnow
from ..policy import Policy
from ..runtime import Runtime
from ..subjects import ensure_subject
from ..subjects.repository import subject_by_id

CONFIRMATION_VALID = timedelta(days=7)
CONFIRMATIONS_PER_DAY = 3
_TOKEN = re.compile(r"unsubscribe[ :_-]+([A-Za-z0-9_-]{32})", re.IGNORECASE)


def newsletter_purpose(runtime: Runtime) -> str:
    if runtime.policy.newsletter is None:
        raise InvalidInput("the policy declares no newsletter (key `newsletter`)")
    return runtime.policy.newsletter.purpose


def consent_text(policy: Policy, purpose_id: str, language: str) -> str:
    """The sentence shown next to the box: the policy's own, else one built from the label."""
    for point in policy.collection_points:
        for option in point.consent_options:
            if option.purpose == purpose_id and "email" in option.channels:
                return option.text.get(language, policy.languages.default)
    purpose = policy.purpose(purpose_id)
    assert purpose is not None
    return purpose.label.get(language, policy.languages.default)


def purpose_label(policy: Policy, purpose_id: str, language: str) -> str:
    purpose = policy.purpose(purpose_id)
    return purpose.label.get(language, policy.languages.default) if purpose else purpose_id


def request_subscription(
    session: CharterSession,
    runtime: Runtime,
    *,
    email: str,
    language: str,
    evidence: dict[str, Any],
) -> Subject:
    """Subscribe through the newsletter page or the API: double opt-in when the policy says
    so. The answer is the same whether or not the address was already subscribed."""
    purpose = newsletter_purpose(runtime)
    subject, _ = ensure_subject(session, runtime, email=email, language=language)
    ask_consent(session, runtime, subject, purpose=purpose, language=language,
                text=consent_text(runtime.policy, purpose, language), evidence=evidence)
    return subject


def needs_confirmation(runtime: Runtime, purpose: str, channel: str) -> bool:
    newsletter = runtime.policy.newsletter
    return (newsletter is not None and newsletter.double_opt_in
            and newsletter.purpose == purpose and channel == "email")


def ask_consent(
    session: CharterSession,
    runtime: Runtime,
    subject: Subject,
    *,
    purpose: str,
    language: str,
    text: str,
    evidence: dict[str, Any],
    source: str | None = None,
    method: Method = "online_checkbox",
    policy_version: str | None = None,
) -> str:
    """A box ticked for ``purpose`` by e-mail: granted at once, or — for the newsletter with
    double opt-in — pending until the link mailed to the address is used. Returns which."""
    state = state_of(session, runtime.organization_id, subject.id, purpose, "email")
    if state is not None and state.status == "granted":
        return "granted"  # a stranger typing this address must not undo a subscription
    if not needs_confirmation(runtime, purpose, "email"):
        record_consent(session, runtime, subject, purpose=purpose, channel="email",
                       action="grant", method=method, actor="subject", language=language,
                       text=text, evidence=evidence, source=source,
                       policy_version=policy_version)
        return "granted"
    record_consent(session, runtime, subject, purpose=purpose, channel="email",
                   action="pending", method="double_opt_in", actor="subject",
                   language=language, text=text, evidence=evidence, source=source,
                   policy_version=policy_version)
    recent = outbox.sent_since(session, runtime.organization_id, subject.id,
                               "newsletter_confirmation", utcnow() - timedelta(days=1))
    if recent >= CONFIRMATIONS_PER_DAY:  # no mail-bombing a stranger through our form
        return "pending"
    token = one_time_link(session, runtime, "confirm", subject.id, purpose=purpose,
                          expires_at=utcnow() + CONFIRMATION_VALID)
    mail_subject(session, runtime, subject, "newsletter_confirmation", language=language,
                 purpose_label=purpose_label(runtime.policy, purpose, language),
                 confirm_url=f"{runtime.settings.public_url}/newsletter/confirm/{token}")
    return "pending"


def confirm_subscription(
    session: CharterSession, runtime: Runtime, token: str, *, evidence: dict[str, Any]
) -> bool:
    """The second step of double opt-in. False when the link is unknown, used or expired."""
    link = resolve(session, runtime, token, "confirm")
    if link is None or link.purpose is None:
        return False
    subject = subject_by_id(session, runtime.organization_id, link.subject_id)
    if subject is None or not use(session, runtime, link):
        return False
    spend_all(session, runtime, "confirm", subject.id, link.purpose)  # older mails too
    # the grant proves the words the person agreed to: those of the box they ticked
    asked = latest_pending(session, runtime.organization_id, subject.id, link.purpose, "email")
    shown = runtime.cipher.unseal(asked) if asked is not None else {}
    record_consent(session, runtime, subject, purpose=link.purpose, channel="email",
                   action="grant", method="double_opt_in", actor="subject",
                   language=asked.language if asked is not None else None,
                   text=shown.get("text") or consent_text(runtime.policy, link.purpose,
                                                          subject.language),
                   source=asked.source if asked is not None else None,
                   policy_version=asked.policy_version if asked is not None else None,
                   evidence={**evidence, "confirmed_by": "link"})
    return True


def subscribe_manually(
    session: CharterSession,
    runtime: Runtime,
    *,
    email: str,
    language: str | None,
    method: Method,
    evidence: dict[str, Any],
    actor: str,
    purpose: str | None = None,
    obtained_at: datetime | None = None,
) -> Subject:
    """Staff record a subscription given on paper or by phone, with its evidence."""
    declared = runtime.policy.newsletter
    if declared is None or not declared.manual_with_written_agreement:
        raise InvalidInput("the policy does not take subscriptions on paper or by phone "
                           "(newsletter.manual_with_written_agreement)")
    if method not in ("written", "verbal"):
        raise InvalidInput("method: a manual subscription is 'written' or 'verbal'")
    if not evidence.get("note") and not evidence.get("document"):
        raise InvalidInput("evidence: give a note or the written agreement itself")
    purpose = purpose or newsletter_purpose(runtime)
    consent_purpose(runtime, purpose)
    subject, _ = ensure_subject(session, runtime, email=email, language=language)
    record_consent(session, runtime, subject, purpose=purpose, channel="email", action="grant",
                   method=method, actor=actor, evidence=evidence,
                   text=consent_text(runtime.policy, purpose, subject.language),
                   occurred_at=obtained_at)
    return subject


@dataclass(frozen=True)
class Unsubscribed:
    subject_id: int
    purpose: str
    withdrawn: int


def unsubscribe(
    session: CharterSession, runtime: Runtime, token: str, *, method: Method
) -> Unsubscribed | None:
    """Withdraw the consent the token stands for and suppress the address. Idempotent; None
    when the token is unknown (or the person was erased)."""
    link = resolve(session, runtime, token, "unsubscribe")
    if link is None or link.purpose is None:
        return None
    subject = subject_by_id(session, runtime.organization_id, link.subject_id)
    if subject is None:
        return None
    withdrawn = withdraw_all(session, runtime, subject, method=method, actor="subject",
                             purpose=link.purpose, channel="email")
    spend_all(session, runtime, "confirm", subject.id, link.purpose)  # no old link revives it
    if subject.email_index:
        suppress(session, runtime, subject.email_index, reason="unsubscribed", actor="subject")
    return Unsubscribed(subject.id, link.purpose, withdrawn)


def unsubscribe_links(session: CharterSession, runtime: Runtime, subject: Subject,
                      purpose: str) -> dict[str, str]:
    """URLs and headers every marketing mail carries (RFC 2369 and RFC 8058)."""
    token = lasting_link(session, runtime, "unsubscribe", subject, purpose)
    preferences = lasting_link(session, runtime, "preferences", subject)
    base = runtime.settings.public_url
    mailto = runtime.settings.unsubscribe_mailto or sender_address(runtime)
    return {
        "unsubscribe_url": f"{base}/u/{token}",
        "preferences_url": f"{base}/preferences/{preferences}",
        "List-Unsubscribe": f"<{base}/u/{token}>, <mailto:{mailto}?subject=unsubscribe%20{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def handle_inbound(session: CharterSession, runtime: Runtime, raw: bytes) -> Unsubscribed | None:
    """A mail sent to the unsubscribe address (the mailto of List-Unsubscribe)."""
    message = message_from_bytes(raw, policy=default_policy)
    texts = [str(message.get("Subject", ""))]
    if isinstance(message, EmailMessage):
        body = message.get_body(preferencelist=("plain",))
        # an unknown charset: the subject line is enough
        with contextlib.suppress(LookupError, ValueError):
            texts.append(body.get_content() if body is not None else "")
    for text in texts:
        found = _TOKEN.search(text)
        if found:
            return unsubscribe(session, runtime, found.group(1), method="unsubscribe_mail")
    return None
