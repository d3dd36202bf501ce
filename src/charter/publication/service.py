"""Publishing a version of the notice. A version is immutable: the policy text and the notice
in every language and format are stored as published, readable forever at their own URL. A
material change applies only once the objection window has run: it is told to each person it
concerns (by e-mail when the policy lists e-mail among its channels), in their language, with
a link to object, withdraw their consent, unsubscribe or ask for erasure before it applies.
What their answers — and their silence — do is in ``answers``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..i18n import N_, gettext_for
from ..mail.links import lasting_link
from ..mail.service import mail_subject
from ..models import ChangeNotice, PolicyVersion, utcnow
from ..policy import Policy, parse_policy
from ..policy.diff import PolicyChange, diff_policies
from ..policy.notice import build_notice
from ..policy.notice_render import RENDERERS
from ..runtime import Runtime
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


def effective_date(requested: date | None, *, today: date, material: bool, window: int,
                   previous: PolicyVersion | None) -> date:
    """When a new version applies. A material change applies once the objection window has
    run from today (the notice promises "at least N days before"): by default the day it
    ends, never earlier; a later day may be chosen. No version applies before the one it
    follows."""
    earliest = today + timedelta(days=window) if material else today
    if previous is not None:
        earliest = max(earliest, previous.effective_on)
    if requested is None:
        return earliest
    if requested < today:
        raise InvalidInput("effective date: not in the past")
    if material and requested < today + timedelta(days=window):
        raise InvalidInput(
            f"effective date: this version has a material change, so it applies at the "
            f"earliest on {today + timedelta(days=window)}, after the {window}-day objection "
            f"window (changes.notice_window_days)")
    if previous is not None and requested < previous.effective_on:
        raise InvalidInput(f"effective date: not before {previous.effective_on}, when version "
                           f"{previous.number} applies")
    return requested


PUBLISHER_LENGTH = 64


def publish(session: CharterSession, runtime: Runtime, *, actor: str,
            effective_on: date | None = None,
            on_notice: Callable[[int, int], None] | None = None) -> Published:
    """Store the current policy as the next version; tell the people a material change
    concerns. ``actor`` is who publishes (kept with the version); ``on_notice(done, total)``
    reports progress."""
    if not actor.strip() or len(actor) > PUBLISHER_LENGTH:
        raise InvalidInput(f"publisher: 1 to {PUBLISHER_LENGTH} characters")
    org = runtime.organization_id
    source = runtime.loaded.source
    content_hash = hashlib.sha256(source.encode()).hexdigest()
    previous = repository.latest(session, org)
    if previous is not None and previous.content_hash == content_hash:
        raise Conflict(f"this policy is already published as version {previous.number}")
    today = local_date(utcnow(), runtime.policy.organization.country)
    changes = diff_policies(published_policy(previous), runtime.policy) if previous else []
    material = [c for c in changes if c.material]
    window = runtime.policy.changes.notice_window_days
    effective = effective_date(effective_on, today=today, material=bool(material),
                               window=window, previous=previous)
    number = previous.number + 1 if previous else 1
    version = PolicyVersion(
        organization_id=org, number=number, content_hash=content_hash, source=source,
        notices=json.dumps(render_notices(runtime.policy, number, effective.isoformat(),
                                          base_url=runtime.settings.public_url),
                           ensure_ascii=False),
        changes=json.dumps([vars(c) for c in changes]), material=bool(material),
        effective_on=effective,
        # people may answer until the change applies to them
        window_ends_on=effective if material and window else None,
        published_by=actor)
    session.add(version)
    session.flush()
    channels = runtime.policy.changes.notify_by
    notified = _notify(session, runtime, version, material, on_notice) \
        if material and "email" in channels else 0
    record_event(session, org, actor=actor, action="policy.published",
                 target=f"policy:{number}", details={"material": bool(material),
                                                     "changes": len(changes),
                                                     "effective_on": effective.isoformat(),
                                                     "channels": list(channels),
                                                     "notified": notified})
    return Published(version, changes, notified)


def concerned_by(changes: list[PolicyChange]) -> tuple[list[str], list[str]]:
    """The categories and purposes a change touches: who holds data there is concerned."""
    return (sorted({c for ch in changes for c in ch.categories}),
            sorted({p for ch in changes for p in ch.purposes}))


def _notify(session: CharterSession, runtime: Runtime, version: PolicyVersion,
            changes: list[PolicyChange], on_notice: Callable[[int, int], None] | None) -> int:
    categories, purposes = concerned_by(changes)
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


def running_ahead(session: CharterSession, runtime: Runtime) -> PolicyVersion | None:
    """The published version the server runs when it does not apply yet: consent checks,
    campaigns and retention already follow it, while the notice still promises the one in
    force (docs/notice.md, Limits). None when the server runs what is in force."""
    source = hashlib.sha256(runtime.loaded.source.encode()).hexdigest()
    today = local_date(utcnow(), runtime.policy.organization.country)
    return next((v for v in repository.upcoming(session, runtime.organization_id, today)
                 if v.content_hash == source), None)
