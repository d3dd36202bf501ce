"""The notice of a material change: sent only through the channels the policy declares, in
each person's language, to the people the change concerns and to no one else; from its link
a person withdraws their consent, unsubscribes or asks for erasure, and the answer is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.consent.repository import suppression_of
from charter.consent.service import decide, record_consent
from charter.models import AuditEvent, ChangeNotice, OutboxMessage, RightsRequest
from charter.policy import load_policy
from charter.policy.notice import build_notice
from charter.policy.notice_render import to_text
from charter.publication import repository
from charter.publication.answers import close_windows
from charter.runtime import Runtime
from charter.subjects.repository import subject_by_id
from charter.web.app import create_app

from ..conftest import POLICY
from ..smtp import Inbox, link_in, text_of
from .policies import NEW_ACCOUNTANT, NEW_PURPOSE, changes_section, publish_change, someone


def _changes_text(tmp_path: Path, channels: str) -> str:
    source = POLICY.read_text() + f"changes: {{notify_by: {channels}}}\n"
    path = tmp_path / "policy.yaml"
    path.write_text(source)
    text = to_text(build_notice(load_policy(path).policy, "en", version="v", effective=None))
    return " ".join(text.split("Changes to this notice", 1)[1].split())


def test_the_notice_names_the_channels_the_policy_declares(tmp_path: Path) -> None:
    assert "we tell you by e-mail and on this page at least 30 days before" in \
        _changes_text(tmp_path, "[email, notice_page]")
    page_only = _changes_text(tmp_path, "[notice_page]")
    assert "we announce it on this page at least 30 days before" in page_only
    assert "e-mail" not in page_only
    assert "we tell you by e-mail at least 30 days before" in _changes_text(tmp_path, "[email]")


def test_no_mail_when_the_policy_announces_changes_on_the_notice_page_only(
        mail_runtime: Runtime, inbox: Inbox, tmp_path: Path) -> None:
    someone(mail_runtime, "anna@example.org")
    changed, done = publish_change(mail_runtime, tmp_path, NEW_PURPOSE,
                                   changes_section(notify_by="[notice_page]"))
    assert done.version.material and done.notified == 0
    with changed.transaction() as session:
        org = changed.organization_id
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.organization_id == org)) == 0
        assert repository.notices_of(session, org, done.version.id) == []
    assert inbox.messages == []
    notice = json.loads(done.version.notices)["en"]["txt"]
    assert "we announce it on this page at least 30 days before" in " ".join(notice.split())


def test_told_on_the_page_only_silence_as_objection_still_counts(
        mail_runtime: Runtime, inbox: Inbox, tmp_path: Path) -> None:
    """Nobody got a link to answer with: when the window closes, the change is not applied
    to the people it concerned, as the notice promised."""
    anna = someone(mail_runtime, "anna@example.org")
    changed, done = publish_change(mail_runtime, tmp_path, NEW_PURPOSE, changes_section(
        notify_by="[notice_page]", silence_means="objection"))
    with changed.transaction() as session:
        assert close_windows(session, changed, today=done.version.window_ends_on) == 1
        subject = subject_by_id(session, changed.organization_id, anna)
        assert subject is not None
        assert decide(session, changed, subject, "course_recommendations", "email").reason == \
            "objected"


def test_each_person_concerned_is_told_in_their_language_and_no_one_else(
        mail_runtime: Runtime, inbox: Inbox, tmp_path: Path) -> None:
    """A new recipient of billing details concerns the people whose billing details we hold."""
    someone(mail_runtime, "claire@example.org", language="fr", billing=True)
    someone(mail_runtime, "daan@example.org", language="nl", billing=True)
    someone(mail_runtime, "erik@example.org")  # contact details only
    _changed, done = publish_change(mail_runtime, tmp_path, *NEW_ACCOUNTANT)
    assert done.notified == 2
    [claire] = inbox.to("claire@example.org")
    assert claire["Subject"] == "Notre politique de confidentialité change"
    assert "un nouveau destinataire\N{NO-BREAK SPACE}: Fiduciaire Dupont SRL" in text_of(claire)
    assert "/privacy/versions/2?lang=fr" in text_of(claire)
    [daan] = inbox.to("daan@example.org")
    assert daan["Subject"] == "Onze privacyverklaring wijzigt"
    assert "een nieuwe ontvanger: Fiduciaire Dupont SRL" in text_of(daan)
    assert inbox.to("erik@example.org") == []


@pytest.mark.parametrize("choice", ["withdrew", "unsubscribed", "erasure"])
def test_an_answer_from_the_link_acts_and_is_recorded(
        mail_runtime: Runtime, inbox: Inbox, tmp_path: Path, choice: str) -> None:
    anna = someone(mail_runtime, "anna@example.org")
    with mail_runtime.transaction() as session:
        subject = subject_by_id(session, mail_runtime.organization_id, anna)
        assert subject is not None
        record_consent(session, mail_runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="online_checkbox", actor="test",
                       text="Send me the newsletter about new courses.")
    changed, done = publish_change(mail_runtime, tmp_path, NEW_PURPOSE)
    [mail] = inbox.to("anna@example.org")
    path = link_in(mail, "/privacy/respond/").split(".be", 1)[1]
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        page = client.post(path, data={"answer": choice})
        assert page.status_code == 200 and "We have recorded your answer." in page.text
    with changed.transaction() as session:
        org = changed.organization_id
        subject = subject_by_id(session, org, anna)
        assert subject is not None
        newsletter = decide(session, changed, subject, "newsletter", "email")
        if choice == "withdrew":
            assert newsletter.reason == "withdrawn"
        elif choice == "unsubscribed":
            assert suppression_of(session, org, subject.email_index or "") is not None
            assert not newsletter.allowed
        else:
            [erasure] = session.scalars(select(RightsRequest).where(
                RightsRequest.organization_id == org, RightsRequest.subject_id == anna))
            assert erasure.kind == "erasure" and erasure.verified_at is not None
            assert erasure.status == "in_progress"
        notice = session.scalars(select(ChangeNotice).where(
            ChangeNotice.organization_id == org, ChangeNotice.subject_id == anna)).one()
        assert notice.answer == choice and notice.answered_at is not None
        answered = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == org, AuditEvent.action == "notice.answered")).one()
        assert answered.target == f"subject:{anna}"
    assert done.version.number == 2
