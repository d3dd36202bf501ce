"""Queries on manual tasks, webhook deliveries and the parts systems owe to requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..db import CharterSession
from ..models import ManualTask, RequestSystemPart, RightsRequest, WebhookDelivery
from ..rights.lifecycle import UNVERIFIED


def open_tasks_for(session: CharterSession, organization_id: int, request_id: int,
                   system: str | None) -> list[ManualTask]:
    """The open tasks of a request, for one system or (None) for all."""
    statement = select(ManualTask).where(
        ManualTask.organization_id == organization_id, ManualTask.request_id == request_id,
        ManualTask.status == "open")
    if system is not None:
        statement = statement.where(ManualTask.system == system)
    return list(session.scalars(statement))


def task_by_uid(session: CharterSession, organization_id: int, uid: str) -> ManualTask | None:
    statement = select(ManualTask).where(ManualTask.organization_id == organization_id,
                                         ManualTask.uid == uid)
    return session.scalars(statement).first()


def open_tasks(session: CharterSession, organization_id: int) -> list[ManualTask]:
    """Open tasks, the nearest due first."""
    statement = select(ManualTask).where(ManualTask.organization_id == organization_id,
                                         ManualTask.status == "open")
    return list(session.scalars(statement.order_by(ManualTask.due_on, ManualTask.id)))


def done_tasks(session: CharterSession, organization_id: int, *, limit: int
               ) -> list[ManualTask]:
    statement = select(ManualTask).where(ManualTask.organization_id == organization_id,
                                         ManualTask.status == "done")
    return list(session.scalars(statement.order_by(ManualTask.id.desc()).limit(limit)))


def tasks_to_remind(session: CharterSession, organization_id: int, by: date, today: date
                    ) -> list[ManualTask]:
    statement = select(ManualTask).where(
        ManualTask.organization_id == organization_id, ManualTask.status == "open",
        ManualTask.due_on <= by,
        (ManualTask.reminded_on.is_(None)) | (ManualTask.reminded_on != today))
    return list(session.scalars(statement.order_by(ManualTask.due_on)))


def delivery_by_token_hash(session: CharterSession, organization_id: int, token_hash: str
                           ) -> WebhookDelivery | None:
    statement = select(WebhookDelivery).where(
        WebhookDelivery.organization_id == organization_id,
        WebhookDelivery.token_hash == token_hash)
    return session.scalars(statement).first()


def deliveries_waiting(session: CharterSession, organization_id: int, *,
                       sent_before: datetime | None = None, request_id: int | None = None
                       ) -> list[WebhookDelivery]:
    """Calls accepted by a webhook whose callback has not come (yet)."""
    statement = select(WebhookDelivery).where(
        WebhookDelivery.organization_id == organization_id,
        WebhookDelivery.status == "accepted")
    if request_id is not None:
        statement = statement.where(WebhookDelivery.request_id == request_id)
    if sent_before is not None:
        statement = statement.where(WebhookDelivery.sent_at < sent_before)
    return list(session.scalars(statement.order_by(WebhookDelivery.sent_at)))


def unanswered_parts(session: CharterSession, organization_id: int
                     ) -> list[tuple[RequestSystemPart, RightsRequest]]:
    """Parts still owed by a system to an open request (pending or failed), with it — not
    while the request waits for the person to prove who they are (nothing is done then)."""
    statement = (
        select(RequestSystemPart, RightsRequest)
        .join(RightsRequest, RightsRequest.id == RequestSystemPart.request_id)
        .where(RequestSystemPart.organization_id == organization_id,
               RightsRequest.organization_id == organization_id,
               RightsRequest.status == "in_progress",
               RightsRequest.stage.not_in(UNVERIFIED),
               RequestSystemPart.status != "done")
        .order_by(RightsRequest.due_on, RequestSystemPart.id))
    return [(part, request) for part, request in session.execute(statement).all()]
