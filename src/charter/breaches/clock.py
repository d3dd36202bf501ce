"""The 72 hours of Art. 33(1): the authority is to be notified within 72 hours of the moment
the organization became aware of the breach, and a later notification says why it is late.
Pure arithmetic on the breach's columns, shared by the pages, the CLI and the dashboard."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from ..dates import COUNTRY_TIMEZONES

NOTIFY_WITHIN = timedelta(hours=72)
HOUR = timedelta(hours=1)

ClockState = Literal["running", "overdue", "notified", "not_required"]


def deadline_of(detected_at: datetime) -> datetime:
    return detected_at + NOTIFY_WITHIN


def whole_hours(span: timedelta) -> int:
    """Hours rounded down: 71 h 59 min is 71 h, and −10 min is −1 h (so the sign of the
    hours left flips exactly at the deadline)."""
    return math.floor(span / HOUR)


@dataclass(frozen=True)
class AuthorityClock:
    """Where the breach stands against the 72 hours."""

    deadline: datetime
    state: ClockState
    hours_left: int | None
    """While the authority is neither notified nor ruled out: whole hours to the deadline,
    negative once it has passed. ``None`` when the clock has stopped."""
    took_hours: int | None = None
    """Once notified: whole hours from awareness to notification."""
    overdue_hours: int | None = None
    """Once past the deadline and not notified: whole hours since the deadline."""
    notified_late: bool = False
    """Notified after the deadline: the notification must say why (Art. 33(1))."""

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    def text(self) -> str:
        """One line, the same in the Portal, the CLI and on the dashboard."""
        if self.state == "running":
            if not self.hours_left:
                return "less than 1 h left to notify the authority"
            return f"{self.hours_left} h left to notify the authority"
        if self.state == "overdue":
            hours = f"{self.overdue_hours} h" if self.overdue_hours else "less than 1 h"
            return f"overdue by {hours}: the authority is not notified"
        if self.state == "notified":
            late = ", late" if self.notified_late else ""
            return f"authority notified after {self.took_hours} h{late}"
        return "authority notification not required"

    def short(self) -> str:
        """The same, for a table column about the authority."""
        if self.state == "running":
            return f"{self.hours_left} h left"
        if self.state == "overdue":
            return f"OVERDUE by {self.overdue_hours} h"
        if self.state == "notified":
            return f"notified after {self.took_hours} h" + (", late" if self.notified_late
                                                              else "")
        return "not required"


def authority_clock(*, detected_at: datetime, decision: str | None,
                    notified_at: datetime | None, now: datetime) -> AuthorityClock:
    deadline = deadline_of(detected_at)
    if notified_at is not None:
        return AuthorityClock(deadline, "notified", None,
                              took_hours=whole_hours(notified_at - detected_at),
                              notified_late=notified_at > deadline)
    if decision == "not_required":
        return AuthorityClock(deadline, "not_required", None)
    left = whole_hours(deadline - now)
    if left < 0:
        return AuthorityClock(deadline, "overdue", left,
                              overdue_hours=whole_hours(now - deadline))
    return AuthorityClock(deadline, "running", left)


def zone_of(country: str) -> tzinfo:
    """The organization's own clock: staff type and read times in it."""
    name = COUNTRY_TIMEZONES.get(country)
    return ZoneInfo(name) if name else UTC


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """``2026-03-02 14:05``, ``2026-03-02T14:05`` (a browser's datetime-local) or ISO 8601
    with an offset; a time without an offset is the organization's local time."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def shown(moment: datetime | None, zone: tzinfo) -> str:
    """A moment as staff read it: local time with its zone."""
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
