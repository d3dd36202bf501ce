"""Documentation that cannot go stale, as Datasette does it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from charter.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"`CHARTER_{name.upper()}`" in doc, name
        assert f"`--{name.replace('_', '-')}`" in doc, name


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("update_docs", ROOT / "scripts" /
                                                  "update_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text()
    assert current == _generator().render(), "run: python scripts/update_docs.py"


def test_policy_reference_is_current() -> None:
    current = (ROOT / "docs" / "policy-reference.md").read_text()
    assert current == _generator().render_policy_reference(), "run: scripts/update_docs.py"
