"""Every message Charter writes, from one template per kind in the subject's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment

from ..i18n import template_environment
from ..policy import Policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = (
    "verification",
    "acknowledgement",
    "extension",
    "completion",
    "denial",
    "policy_change",
    "parental_consent",
    "newsletter_confirmation",
    "preferences_link",
    "campaign",
    "proof_needed",
    "restriction_lifting",
    "recipient_notice",
    "staff_reminder",
    "task_reminder",
)


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str


def _long_date(value: date | datetime, language: str) -> str:
    return format_date(value, format="long", locale=language)


@cache
def _environment(language: str) -> Environment:
    environment = template_environment(TEMPLATES, language, html=False)
    environment.filters["long_date"] = lambda value: _long_date(value, language)
    return environment


def compose(kind: str, language: str, policy: Policy, **context: Any) -> Composed:
    """Render a message of ``kind``; the policy gives the signature and its default language."""
    if kind not in KINDS:
        raise ValueError(f"no mail template {kind!r}")
    template = _environment(language).get_template(f"{kind}.txt")
    variables = {"organization": policy.organization, "default_language":
                 policy.languages.default, **context}
    subject = "".join(template.blocks["subject"](template.new_context(variables))).strip()
    return Composed(subject=" ".join(subject.split()), text=template.render(variables).strip()
                    + "\n")
