"""What staff say about a breach, checked before anything is written: every bad field is
named at once (the Portal form and `charter breach add` share these names), so a form is
corrected in one go and a rejected one changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..errors import InvalidInput
from ..policy import Policy
from .clock import parse_moment

NATURES = ("confidentiality", "integrity", "availability")
RISKS = ("unlikely", "risk", "high")
EXEMPTIONS = {
    "a": "Art. 34(3)(a): the data are unintelligible to anyone not authorised "
         "(e.g. encrypted)",
    "b": "Art. 34(3)(b): measures taken since mean the high risk is no longer likely",
    "c": "Art. 34(3)(c): telling each person would take disproportionate effort; "
         "a public communication is made instead",
}
TEXT_LIMIT = 10_000
SHORT_LIMIT = 300


class BreachInvalid(InvalidInput):
    """Every problem of a form, each with the field it is about."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))


@dataclass(frozen=True)
class BreachFacts:
    detected_at: datetime
    occurred_at: datetime | None
    nature: tuple[str, ...]
    categories: tuple[str, ...]
    people: int | None
    records: int | None
    description: str
    consequences: str
    measures_taken: str
    measures_proposed: str
    contact: str
    risk: str

    def sealed(self) -> dict[str, str]:
        """The narrative: free texts may name people, so they are sealed, never audited."""
        return {"description": self.description, "consequences": self.consequences,
                "measures_taken": self.measures_taken,
                "measures_proposed": self.measures_proposed, "contact": self.contact}


def default_contact(policy: Policy) -> str:
    """The DPO, else the privacy address: who the authority and the people may ask."""
    organization = policy.organization
    if organization.dpo is not None:
        return f"{organization.dpo.name} <{organization.dpo.email}>"
    return str(organization.privacy_email or organization.contact_email or "")


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def moment(self, field: str, text: str, zone: tzinfo) -> datetime | None:
        if not text.strip():
            return None
        try:
            return parse_moment(text, zone)
        except ValueError:
            self.problems.append((field, "a date and time such as 2026-03-02 14:05"))
            return None

    def count(self, field: str, text: str) -> int | None:
        digits = text.replace(" ", "").replace("\u202f", "").replace("_", "")
        if not digits:
            return None
        if not digits.isdigit():
            self.problems.append((field, "a whole number (an estimate is fine), e.g. 120"))
            return None
        return int(digits)

    def text(self, field: str, text: str, *, required: bool = False,
             limit: int = TEXT_LIMIT) -> str:
        value = text.strip()
        if required and not value:
            self.problems.append((field, "required"))
        elif len(value) > limit:
            self.problems.append((field, f"at most {limit} characters"))
        return value


def read_facts(policy: Policy, *, zone: tzinfo, now: datetime, detected_at: str,
               occurred_at: str, nature: Iterable[str], categories: Iterable[str],
               people: str, records: str, description: str, consequences: str,
               measures_taken: str, measures_proposed: str, contact: str, risk: str
               ) -> BreachFacts:
    """Check a new breach against the law's clock and the policy; raise every problem."""
    read = _Reader()
    detected = read.moment("detected-at", detected_at, zone) or now
    if detected > now:
        read.problems.append(("detected-at", "may not be in the future: the 72 hours run "
                                             "from when you became aware"))
    occurred = read.moment("occurred-at", occurred_at, zone)
    if occurred is not None and occurred > detected:
        read.problems.append(("occurred-at", "may not be after detected-at"))
    natures = tuple(dict.fromkeys(n.strip() for n in nature if n.strip()))
    strange = [n for n in natures if n not in NATURES]
    if not natures or strange:
        said = f"unknown: {', '.join(strange)}; " if strange else ""
        read.problems.append(("nature", f"{said}one or more of {', '.join(NATURES)}"))
    chosen = tuple(dict.fromkeys(c.strip() for c in categories if c.strip()))
    declared = [c.id for c in policy.data_categories]
    unknown = [c for c in chosen if c not in declared]
    if not chosen or unknown:
        said = f"not declared in the policy: {', '.join(unknown)}; " if unknown else ""
        read.problems.append(("categories", f"{said}one or more of {', '.join(declared)}"))
    people_count = read.count("people", people)
    records_count = read.count("records", records)
    if risk.strip() and risk.strip() not in RISKS:
        read.problems.append(("risk", f"one of {', '.join(RISKS)}"))
    texts = {
        "description": read.text("description", description, required=True),
        "consequences": read.text("consequences", consequences),
        "measures_taken": read.text("measures-taken", measures_taken),
        "measures_proposed": read.text("measures-proposed", measures_proposed),
    }
    point = read.text("contact", contact, limit=SHORT_LIMIT) or default_contact(policy)
    if not point:
        read.problems.append(("contact", "the policy names no DPO or privacy address: give "
                                         "the contact point"))
    if read.problems:
        raise BreachInvalid(read.problems)
    return BreachFacts(detected_at=detected, occurred_at=occurred, nature=natures,
                       categories=chosen, people=people_count, records=records_count,
                       contact=point, risk=risk.strip() or "unassessed", **texts)


def read_moment(field: str, text: str, *, zone: tzinfo, now: datetime,
                detected_at: datetime) -> datetime:
    """When something was done about a breach: empty means now; never in the future, never
    before the breach was detected."""
    read = _Reader()
    moment = read.moment(field, text, zone) or now
    if not read.problems and moment > now:
        read.problems.append((field, "may not be in the future"))
    if not read.problems and moment < detected_at:
        read.problems.append((field, "may not be before the breach was detected"))
    if read.problems:
        raise BreachInvalid(read.problems)
    return moment
