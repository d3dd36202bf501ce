"""Art. 8: a child under the policy's age gives data only with a parent's (or, where the
policy allows, the school's) consent. Until then what the child sent is held, restricted;
a link goes to the parent; without an answer in the policy's window, it is erased.

The hold covers what the submission brought and nothing else: typing someone else's address
into a children's form must not restrict, erase or consent for that person. Only a person
the form created is restricted, or erased, as a whole."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..audit import record_event
from ..consent.service import record_consent
from ..db import CharterSession
from ..mail.links import one_time_link, resolve, use
from ..mail.service import queue_message
from ..models import ParentalConsent, Subject, utcnow
from ..newsletter.service import ask_consent
from ..policy.processing import CollectionPoint
from ..runtime import Runtime
from ..subjects.removal import remove_subject
from ..subjects.repository import records_of, subject_by_id
from . import repository


def hold_for_parent(
    session: CharterSession,
    runtime: Runtime,
    subject: Subject,
    point: CollectionPoint,
    *,
    parent_email: str,
    confirmer: str,
    consents: list[tuple[str, str, str]],
    new_subject: bool,
) -> ParentalConsent:
    """Hold what this submission brought; one open hold per child and form (a second
    sign-up joins it rather than sending the parent another link)."""
    minors = runtime.policy.minors
    assert minors is not None
    now = utcnow()
    for record in records_of(session, runtime.organization_id, subject.id):
        if record.source == point.id:
            record.restricted = True
    if new_subject:
        subject.restricted_at = subject.restricted_at or now
    held = repository.open_hold(session, runtime.organization_id, subject.id, point.id)
    if held is not None:
        known = runtime.cipher.unseal(held)
        merged = {tuple(c) for c in known["consents"]} | set(consents)
        runtime.cipher.seal(held, {**known, "consents": sorted(merged)})
        return held
    deadline = now + timedelta(days=minors.confirmation_window_days)
    held = ParentalConsent(organization_id=runtime.organization_id, subject_id=subject.id,
                           source=point.id, status="pending", confirmer=confirmer,
                           deadline=deadline)
    runtime.cipher.seal(held, {"parent_email": parent_email, "consents": sorted(consents),
                               "whole_subject": new_subject,
                               "policy_version": runtime.policy_version})
    session.add(held)
    token = one_time_link(session, runtime, "parent", subject.id, purpose=point.id,
                          expires_at=deadline)
    default = runtime.policy.languages.default
    queue_message(session, runtime, kind="parental_consent", to=parent_email,
                  language=subject.language, subject_id=subject.id, context={
                      "minimum_age": minors.minimum_age,
                      "form_label": point.label.get(subject.language, default),
                      "confirm_url": f"{runtime.settings.public_url}/parental/{token}",
                      "deadline": deadline})
    record_event(session, runtime.organization_id, actor="subject", action="minor.held",
                 target=f"subject:{subject.id}", details={"source": point.id,
                                                          "confirmer": confirmer})
    return held


def _hold_for_link(session: CharterSession, runtime: Runtime, token: str
                   ) -> tuple[Any, Subject, ParentalConsent] | None:
    link = resolve(session, runtime, token, "parent")
    subject = subject_by_id(session, runtime.organization_id, link.subject_id if link else None)
    if link is None or subject is None or link.purpose is None:
        return None
    held = repository.open_hold(session, runtime.organization_id, subject.id, link.purpose)
    return (link, subject, held) if held is not None else None


def waiting_for(session: CharterSession, runtime: Runtime, token: str) -> Subject | None:
    """The child a parent's link is about, while the link is valid."""
    found = _hold_for_link(session, runtime, token)
    return found[1] if found else None


def confirm_parental_consent(
    session: CharterSession, runtime: Runtime, token: str, *, evidence: dict[str, Any]
) -> bool:
    """The parent agrees: what the child sent is released, and the boxes the child ticked
    count — an e-mail newsletter still through its confirmation link, where the policy asks
    for double opt-in, since the child's address was never confirmed."""
    found = _hold_for_link(session, runtime, token)
    if found is None or not use(session, runtime, found[0]):
        return False
    _link, subject, held = found
    details = runtime.cipher.unseal(held)
    held.status, held.decided_at = "confirmed", utcnow()
    for record in records_of(session, runtime.organization_id, subject.id):
        if record.source == held.source:
            record.restricted = False
    if details["whole_subject"]:
        subject.restricted_at = None
    proof = {**evidence, "confirmed_by": held.confirmer}
    shown_under = details.get("policy_version")  # the version the child's boxes showed
    for purpose, channel, text in details["consents"]:
        if channel == "email":
            ask_consent(session, runtime, subject, purpose=purpose, language=subject.language,
                        text=text, evidence=proof, source=held.source, method="parental",
                        policy_version=shown_under)
        else:
            record_consent(session, runtime, subject, purpose=purpose, channel=channel,
                           action="grant", method="parental", actor=held.confirmer,
                           text=text, source=held.source, evidence=proof,
                           policy_version=shown_under)
    record_event(session, runtime.organization_id, actor=held.confirmer,
                 action="minor.confirmed", target=f"subject:{subject.id}")
    return True


def erase_unconfirmed_minors(
    session: CharterSession, runtime: Runtime, *, now: datetime | None = None
) -> int:
    """Erase what children sent when no parent answered in time; each erasure audited."""
    erased = 0
    for held in repository.expired_holds(session, runtime.organization_id, now or utcnow()):
        subject = subject_by_id(session, runtime.organization_id, held.subject_id)
        details = runtime.cipher.unseal(held)
        held.status, held.decided_at = "expired", utcnow()
        if subject is not None and details["whole_subject"]:
            remove_subject(session, runtime, subject)
        elif subject is not None:
            for record in records_of(session, runtime.organization_id, subject.id):
                if record.source == held.source and record.restricted:
                    session.delete(record)
            for purpose, channel, _text in details["consents"]:
                record_consent(session, runtime, subject, purpose=purpose, channel=channel,
                               action="withdraw", method="parental", actor="system")
        record_event(session, runtime.organization_id, actor="system", action="minor.erased",
                     target=f"subject:{held.subject_id}", details={"source": held.source})
        erased += 1
    session.flush()
    return erased

