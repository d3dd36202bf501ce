"""When a record falls due: its purposes' retention rules and the legal holds on its category.

A record is kept as long as any purpose using its category still needs it; a rule whose trigger
has not happened yet (a contract still running) keeps it with no due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..dates import add_months
from ..policy import Policy
from ..policy.text import Duration


def add_duration(moment: datetime, duration: Duration) -> datetime:
    if duration.unit == "days":
        return moment + timedelta(days=duration.amount)
    months = duration.amount * (12 if duration.unit == "years" else 1)
    shifted = add_months(moment.date(), months)
    return moment.replace(year=shifted.year, month=shifted.month, day=shifted.day)


HELD_UNTIL_TRIGGER = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class TriggerDates:
    collected: datetime
    last_contact: datetime
    contract_end: datetime | None = None
    account_closed: datetime | None = None
    consent_withdrawn: datetime | None = None

    def of(self, trigger: str) -> datetime | None:
        value: datetime | None = getattr(self, trigger)
        return value


def retention_due(policy: Policy, category: str, dates: TriggerDates) -> datetime | None:
    """The moment the record may no longer be kept for any purpose, or None if not yet known."""
    dues: list[datetime] = []
    for purpose in policy.purposes:
        if category not in purpose.categories or purpose.retention is None:
            continue
        rule = policy.retention_rule(purpose.retention)
        if rule is None:
            continue
        start = dates.of(rule.trigger)
        if start is None:
            return None
        dues.append(add_duration(start, rule.duration))
    return max(dues) if dues else None


def legal_hold_until(policy: Policy, category: str, dates: TriggerDates) -> datetime | None:
    holds: list[datetime] = []
    for hold in policy.legal_holds:
        if category not in hold.categories:
            continue
        start = dates.of(hold.trigger)
        # Until the trigger happens (a contract still running) the hold has no end yet.
        holds.append(HELD_UNTIL_TRIGGER if start is None else add_duration(start, hold.duration))
    return max(holds) if holds else None
