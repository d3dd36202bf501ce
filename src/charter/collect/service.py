"""Storing a checked submission: the records (sealed, attached to the person by blind
index), the submission itself with the browser's signals, the consents ticked — or, for a
child under the policy's age, everything held until a parent confirms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..consent.service import SIGNAL_CHANNEL, record_consent
from ..db import CharterSession
from ..errors import InvalidInput, NotFound
from ..models import Submission
from ..newsletter.service import ask_consent
from ..policy import Policy
from ..policy.processing import CollectionPoint, Purpose
from ..runtime import Runtime
from ..subjects import RecordInput, store_subject_data
from ..subjects.repository import subject_by_email_index
from .fields import CheckedSubmission, consent_key
from .minors import hold_for_parent


@dataclass(frozen=True)
class Signals:
    """What the browser asked for: Global Privacy Control (`Sec-GPC: 1`, exactly "1") and
    Do Not Track (`DNT: 1`)."""

    gpc: bool = False
    dnt: bool = False

    @classmethod
    def from_headers(cls, headers: Any) -> Signals:
        return cls(gpc=headers.get("sec-gpc") == "1", dnt=headers.get("dnt") == "1")


@dataclass
class Outcome:
    subject_id: int
    status: str = "stored"
    """stored, or pending_parental_consent"""
    granted: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def collection_point(policy: Policy, point_id: str, kinds: tuple[str, ...]) -> CollectionPoint:
    point = policy.collection_point(point_id)
    if point is None or point.kind not in kinds:
        raise NotFound(f"no collection point {point_id!r} of kind {' or '.join(kinds)}")
    return point


def option_text(point: CollectionPoint, purpose: str, policy: Policy, language: str) -> str:
    for option in point.consent_options:
        if option.purpose == purpose:
            return option.text.get(language, policy.languages.default)
    raise InvalidInput(f"purpose {purpose!r} is not offered by {point.id!r}")


def signal_refusal(
    policy: Policy, purpose: Purpose, signals: Signals
) -> Literal["gpc", "dnt"] | None:
    """Which signal, if any, refuses this purpose for this submission."""
    if signals.gpc and policy.signals.honour_gpc and (
            purpose.sale_or_sharing or purpose.targeted_advertising):
        return "gpc"
    if signals.dnt and policy.signals.honour_dnt and (
            purpose.profiling or purpose.targeted_advertising):
        return "dnt"
    return None


def submit(
    session: CharterSession,
    runtime: Runtime,
    point: CollectionPoint,
    checked: CheckedSubmission,
    *,
    channel: str,
    language: str,
    signals: Signals,
    evidence: dict[str, Any],
    dates: dict[str, datetime | None] | None = None,
    actor: str = "subject",
) -> Outcome:
    """Store a checked submission with its signals and the boxes ticked."""
    policy = runtime.policy
    dates = dates or {}
    records = [RecordInput(category=category, fields=values, source=point.id,
                           collected_at=dates.get("collected_at"),
                           last_contact_at=dates.get("last_contact_at"),
                           contract_end_at=dates.get("contract_end_at"))
               for category, values in checked.by_category.items()]
    new_subject = subject_by_email_index(session, runtime.organization_id,
                                         runtime.blind_index.email(checked.email)) is None
    subject = store_subject_data(session, runtime, email=checked.email, phone=checked.phone,
                                 language=language, records=records, actor=actor)
    submission = Submission(organization_id=runtime.organization_id, uid=uuid.uuid4().hex,
                            subject_id=subject.id, source=point.id, channel=channel,
                            policy_version=runtime.policy_version, gpc=signals.gpc,
                            dnt=signals.dnt)
    received = dates.get("collected_at")
    if received is not None:
        submission.received_at = received
    runtime.cipher.seal(submission, evidence)
    session.add(submission)
    outcome = Outcome(subject_id=subject.id)
    proof = {**evidence, "submission": submission.uid}
    refused_purposes: dict[str, Literal["gpc", "dnt"]] = {}
    for purpose_id in dict.fromkeys([*point.purposes, *(o.purpose for o in
                                                         point.consent_options)]):
        purpose = policy.purpose(purpose_id)
        reason = signal_refusal(policy, purpose, signals) if purpose else None
        if reason:
            refused_purposes[purpose_id] = reason
            record_consent(session, runtime, subject, purpose=purpose_id,
                           channel=SIGNAL_CHANNEL, action=reason, method="browser_signal",
                           actor=actor, language=language, source=point.id, evidence=proof,
                           gpc=signals.gpc, dnt=signals.dnt)
    minor = checked.parent_email is not None
    held_consents: list[tuple[str, str, str]] = []
    for purpose_id, consent_channel in checked.consents:
        key = consent_key(purpose_id, consent_channel)
        if purpose_id in refused_purposes:
            outcome.refused[key] = refused_purposes[purpose_id]
            continue
        text = option_text(point, purpose_id, policy, language)
        if minor:
            record_consent(session, runtime, subject, purpose=purpose_id,
                           channel=consent_channel, action="pending", method="parental",
                           actor=actor, language=language, text=text, source=point.id,
                           evidence=proof, gpc=signals.gpc, dnt=signals.dnt)
            held_consents.append((purpose_id, consent_channel, text))
            outcome.pending.append(key)
        elif consent_channel == "email":
            status = ask_consent(session, runtime, subject, purpose=purpose_id,
                                 language=language, text=text, evidence=proof, source=point.id)
            (outcome.pending if status == "pending" else outcome.granted).append(key)
        else:
            record_consent(session, runtime, subject, purpose=purpose_id,
                           channel=consent_channel, action="grant",
                           method="online_checkbox", actor=actor, language=language,
                           text=text, source=point.id, evidence=proof, gpc=signals.gpc,
                           dnt=signals.dnt)
            outcome.granted.append(key)
    if minor:
        assert checked.parent_email is not None
        hold_for_parent(session, runtime, subject, point, parent_email=checked.parent_email,
                        confirmer=checked.confirmer, consents=held_consents,
                        new_subject=new_subject)
        outcome.status = "pending_parental_consent"
    session.flush()
    return outcome

