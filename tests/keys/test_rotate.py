from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from charter.cli import main
from charter.crypto import load_keyring
from charter.keys import service as rotation
from charter.models import sealed_models
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings
from charter.subjects import view_subject

from ..factories import person


def _key_ids(runtime: Runtime) -> set[str]:
    """Key ids in use across every table holding sealed values."""
    with runtime.engine.connect() as connection:
        return {row[0] for model in sealed_models() for row in connection.execute(
            text(f"SELECT DISTINCT key_id FROM {model.__tablename__}"))}  # type: ignore[attr-defined]


def _names(runtime: Runtime, subject_ids: list[int]) -> list[str]:
    with runtime.transaction() as session:
        return [view_subject(session, runtime, sid, allowed_categories=None, actor="test")
                .records["contact"][0]["first_name"] for sid in subject_ids]


def test_key_file_is_private(settings: Settings) -> None:
    mode = stat.S_IMODE(settings.key_file.stat().st_mode)
    assert mode == 0o600


def test_rotation_reencrypts_everything_and_retires_the_old_key(
        runtime: Runtime, settings: Settings, cli_args: list[str]) -> None:
    subjects = [person(runtime, email=f"p{n}@example.org", first_name=f"Name{n}").id
                for n in range(5)]
    assert _key_ids(runtime) == {"k1"}
    result = CliRunner().invoke(main, [*cli_args, "keys", "rotate"])
    assert result.exit_code == 0, result.output
    # five records and five sealed contact addresses
    assert "active key k2; 10 value(s) re-encrypted" in result.output
    assert _key_ids(runtime) == {"k2"}
    ring = json.loads(settings.key_file.read_text())
    assert set(ring["data_keys"]) == {"k2"} and ring["retired"] == ["k1"]
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    fresh = open_runtime(settings, engine=runtime.engine)
    assert _names(fresh, subjects) == [f"Name{n}" for n in range(5)]


def test_an_interrupted_rotation_resumes(runtime: Runtime, settings: Settings,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    subjects = [person(runtime, email=f"p{n}@example.org", first_name=f"Name{n}").id
                for n in range(5)]
    monkeypatch.setattr(rotation, "BATCH", 2)

    def crash_after_first_batch(count: int) -> None:
        raise KeyboardInterrupt("power cut")

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate_keys(runtime, on_batch=crash_after_first_batch)
    assert _key_ids(runtime) == {"k1", "k2"}  # half done, both keys still in the file
    ring = load_keyring(settings.key_file, None)
    assert set(ring.data_keys) == {"k1", "k2"} and ring.active == "k2"
    restarted = open_runtime(settings, engine=runtime.engine)
    assert _names(restarted, subjects) == [f"Name{n}" for n in range(5)]

    report = rotation.rotate_keys(restarted)
    assert report.resumed and report.active_key == "k2" and report.reencrypted == 8
    assert _key_ids(runtime) == {"k2"}
    assert _names(open_runtime(settings, engine=runtime.engine), subjects) == \
        [f"Name{n}" for n in range(5)]


def test_rotation_refuses_keys_given_in_the_environment(
        runtime: Runtime, settings: Settings, cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "--key", settings.key_file.read_text(),
                                       "keys", "rotate"])
    assert result.exit_code == 3
    assert result.output.startswith("error: keys come from CHARTER_KEY")
