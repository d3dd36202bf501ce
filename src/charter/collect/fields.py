"""Checking a submission against its collection point: only declared fields, each of its
declared type; every problem named, so a person can fix them all at once. Pure: no I/O."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlparse

from babel import Locale
from email_validator import EmailNotValidError, validate_email

from ..crypto import normalise_phone
from ..errors import InvalidInput
from ..policy import Policy
from ..policy.processing import CollectionPoint, DataField

COUNTRIES = frozenset(
    str(code) for code in Locale("en").territories if str(code).isalpha() and len(str(code)) == 2
)
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
MAX_TEXT = {"string": 500, "text": 5000}


@dataclass
class Problem:
    field: str
    message: str


@dataclass
class CheckedSubmission:
    """What a valid submission holds, ready to store."""

    email: str
    phone: str | None
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    consents: list[tuple[str, str]] = field(default_factory=list)
    birth_date: date | None = None
    parent_email: str | None = None
    confirmer: str = "parent"


class SubmissionInvalid(InvalidInput):
    """422: each problem names its field; nothing of the submission was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def consent_key(purpose: str, channel: str) -> str:
    return f"{purpose}:{channel}"


def consent_keys(point: CollectionPoint) -> list[tuple[str, str]]:
    return [(o.purpose, c) for o in point.consent_options for c in o.channels]


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not _IBAN.match(compact):
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def coerce(value: Any, declared: DataField, *, region: str) -> Any:
    """The value in its stored form, or ValueError saying what was expected."""
    kind = declared.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "on", "1"):
            return True
        if text in ("false", "no", "off", "0", ""):
            return False
        raise ValueError("yes or no")
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError("a whole number")
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError("a whole number") from None
    if not isinstance(value, str):
        raise ValueError("text")
    text = value.strip()
    if kind in MAX_TEXT or kind == "language":
        limit = MAX_TEXT.get(kind, 64)
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters")
        return text
    if kind == "email":
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValueError("an e-mail address such as name@example.org") from None
    if kind == "phone":
        try:
            return normalise_phone(text, region=region)
        except InvalidInput:
            raise ValueError("a phone number such as +32 470 12 34 56") from None
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("a date as YYYY-MM-DD") from None
    if kind == "country":
        if text.upper() not in COUNTRIES:
            raise ValueError("a two-letter country code such as BE")
        return text.upper()
    if kind == "ip":
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise ValueError("an IP address") from None
    if kind == "iban":
        if not _iban_ok(text):
            raise ValueError("an IBAN such as BE68 5390 0754 7034")
        return text.replace(" ", "").upper()
    if kind == "url":
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("a web address starting with https://")
        return text
    if kind == "choice":
        if text not in declared.choices:
            raise ValueError(f"one of {', '.join(declared.choices)}")
        return text
    raise ValueError(f"a {kind}")


def declared_field(policy: Policy, category_id: str, name: str) -> DataField:
    """The declared field (its type, label, choices); a plain string when undeclared."""
    category = policy.category(category_id)
    for candidate in category.fields if category else []:
        if candidate.name == name:
            return candidate
    return DataField(name=name)


def check_submission(
    policy: Policy,
    point: CollectionPoint,
    values: dict[str, Any],
    consents: list[str],
    *,
    today: date,
) -> CheckedSubmission:
    """Validate everything; raise :class:`SubmissionInvalid` listing every problem."""
    problems: list[Problem] = []
    region = policy.organization.country
    allowed = {f.name for f in point.fields} | ({point.age_question, "parent_email",
                                                 "confirmer"} if point.asks_age else set())
    for name in sorted(set(values) - allowed):
        problems.append(Problem(name, "not a field of this form"))
    checked = CheckedSubmission(email="", phone=None)
    for collected in point.fields:
        raw = values.get(collected.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if collected.required:
                problems.append(Problem(collected.name, "required"))
            continue
        declared = declared_field(policy, collected.category or "", collected.category_field)
        try:
            value = coerce(raw, declared, region=region)
        except ValueError as exc:
            problems.append(Problem(collected.name, f"expected {exc}"))
            continue
        checked.by_category.setdefault(collected.category or "", {})[
            collected.category_field] = value
        if declared.type == "email" and not checked.email:
            checked.email = value
        if declared.type == "phone" and not checked.phone:
            checked.phone = value
    if not checked.email:
        named = {p.field for p in problems}
        email_fields = [f.name for f in point.fields if declared_field(
            policy, f.category or "", f.category_field).type == "email"] or ["email"]
        if not named & set(email_fields):
            problems.append(Problem(email_fields[0], "required: an e-mail address to reach you"))
    offered = {consent_key(p, c) for p, c in consent_keys(point)}
    for key in consents:
        if key not in offered:
            problems.append(Problem(f"consent:{key}", "not a choice offered by this form"))
        else:
            purpose, channel = key.split(":", 1)
            checked.consents.append((purpose, channel))
    if point.asks_age:
        _check_age(policy, point, values, checked, problems, today=today)
    if problems:
        raise SubmissionInvalid(problems)
    return checked


def _stated_age(point: CollectionPoint, values: dict[str, Any], checked: CheckedSubmission,
                problems: list[Problem], *, today: date) -> int | None:
    """The age as the form asks it: from the date of birth, or the age given in years."""
    raw = str(values.get(point.age_question) or "").strip()
    if point.age_question == "age":
        if not raw.isdigit() or not 0 < int(raw) <= 120:
            problems.append(Problem("age", "required, in years"))
            return None
        return int(raw)
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        problems.append(Problem("birth_date", "required, as YYYY-MM-DD"))
        return None
    if not date(1900, 1, 1) <= born <= today:
        problems.append(Problem("birth_date", "not a plausible date of birth"))
        return None
    checked.birth_date = born
    return age_on(born, today)


def _check_age(policy: Policy, point: CollectionPoint, values: dict[str, Any],
               checked: CheckedSubmission, problems: list[Problem], *, today: date) -> None:
    age = _stated_age(point, values, checked, problems, today=today)
    minors = policy.minors
    if age is None or minors is None or age >= minors.minimum_age:
        return
    confirmer = str(values.get("confirmer") or "parent")
    if confirmer not in ("parent", "school") or (confirmer == "school"
                                                  and not minors.school_consent):
        problems.append(Problem("confirmer", "a parent" + (" or the school"
                                                            if minors.school_consent else "")))
        return
    try:
        parent = validate_email(str(values.get("parent_email") or "").strip(),
                                check_deliverability=False).normalized
    except EmailNotValidError:
        problems.append(Problem("parent_email", f"under {minors.minimum_age}, the e-mail "
                                                "address of a parent or guardian is needed"))
        return
    if parent.lower() == checked.email.lower():
        problems.append(Problem("parent_email", "must differ from your own address"))
        return
    checked.parent_email, checked.confirmer = parent, confirmer


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
