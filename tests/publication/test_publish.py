"""Publishing: immutable versions at their own address; who published and from when each
applies; a material change applies only once its objection window has run, and /privacy
serves the version in force while announcing the next."""

from __future__ import annotations

import getpass
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from charter.cli import main
from charter.dates import local_date
from charter.errors import Conflict, InvalidInput
from charter.models import utcnow
from charter.publication import repository
from charter.publication.service import publish
from charter.runtime import Runtime
from charter.web.app import create_app

from ..factories import policy_with, staff_login
from .policies import COSMETIC, LONGER_RETENTION, NEW_PURPOSE, changes_section


def test_versions_are_immutable_and_listed(mail_runtime: Runtime, tmp_path: Path) -> None:
    with mail_runtime.transaction() as session:
        first = publish(session, mail_runtime, actor="test").version
    changed = policy_with(mail_runtime, tmp_path, NEW_PURPOSE, LONGER_RETENTION)
    with changed.transaction() as session:
        second = publish(session, changed, actor="test")
    assert second.version.number == 2 and second.version.material
    kinds = {(c.kind, c.item, c.material) for c in second.changes}
    assert ("purpose_added", "course_recommendations", True) in kinds
    assert ("retention_longer", "newsletter", True) in kinds
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        old = client.get(f"/privacy/versions/{first.number}")
        assert old.status_code == 200 and "Course recommendations" not in old.text
        new = client.get("/privacy/versions/2")
        assert new.status_code == 200 and "Course recommendations" in new.text
    with changed.transaction() as session, \
            pytest.raises(Conflict, match="already published as version 2"):
        publish(session, changed, actor="test")


def test_a_material_change_applies_after_its_window(mail_runtime: Runtime,
                                                    tmp_path: Path) -> None:
    """The notice promises "at least 30 days before": the version is in force only then,
    and people may answer until that day."""
    today = local_date(utcnow(), "BE")
    with mail_runtime.transaction() as session:
        first = publish(session, mail_runtime, actor="test").version
    assert first.effective_on == today and first.window_ends_on is None
    changed = policy_with(mail_runtime, tmp_path, NEW_PURPOSE)
    with changed.transaction() as session, \
            pytest.raises(InvalidInput, match=f"at the earliest on {today + timedelta(30)}"):
        publish(session, changed, actor="test", effective_on=today + timedelta(days=29))
    with changed.transaction() as session:
        second = publish(session, changed, actor="test").version
    assert second.effective_on == today + timedelta(days=30)
    assert second.window_ends_on == second.effective_on
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        page = client.get("/privacy")
        assert "Course recommendations" not in page.text  # version 1 is still in force
        assert f"A new version of this notice applies from {second.effective_on}." in page.text
        assert '<a href="/privacy/versions/2?lang=en">Read version 2</a>' in page.text
        french = client.get("/privacy?lang=fr").text
        assert "Lire la version 2" in french and "/privacy/versions/2?lang=fr" in french
        listing = client.get("/privacy/versions").text
        assert f"in force from {today}" in listing
        assert f"in force from {second.effective_on}" in listing
        assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == today.isoformat()


def test_a_later_effective_date_is_kept_and_the_window_runs_until_then(
        mail_runtime: Runtime, tmp_path: Path) -> None:
    later = local_date(utcnow(), "BE") + timedelta(days=45)
    with mail_runtime.transaction() as session:
        publish(session, mail_runtime, actor="test")
    changed = policy_with(mail_runtime, tmp_path, NEW_PURPOSE)
    with changed.transaction() as session:
        second = publish(session, changed, actor="test", effective_on=later).version
    assert second.effective_on == later and second.window_ends_on == later


def test_no_version_applies_before_the_one_it_follows(mail_runtime: Runtime,
                                                      tmp_path: Path) -> None:
    """A wording fix published during the window of a material change does not bring that
    change forward: the policy file holds both."""
    with mail_runtime.transaction() as session:
        publish(session, mail_runtime, actor="test")
    changed = policy_with(mail_runtime, tmp_path, NEW_PURPOSE)
    with changed.transaction() as session:
        second = publish(session, changed, actor="test").version
    reworded = policy_with(mail_runtime, tmp_path, NEW_PURPOSE, COSMETIC, name="reworded.yaml")
    with reworded.transaction() as session:
        third = publish(session, reworded, actor="test").version
        assert not third.material and third.effective_on == second.effective_on
    with reworded.transaction() as session, pytest.raises(InvalidInput, match="not before"):
        fourth = policy_with(mail_runtime, tmp_path, NEW_PURPOSE, changes_section(
            notice_window_days=0), name="fourth.yaml")
        publish(session, fourth, actor="test", effective_on=local_date(utcnow(), "BE"))


def test_charter_publish_records_hash_date_and_publisher(
        cli_args: list[str], runtime: Runtime, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    today = local_date(utcnow(), "BE")
    result = CliRunner().invoke(main, [*cli_args, "publish", "--by", "alice@langschool.be"])
    assert result.exit_code == 0, result.output
    assert f"published version 1, in force from {today}" in result.output
    changed = policy_with(runtime, tmp_path, NEW_PURPOSE)
    args = [*cli_args[:-1], str(changed.settings.policy), "publish"]
    early = CliRunner().invoke(main, [*args, "--effective-date", str(today + timedelta(1))])
    assert early.exit_code == 2 and "at the earliest on" in early.output
    monkeypatch.setattr(getpass, "getuser", lambda: "bob")
    assert CliRunner().invoke(main, args).exit_code == 0
    with runtime.transaction() as session:
        first = repository.by_number(session, runtime.organization_id, 1)
        second = repository.by_number(session, runtime.organization_id, 2)
    assert first is not None and second is not None
    assert first.content_hash == hashlib.sha256(runtime.loaded.source.encode()).hexdigest()
    assert second.content_hash == hashlib.sha256(changed.loaded.source.encode()).hexdigest()
    assert (first.effective_on, first.published_by) == (today, "cli:alice@langschool.be")
    assert (second.effective_on, second.published_by) == (today + timedelta(30), "cli:bob")


def test_staff_are_warned_when_the_server_runs_ahead_of_the_notice(
        mail_runtime: Runtime, tmp_path: Path) -> None:
    """A material change applies after its window; a server already running the new file
    would check consent and sweep by it early: the Policy page and the dashboard say so."""
    with mail_runtime.transaction() as session:
        publish(session, mail_runtime, actor="test")
    changed = policy_with(mail_runtime, tmp_path, NEW_PURPOSE)
    with changed.transaction() as session:
        version = publish(session, changed, actor="test").version
    assert version.effective_on > local_date(utcnow(), "BE")
    warning = f"The server runs version {version.number}, which applies only from"
    with TestClient(create_app(changed), base_url="http://127.0.0.1") as client:
        staff_login(client, changed, "dpo")
        assert warning in client.get("/policy").text
        assert "The server runs policy version 2" in client.get("/").text
    with TestClient(create_app(mail_runtime), base_url="http://127.0.0.1") as client:
        staff_login(client, mail_runtime, "dpo", email="dpo2@langschool.be")  # the old file
        assert warning not in client.get("/policy").text
        assert "The server runs policy version" not in client.get("/").text
