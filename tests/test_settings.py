from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import main
from charter.cli.context import settings_options
from charter.settings import SERVER_SETTINGS, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"CHARTER_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.data_dir == Path("charter-data")
    assert settings.policy == Path("charter.yaml")
    assert settings.redis_url is None and settings.key is None
    assert settings.resolved_database_url == \
        f"sqlite:///{(Path('charter-data') / 'charter.db').resolve()}"


def test_environment_then_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHARTER_DATABASE_URL", "postgresql://u@db.internal/charter")
    monkeypatch.setenv("CHARTER_REDIS_URL", "redis://127.0.0.1:6379/3")
    assert Settings().resolved_database_url == "postgresql+psycopg://u@db.internal/charter"
    assert Settings().redis_url == "redis://127.0.0.1:6379/3"
    # a flag beats the environment: check reads the policy named by --policy
    monkeypatch.setenv("CHARTER_POLICY", str(tmp_path / "from-env.yaml"))
    flagged = tmp_path / "from-flag.yaml"
    flagged.write_text("{}")
    result = CliRunner().invoke(main, ["--policy", str(flagged), "check"])
    assert "from-flag.yaml" in result.output and "from-env.yaml" not in result.output


def test_every_setting_has_a_flag() -> None:
    group_flags = {p.name for p in main.params}
    server = settings_options(only=SERVER_SETTINGS)(lambda **kw: None)
    server_flags = {p.name for p in getattr(server, "__click_params__", [])}
    assert group_flags | server_flags == set(Settings.model_fields)
    serve, demo = main.commands["serve"], main.commands["demo"]
    for command in (serve, demo):
        assert {"host", "port"} <= {p.name for p in command.params}


def test_policy_package_is_pure() -> None:
    """charter.policy can be used without the database, the web or the crypto stacks."""
    code = ("import sys, charter.policy; "
            "bad = [m for m in ('sqlalchemy', 'fastapi', 'charter.db', 'charter.models') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
