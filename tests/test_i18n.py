"""Charter's own sentences: every one extracted, and translated into French and Dutch."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from charter.i18n import negotiate, pick_language

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "charter" / "locale"


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_catalog_template_is_current(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("update_catalogs",
                                                  ROOT / "scripts" / "update_catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = tmp_path / "charter.pot"
    module.extract(fresh)
    assert _ids(fresh) == _ids(LOCALE / "charter.pot"), "run: python scripts/update_catalogs.py"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_sentence_is_translated(language: str) -> None:
    wanted = _ids(LOCALE / "charter.pot")
    with (LOCALE / language / "LC_MESSAGES" / "charter.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {str(m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(wanted - translated)
    assert not missing, f"{language}: untranslated {missing[:5]}"


def test_language_negotiation() -> None:
    offered = ["nl", "fr", "en"]
    assert negotiate("fr-BE,fr;q=0.9,en;q=0.8", offered, "nl") == "fr"
    assert negotiate("de-DE,de;q=0.9,en;q=0.5", offered, "nl") == "en"
    assert negotiate("en;q=0.2, nl;q=0.8", offered, "fr") == "nl"
    assert negotiate("", offered, "nl") == "nl"
    assert negotiate("fr;q=0, *", offered, "nl") == "nl"
    assert negotiate("garbage;;q=x", offered, "en") == "en"
    assert pick_language("fr", "nl", offered, "en") == "fr"
    assert pick_language("de", "nl", offered, "en") == "nl"
