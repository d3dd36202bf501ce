"""The sweep under Qualifio's policy: only what is due disappears, legal holds win and are
shown, dates move with their triggers, anonymised records keep statistics, and every batch
leaves evidence without the data."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from charter.cli import main
from charter.models import AnonymousFact, AuditEvent, Record, Subject, utcnow
from charter.retention.plan import plan
from charter.retention.stats import statistics
from charter.retention.sweep import ids_hash, sweep
from charter.runtime import Runtime
from charter.subjects import RecordInput, find_subject

from ..factories import policy_with
from .conftest import EXAMPLES, customer, prospect, store, years_ago


def _count(runtime: Runtime, model: type) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(
            model.organization_id == runtime.organization_id)) or 0  # type: ignore[attr-defined]


def _known(runtime: Runtime, email: str) -> bool:
    with runtime.transaction() as session:
        return find_subject(session, runtime, email=email) is not None


def _variant(runtime: Runtime, tmp_path: Path, *replacements: tuple[str, str]) -> Runtime:
    return policy_with(runtime, tmp_path, *replacements,
                       source=(EXAMPLES / "qualifio.yaml").read_text())


def test_only_what_is_due_disappears(qualifio: Runtime) -> None:
    prospect(qualifio, "old.prospect@example.org", years_ago(4))     # 3 years: due
    prospect(qualifio, "new.prospect@example.org", years_ago(2))     # not yet
    customer(qualifio, "gone.client@example.org", years_ago(11))     # 10 years: due
    customer(qualifio, "past.client@example.org", years_ago(5))      # not yet
    customer(qualifio, "client@example.org", None)                   # contract running
    with qualifio.transaction() as session:
        ahead = plan(session, qualifio)
    due = {(line.rule, line.category): line.count for line in ahead.due}
    assert due == {("prospects", "contact"): 1, ("prospects", "professional"): 1,
                   ("contract_archive", "contact"): 1, ("contract_archive", "billing"): 1}
    assert all(line.systems == ["charter"] for line in ahead.due)  # Charter's own store
    report = sweep(qualifio, batch_size=3)
    assert report.deleted == 4 and report.people_removed == 2
    for gone in ("old.prospect@example.org", "gone.client@example.org"):
        assert not _known(qualifio, gone), gone
    for kept in ("new.prospect@example.org", "past.client@example.org", "client@example.org"):
        assert _known(qualifio, kept), kept
    assert _count(qualifio, Record) == 6
    # the evidence: rule, category, counts and a hash over the ids, never the data
    with qualifio.transaction() as session:
        swept = list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == qualifio.organization_id,
            AuditEvent.action == "retention.swept")))
    assert sum(json.loads(e.details)["count"] for e in swept) == 4
    assert all(len(json.loads(e.details)["ids_sha256"]) == 64 for e in swept)
    assert not any("example.org" in e.details or "Mediahuis" in e.details for e in swept)
    again = sweep(qualifio)  # idempotent: nothing left that is due
    assert (again.deleted, again.anonymised, again.people_removed) == (0, 0, 0)


def test_a_new_contact_moves_the_due_date(qualifio: Runtime) -> None:
    prospect(qualifio, "back@example.org", years_ago(4))
    store(qualifio, "back@example.org",  # they write again today
          RecordInput("correspondence", {"message": "Still interested"}, "contact_form"))
    with qualifio.transaction() as session:
        subject = find_subject(session, qualifio, email="back@example.org")
        assert subject is not None
        dues = {r.category: r.retention_due_at for r in session.scalars(select(Record).where(
            Record.organization_id == qualifio.organization_id,
            Record.subject_id == subject.id))}
    soon = utcnow() + timedelta(days=3 * 365 - 2)
    assert all(due is not None and due > soon for due in dues.values()), dues
    assert sweep(qualifio).deleted == 0


def test_a_legal_hold_wins_over_the_rule_and_is_shown(qualifio: Runtime,
                                                      tmp_path: Path) -> None:
    shorter = _variant(qualifio, tmp_path, ("  - id: contract_archive\n    duration: 10 years",
                                            "  - id: contract_archive\n    duration: 7 years"))
    customer(shorter, "held@example.org", years_ago(8))  # rule: due; the law: 2 more years
    with shorter.transaction() as session:
        ahead = plan(session, shorter)
    assert ahead.due == []
    [held_billing] = [h for h in ahead.held if h.category == "billing"]
    assert held_billing.count == 1 and "Contracts and accounting records" in held_billing.holds[0]
    assert sweep(shorter).deleted == 0 and _known(shorter, "held@example.org")
    output = CliRunner().invoke(main, ["--data-dir", str(shorter.settings.data_dir),
                                       "--database-url", str(shorter.settings.database_url),
                                       "--policy", str(shorter.settings.policy),
                                       "retention", "plan"]).output
    assert "Past retention, held" in output and "Contracts and accounting" in output


def test_a_changed_policy_reschedules_before_sweeping(qualifio: Runtime,
                                                      tmp_path: Path) -> None:
    prospect(qualifio, "two.years@example.org", years_ago(2))
    one_year = _variant(qualifio, tmp_path, ("  - id: prospects\n    duration: 3 years",
                                             "  - id: prospects\n    duration: 1 year"))
    with one_year.transaction() as session:
        assert plan(session, one_year).to_reschedule == 2
    report = sweep(one_year)
    assert report.rescheduled == 2 and report.deleted == 2
    assert not _known(one_year, "two.years@example.org")


def test_anonymised_records_leave_statistics_above_k(qualifio: Runtime,
                                                     tmp_path: Path) -> None:
    keep = _variant(qualifio, tmp_path, (
        "  - id: language_profile\n", "  - id: language_profile\n    anonymise_keep: [language]\n"))
    for n in range(9):
        language = "fr" if n < 7 else "nl"
        store(keep, f"visitor{n}@example.org",
              RecordInput("language_profile", {"language": language}, "website_tracking",
                          collected_at=years_ago(4), last_contact_at=years_ago(4)))
    report = sweep(keep)
    assert report.anonymised == 9 and report.people_removed == 9
    assert _count(keep, Record) == 0 and _count(keep, Subject) == 0
    with keep.transaction() as session:
        facts = list(session.scalars(select(AnonymousFact).where(
            AnonymousFact.organization_id == keep.organization_id)))
        cells = {c.key: c.count for c in statistics(session, keep, ["field:language"])}
    assert len(facts) == 9 and all("visitor" not in f.kept for f in facts)
    assert cells == {("fr",): 7, ("nl",): None}  # two people: under k = 5, not shown
    printed = CliRunner().invoke(main, [
        "--data-dir", str(keep.settings.data_dir), "--database-url",
        str(keep.settings.database_url), "--policy", str(keep.settings.policy),
        "stats", "--by", "field:language"]).output
    assert "7" in printed and "<k" in printed


def test_ids_hash_is_stable_evidence() -> None:
    assert ids_hash([3, 1, 2]) == ids_hash([1, 2, 3]) != ids_hash([1, 2])
    # sorted as numbers, not as text ("10" < "9")
    assert ids_hash([100, 9, 10]) == hashlib.sha256(b"9,10,100").hexdigest()


def _sha256_of(ids: list[int]) -> str:
    """The documented serialisation, written out here rather than borrowed from the code:
    the ids sorted as numbers, joined by commas, SHA-256 in hex."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


def test_the_evidence_hash_is_over_exactly_the_ids_that_went(qualifio: Runtime) -> None:
    gone = [prospect(qualifio, f"old{n}@example.org", years_ago(4 + n)) for n in range(6)]
    prospect(qualifio, "new.prospect@example.org", years_ago(1))
    with qualifio.transaction() as session:
        due = {category: sorted(session.scalars(select(Record.id).where(
            Record.organization_id == qualifio.organization_id, Record.category == category,
            Record.subject_id.in_([s.id for s in gone])))) for category in
            ("contact", "professional")}
    assert [len(ids) for ids in due.values()] == [6, 6]
    assert sweep(qualifio).people_removed == 6
    with qualifio.transaction() as session:
        events = list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == qualifio.organization_id,
            AuditEvent.action.in_(("retention.swept", "retention.people_removed")))
            .order_by(AuditEvent.id)))
    swept = {json.loads(e.details)["category"]: json.loads(e.details) for e in events
             if e.action == "retention.swept"}
    assert swept == {category: {"category": category, "action": "delete", "count": 6,
                                "ids_sha256": _sha256_of(ids)}
                     for category, ids in due.items()}
    assert all(e.target == "rule:prospects" for e in events if e.action == "retention.swept")
    [removed] = [json.loads(e.details) for e in events
                 if e.action == "retention.people_removed"]
    assert removed == {"count": 6, "ids_sha256": _sha256_of([s.id for s in gone])}
