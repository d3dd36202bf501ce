"""When a record falls due: its purposes' retention rules and the legal holds on its category.

A record is kept as long as any purpose using its category still needs it; a rule whose trigger
has not happened yet (a contract still running) keeps it with no due date.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..dates import add_months
from ..policy import Policy
from ..policy.processing import Purpose
from ..policy.text import Duration


def add_duration(moment: datetime, duration: Duration) -> datetime:
    if duration.unit == "days":
        return moment + timedelta(days=duration.amount)
    months = duration.amount * (12 if duration.unit == "years" else 1)
    shifted = add_months(moment.date(), months)
    return moment.replace(year=shifted.year, month=shifted.month, day=shifted.day)


def subtract_duration(moment: datetime, duration: Duration) -> datetime:
    """The same calendar arithmetic backwards: 1 month before 31 January is 31 December."""
    if duration.unit == "days":
        return moment - timedelta(days=duration.amount)
    months = duration.amount * (12 if duration.unit == "years" else 1)
    shifted = add_months(moment.date(), -months)
    return moment.replace(year=shifted.year, month=shifted.month, day=shifted.day)


HELD_UNTIL_TRIGGER = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class TriggerDates:
    collected: datetime
    last_contact: datetime
    contract_end: datetime | None = None
    account_closed: datetime | None = None
    consent_withdrawn: dict[str, datetime | None] = field(default_factory=dict)
    """per purpose resting on consent that the person gave: when they withdrew it, or None
    while it stands; a purpose they never consented to is absent (it keeps nothing)"""

    def of(self, trigger: str, purpose: str) -> datetime | None:
        if trigger == "consent_withdrawn":
            return self.consent_withdrawn.get(purpose)
        value: datetime | None = getattr(self, trigger)
        return value


def applicable(policy: Policy, category: str, source: str,
               consents: dict[str, datetime | None]) -> list[Purpose]:
    """The purposes a record serves: those its collection point declares and those the
    person consented to, that use its category — minus those the person has since withdrawn
    from or objected to (they keep nothing any more, unless their rule counts from that
    very withdrawal). A source the policy does not declare (data from before Charter) serves
    every purpose using the category: the cautious reading."""
    point = policy.collection_point(source)
    declared = set(point.purposes) if point else None
    found = []
    for purpose in policy.purposes:
        if category not in purpose.categories or not purpose.retention:
            continue
        if declared is not None and purpose.id not in declared and purpose.id not in consents:
            continue
        rule = policy.retention_rule(purpose.retention)
        ended = consents.get(purpose.id) is not None
        if ended and (rule is None or rule.trigger != "consent_withdrawn"):
            continue
        found.append(purpose)
    return found


NO_PURPOSE = "no_purpose"
"""the rule name when nothing holds a record any more (the person withdrew from all)"""


def retention_due(policy: Policy, category: str, dates: TriggerDates,
                  purposes: list[Purpose]) -> tuple[datetime | None, str]:
    """When the record may no longer be kept for any of its purposes — None while a trigger
    has not happened (a contract still running) — and the rule that decides it: the one
    that ends last ("anonymise" wins a tie, so statistics are kept when one purpose wants
    them). With no purpose left it is due from when the last one ended."""
    if not purposes:
        ended = [d for d in dates.consent_withdrawn.values() if d is not None]
        return max([dates.collected, *ended]), NO_PURPOSE
    dues: list[tuple[datetime, bool, str]] = []
    waiting = ""
    never_held = 0
    for purpose in purposes:
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        if rule is None:
            continue
        if rule.trigger == "consent_withdrawn" and purpose.id not in dates.consent_withdrawn:
            never_held += 1  # never consented: this purpose never held the data
            continue
        start = dates.of(rule.trigger, purpose.id)
        if start is None:
            waiting = waiting or rule.id
            continue
        dues.append((add_duration(start, rule.duration), rule.action == "anonymise", rule.id))
    if never_held == len(purposes):  # each counts from a consent never given: none holds it
        return dates.collected, NO_PURPOSE
    if waiting or not dues:
        return None, waiting
    due, _anonymise, rule_id = max(dues)
    return due, rule_id


def rule_action(policy: Policy, rule_id: str | None) -> str:
    rule = policy.retention_rule(rule_id) if rule_id else None
    return rule.action if rule else "delete"


def legal_hold_until(policy: Policy, category: str, dates: TriggerDates,
                     purposes: list[Purpose]) -> datetime | None:
    """The law keeps the category until the hold's end. A hold counting from an event that
    has not happened applies only when the record's purposes expect that event (a customer's
    contract still running), not to a prospect who never had a contract."""
    expected = {rule.trigger for p in purposes
                if p.retention and (rule := policy.retention_rule(p.retention))}
    holds: list[datetime] = []
    for hold in policy.legal_holds:
        if category not in hold.categories:
            continue
        start = dates.of(hold.trigger, "")
        if start is not None:
            holds.append(add_duration(start, hold.duration))
        elif hold.trigger in expected:
            holds.append(HELD_UNTIL_TRIGGER)
    return max(holds) if holds else None


def fingerprint(policy: Policy) -> str:
    """What the dates depend on: a changed rule, hold or purpose mapping changes it, and the
    records that followed the old one are rescheduled before any sweep."""
    relevant = {
        "rules": [r.model_dump(mode="json") for r in policy.retention_rules],
        "holds": [h.model_dump(mode="json", include={"categories", "duration", "trigger"})
                  for h in policy.legal_holds],
        "purposes": [[p.id, p.categories, p.retention] for p in policy.purposes],
        "points": [[c.id, c.purposes] for c in policy.collection_points],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]
