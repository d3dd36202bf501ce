"""Publishing a version of the notice. A version is immutable: the policy text and the notice
in every language and format are stored as published, readable forever at their own URL. A
material change is told to each person it concerns, in their language, with a link to object,
withdraw their consent, unsubscribe or ask for erasure before it applies; when the window
closes, silence counts as the policy says."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..audit import record_event
from ..consent.service import object_to_direct_marketing, record_consent, withdraw_all
from ..dates import local_date
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..i18n import N_, gettext_for
from ..mail.links import lasting_link, resolve
from ..mail.service import mail_subject
from ..models import ChangeNotice, PolicyVersion, Subject, utcnow
from ..policy import Policy, parse_policy
from ..policy.diff import PolicyChange, diff_policies
from ..policy.notice import build_notice
from ..policy.notice_render import RENDERERS
from ..rights.intake import open_request
from ..runtime import Runtime
from ..subjects import contact_of
from ..subjects.repository import subject_by_id
from ..wording import retention_words
from . import repository

CHANGE_WORDS = {
    "purpose_added": N_("a new purpose: %(item)s"),
    "purpose_widened": N_("more data used for %(item)s: %(after)s"),
    "basis_changed": N_("a new legal basis for %(item)s"),
    "retention_longer": N_("%(item)s: data kept longer (%(after)s)"),
    "category_added": N_("a new kind of data: %(item)s"),
    "recipient_added": N_("a new recipient: %(item)s"),
    "recipient_widened": N_("%(item)s receives more data: %(after)s"),
    "transfer_added": N_("data sent outside the European Economic Area, to %(item)s (%(after)s)"),
}


def version_label(number: int | None, language: str) -> str:
    _ = gettext_for(language)
    return str(_("Version %(n)s") % {"n": number} if number else _("Not yet published"))


def render_notices(policy: Policy, number: int | None, effective: str | None, *,
                   base_url: str | None = None) -> dict[str, dict[str, str]]:
    """The notice of a policy in each of its languages and each format."""
    notices: dict[str, dict[str, str]] = {}
    for language in policy.languages.all:
        center = f"{base_url}/requests/new?lang={language}" if base_url else None
        document = build_notice(policy, language, version=version_label(number, language),
                                effective=effective, privacy_center=center)
        notices[language] = {fmt: render(document) for fmt, render in RENDERERS.items()}
    return notices


def describe(change: PolicyChange, policy: Policy, language: str) -> str:
    """A change in words, for the people it concerns."""
    _ = gettext_for(language)
    default = policy.languages.default
    purpose = policy.purpose(change.item)
    category = policy.category(change.item)
    recipient = next((r for r in policy.recipients if r.id == change.item), None)
    item = (purpose.label.get(language, default) if purpose else
            category.label.get(language, default) if category else
            recipient.name if recipient else change.item)
    after = change.after or ""
    if change.kind == "retention_longer" and purpose and purpose.retention:
        rule = policy.retention_rule(purpose.retention)
        after = retention_words(rule.duration, rule.trigger, language) if rule else after
    elif change.kind in ("purpose_widened", "recipient_widened"):
        labels = [policy.category(c) for c in change.categories]
        after = ", ".join(c.label.get(language, default) for c in labels if c) or after
    return str(_(CHANGE_WORDS[change.kind]) % {"item": item, "after": after})


@dataclass(frozen=True)
class Published:
    version: PolicyVersion
    changes: list[PolicyChange]
    notified: int


def published_policy(version: PolicyVersion) -> Policy:
    return parse_policy(version.source, f"version {version.number}").policy


def publish(session: CharterSession, runtime: Runtime, *, actor: str,
            effective_on: date | None = None,
            on_notice: Callable[[int, int], None] | None = None) -> Published:
    """Store the current policy as the next version; tell the people a material change
    concerns. ``on_notice(done, total)`` reports progress."""
    org = runtime.organization_id
    source = runtime.loaded.source
    content_hash = hashlib.sha256(source.encode()).hexdigest()
    previous = repository.latest(session, org)
    if previous is not None and previous.content_hash == content_hash:
        raise Conflict(f"this policy is already published as version {previous.number}")
    today = local_date(utcnow(), runtime.policy.organization.country)
    effective = effective_on or today
    if effective < today:
        raise InvalidInput("effective date: not in the past")
    changes = diff_policies(published_policy(previous), runtime.policy) if previous else []
    material = [c for c in changes if c.material]
    window = runtime.policy.changes.notice_window_days
    number = previous.number + 1 if previous else 1
    version = PolicyVersion(
        organization_id=org, number=number, content_hash=content_hash, source=source,
        notices=json.dumps(render_notices(runtime.policy, number, effective.isoformat(),
                                          base_url=runtime.settings.public_url),
                           ensure_ascii=False),
        changes=json.dumps([vars(c) for c in changes]), material=bool(material),
        effective_on=effective,
        window_ends_on=effective + timedelta(days=window) if material and window else None,
        published_by=actor)
    session.add(version)
    session.flush()
    notified = _notify(session, runtime, version, material, on_notice) if material else 0
    record_event(session, org, actor=actor, action="policy.published",
                 target=f"policy:{number}", details={"material": bool(material),
                                                     "changes": len(changes),
                                                     "notified": notified})
    return Published(version, changes, notified)


def _concerned_by(changes: list[PolicyChange]) -> tuple[list[str], list[str]]:
    return (sorted({c for ch in changes for c in ch.categories}),
            sorted({p for ch in changes for p in ch.purposes}))


def _notify(session: CharterSession, runtime: Runtime, version: PolicyVersion,
            changes: list[PolicyChange], on_notice: Callable[[int, int], None] | None) -> int:
    categories, purposes = _concerned_by(changes)
    people = repository.concerned(session, runtime.organization_id, categories, purposes)
    base = runtime.settings.public_url
    ends = version.window_ends_on or version.effective_on
    count = 0
    for n, subject_id in enumerate(people, 1):
        subject = subject_by_id(session, runtime.organization_id, subject_id)
        if subject is None or subject.restricted_at is not None:
            continue  # a restricted person gets no mail (Art. 18)
        token = lasting_link(session, runtime, "respond", subject, f"v{version.number}")
        language = subject.language
        sent = mail_subject(
            session, runtime, subject, "policy_change",
            changes=[describe(c, runtime.policy, language) for c in changes],
            notice_url=f"{base}/privacy/versions/{version.number}?lang={language}",
            respond_url=f"{base}/privacy/respond/{token}", window_ends_at=ends,
            silence_means=runtime.policy.changes.silence_means)
        if sent is not None:
            session.add(ChangeNotice(organization_id=runtime.organization_id,
                                     version_id=version.id, subject_id=subject.id))
            count += 1
        if on_notice:
            on_notice(n, len(people))
    return count


ANSWERS = ("accepted", "objected", "withdrew", "unsubscribed", "erasure")


def respondent(session: CharterSession, runtime: Runtime, token: str
               ) -> tuple[Subject, PolicyVersion, ChangeNotice] | None:
    """Who answers through a notice link, about which version, while its window is open."""
    link = resolve(session, runtime, token, "respond")
    subject = subject_by_id(session, runtime.organization_id, link.subject_id if link else None)
    label = link.purpose if link else None
    if subject is None or label is None or not label.startswith("v"):
        return None
    version = repository.by_number(session, runtime.organization_id, int(label[1:]))
    notice = repository.notice_for(session, runtime.organization_id, version.id,
                                   subject.id) if version else None
    if version is None or notice is None or version.window_closed_at is not None:
        return None
    return subject, version, notice


def answer(session: CharterSession, runtime: Runtime, token: str, choice: str, *,
           evidence: dict[str, Any]) -> str | None:
    """Record a person's answer to a change notice and act on it at once."""
    if choice not in ANSWERS:
        raise InvalidInput(f"answer: one of {', '.join(ANSWERS)}")
    found = respondent(session, runtime, token)
    if found is None:
        return None
    subject, version, notice = found
    changes = [PolicyChange(**c) for c in json.loads(version.changes) if c["material"]]
    if choice == "objected":
        _object_to(session, runtime, subject, changes, actor="subject", evidence=evidence,
                   version=version.number)
    elif choice == "withdrew":
        withdraw_all(session, runtime, subject, method="preferences_page", actor="subject")
    elif choice == "unsubscribed":
        object_to_direct_marketing(session, runtime, subject, actor="subject")
    elif choice == "erasure":
        email = contact_of(session, runtime, subject).get("email")
        if email:  # the link came to this address: it is already confirmed
            open_request(session, runtime, kind="erasure", email=email, channel="web_form",
                         language=subject.language, verified_by="change-notice-link",
                         details=f"Asked in answer to version {version.number} of the "
                                 "privacy notice.", actor="subject")
    notice.answer, notice.answered_at = choice, utcnow()
    record_event(session, runtime.organization_id, actor="subject", action="notice.answered",
                 target=f"subject:{subject.id}", details={"version": version.number,
                                                          "answer": choice})
    return choice


def _object_to(session: CharterSession, runtime: Runtime, subject: Subject,
               changes: list[PolicyChange], *, actor: str, version: int,
               evidence: dict[str, Any] | None = None) -> None:
    """An objection to the change: the purposes it added or widened stop for this person;
    the browser's evidence, when they answered through the link, is sealed with it."""
    for purpose in sorted({p for c in changes for p in c.purposes}):
        if runtime.policy.purpose(purpose) is not None:
            record_consent(session, runtime, subject, purpose=purpose, channel="all",
                           action="object", method="request", actor=actor, evidence=evidence,
                           policy_version=str(version))


def close_windows(session: CharterSession, runtime: Runtime, *, today: date | None = None
                  ) -> int:
    """When a window closes, silence counts as the policy says; each outcome is recorded."""
    day = today or local_date(utcnow(), runtime.policy.organization.country)
    silence = runtime.policy.changes.silence_means
    closed = 0
    for version in repository.windows_to_close(session, runtime.organization_id, day):
        changes = [PolicyChange(**c) for c in json.loads(version.changes) if c["material"]]
        outcomes: dict[str, int] = {}
        for notice in repository.notices_of(session, runtime.organization_id, version.id):
            outcome = notice.answer or ("accepted" if silence == "acceptance" else "objected")
            if notice.answer is None and outcome == "objected":
                subject = subject_by_id(session, runtime.organization_id, notice.subject_id)
                if subject is not None:
                    _object_to(session, runtime, subject, changes, actor="system",
                               version=version.number)
            notice.outcome = outcome
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        version.window_closed_at = utcnow()
        record_event(session, runtime.organization_id, actor="system",
                     action="policy.window_closed", target=f"policy:{version.number}",
                     details={"outcomes": outcomes, "silence_means": silence})
        closed += 1
    return closed

