"""Consent: every grant and withdrawal is an event with its proof (append-only); the current
state per subject, purpose and channel answers "may we?" in one indexed lookup."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy.exc import IntegrityError

from ..audit import record_event
from ..db import CharterSession
from ..errors import InvalidInput
from ..models import ConsentEvent, ConsentState, Objection, Subject, Suppression, utcnow
from ..policy import Policy
from ..policy.processing import Channel
from ..retention.triggers import reschedule_subject
from ..runtime import Runtime
from . import repository

Action = Literal["grant", "withdraw", "pending", "gpc", "dnt", "object"]
"""gpc / dnt: refused by a browser signal (Global Privacy Control, Do Not Track);
object: an upheld objection (Art. 21), whatever the channel."""
WHOLE_PURPOSE_ACTIONS = ("gpc", "dnt", "object")
Method = Literal[
    "online_checkbox",
    "double_opt_in",
    "written",
    "verbal",
    "implied_by_terms",
    "preferences_page",
    "unsubscribe_link",
    "unsubscribe_mail",
    "api",
    "request",
    "import",
    "parental",
    "browser_signal",
]
METHODS: tuple[str, ...] = get_args(Method)
CHANNELS: tuple[str, ...] = get_args(Channel)
SIGNAL_CHANNEL = "all"
"""Browser signals refuse a purpose whatever the channel."""
STATUS_OF: dict[str, str] = {"grant": "granted", "withdraw": "withdrawn", "pending": "pending",
                             "gpc": "gpc", "dnt": "dnt", "object": "objected"}
SuppressionReason = Literal["unsubscribed", "erased", "objected", "staff"]


@dataclass(frozen=True)
class Decision:
    """The answer to "may we use this person's data for this purpose on this channel?"."""

    allowed: bool
    reason: str
    """granted, not_consent_based, no_consent, withdrawn, pending, restricted, suppressed,
    objected, gpc, dnt, minor_pending"""


def consent_channels(policy: Policy) -> list[tuple[str, str]]:
    """Every (purpose, channel) a person can consent to under this policy."""
    pairs: dict[tuple[str, str], None] = {}
    for purpose in policy.purposes:
        if purpose.legal_basis != "consent":
            continue
        channels = [c for point in policy.collection_points for option in point.consent_options
                    if option.purpose == purpose.id for c in option.channels] or ["email"]
        for channel in channels:
            pairs[(purpose.id, channel)] = None
    return list(pairs)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def consent_purpose(runtime: Runtime, purpose_id: str) -> None:
    """Refuse a purpose that is not declared or does not rest on consent."""
    purpose = runtime.policy.purpose(purpose_id)
    if purpose is None:
        raise InvalidInput(f"purpose: {purpose_id!r} is not declared in the policy")
    if purpose.legal_basis != "consent":
        raise InvalidInput(
            f"purpose: {purpose_id!r} rests on {purpose.legal_basis}, not on consent"
        )


def record_consent(
    session: CharterSession,
    runtime: Runtime,
    subject: Subject,
    *,
    purpose: str,
    channel: str,
    action: Action,
    method: Method,
    actor: str,
    language: str | None = None,
    text: str | None = None,
    source: str | None = None,
    evidence: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    gpc: bool = False,
    dnt: bool = False,
    policy_version: str | None = None,
) -> ConsentEvent:
    """Append one event to the ledger and move the current state — unless the state already
    holds a later word (an old consent imported after a withdrawal does not revive it).
    A browser signal (gpc, dnt) may also refuse a purpose that does not rest on consent."""
    if action in WHOLE_PURPOSE_ACTIONS:
        if runtime.policy.purpose(purpose) is None:
            raise InvalidInput(f"purpose: {purpose!r} is not declared in the policy")
    else:
        consent_purpose(runtime, purpose)
    if channel not in CHANNELS and not (channel == SIGNAL_CHANNEL
                                        and action in WHOLE_PURPOSE_ACTIONS):
        raise InvalidInput(f"channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    if method not in METHODS:
        raise InvalidInput(f"method: {method!r} is not one of {', '.join(METHODS)}")
    org = runtime.organization_id
    when = occurred_at or utcnow()
    event = ConsentEvent(
        organization_id=org,
        receipt_id=str(uuid.uuid4()),
        subject_id=subject.id,
        purpose=purpose,
        channel=channel,
        action=action,
        method=method,
        occurred_at=when,
        policy_version=policy_version or runtime.policy_version,
        text_hash=text_hash(text) if text else None,
        language=language or subject.language,
        source=source,
        actor=actor,
        gpc=gpc,
        dnt=dnt,
    )
    runtime.cipher.seal(event, {"text": text, **(evidence or {})})
    session.add(event)
    session.flush()
    state = _locked_state(session, org, subject.id, purpose, channel, when, event.id)
    if state.since <= when:
        state.status, state.since, state.event_id = STATUS_OF[action], when, event.id
        session.flush()
        # what holds the person's data changed: a purpose began or ended
        reschedule_subject(session, runtime, subject.id)
    record_event(
        session,
        org,
        actor=actor,
        action=f"consent.{STATUS_OF[action]}",
        target=f"subject:{subject.id}",
        details={"purpose": purpose, "channel": channel, "method": method,
                 "receipt": event.receipt_id},
    )
    return event


def _locked_state(session: CharterSession, org: int, subject_id: int, purpose: str,
                  channel: str, when: datetime, event_id: int) -> ConsentState:
    """The current-state row, locked; created when missing (a concurrent first write makes
    ours fail on the unique key: then the other one's row is taken and locked)."""
    state = repository.state_of(session, org, subject_id, purpose, channel, for_update=True)
    if state is not None:
        return state
    try:
        with session.begin_nested():
            state = ConsentState(organization_id=org, subject_id=subject_id, purpose=purpose,
                                 channel=channel, status="pending", since=when,
                                 event_id=event_id)
            session.add(state)
        return state
    except IntegrityError:
        found = repository.state_of(session, org, subject_id, purpose, channel, for_update=True)
        assert found is not None
        return found


def withdraw_all(
    session: CharterSession,
    runtime: Runtime,
    subject: Subject,
    *,
    method: Method,
    actor: str,
    purpose: str | None = None,
    channel: str | None = None,
) -> int:
    """Withdraw every consent given or pending (optionally for one purpose or channel)."""
    withdrawn = 0
    for state in repository.states_of(session, runtime.organization_id, subject.id):
        if state.status not in ("granted", "pending") or (purpose and state.purpose != purpose):
            continue
        if channel and state.channel != channel:
            continue
        record_consent(session, runtime, subject, purpose=state.purpose, channel=state.channel,
                       action="withdraw", method=method, actor=actor)
        withdrawn += 1
    return withdrawn


def suppress(
    session: CharterSession, runtime: Runtime, email_index: str, *, reason: SuppressionReason,
    actor: str
) -> None:
    """Put an e-mail (by blind index) on the suppression list; a later consent lifts it."""
    org = runtime.organization_id
    found = repository.suppression_of(session, org, email_index)
    if found is None:
        session.add(Suppression(organization_id=org, email_index=email_index, reason=reason))
    else:
        found.created_at, found.reason = utcnow(), reason
    session.flush()
    record_event(session, org, actor=actor, action="suppression.added", details={"reason": reason})


def decide(
    session: CharterSession, runtime: Runtime, subject: Subject, purpose_id: str, channel: str
) -> Decision:
    """May we? One query reads the consent for this channel, what holds for the whole purpose
    (an objection, a browser signal) and the suppression list; restriction comes first."""
    purpose = runtime.policy.purpose(purpose_id)
    if purpose is None:
        raise InvalidInput(f"purpose: {purpose_id!r} is not declared in the policy")
    org = runtime.organization_id
    if subject.restricted_at is not None:
        waiting = repository.pending_parental(session, org, subject.id)
        return Decision(False, "minor_pending" if waiting else "restricted")
    facts = repository.decision_facts(session, org, subject, purpose_id, channel, SIGNAL_CHANNEL)
    own, whole = facts.states.get(channel), facts.states.get(SIGNAL_CHANNEL)
    if whole is not None and whole.status == "objected":
        return Decision(False, "objected")
    if purpose.marketing and facts.suppressed_at is not None and (
            own is None or own.status != "granted" or facts.suppressed_at >= own.since):
        return Decision(False, "suppressed")
    if whole is not None and whole.status in ("gpc", "dnt") and (
            own is None or own.since <= whole.since):
        return Decision(False, whole.status)  # a later consent given without the signal wins
    if purpose.legal_basis != "consent":
        return Decision(True, "not_consent_based")
    if own is None:
        return Decision(False, "no_consent")
    return Decision(own.status == "granted", own.status)


def object_to_direct_marketing(
    session: CharterSession, runtime: Runtime, subject: Subject, *, actor: str
) -> Objection:
    """Art. 21(2)-(3): absolute and immediate — every marketing purpose stops, and so does
    profiling (as far as it serves marketing: Charter cannot tell, so all of it); the
    address goes on the suppression list."""
    objection = Objection(organization_id=runtime.organization_id, subject_id=subject.id,
                          purpose=None, status="upheld", decided_at=utcnow(), decided_by=actor)
    session.add(objection)
    session.flush()
    for purpose in runtime.policy.purposes:
        if purpose.marketing or purpose.profiling:
            record_consent(session, runtime, subject, purpose=purpose.id,
                           channel=SIGNAL_CHANNEL, action="object", method="request",
                           actor=actor)
            if purpose.legal_basis == "consent":
                withdraw_all(session, runtime, subject, method="request", actor=actor,
                             purpose=purpose.id)
    if subject.email_index:
        suppress(session, runtime, subject.email_index, reason="objected", actor=actor)
    record_event(session, runtime.organization_id, actor=actor, action="objection.upheld",
                 target=f"subject:{subject.id}", details={"purpose": "direct_marketing"})
    return objection

