"""Extract Charter's sentences into src/charter/locale/charter.pot and merge them into the
French and Dutch catalogs. New sentences arrive untranslated: a test fails until they are."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "charter" / "locale"
POT = LOCALE / "charter.pot"
LANGUAGES = ("fr", "nl")


def extract(output: Path) -> None:
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
        "-k", "N_", "-k", "_", "-k", "phrase",
        "--no-location", "--sort-output", "--omit-header", "-o", str(output),
        str(ROOT / "src" / "charter"),
    ])


def update() -> None:
    extract(POT)
    for language in LANGUAGES:
        po = LOCALE / language / "LC_MESSAGES" / "charter.po"
        command = "update" if po.exists() else "init"
        args = ["pybabel", "-q", command, "-i", str(POT), "-d", str(LOCALE), "-D", "charter",
                "-l", language]
        if command == "update":
            args += ["--no-fuzzy-matching", "--ignore-obsolete"]
        CommandLineInterface().run(args)
    sys.stdout.write(f"updated {POT} and {', '.join(LANGUAGES)}\n")


if __name__ == "__main__":
    update()
