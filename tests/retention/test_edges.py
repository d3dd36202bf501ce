"""The edges of retention: calendar arithmetic backwards, purposes that never held a record,
a restriction kept however old its request, people emptied by other means, the k floor the
command line cannot lower, the nightly job, and two sweeps at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select

from charter import jobs
from charter.consent.service import record_consent
from charter.errors import InvalidInput
from charter.models import AuditEvent, Record, RightsRequest, Subject, utcnow
from charter.policy.text import Duration
from charter.retention import tasks
from charter.retention.schedule import (
    NO_PURPOSE,
    TriggerDates,
    applicable,
    fingerprint,
    retention_due,
    subtract_duration,
)
from charter.retention.stats import statistics
from charter.retention.sweep import sweep
from charter.rights.intake import open_request
from charter.runtime import Runtime
from charter.subjects import find_subject, store_subject_data

from .conftest import READER, known, reader, withdraw

EMAIL = READER


def test_a_month_back_from_the_last_day_of_a_month() -> None:
    end_of_january = datetime(2027, 1, 31, 12, tzinfo=UTC)
    assert subtract_duration(end_of_january, Duration("1 month")) == datetime(
        2026, 12, 31, 12, tzinfo=UTC)
    assert subtract_duration(datetime(2027, 3, 31, tzinfo=UTC), Duration("1 month")) == \
        datetime(2027, 2, 28, tzinfo=UTC)
    assert subtract_duration(end_of_january, Duration("13 months")).date().isoformat() == \
        "2025-12-31"
    assert subtract_duration(end_of_january, Duration("30 days")).date().isoformat() == \
        "2027-01-01"


def test_purposes_counting_from_a_consent_never_given_hold_nothing(runtime: Runtime) -> None:
    policy = runtime.policy
    newsletter = policy.purpose("newsletter")
    assert newsletter is not None
    rule = newsletter.model_copy(update={"retention": "after_withdrawal"})
    withdrawal = policy.retention_rules[0].model_copy(update={
        "id": "after_withdrawal", "trigger": "consent_withdrawn"})
    changed = policy.model_copy(update={
        "purposes": [rule if p.id == "newsletter" else p for p in policy.purposes],
        "retention_rules": [*policy.retention_rules, withdrawal]})
    collected = datetime(2026, 1, 5, tzinfo=UTC)
    dates = TriggerDates(collected=collected, last_contact=collected)
    due, name = retention_due(changed, "contact", dates, [rule])
    assert (due, name) == (collected, NO_PURPOSE)  # not kept forever


def test_a_restriction_in_force_outlives_the_closed_requests_rule(runtime: Runtime) -> None:
    reader(runtime)
    withdraw(runtime)
    with runtime.transaction() as session:
        request = open_request(session, runtime, kind="restriction", email=EMAIL,
                               channel="email", verified_by="test", actor="test")
        # answered four years ago, never lifted: closed_requests (3 years) must not take it
        request.status, request.stage = "fulfilled", "done"
        request.closed_at = utcnow() - timedelta(days=4 * 365)
    first = sweep(runtime)
    assert first.deleted == 0 and "closed_requests" not in first.by_products
    assert sweep(runtime).deleted == 0 and known(runtime)  # and not on the next night
    with runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(RightsRequest).where(
            RightsRequest.organization_id == runtime.organization_id)) == 1


def test_a_restriction_asked_for_protects_at_once(runtime: Runtime) -> None:
    reader(runtime)
    withdraw(runtime)
    with runtime.transaction() as session:
        open_request(session, runtime, kind="restriction", email=EMAIL, channel="email",
                     verified_by="test", actor="test")  # still being handled
    assert sweep(runtime).deleted == 0 and known(runtime)


def test_people_emptied_otherwise_are_removed(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        subject = store_subject_data(session, runtime, email=EMAIL, records=[], actor="test")
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="double_opt_in", actor="test")
        other = store_subject_data(session, runtime, email="kept@example.org", records=[],
                                   actor="test")
        record_consent(session, runtime, other, purpose="newsletter", channel="email",
                       action="grant", method="double_opt_in", actor="test")
    assert sweep(runtime).people_removed == 0  # consent stands: they are kept
    withdraw(runtime)  # no record at all: nothing else will empty them
    assert sweep(runtime).people_removed == 1
    assert not known(runtime)
    with runtime.transaction() as session:
        assert find_subject(session, runtime, email="kept@example.org") is not None


def test_the_command_line_cannot_lower_k(runtime: Runtime) -> None:
    from charter.models import AnonymousFact

    with runtime.transaction() as session:
        session.add_all(AnonymousFact(organization_id=runtime.organization_id,
                                      category="contact", source="x", month="2026-01",
                                      language="fr", kept="{}") for _ in range(3))
    with runtime.transaction() as session:
        assert [c.count for c in statistics(session, runtime, ["month"], k=2)] == [None]
        assert [c.count for c in statistics(session, runtime, ["month"], k=3)] == [None]
        with pytest.raises(InvalidInput):
            statistics(session, runtime, ["shoe_size"])


def test_the_nightly_job_sweeps(runtime: Runtime) -> None:
    reader(runtime)
    withdraw(runtime)
    queue = MemoryHuey(immediate=True)
    registered = tasks.register(queue)
    jobs.bind_runtime(runtime)
    try:
        assert registered["retention.sweep"].call_local() >= 1
    finally:
        jobs.bind_runtime(None)  # type: ignore[arg-type]
    assert not known(runtime)


@pytest.mark.db
def test_two_sweeps_at_once_count_each_record_once(runtime: Runtime) -> None:
    version = fingerprint(runtime.policy)
    past = utcnow() - timedelta(days=1)
    with runtime.transaction() as session:
        org = runtime.organization_id
        people = [Subject(organization_id=org, email_index=f"{n:064x}", language="en")
                  for n in range(300)]
        session.add_all(people)
        session.flush()
        for subject in people:
            record = Record(organization_id=org, subject_id=subject.id, category="contact",
                            source="newsletter_signup", schedule=version,
                            retention_rule="prospects", retention_due_at=past)
            runtime.cipher.seal(record, {"email": "x@example.org"})
            session.add(record)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sweep(runtime, batch_size=10)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with runtime.transaction() as session:
        swept = [json.loads(e.details)["count"] for e in session.scalars(select(
            AuditEvent).where(AuditEvent.organization_id == runtime.organization_id,
                              AuditEvent.action == "retention.swept",
                              AuditEvent.target == "rule:prospects"))]
        left = session.scalar(select(func.count()).select_from(Record).where(
            Record.organization_id == runtime.organization_id))
    assert left == 0 and sum(swept) == 300  # every record once, none twice


def test_applicable_purposes_of_an_unknown_source_are_all_of_the_category(
        runtime: Runtime) -> None:
    found = applicable(runtime.policy, "contact", "a_source_from_before_charter", {})
    assert {p.id for p in found} == {p.id for p in runtime.policy.purposes
                                    if "contact" in p.categories and p.retention}
