"""A part that waits: for the people of a manual system (a task), or for a webhook's
callback (a delivery). Called by the rights fulfilment when a connector says "later", and
when a request is closed before its systems answered."""

from __future__ import annotations

from ..audit import record_event
from ..db import CharterSession
from ..models import RightsRequest, WebhookDelivery, utcnow
from ..policy.processing import System
from ..rights.connectors import Awaiting
from ..runtime import Runtime
from . import repository
from .manual import open_task
from .webhook import AwaitingCallback


def wait_for(session: CharterSession, runtime: Runtime, request: RightsRequest,
             system: System, waiting: Awaiting, *, action: str) -> None:
    if not isinstance(waiting, AwaitingCallback):
        open_task(session, runtime, request, system, action=action)
        return
    for earlier in repository.deliveries_waiting(session, runtime.organization_id,
                                                 request_id=request.id):
        if earlier.system == system.id:
            earlier.status = "expired"  # asked again: only the newest callback counts
    session.add(WebhookDelivery(organization_id=runtime.organization_id,
                                uid=waiting.delivery, request_id=request.id, system=system.id,
                                action=action, token_hash=waiting.token_hash,
                                status="accepted", attempts=1))
    record_event(session, runtime.organization_id, actor="system",
                 action="request.system_waiting", target=f"request:{request.reference}",
                 details={"system": system.id, "delivery": waiting.delivery})


def stop_waiting(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                 actor: str) -> None:
    """The request was denied or withdrawn: its open tasks are cancelled (no more reminders)
    and the callbacks it waits for are refused from now on."""
    tasks = repository.open_tasks_for(session, runtime.organization_id, request.id, None)
    for task in tasks:
        task.status, task.done_at, task.done_by = "cancelled", utcnow(), actor
    calls = repository.deliveries_waiting(session, runtime.organization_id,
                                          request_id=request.id)
    for delivery in calls:
        delivery.status = "expired"
    if tasks or calls:
        record_event(session, runtime.organization_id, actor=actor,
                     action="request.systems_released", target=f"request:{request.reference}",
                     details={"tasks": len(tasks), "callbacks": len(calls)})
