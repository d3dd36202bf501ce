"""The audit log: append-only and hash-chained, so an edit, a deletion or a reordering shows.

Events carry ids, categories and counts — never personal data itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..db import CharterSession
from ..models import AuditEvent, utcnow
from . import repository

GENESIS = "0" * 64


def _digest(
    prev_hash: str,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    target: str,
    details: str,
) -> str:
    canonical = json.dumps(
        [
            prev_hash,
            seq,
            occurred_at.isoformat(timespec="microseconds"),
            actor,
            action,
            target,
            details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    session: CharterSession,
    organization_id: int,
    *,
    actor: str,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits with the change it proves)."""
    last = repository.last_event(session, organization_id)
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS if last is None else last.hash
    occurred_at = utcnow()
    body = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
    event = AuditEvent(
        organization_id=organization_id,
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        target=target,
        details=body,
        prev_hash=prev_hash,
        hash=_digest(prev_hash, seq, occurred_at, actor, action, target, body),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(session: CharterSession, organization_id: int) -> ChainReport:
    """Walk the chain in sequence order; name the first event that does not fit.

    An edit changes an event's hash; a deletion leaves a gap in the sequence; a reordering
    breaks the link to the previous hash or the insertion order.
    """
    expected_prev, expected_seq, last_id, checked = GENESIS, 1, 0, 0
    for event in repository.events_in_order(session, organization_id):
        if event.seq != expected_seq:
            return ChainReport(
                checked,
                event.seq,
                f"event {expected_seq} is missing: the "
                f"chain jumps from event {expected_seq - 1} to {event.seq}",
            )
        if event.id < last_id:
            return ChainReport(checked, event.seq, f"event {event.seq} is out of order")
        if event.prev_hash != expected_prev:
            return ChainReport(
                checked,
                event.seq,
                f"event {event.seq} does not follow event {event.seq - 1} "
                "(reordered, or the previous event was rewritten)",
            )
        recomputed = _digest(
            event.prev_hash,
            event.seq,
            event.occurred_at,
            event.actor,
            event.action,
            event.target,
            event.details,
        )
        if recomputed != event.hash:
            return ChainReport(checked, event.seq, f"event {event.seq} was edited")
        expected_prev, expected_seq, last_id = event.hash, event.seq + 1, event.id
        checked += 1
    return ChainReport(checked, head_hash=expected_prev)


def verify_and_record(session: CharterSession, organization_id: int, *, actor: str
                      ) -> ChainReport:
    """Check the whole chain and write the result into it (the nightly job, and on demand
    from the Portal)."""
    report = verify_chain(session, organization_id)
    record_event(session, organization_id, actor=actor, action="audit.verified",
                 details={"checked": report.checked, "intact": report.intact,
                          "broken_at": report.broken_at})
    return report
