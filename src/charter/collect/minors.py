"""Art. 8: a child under the policy's age gives data only with a parent's (or, where the
policy allows, the school's) consent. Until then the data is held, restricted; a link goes to
the parent; without an answer in the policy's window, the data is erased."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..audit import record_event
from ..consent.repository import pending_parental, states_of
from ..consent.service import record_consent
from ..db import CharterSession
from ..mail.links import one_time_link, resolve, use
from ..mail.service import queue_message
from ..models import ParentalConsent, Subject, utcnow
from ..policy.processing import CollectionPoint
from ..runtime import Runtime
from ..subjects.removal import remove_subject
from ..subjects.repository import subject_by_id


def hold_for_parent(
    session: CharterSession,
    runtime: Runtime,
    subject: Subject,
    point: CollectionPoint,
    *,
    parent_email: str,
    confirmer: str,
) -> ParentalConsent:
    minors = runtime.policy.minors
    assert minors is not None
    now = utcnow()
    deadline = now + timedelta(days=minors.confirmation_window_days)
    subject.restricted_at = subject.restricted_at or now
    held = ParentalConsent(organization_id=runtime.organization_id, subject_id=subject.id,
                           source=point.id, status="pending", confirmer=confirmer,
                           deadline=deadline)
    runtime.cipher.seal(held, {"parent_email": parent_email})
    session.add(held)
    token = one_time_link(session, runtime, "parent", subject.id, expires_at=deadline)
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


def waiting_for(session: CharterSession, runtime: Runtime, token: str) -> Subject | None:
    """The child a parent's link is about, while the link is valid."""
    link = resolve(session, runtime, token, "parent")
    if link is None:
        return None
    subject = subject_by_id(session, runtime.organization_id, link.subject_id)
    if subject is None or pending_parental(session, runtime.organization_id, subject.id) is None:
        return None
    return subject


def confirm_parental_consent(
    session: CharterSession, runtime: Runtime, token: str, *, evidence: dict[str, Any]
) -> bool:
    """The parent agrees: the restriction is lifted and the consents the child ticked count."""
    subject = waiting_for(session, runtime, token)
    link = resolve(session, runtime, token, "parent")
    if subject is None or link is None or not use(session, runtime, link):
        return False
    held = pending_parental(session, runtime.organization_id, subject.id)
    assert held is not None
    held.status, held.decided_at = "confirmed", utcnow()
    subject.restricted_at = None
    for state in states_of(session, runtime.organization_id, subject.id):
        if state.status == "pending":
            record_consent(session, runtime, subject, purpose=state.purpose,
                           channel=state.channel, action="grant", method="parental",
                           actor=held.confirmer, evidence=evidence)
    record_event(session, runtime.organization_id, actor=held.confirmer,
                 action="minor.confirmed", target=f"subject:{subject.id}")
    return True


def erase_unconfirmed_minors(
    session: CharterSession, runtime: Runtime, *, now: datetime | None = None
) -> int:
    """Erase every child whose parent did not answer in time; each erasure is audited."""
    moment = now or utcnow()
    statement = select(ParentalConsent).where(
        ParentalConsent.organization_id == runtime.organization_id,
        ParentalConsent.status == "pending",
        ParentalConsent.deadline <= moment,
    )
    erased = 0
    for held in list(session.scalars(statement)):
        subject = subject_by_id(session, runtime.organization_id, held.subject_id)
        if subject is not None:
            remove_subject(session, runtime, subject)
        record_event(session, runtime.organization_id, actor="system", action="minor.erased",
                     target=f"subject:{held.subject_id}", details={"source": held.source})
        erased += 1
    session.flush()
    return erased
