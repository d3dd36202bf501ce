"""What Charter makes while keeping the policy's promises follows rules too: mail it sent,
the proof log of cookie choices, form submissions, closed requests and complaints, identity
documents, export files, what children sent while no parent confirmed, rate-limit marks
(keyed hashes of IP addresses). Each is counted for the plan and purged in batches by the
sweep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select

from ..collect.minors import erase_unconfirmed_minors
from ..db import CharterSession
from ..models import (
    Complaint,
    CookieConsent,
    ExportFile,
    IdentityDocument,
    OutboxMessage,
    ParentalConsent,
    RateEvent,
    RightsRequest,
    Submission,
)
from ..policy.text import Duration
from ..rights.exports import delete_expired_exports
from ..rights.intake import LIMITS, forget_rate_events
from ..runtime import Runtime
from .schedule import subtract_duration

CLOSED = ("fulfilled", "denied", "expired", "revoked")
DONE = ("sent", "failed", "cancelled")


def _before(now: datetime, duration: Duration) -> datetime:
    """The cut-off: what is older than ``now`` minus the duration is due."""
    return subtract_duration(now, duration)


@dataclass(frozen=True)
class ByProduct:
    name: str
    label: str
    model: Any
    due: Callable[[Runtime, datetime], ColumnElement[bool]]
    """the rows past their time, for this organization"""
    purge: Callable[[CharterSession, Runtime, datetime, int], int] | None = None
    """a purge that must do more than delete rows (files, audit); default: batched DELETE"""


def _older(column: Any, duration_of: Callable[[Runtime], Duration]
           ) -> Callable[[Runtime, datetime], ColumnElement[bool]]:
    def due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = column < _before(now, duration_of(runtime))
        return condition
    return due


def _mail_due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
    cutoff = _before(now, runtime.policy.by_products.outbox_messages)
    condition: ColumnElement[bool] = OutboxMessage.status.in_(DONE) & (
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff)
    return condition


def _closed_due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
    cutoff = _before(now, runtime.policy.by_products.closed_requests)
    in_force = (RightsRequest.kind == "restriction") & RightsRequest.stage.in_(
        ("done", "lifting"))  # a restriction still in force: it is needed to lift it
    condition: ColumnElement[bool] = RightsRequest.status.in_(CLOSED) & (
        RightsRequest.closed_at < cutoff) & ~in_force
    return condition


def _complaints_due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
    cutoff = _before(now, runtime.policy.by_products.closed_complaints).date()
    condition: ColumnElement[bool] = Complaint.status.in_(("answered", "closed")) & (
        Complaint.received_on < cutoff)
    return condition


def _exports_due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = ExportFile.deleted_at.is_(None) & (
        ExportFile.expires_at <= now)
    return condition


def _minors_due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = (ParentalConsent.status == "pending") & (
        ParentalConsent.deadline <= now)
    return condition


def _rate_due(runtime: Runtime, now: datetime) -> ColumnElement[bool]:
    window = max(w for _n, w in LIMITS.values())  # a mark is needed for its window only
    condition: ColumnElement[bool] = RateEvent.at < now - window
    return condition


def _exports_purge(session: CharterSession, runtime: Runtime, now: datetime, limit: int) -> int:
    return delete_expired_exports(session, runtime)


def _rate_purge(session: CharterSession, runtime: Runtime, now: datetime, limit: int) -> int:
    return forget_rate_events(session, runtime)


def _minors_purge(session: CharterSession, runtime: Runtime, now: datetime, limit: int) -> int:
    return erase_unconfirmed_minors(session, runtime, now=now)


BY_PRODUCTS = (
    ByProduct("outbox_messages", "mail sent (the outbox)", OutboxMessage, _mail_due),
    ByProduct("cookie_consents", "the proof log of cookie choices", CookieConsent,
              _older(CookieConsent.created_at, lambda r: r.policy.by_products.cookie_consents)),
    ByProduct("submissions", "proofs of form submissions", Submission,
              _older(Submission.received_at, lambda r: r.policy.by_products.submissions)),
    ByProduct("closed_requests", "closed data-subject requests", RightsRequest, _closed_due),
    ByProduct("closed_complaints", "answered or closed complaints", Complaint,
              _complaints_due),
    ByProduct("identity_documents", "proofs of identity still undecided", IdentityDocument,
              _older(IdentityDocument.uploaded_at,
                     lambda r: r.policy.by_products.identity_documents)),
    ByProduct("exports", "access packages past their link's life", ExportFile, _exports_due,
              _exports_purge),
    ByProduct("unconfirmed_minors", "what children sent with no parent's confirmation",
              ParentalConsent, _minors_due, _minors_purge),
    ByProduct("rate_events", "rate-limit marks (keyed hashes of IP addresses)", RateEvent,
              _rate_due, _rate_purge),
)


def count_due(session: CharterSession, runtime: Runtime, item: ByProduct,
              now: datetime) -> int:
    model = item.model
    return session.scalar(select(func.count()).select_from(model).where(
        model.organization_id == runtime.organization_id, item.due(runtime, now))) or 0


def purge(session: CharterSession, runtime: Runtime, item: ByProduct, now: datetime,
          limit: int) -> list[int]:
    """One batch: the ids of the rows dealt with (for the evidence), at most ``limit`` —
    except for purges that do more than delete rows (files on disk, a child's sign-up),
    which take every row due at once (they are few)."""
    model = item.model
    selection = select(model.id).where(model.organization_id == runtime.organization_id,
                                       item.due(runtime, now)).order_by(model.id)
    if item.purge is None:  # a second sweep at the same time takes other rows
        selection = selection.limit(limit).with_for_update(skip_locked=True)
    ids = list(session.scalars(selection))
    if not ids:
        return []
    if item.purge is not None:
        item.purge(session, runtime, now, limit)
    else:
        session.execute(delete(model).where(model.organization_id == runtime.organization_id,
                                            model.id.in_(ids)))
    return ids
