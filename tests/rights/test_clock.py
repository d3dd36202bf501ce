"""The legal clock, table-driven: one month date to date, the last day of a short month,
weekends and Belgian public holidays, a policy's shorter promise, extensions."""

from __future__ import annotations

from datetime import date

import pytest

from charter.policy.commitments import Rights
from charter.rights.clock import due_date, extended_date

ONE_MONTH = Rights()
THIRTY_DAYS = Rights(deadline="30 days")


@pytest.mark.parametrize("received, due, why", [
    (date(2025, 8, 5), date(2025, 9, 5), "date to date"),
    (date(2026, 8, 5), date(2026, 9, 7), "5 September 2026 is a Saturday: Monday"),
    (date(2024, 1, 31), date(2024, 2, 29), "leap year: the 29th"),
    (date(2025, 1, 31), date(2025, 2, 28), "not a leap year: the 28th"),
    (date(2026, 3, 31), date(2026, 4, 30), "April has 30 days"),
    (date(2026, 3, 6), date(2026, 4, 7), "6 April 2026 is Easter Monday: the 7th"),
    (date(2026, 6, 21), date(2026, 7, 22), "21 July is the Belgian national day"),
    (date(2026, 10, 11), date(2026, 11, 12), "11 November is Armistice Day"),
    (date(2026, 11, 25), date(2026, 12, 28), "25 December, then a weekend"),
])
def test_one_month_date_to_date(received: date, due: date, why: str) -> None:
    assert due_date(received, ONE_MONTH, "BE") == due, why


def test_no_such_day_then_a_weekend() -> None:
    # no 31 February: the 28th, which in 2026 is a Saturday: Monday 2 March
    assert due_date(date(2026, 1, 31), ONE_MONTH, "BE") == date(2026, 3, 2)


@pytest.mark.parametrize("received, due", [
    (date(2026, 1, 5), date(2026, 2, 4)),  # 30 days (4 Feb) comes before one month (5 Feb)
    (date(2026, 2, 1), date(2026, 3, 2)),  # one month, 1 March a Sunday -> 2 March, = 30 days
    (date(2026, 2, 2), date(2026, 3, 2)),  # the legal one (2 March) is stricter than 4 March
])
def test_a_shorter_promise_wins_when_stricter(received: date, due: date) -> None:
    assert due_date(received, THIRTY_DAYS, "BE") == due


def test_other_countries_have_their_own_holidays() -> None:
    # 14 July is a French holiday, not a Belgian one
    assert due_date(date(2026, 6, 14), ONE_MONTH, "FR") == date(2026, 7, 15)
    assert due_date(date(2026, 6, 14), ONE_MONTH, "BE") == date(2026, 7, 14)


@pytest.mark.parametrize("received, months, until", [
    (date(2026, 1, 31), 2, date(2026, 4, 30)),  # three months date to date
    (date(2026, 1, 31), 1, date(2026, 3, 31)),
    (date(2026, 2, 5), 2, date(2026, 5, 5)),
    (date(2026, 2, 1), 2, date(2026, 5, 4)),  # 1 May holiday, weekend of 2-3 May
])
def test_extensions(received: date, months: int, until: date) -> None:
    assert extended_date(received, months, "BE") == until
    with pytest.raises(ValueError):
        extended_date(received, 3, "BE")
