"""Calendar arithmetic shared by retention and the legal clock of requests."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# The legal day of receipt is the organization's own calendar day.
COUNTRY_TIMEZONES = {
    "BE": "Europe/Brussels", "NL": "Europe/Amsterdam", "LU": "Europe/Luxembourg",
    "FR": "Europe/Paris", "DE": "Europe/Berlin", "PL": "Europe/Warsaw", "IE": "Europe/Dublin",
    "GB": "Europe/London", "ES": "Europe/Madrid", "IT": "Europe/Rome", "AT": "Europe/Vienna",
    "PT": "Europe/Lisbon", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm",
    "FI": "Europe/Helsinki", "CZ": "Europe/Prague", "US": "America/New_York",
    "CA": "America/Toronto",
}


def add_months(day: date, months: int) -> date:
    """Same day N months later; the last day of the month when that day does not exist."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(country, day.year)


def next_working_day(day: date, country: str) -> date:
    """``day`` itself when it is a working day in ``country``, else the first one after."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def local_date(moment: datetime, country: str) -> date:
    """The calendar day of ``moment`` where the organization is."""
    zone = COUNTRY_TIMEZONES.get(country)
    return moment.astimezone(ZoneInfo(zone) if zone else UTC).date()
