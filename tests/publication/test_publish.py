"""Publishing: immutable versions at their own address, the diff, and a material change
end to end — notices mailed, an objection from the link, the window closing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.cli import main
from charter.consent.service import decide
from charter.errors import Conflict
from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.models import ChangeNotice
from charter.publication import repository
from charter.publication.service import close_windows, publish
from charter.runtime import Runtime, open_runtime
from charter.subjects import find_subject
from charter.web.app import create_app

from ..factories import person
from ..smtp import Inbox, link_in, text_of

NEW_PURPOSE = """  - id: course_recommendations
    label:
      en: Course recommendations from your profile
      fr: Recommandations de cours selon votre profil
      nl: Cursusaanbevelingen op basis van uw profiel
    legal_basis: legitimate_interests
    legitimate_interest:
      en: Suggesting courses that fit
      fr: Proposer des cours adaptés
      nl: Passende cursussen voorstellen
    profiling: true
    categories: [contact, language_profile]
    retention: prospects
"""


def _changed(runtime: Runtime, tmp_path: Path) -> Runtime:
    """The same organization under a policy with a new purpose and a longer retention."""
    source = runtime.settings.policy.read_text()
    source = source.replace("purposes:\n", "purposes:\n" + NEW_PURPOSE, 1)
    source = source.replace("{id: prospects, duration: 3 years,", "{id: prospects, duration: "
                            "5 years,")
    path = tmp_path / "changed.yaml"
    path.write_text(source)
    return open_runtime(runtime.settings.model_copy(update={"policy": path}),
                        engine=runtime.engine)


def test_versions_are_immutable_and_listed(mail_runtime: Runtime, tmp_path: Path) -> None:
    with mail_runtime.transaction() as session:
        first = publish(session, mail_runtime, actor="test").version
    changed = _changed(mail_runtime, tmp_path)
    with changed.transaction() as session:
        second = publish(session, changed, actor="test")
    assert second.version.number == 2 and second.version.material
    kinds = {(c.kind, c.item, c.material) for c in second.changes}
    assert ("purpose_added", "course_recommendations", True) in kinds
    assert ("retention_longer", "newsletter", True) in kinds
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        old = client.get(f"/privacy/versions/{first.number}")
        assert old.status_code == 200 and "Course recommendations" not in old.text
        assert "Course recommendations" in client.get("/privacy").text  # version 2 in force
        listing = client.get("/privacy/versions")
        assert "Version 1" in listing.text and "Version 2" in listing.text
    with changed.transaction() as session, \
            pytest.raises(Conflict, match="already published as version 2"):
        publish(session, changed, actor="test")


def test_diff_classes_changes(cli_args: list[str], mail_runtime: Runtime,
                              tmp_path: Path) -> None:
    changed = _changed(mail_runtime, tmp_path)
    result = CliRunner().invoke(main, ["diff", str(mail_runtime.settings.policy),
                                       str(changed.settings.policy)])
    assert result.exit_code == 0, result.output
    assert "MATERIAL purpose_added course_recommendations" in result.output
    assert "MATERIAL retention_longer newsletter: 3 years after last_contact → 5 years" in \
        result.output
    assert "2 material" in result.output


def test_a_material_change_end_to_end(mail_runtime: Runtime, inbox: Inbox,
                                      tmp_path: Path) -> None:
    person(mail_runtime, email="anna@example.org")
    person(mail_runtime, email="bram@example.org")
    with mail_runtime.transaction() as session:
        publish(session, mail_runtime, actor="test")
    changed = _changed(mail_runtime, tmp_path)
    with changed.transaction() as session:
        done = publish(session, changed, actor="test")
    assert done.notified == 2
    deliver_due(changed, SmtpTransport(changed.settings))
    [anna] = inbox.to("anna@example.org")
    assert anna["Subject"] == "Our privacy notice changes"
    assert "a new purpose: Course recommendations from your profile" in text_of(anna)
    path = link_in(anna, "/privacy/respond/").split(".be", 1)[1]
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        page = client.get(path)
        assert page.status_code == 200 and "I object to these changes" in page.text
        assert client.post(path, data={"answer": "objected"}).status_code == 200
        assert client.post(path, data={"answer": "nonsense"}).status_code == 422
    with changed.transaction() as session:
        subject = find_subject(session, changed, email="anna@example.org")
        assert subject is not None
        assert decide(session, changed, subject, "course_recommendations", "email").reason == \
            "objected"
        version = repository.latest(session, changed.organization_id)
        assert version is not None and version.window_ends_on is not None
        assert close_windows(session, changed, today=version.window_ends_on) == 1
        outcomes = {n.subject_id: (n.answer, n.outcome) for n in session.scalars(
            select(ChangeNotice).where(ChangeNotice.organization_id == changed.organization_id))}
    assert sorted(outcomes.values(), key=str) == [("objected", "objected"), (None, "accepted")]
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        assert client.get(path).status_code == 404  # the window is closed
    assert version.window_ends_on - version.effective_on == timedelta(days=30)
