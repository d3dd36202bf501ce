"""An objection to a change stops it for the person who objects: each purpose the change
affects ends for them (consent withdrawn, or an upheld Art. 21 objection), except what the
law requires and a longer retention, which go to staff. When the window closes, silence
counts as the policy says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.consent.service import decide, record_consent
from charter.models import AuditEvent, ChangeNotice, Objection
from charter.publication import repository
from charter.publication.answers import close_windows
from charter.runtime import Runtime
from charter.subjects.repository import subject_by_id
from charter.web.app import create_app

from ..smtp import Inbox, link_in
from .policies import (
    LONGER_RETENTION,
    NEW_PURPOSE,
    NEW_RECIPIENT,
    changes_section,
    publish_change,
    someone,
)


def _subscribed(runtime: Runtime, email: str) -> int:
    subject_id = someone(runtime, email)
    with runtime.transaction() as session:
        subject = subject_by_id(session, runtime.organization_id, subject_id)
        assert subject is not None
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="online_checkbox", actor="test",
                       text="Send me the newsletter about new courses.")
    return subject_id


def _object_through_the_link(runtime: Runtime, inbox: Inbox, email: str) -> str:
    [mail] = inbox.to(email)
    path = link_in(mail, "/privacy/respond/").split(".be", 1)[1]
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        assert "I object to these changes" in client.get(path).text
        assert client.post(path, data={"answer": "objected"}).status_code == 200
        assert client.post(path, data={"answer": "nonsense"}).status_code == 422
    return path


def _reasons(runtime: Runtime, subject_id: int) -> dict[str, str]:
    with runtime.transaction() as session:
        subject = subject_by_id(session, runtime.organization_id, subject_id)
        assert subject is not None
        return {p.id: decide(session, runtime, subject, p.id, "email").reason
                for p in runtime.policy.purposes}


def _objections(runtime: Runtime, subject_id: int) -> set[tuple[str | None, str]]:
    with runtime.transaction() as session:
        return {(o.purpose, o.status) for o in session.scalars(select(Objection).where(
            Objection.organization_id == runtime.organization_id,
            Objection.subject_id == subject_id))}


def test_objecting_to_a_new_recipient_stops_the_purposes_it_serves(
        mail_runtime: Runtime, inbox: Inbox, tmp_path: Path) -> None:
    """The planner is named by the courses (a contract) and the newsletter (consent), and
    receives the contact details invoicing (a legal obligation) uses: the consent is
    withdrawn; the contract and the obligation, which Art. 21 does not reach, go to staff."""
    anna = _subscribed(mail_runtime, "anna@example.org")
    bram = _subscribed(mail_runtime, "bram@example.org")
    changed, done = publish_change(mail_runtime, tmp_path, *NEW_RECIPIENT)
    assert done.notified == 2
    _object_through_the_link(changed, inbox, "anna@example.org")
    assert _reasons(changed, anna) == {"courses": "not_consent_based", "newsletter": "withdrawn",
                                       "invoicing": "not_consent_based"}
    assert _objections(changed, anna) == {("courses", "pending"), ("invoicing", "pending")}
    with changed.transaction() as session:
        assert close_windows(session, changed, today=done.version.window_ends_on) == 1
        answers = {n.subject_id: (n.answer, n.outcome) for n in repository.notices_of(
            session, changed.organization_id, done.version.id)}
    assert answers == {anna: ("objected", "objected"), bram: (None, "accepted")}
    assert _reasons(changed, bram) == {"courses": "not_consent_based", "newsletter": "granted",
                                       "invoicing": "not_consent_based"}


def test_a_material_change_end_to_end(mail_runtime: Runtime, inbox: Inbox,
                                      tmp_path: Path) -> None:
    """A new purpose and a longer retention: the objection stops the new purpose; the longer
    retention goes to staff as a pending objection, the newsletter itself goes on."""
    anna = _subscribed(mail_runtime, "anna@example.org")
    someone(mail_runtime, "bram@example.org")
    changed, done = publish_change(mail_runtime, tmp_path, NEW_PURPOSE, LONGER_RETENTION)
    assert done.notified == 2
    [mail] = inbox.to("anna@example.org")
    assert mail["Subject"] == "Our privacy notice changes"
    path = _object_through_the_link(changed, inbox, "anna@example.org")
    reasons = _reasons(changed, anna)
    assert reasons["course_recommendations"] == "objected" and reasons["newsletter"] == "granted"
    assert _objections(changed, anna) == {("course_recommendations", "upheld"),
                                          ("newsletter", "pending")}
    with changed.transaction() as session:
        [review] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == changed.organization_id,
            AuditEvent.action == "objection.to_review"))
        assert json.loads(review.details) == {"purpose": "newsletter", "version": 2,
                                              "changes": ["retention_longer"]}
        version = repository.latest(session, changed.organization_id)
        assert version is not None and version.window_ends_on == version.effective_on
        assert close_windows(session, changed, today=version.window_ends_on) == 1
        outcomes = {n.subject_id: (n.answer, n.outcome) for n in session.scalars(
            select(ChangeNotice).where(ChangeNotice.organization_id == changed.organization_id))}
    assert sorted(outcomes.values(), key=str) == [("objected", "objected"), (None, "accepted")]
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        assert client.get(path).status_code == 404  # the window is closed


@pytest.mark.parametrize(("silence", "outcome", "reason"), [
    ("acceptance", "accepted", "not_consent_based"),
    ("objection", "objected", "objected"),
])
def test_silence_counts_as_the_policy_says(mail_runtime: Runtime, inbox: Inbox, tmp_path: Path,
                                           silence: str, outcome: str, reason: str) -> None:
    bram = someone(mail_runtime, "bram@example.org")
    changed, done = publish_change(mail_runtime, tmp_path, NEW_PURPOSE,
                                   changes_section(silence_means=silence))
    assert done.notified == 1
    with changed.transaction() as session:
        assert close_windows(session, changed, today=done.version.window_ends_on) == 1
        [notice] = repository.notices_of(session, changed.organization_id, done.version.id)
        assert (notice.answer, notice.outcome) == (None, outcome)
        [closed] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == changed.organization_id,
            AuditEvent.action == "policy.window_closed"))
        assert json.loads(closed.details) == {"outcomes": {outcome: 1},
                                              "silence_means": silence}
    assert _reasons(changed, bram)["course_recommendations"] == reason
