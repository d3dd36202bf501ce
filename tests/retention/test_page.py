"""The Portal's retention page: the plan as staff see it before the sweep, and after it the
chart of what anonymisation left, with the months under k hidden."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from charter.retention.sweep import sweep
from charter.runtime import Runtime
from charter.subjects import RecordInput

from ..factories import staff_login
from .conftest import prospect, store, years_ago


@pytest.fixture
def portal(qualifio: Runtime) -> Iterator[TestClient]:
    from charter.web.app import create_app

    with TestClient(create_app(qualifio), base_url="http://127.0.0.1") as client:
        yield client


def _visitor(runtime: Runtime, n: int, years: float) -> None:
    store(runtime, f"visitor{n}@example.org",
          RecordInput("language_profile", {"language": "fr"}, "website_tracking",
                      collected_at=years_ago(years), last_contact_at=years_ago(years)))


def test_the_page_shows_the_plan_then_what_anonymisation_left(qualifio: Runtime,
                                                              portal: TestClient) -> None:
    prospect(qualifio, "old.prospect@example.org", years_ago(4))
    for n in range(6):
        _visitor(qualifio, n, 4)      # one month of six people: shown
    for n in range(6, 8):
        _visitor(qualifio, n, 5)      # one month of two: under k = 5, hidden
    staff_login(portal, qualifio, "dpo")
    before = portal.get("/retention")
    assert before.status_code == 200
    assert "Due now: 10 record(s)" in before.text
    assert "<th scope=\"row\">prospects</th><td>delete</td>" in before.text
    assert "<td>anonymise</td><td>language_profile</td>" in before.text
    assert "No anonymised records in groups of 5 or more yet." in before.text
    assert "example.org" not in before.text
    # HubSpot holds contacts under a rule, but only requests reach it: the page says so
    assert "Not swept by Charter" in before.text
    assert '<th scope="row">hubspot</th><td>webhook</td>' in before.text

    sweep(qualifio)
    after = portal.get("/retention").text
    assert "Nothing is past its retention." in after
    shown = years_ago(4).strftime("%Y-%m")
    assert "<svg" in after and f"{shown} · records: 6" in after
    assert years_ago(5).strftime("%Y-%m") not in after
    assert "1 month(s) hidden" in after


def test_support_staff_do_not_see_it(qualifio: Runtime, portal: TestClient) -> None:
    staff_login(portal, qualifio, "support")
    assert portal.get("/retention").status_code == 403
