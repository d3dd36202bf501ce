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
from .head import EMPTY, ChainHead

GENESIS = EMPTY.hash


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
    """Append one event in the caller's transaction (it commits with the change it proves),
    and move the recorded head to it in the same transaction."""
    head = repository.lock_head(session, organization_id)
    last = repository.last_event(session, organization_id)
    if last is not None and last.seq > head.seq:
        # Appended without moving the head (by a Charter older than the head, mid-upgrade):
        # follow them rather than collide with them. Otherwise follow the head even when the
        # newest events are gone, so their deletion stays visible as a gap.
        head = ChainHead(last.seq, last.hash)
    seq = head.seq + 1
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
        prev_hash=head.hash,
        hash=_digest(head.hash, seq, occurred_at, actor, action, target, body),
    )
    session.add(event)
    session.flush()
    repository.move_head(session, organization_id, ChainHead(seq, event.hash))
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None
    head: ChainHead = EMPTY
    """The last event, when the walk reached the end of the chain."""

    @property
    def intact(self) -> bool:
        return self.problem is None


def _head_problem(last: ChainHead, recorded: ChainHead) -> tuple[int, str] | None:
    """Where and how the end of the surviving chain differs from the head recorded with each
    append."""
    if recorded.seq > last.seq:
        if last.seq == 0:
            return 1, f"every event is missing: the chain's head is #{recorded.seq}"
        return last.seq + 1, (f"events after #{last.seq} are missing: "
                              f"the chain's head is #{recorded.seq}")
    if recorded.seq < last.seq:
        return recorded.seq + 1, (f"events after #{recorded.seq} were added without moving "
                                  f"the chain's head (#{recorded.seq}): the log ends at "
                                  f"#{last.seq}")
    if recorded.hash != last.hash:
        return last.seq, (f"event #{last.seq} is not the chain's recorded head: the log was "
                          "rewritten")
    return None


def verify_chain(session: CharterSession, organization_id: int, *,
                 expect: ChainHead | None = None) -> ChainReport:
    """Walk the chain in sequence order; name the first event that does not fit.

    An edit changes an event's hash; a deletion leaves a gap in the sequence; a reordering
    breaks the link to the previous hash or the insertion order; deleting the newest events
    leaves the chain short of the head recorded with each append. ``expect`` is a head kept
    outside the database (``charter audit head``): the chain must still pass through it, which
    shows a rewrite of both the events and the recorded head.
    """
    # The head first: events appended while the walk runs (another transaction, on
    # PostgreSQL's per-statement snapshots) lie past it and are left for the next check.
    recorded = repository.recorded_head(session, organization_id)
    expected_prev, expected_seq, last_id, checked = GENESIS, 1, 0, 0
    beyond: int | None = None
    for event in repository.events_in_order(session, organization_id):
        if event.seq > recorded.seq and event.seq == expected_seq:
            beyond = event.seq
            break
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
        if expect is not None and event.seq == expect.seq and event.hash != expect.hash:
            return ChainReport(checked, event.seq,
                               f"event #{event.seq} is not the head you kept ({expect}): "
                               "the log was rewritten at or before it")
        expected_prev, expected_seq, last_id = event.hash, event.seq + 1, event.id
        checked += 1
    last = ChainHead(expected_seq - 1, expected_prev)
    found = _head_problem(last, recorded)
    if found is None and beyond is not None \
            and repository.recorded_head(session, organization_id).seq < beyond:
        # events past the head read first, and the head has not moved on with them since:
        # they were written around Charter, not appended by it
        newest = repository.last_event(session, organization_id)
        end = newest.seq if newest is not None else beyond
        found = beyond, (f"events after #{recorded.seq} were added without moving the "
                         f"chain's head (#{recorded.seq}): the log ends at #{end}")
    if found is None and expect is not None and expect.seq > last.seq:
        found = last.seq + 1, (f"the head you kept (#{expect.seq}) is missing: the log ends "
                               f"at #{last.seq}")
    if found is not None:
        return ChainReport(checked, found[0], found[1], head=last)
    return ChainReport(checked, head=last)


def chain_head(session: CharterSession, organization_id: int) -> ChainHead:
    """The head recorded with the latest append: what an operator copies out of the database
    to pass back later as ``charter audit verify --expect``."""
    return repository.recorded_head(session, organization_id)


def verify_and_record(session: CharterSession, organization_id: int, *, actor: str
                      ) -> ChainReport:
    """Check the whole chain and write the result into it (the nightly job, and on demand
    from the Portal)."""
    report = verify_chain(session, organization_id)
    record_event(session, organization_id, actor=actor, action="audit.verified",
                 details={"checked": report.checked, "intact": report.intact,
                          "broken_at": report.broken_at})
    return report
