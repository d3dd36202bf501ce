"""The legal clock of a request (GDPR Art. 12(3)).

"One month" runs date to date from the day of receipt (Regulation 1182/71 as the EDPB reads
it): received 5 August, due 5 September; without such a day in that month, its last day; a due
date on a weekend or public holiday of the organization's country moves to the next working
day. A policy's own shorter promise ("30 days") wins when it is stricter, and is not moved.
An extension adds up to two further months, counted the same way from the day of receipt.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..dates import add_months, next_working_day
from ..policy.commitments import Rights


def due_date(received: date, rights: Rights, country: str) -> date:
    legal = next_working_day(add_months(received, 1), country)
    promised = rights.deadline_days
    if promised is None:
        return legal
    return min(legal, received + timedelta(days=promised))


def extended_date(received: date, months: int, country: str) -> date:
    """The new deadline when ``months`` (1 or 2) further months are taken."""
    if months not in (1, 2):
        raise ValueError("an extension is one or two further months")
    return next_working_day(add_months(received, 1 + months), country)
