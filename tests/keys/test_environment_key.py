"""Keys given in CHARTER_KEY (a secret store's environment) instead of a key file: the store
works on them and writes no key to disk; another key reads nothing written under them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from charter.cli import main
from charter.crypto import Keyring
from charter.crypto.cipher import DecryptionFailed
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings
from charter.subjects import find_subject, view_subject

from ..conftest import POLICY
from ..factories import person


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _runtime(data_dir: Path, database_url: str, engine: Engine) -> Runtime:
    """A runtime whose keys come from the environment only (no ``key`` given here)."""
    settings = Settings(data_dir=data_dir, database_url=database_url, policy=POLICY)
    assert settings.key is not None  # read from CHARTER_KEY
    return open_runtime(settings, engine=engine)


def _first_name(runtime: Runtime, subject_id: int) -> str:
    with runtime.transaction() as session:
        view = view_subject(session, runtime, subject_id, allowed_categories=None, actor="test")
    return str(view.records["contact"][0]["first_name"])


def test_the_store_runs_on_a_key_from_the_environment(
        data_dir: Path, database_url: str, engine: Engine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ring = Keyring.generate()
    monkeypatch.setenv("CHARTER_KEY", ring.to_json())
    cli = ["--data-dir", str(data_dir), "--database-url", database_url, "--policy", str(POLICY)]
    ready = CliRunner().invoke(main, [*cli, "init"])
    assert ready.exit_code == 0, ready.output
    assert "key file" not in ready.output

    runtime = _runtime(data_dir, database_url, engine)
    written = person(runtime, email="amelie.dubois@example.org", first_name="Amélie")
    assert _first_name(runtime, written.id) == "Amélie"
    with runtime.transaction() as session:
        found = find_subject(session, runtime, email="Amelie.Dubois@example.org")
    assert found is not None and found.id == written.id

    assert not runtime.settings.key_file.exists()
    secrets = [value for value in ring.to_json().split('"') if len(value) == 44]
    assert len(secrets) == 2  # the data key and the blind-index key, in base64
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(secret.encode() in content for secret in secrets), path


def test_another_key_reads_nothing_written_under_the_right_one(
        data_dir: Path, database_url: str, engine: Engine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTER_KEY", Keyring.generate().to_json())
    right = _runtime(data_dir, database_url, engine)
    written = person(right, email="amelie.dubois@example.org", first_name="Amélie")
    cli = ["--data-dir", str(data_dir), "--database-url", database_url, "--policy", str(POLICY)]
    added = CliRunner().invoke(main, [*cli, "complaint", "add", "--channel", "email",
                                      "--statement", "You kept my address after I left.",
                                      "--name", "Amélie Dubois"])
    assert added.exit_code == 0, added.output
    reference = added.output.split(":")[0]

    wrong_ring = Keyring.generate()  # the same key id, k1, but other key bytes
    monkeypatch.setenv("CHARTER_KEY", wrong_ring.to_json())
    wrong = _runtime(data_dir, database_url, engine)
    with pytest.raises(DecryptionFailed, match="failed its integrity check") as refused:
        _first_name(wrong, written.id)
    assert refused.value.exit_code == 3
    with wrong.transaction() as session:  # the blind index is keyed too: no one is found
        assert find_subject(session, wrong, email="amelie.dubois@example.org") is None

    shown = CliRunner().invoke(main, [*cli, "complaint", "show", reference])
    assert shown.exit_code == 3
    assert shown.output.startswith("error: a value failed its integrity check under key 'k1'")
    assert "check CHARTER_KEY" in shown.output and shown.output.count("\n") == 1
    assert "You kept my address" not in shown.output
    assert not (data_dir / "charter.key").exists()


def test_key_material_that_is_not_a_keyring_is_refused(data_dir: Path, database_url: str,
                                                       engine: Engine) -> None:
    cli = ["--data-dir", str(data_dir), "--database-url", database_url, "--policy", str(POLICY)]
    result = CliRunner().invoke(main, [*cli, "audit", "verify"],
                                env={"CHARTER_KEY": '{"active": "k1"}'})
    assert result.exit_code == 2
    assert result.output.startswith("error: CHARTER_KEY: not a Charter keyring")
    assert len(result.output.strip().splitlines()) == 1
