"""Human text in a policy: one string in the default language, or one string per language."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import RootModel, field_validator, model_validator

Language = Literal["en", "fr", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "fr", "nl")


class Text(RootModel[str | dict[Language, str]]):
    """A text that may be translated: ``"Hello"`` or ``{en: Hello, fr: Bonjour}``."""

    @field_validator("root")
    @classmethod
    def _not_blank(cls, value: str | dict[Language, str]) -> str | dict[Language, str]:
        texts = [value] if isinstance(value, str) else list(value.values())
        if not texts or any(not t.strip() for t in texts):
            raise ValueError("text must not be empty")
        return value

    def languages(self) -> set[str]:
        """Languages this text is given in; a plain string counts as the default language."""
        return {"*"} if isinstance(self.root, str) else set(self.root)

    def resolve(self, lang: str, default: str) -> tuple[str, str]:
        """Return ``(text, language_used)``: the asked language, else the default, else any."""
        if isinstance(self.root, str):
            return self.root, default
        for candidate in (lang, default):
            if candidate in self.root:
                return self.root[candidate], candidate
        first = next(iter(self.root))
        return self.root[first], first

    def get(self, lang: str, default: str) -> str:
        return self.resolve(lang, default)[0]


_DURATION = re.compile(r"^\s*(\d+)\s*(day|days|month|months|year|years)\s*$", re.IGNORECASE)
DurationUnit = Literal["days", "months", "years"]


class Duration(RootModel[str]):
    """``"30 days"``, ``"6 months"``, ``"3 years"``."""

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str) and _DURATION.match(value):
            return value.strip()
        raise ValueError('a duration such as "30 days", "6 months" or "3 years"')

    @property
    def amount(self) -> int:
        match = _DURATION.match(self.root)
        assert match is not None
        return int(match.group(1))

    @property
    def unit(self) -> DurationUnit:
        match = _DURATION.match(self.root)
        assert match is not None
        word = match.group(2).lower()
        return (
            "days" if word.startswith("day") else "months" if word.startswith("month") else "years"
        )

    def in_days(self) -> int:
        """An approximate length, for comparing durations (a year is 365 days, a month 30)."""
        return self.amount * {"days": 1, "months": 30, "years": 365}[self.unit]
