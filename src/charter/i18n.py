"""Charter's own sentences in English, French and Dutch: gettext catalogs (Babel) under
``locale/``, compiled in memory at first use. English is the source language.

`scripts/update_catalogs.py` extracts new sentences into the catalogs; a test fails while any
sentence lacks its French or Dutch translation.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined, select_autoescape

from .policy.text import LANGUAGES, Text

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "charter"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of one language; English (or an unknown language) translates nothing."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Mark a sentence for extraction; it is translated where it is shown."""
    return message


def gettext_for(language: str) -> Any:
    return translations(language).gettext


def negotiate(accept_language: str | None, offered: list[str], default: str) -> str:
    """The best of ``offered`` for an Accept-Language header (``fr-BE,fr;q=0.9,en;q=0.5``)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0]))
    for _, _, language in sorted(ranked):
        if language in offered:
            return language
    return default


def pick_language(requested: str | None, accept_language: str | None, offered: list[str],
                  default: str) -> str:
    """``?lang=`` when it is one of ``offered``, else the browser's preference."""
    if requested in offered:
        return str(requested)
    return negotiate(accept_language, offered, default)


def template_environment(folder: Path, language: str, *, html: bool) -> Environment:
    """A Jinja environment whose ``{% trans %}`` and ``_()`` speak ``language``. Mail
    templates are strict about missing variables; pages are lenient (optional context)."""
    environment = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html"]) if html else False,
        undefined=Undefined if html else StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        translations(language), newstyle=True
    )
    environment.globals["language"] = language
    environment.filters["local"] = lambda text, default="en": local_text(text, language, default)
    return environment


def local_text(text: Text | None, language: str, default: str) -> str:
    """A policy text in ``language``, falling back to the policy's default language."""
    return "" if text is None else text.get(language, default)


__all__ = [
    "LANGUAGES",
    "N_",
    "gettext_for",
    "local_text",
    "negotiate",
    "pick_language",
    "template_environment",
    "translations",
]
