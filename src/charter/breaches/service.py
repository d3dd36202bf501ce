"""The breach register's rules (Art. 33 and 34): a breach is recorded when the organization
becomes aware of it, its risk is assessed, the authority is notified within 72 hours unless
the breach is unlikely to result in a risk, the people are told when the risk is high unless
one of the three exemptions applies, and the breach is closed only once the law asks
nothing more. Each step is audited with ids and counts only; the narrative is sealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..audit import record_event
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..models import Breach, utcnow
from ..runtime import Runtime
from . import repository
from .clock import AuthorityClock, authority_clock, deadline_of, zone_of
from .facts import EXEMPTIONS, RISKS, BreachFacts


def _target(breach: Breach) -> str:
    return f"breach:{breach.reference}"


def _audit(session: CharterSession, runtime: Runtime, breach: Breach, action: str, *,
           actor: str, **details: Any) -> None:
    record_event(session, runtime.organization_id, actor=actor, action=f"breach.{action}",
                 target=_target(breach), details=details or None)


def record_breach(session: CharterSession, runtime: Runtime, facts: BreachFacts, *,
                  actor: str) -> Breach:
    """Enter a breach in the register; numbered B-YEAR-NNNN by the (local) year it was
    detected."""
    breach = _insert(session, runtime, facts, actor=actor)
    runtime.cipher.seal(breach, facts.sealed())
    _audit(session, runtime, breach, "recorded", actor=actor,
           detected_at=facts.detected_at.isoformat(), nature=list(facts.nature),
           categories=list(facts.categories), people=facts.people, records=facts.records,
           risk=facts.risk)
    return breach


def _insert(session: CharterSession, runtime: Runtime, facts: BreachFacts, *,
            actor: str) -> Breach:
    org = runtime.organization_id
    year = facts.detected_at.astimezone(zone_of(runtime.policy.organization.country)).year
    for _attempt in range(5):  # two breaches recorded at once may pick the same number
        try:
            with session.begin_nested():
                breach = Breach(
                    organization_id=org,
                    reference=f"B-{year}-{repository.breaches_in_year(session, org, year) + 1:04d}",
                    detected_at=facts.detected_at, occurred_at=facts.occurred_at,
                    nature=" ".join(facts.nature), categories=" ".join(facts.categories),
                    subjects_affected=facts.people, records_affected=facts.records,
                    risk=facts.risk, status="open", recorded_by=actor, recorded_at=utcnow(),
                    sealed=b"", key_id="")
                session.add(breach)
                session.flush()
            return breach
        except IntegrityError:
            continue
    raise Conflict("could not number the breach; try again")


def update_facts(session: CharterSession, runtime: Runtime, breach: Breach,
                 facts: BreachFacts, *, actor: str) -> list[str]:
    """Art. 33(4): what is learnt later is added in phases. The facts are replaced, the
    decisions and reasons already recorded stay; the audit names the fields that changed."""
    _open_only(breach)
    columns = {"detected_at": facts.detected_at, "occurred_at": facts.occurred_at,
               "nature": " ".join(facts.nature), "categories": " ".join(facts.categories),
               "subjects_affected": facts.people, "records_affected": facts.records}
    texts = narrative(runtime, breach)
    changed = [name for name, value in columns.items() if getattr(breach, name) != value]
    changed += [name for name, value in facts.sealed().items() if texts.get(name) != value]
    for name, value in columns.items():
        setattr(breach, name, value)
    _remember(runtime, breach, **facts.sealed())
    _audit(session, runtime, breach, "updated", actor=actor, changed=changed)
    return changed


def add_authority_reference(session: CharterSession, runtime: Runtime, breach: Breach, *,
                            reference: str, actor: str) -> None:
    """The authority's own reference often arrives days after the notification."""
    if breach.authority_notified_at is None:
        raise Conflict("record the notification to the authority first")
    if not reference.strip() or len(reference.strip()) > 64:
        raise InvalidInput("authority-reference: required, at most 64 characters")
    breach.authority_reference = reference.strip()
    _audit(session, runtime, breach, "authority_reference", actor=actor)


def narrative(runtime: Runtime, breach: Breach) -> dict[str, str]:
    """The sealed texts: what happened, consequences, measures, contact, reasons, notes."""
    opened: dict[str, str] = runtime.cipher.unseal(breach)
    return opened


def _remember(runtime: Runtime, breach: Breach, **more: str) -> None:
    runtime.cipher.seal(breach, {**narrative(runtime, breach), **more})


def _open_only(breach: Breach) -> None:
    if breach.status != "open":
        raise Conflict(f"breach {breach.reference} is closed")


def clock_of(breach: Breach, now: datetime | None = None) -> AuthorityClock:
    return authority_clock(detected_at=breach.detected_at, decision=breach.authority_decision,
                           notified_at=breach.authority_notified_at, now=now or utcnow())


def people_decision_needed(breach: Breach) -> bool:
    """Art. 34: a high risk obliges a decision about telling the people concerned."""
    return breach.risk == "high" and breach.subjects_decision is None


def assess_risk(session: CharterSession, runtime: Runtime, breach: Breach, *, risk: str,
                note: str, actor: str) -> None:
    """A risk above "unlikely" undoes a decision not to notify the authority: the reason for
    it no longer holds, and the 72 hours count again from awareness."""
    _open_only(breach)
    if risk not in RISKS:
        raise InvalidInput(f"risk: one of {', '.join(RISKS)}")
    before = breach.risk
    breach.risk = risk
    reopened = risk != "unlikely" and breach.authority_decision == "not_required"
    if reopened:
        breach.authority_decision = None
    if note.strip():
        _remember(runtime, breach, risk_note=note.strip())
    _audit(session, runtime, breach, "assessed", actor=actor, risk=risk, before=before,
           **({"authority_decision": "reopened"} if reopened else {}))


def notify_authority(session: CharterSession, runtime: Runtime, breach: Breach, *,
                     notified_at: datetime, reference: str, delay_reason: str,
                     actor: str) -> None:
    """Record the notification made to the supervisory authority. After 72 hours it must
    come with the reasons for the delay (Art. 33(1))."""
    _open_only(breach)
    if breach.authority_notified_at is not None:
        raise Conflict(f"the authority was already notified of {breach.reference}")
    late = notified_at > deadline_of(breach.detected_at)
    problems = []
    if late and not delay_reason.strip():
        problems.append("delay-reason: notified more than 72 hours after becoming aware: "
                        "say why (Art. 33(1))")
    if len(reference.strip()) > 64:
        problems.append("authority-reference: at most 64 characters")
    if problems:
        raise InvalidInput("; ".join(problems))
    breach.authority_decision, breach.authority_notified_at = "notify", notified_at
    breach.authority_reference = reference.strip() or None
    if delay_reason.strip():
        _remember(runtime, breach, delay_reason=delay_reason.strip())
    clock = clock_of(breach)
    _audit(session, runtime, breach, "authority_notified", actor=actor,
           notified_at=notified_at.isoformat(), hours=clock.took_hours, late=late)


def authority_not_required(session: CharterSession, runtime: Runtime, breach: Breach, *,
                           reason: str, actor: str) -> None:
    """Art. 33(1): no notification only when the breach is unlikely to result in a risk —
    assessed so, and the reason recorded for the authority that may ask (Art. 33(5))."""
    _open_only(breach)
    if breach.authority_notified_at is not None:
        raise Conflict(f"the authority was already notified of {breach.reference}")
    if breach.risk != "unlikely":
        raise Conflict(f"the risk is {breach.risk}: only a breach unlikely to result in a "
                       "risk may go unnotified (Art. 33(1))")
    if not reason.strip():
        raise InvalidInput("reason: say why the breach is unlikely to result in a risk")
    breach.authority_decision = "not_required"
    _remember(runtime, breach, authority_reason=reason.strip())
    _audit(session, runtime, breach, "authority_not_required", actor=actor)


def notify_subjects(session: CharterSession, runtime: Runtime, breach: Breach, *,
                    notified_at: datetime, actor: str) -> None:
    """Record that the people concerned were told (Art. 34(1)), with the drafts' content."""
    _open_only(breach)
    if breach.subjects_notified_at is not None:
        raise Conflict(f"the people were already told of {breach.reference}")
    breach.subjects_decision, breach.subjects_notified_at = "notify", notified_at
    _audit(session, runtime, breach, "subjects_notified", actor=actor,
           notified_at=notified_at.isoformat())


def subjects_not_required(session: CharterSession, runtime: Runtime, breach: Breach, *,
                          ground: str, reason: str, public_communication: str,
                          actor: str) -> None:
    """Not telling people of a high-risk breach needs one of the grounds of Art. 34(3), with
    the facts that support it; ground (c) replaces the letters with a public
    communication, which must be described."""
    _open_only(breach)
    if breach.subjects_notified_at is not None:
        raise Conflict(f"the people were already told of {breach.reference}")
    if breach.risk != "high":
        raise Conflict(f"the risk is {breach.risk}: Art. 34 asks a decision only for a high "
                       "risk")
    problems = []
    if ground not in EXEMPTIONS:
        problems.append("exemption: a, b or c of Art. 34(3)")
    if not reason.strip():
        problems.append("reason: the facts that make the exemption apply")
    if ground == "c" and not public_communication.strip():
        problems.append("public-communication: where and how the public is told "
                        "(Art. 34(3)(c))")
    if problems:
        raise InvalidInput("; ".join(problems))
    breach.subjects_decision = "not_required"
    _remember(runtime, breach, subjects_ground=ground, subjects_reason=reason.strip(),
              public_communication=public_communication.strip())
    _audit(session, runtime, breach, "subjects_not_required", actor=actor, ground=ground)


def close_breach(session: CharterSession, runtime: Runtime, breach: Breach, *, note: str,
                 actor: str) -> None:
    """Close a breach once nothing the law asks is pending: risk assessed, the authority
    notified or ruled out, the people told or exempted when the risk is high."""
    _open_only(breach)
    pending = []
    if breach.risk == "unassessed":
        pending.append("assess the risk")
    if breach.authority_notified_at is None and breach.authority_decision != "not_required":
        pending.append("notify the authority or record why it is not required")
    if people_decision_needed(breach):
        pending.append("decide about telling the people (high risk)")
    if pending:
        raise Conflict(f"{breach.reference} cannot be closed yet: {'; '.join(pending)}")
    if not note.strip():
        raise InvalidInput("note: how the breach was resolved")
    breach.status, breach.closed_at = "closed", utcnow()
    _remember(runtime, breach, closing_note=note.strip())
    _audit(session, runtime, breach, "closed", actor=actor)


@dataclass(frozen=True)
class OpenBreach:
    """An open breach as the dashboard shows it (no personal data)."""

    reference: str
    detected_at: datetime
    deadline: datetime
    """detected_at + 72 hours: when the authority must have been notified."""
    hours_left: int | None
    """Whole hours to the deadline, rounded down: −1 in the first hour after it. None once
    the authority is notified or notification was ruled out (the clock has stopped)."""
    risk: str
    people_decision_needed: bool
    clock: str
    """One line, e.g. "41 h left to notify the authority" or "overdue by 5 h: …"."""

    @property
    def overdue(self) -> bool:
        return self.hours_left is not None and self.hours_left < 0


def open_breaches(session: CharterSession, runtime: Runtime, *,
                  now: datetime | None = None) -> list[OpenBreach]:
    """Every open breach with its deadline and hours left, the most urgent first. One query,
    nothing unsealed: cheap enough for every dashboard view."""
    moment = now or utcnow()
    found = []
    for reference, detected, risk, decision, notified, subjects in repository.open_clock_rows(
            session, runtime.organization_id):
        clock = authority_clock(detected_at=detected, decision=decision, notified_at=notified,
                                now=moment)
        found.append(OpenBreach(
            reference=reference, detected_at=detected, deadline=clock.deadline,
            hours_left=clock.hours_left, risk=risk,
            people_decision_needed=risk == "high" and subjects is None, clock=clock.text()))
    return found
