"""The 72 hours of Art. 33(1): hours left, overdue loudly, the time notification took, and a
late notification only with the reasons for the delay. The dashboard's `open_breaches`."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event

from charter.breaches.clock import authority_clock, whole_hours
from charter.breaches.service import OpenBreach, narrative, open_breaches
from charter.models import utcnow
from charter.runtime import Runtime

from ..factories import staff_login
from .helpers import act, ago, breach, details, events, recorded


def test_whole_hours_flip_exactly_at_the_deadline() -> None:
    detected = utcnow()
    deadline = detected + timedelta(hours=72)
    assert whole_hours(timedelta(minutes=1)) == 0 and whole_hours(timedelta(minutes=-1)) == -1
    running = authority_clock(detected_at=detected, decision=None, notified_at=None,
                              now=deadline - timedelta(seconds=1))
    assert running.state == "running" and running.text() == \
        "less than 1 h left to notify the authority"
    late = authority_clock(detected_at=detected, decision=None, notified_at=None,
                           now=deadline + timedelta(seconds=1))
    assert late.overdue and late.hours_left == -1
    assert late.text() == "overdue by less than 1 h: the authority is not notified"
    later = authority_clock(detected_at=detected, decision=None, notified_at=None,
                            now=deadline + timedelta(hours=3, minutes=59))
    assert later.text() == "overdue by 3 h: the authority is not notified"


def test_hours_left_and_overdue_on_the_register_and_the_breach(client: TestClient,
                                                               runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    fresh = recorded(client, csrf, detected_hours_ago=30.5)
    late = recorded(client, csrf, detected_hours_ago=80.5)
    register = client.get("/breaches").text
    assert "41 h left to notify the authority" in register
    alert = re.search(r'<div class="alert" role="alert">(.*?)</div>', register, re.S)
    assert alert and late in alert.group(1) and fresh not in alert.group(1)
    assert "overdue by 8 h: the authority is not notified" in alert.group(1)
    page = client.get(f"/breaches/{late}").text
    assert re.search(r'role="alert"><strong>Overdue by 8 h: the authority is not notified',
                     page)
    calm = client.get(f"/breaches/{fresh}").text
    assert "41 h left to notify the authority" in calm and "Overdue" not in calm


def test_a_late_notification_needs_the_reasons_for_the_delay(client: TestClient,
                                                              runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=80.5)
    refused = act(client, csrf, reference, "authority", decision="notify",
                  authority_reference="APD-2026-77")
    assert refused.status_code == 422 and "delay-reason" in refused.text
    assert "Art. 33(1)" in refused.text
    assert breach(runtime, reference).authority_notified_at is None
    assert events(runtime, "breach.authority") == []
    reason = "The theft was only reported by the teacher on Monday."
    done = act(client, csrf, reference, "authority", decision="notify",
               authority_reference="APD-2026-77", delay_reason=reason)
    assert done.status_code == 303
    found = breach(runtime, reference)
    assert found.authority_decision == "notify" and found.authority_reference == "APD-2026-77"
    assert narrative(runtime, found)["delay_reason"] == reason
    page = client.get(f"/breaches/{reference}").text
    assert "Authority notified after 80 h, late." in page and reason in page
    assert "Overdue" not in page
    [notified] = events(runtime, "breach.authority_notified")
    assert details(notified)["late"] is True and details(notified)["hours"] == 80
    assert "Monday" not in (notified.details or "")
    again = act(client, csrf, reference, "authority", decision="notify")
    assert again.status_code == 422 and "already notified" in again.text


def test_a_timely_notification_says_how_long_it_took(client: TestClient,
                                                     runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=30)
    at = ago(4).isoformat()
    assert act(client, csrf, reference, "authority", decision="notify",
               notified_at=at).status_code == 303
    assert "Authority notified after 26 h." in client.get(f"/breaches/{reference}").text
    early = recorded(client, csrf, detected_hours_ago=3)
    before = act(client, csrf, early, "authority", decision="notify",
                 notified_at=ago(5).isoformat())
    assert before.status_code == 422 and "may not be before the breach was detected" in \
        before.text
    future = act(client, csrf, early, "authority", decision="notify",
                 notified_at=(utcnow() + timedelta(hours=1)).isoformat())
    assert future.status_code == 422 and "may not be in the future" in future.text
    assert breach(runtime, early).authority_notified_at is None


def test_open_breaches_for_the_dashboard_in_one_query(client: TestClient,
                                                      runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    overdue = recorded(client, csrf, detected_hours_ago=100)
    running = recorded(client, csrf, detected_hours_ago=2, risk="high")
    notified = recorded(client, csrf, detected_hours_ago=50, risk="unlikely")
    closed = recorded(client, csrf, detected_hours_ago=60, risk="unlikely")
    act(client, csrf, notified, "authority", decision="notify")
    act(client, csrf, closed, "authority", decision="not_required", reason="Encrypted disk.")
    assert act(client, csrf, closed, "close", note="Done.").status_code == 303
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    now = utcnow()
    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        with runtime.transaction() as session:
            found = open_breaches(session, runtime, now=now)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert "sealed" not in statements[-1]  # the narrative is not read
    assert [b.reference for b in found] == [overdue, notified, running]
    first, middle, last = found
    assert isinstance(first, OpenBreach) and first.overdue and first.hours_left == -29
    assert first.deadline == breach(runtime, overdue).detected_at + timedelta(hours=72)
    assert first.clock == "overdue by 28 h: the authority is not notified"
    assert middle.hours_left is None and not middle.overdue
    assert last.hours_left == 69 and last.people_decision_needed and last.risk == "high"
