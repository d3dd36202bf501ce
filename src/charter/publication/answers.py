"""What people answer to a change notice, and what their silence means when the window
closes. An objection acts on the purposes the change affects (each change names them): a
purpose resting on consent loses the person's consent; one resting on legitimate interests or
a public task stops for them as an upheld objection (Art. 21). Where Art. 21 gives no such
right — a contract with the person, a legal obligation, vital interests — and for a longer
retention, which Charter cannot yet keep shorter for one person, the objection is recorded
for staff to review."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..audit import record_event
from ..consent.service import object_to_direct_marketing, record_consent, withdraw_all
from ..dates import local_date
from ..db import CharterSession
from ..errors import InvalidInput
from ..mail.links import resolve
from ..models import ChangeNotice, Objection, PolicyVersion, Subject, utcnow
from ..policy.diff import PolicyChange
from ..rights.intake import open_request
from ..runtime import Runtime
from ..subjects import contact_of
from ..subjects.repository import subject_by_id
from . import repository
from .service import concerned_by, published_policy

ANSWERS = ("accepted", "objected", "withdrew", "unsubscribed", "erasure")
NOT_OBJECTABLE = ("contract", "legal_obligation", "vital_interests")
"""Legal bases an objection cannot set aside (Art. 21(1) covers only (e) and (f)): the
person's word goes to staff, who may end the contract or explain why the law keeps it."""


def material_changes(version: PolicyVersion) -> list[PolicyChange]:
    return [PolicyChange(**c) for c in json.loads(version.changes) if c["material"]]


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
    if choice == "objected":
        object_to_changes(session, runtime, subject, material_changes(version), actor="subject",
                          evidence=evidence, version=version.number)
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


def object_to_changes(session: CharterSession, runtime: Runtime, subject: Subject,
                      changes: list[PolicyChange], *, actor: str, version: int,
                      evidence: dict[str, Any] | None = None) -> None:
    """The changes are not applied to this person: each purpose they affect stops for them
    (consent withdrawn, or an upheld objection); a contract, what the law requires, or a
    longer retention, goes to staff as a pending objection. The browser's evidence, when they
    answered through the link, is sealed with the objection."""
    stopped: set[str] = set()
    to_review = {p for c in changes if c.kind == "retention_longer" for p in c.purposes}
    for purpose_id in sorted({p for c in changes if c.kind != "retention_longer"
                              for p in c.purposes}):
        purpose = runtime.policy.purpose(purpose_id)
        if purpose is None:  # removed from the policy since: nothing left to stop
            continue
        if purpose.legal_basis in NOT_OBJECTABLE:
            to_review.add(purpose_id)
            continue
        if purpose.legal_basis == "consent":
            withdraw_all(session, runtime, subject, method="request", actor=actor,
                         purpose=purpose_id)
        else:
            record_consent(session, runtime, subject, purpose=purpose_id, channel="all",
                           action="object", method="request", actor=actor,
                           evidence={**(evidence or {}), "objected_to_version": version})
            _objection(session, runtime, subject, purpose_id, status="upheld", actor=actor)
        stopped.add(purpose_id)
    for purpose_id in sorted(to_review - stopped):
        if runtime.policy.purpose(purpose_id) is None:
            continue
        _objection(session, runtime, subject, purpose_id, status="pending", actor=actor)
        record_event(session, runtime.organization_id, actor=actor,
                     action="objection.to_review", target=f"subject:{subject.id}",
                     details={"purpose": purpose_id, "version": version,
                              "changes": sorted({c.kind for c in changes
                                                 if purpose_id in c.purposes})})


def _objection(session: CharterSession, runtime: Runtime, subject: Subject, purpose: str, *,
               status: str, actor: str) -> None:
    """The Art. 21 record: upheld (the purpose stops for the person, campaigns leave them out)
    or pending (a staff decision is needed)."""
    decided = status == "upheld"
    session.add(Objection(organization_id=runtime.organization_id, subject_id=subject.id,
                          purpose=purpose, status=status,
                          decided_at=utcnow() if decided else None,
                          decided_by=actor if decided else None))
    session.flush()


def close_windows(session: CharterSession, runtime: Runtime, *, today: date | None = None
                  ) -> int:
    """When a window closes, silence counts as the version's policy said it would; each
    outcome is recorded."""
    day = today or local_date(utcnow(), runtime.policy.organization.country)
    closed = 0
    for version in repository.windows_to_close(session, runtime.organization_id, day):
        promised = published_policy(version).changes
        silence = promised.silence_means
        changes = material_changes(version)
        outcomes: dict[str, int] = {}
        for notice in repository.notices_of(session, runtime.organization_id, version.id):
            outcome = notice.answer or ("accepted" if silence == "acceptance" else "objected")
            if notice.answer is None and outcome == "objected":
                subject = subject_by_id(session, runtime.organization_id, notice.subject_id)
                if subject is not None:
                    object_to_changes(session, runtime, subject, changes, actor="system",
                                      version=version.number)
            notice.outcome = outcome
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if "email" not in promised.notify_by and silence == "objection":
            outcomes["objected"] = _unmailed_silence(session, runtime, version, changes)
        version.window_closed_at = utcnow()
        record_event(session, runtime.organization_id, actor="system",
                     action="policy.window_closed", target=f"policy:{version.number}",
                     details={"outcomes": outcomes, "silence_means": silence})
        closed += 1
    return closed


def _unmailed_silence(session: CharterSession, runtime: Runtime, version: PolicyVersion,
                      changes: list[PolicyChange]) -> int:
    """Announced on the notice page only: nobody was written to, so nobody could answer
    through a link. Silence meaning objection, the change is not applied to anyone it
    concerned when it was published."""
    categories, purposes = concerned_by(changes)
    people = repository.concerned(session, runtime.organization_id, categories, purposes,
                                  known_before=version.published_at)
    count = 0
    for subject_id in people:
        subject = subject_by_id(session, runtime.organization_id, subject_id)
        if subject is not None:
            object_to_changes(session, runtime, subject, changes, actor="system",
                              version=version.number)
            count += 1
    return count
