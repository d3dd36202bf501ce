"""A webhook system's answer, posted later to its one-time callback URL: checked (the token,
then the signature with the system's secret, then the result), then it becomes the system's
part of the request, which is answered once every system has given its part. A system
that never calls back is asked again, with the same backoff as a failure."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from ..audit import record_event
from ..db import CharterSession
from ..errors import CharterError, Conflict, NotFound
from ..models import WebhookDelivery, utcnow
from ..policy.systems import WebhookOptions
from ..rights import repository as rights_repository
from ..rights.fulfilment import finish_if_answered
from ..runtime import Runtime
from . import repository
from .manual import open_task
from .webhook import parse_result, secret_of, signature_valid, token_hash


class SignatureInvalid(CharterError):
    """The callback is not signed with the system's secret, or too long ago."""

    exit_code = 2


def receive_callback(session: CharterSession, runtime: Runtime, token: str, body: bytes,
                     signature: str) -> WebhookDelivery:
    """Apply a callback; a refused one changes nothing."""
    org = runtime.organization_id
    delivery = repository.delivery_by_token_hash(session, org, token_hash(token))
    system = runtime.policy.system(delivery.system) if delivery else None
    if delivery is None or system is None:
        raise NotFound("no such callback")
    if not signature_valid(secret_of(system), body, signature):
        raise SignatureInvalid("the signature does not match this body and secret")
    if delivery.status != "accepted":
        raise Conflict(f"this callback was {delivery.status}")
    answer = parse_result(system, body)
    request = rights_repository.request_by_id(session, org, delivery.request_id)
    if request is None:
        raise NotFound("no such callback")
    delivery.status, delivery.answered_at = "answered", utcnow()
    record_event(session, org, actor=f"system:{system.id}", action="request.system_answered",
                 target=f"request:{request.reference}",
                 details={"system": system.id, "delivery": delivery.uid})
    if delivery.action == "lift":
        return delivery
    part = next((p for p in rights_repository.parts_of(session, org, request.id)
                 if p.system == system.id), None)
    if part is None or part.status == "done":
        raise Conflict(f"system {system.id} has already answered")
    runtime.cipher.seal(part, asdict(answer))
    part.status, part.done_at, part.last_error = "done", utcnow(), None
    finish_if_answered(session, runtime, request, actor=f"system:{system.id}")
    return delivery


def expire_silent_deliveries(session: CharterSession, runtime: Runtime) -> int:
    """The job: a call accepted but not answered within the system's callback_hours is
    a failure of its part (asked again with backoff); a lift goes to people as a task."""
    org, now = runtime.organization_id, utcnow()
    expired = 0
    for delivery in repository.deliveries_waiting(session, org):
        system = runtime.policy.system(delivery.system)
        hours = (system.webhook or WebhookOptions()).callback_hours if system else 0
        if delivery.sent_at > now - timedelta(hours=hours):
            continue
        delivery.status = "expired"
        expired += 1
        request = rights_repository.request_by_id(session, org, delivery.request_id)
        if request is None or system is None:
            continue
        if delivery.action == "lift":
            open_task(session, runtime, request, system, action="lift")
            continue
        for part in rights_repository.parts_of(session, org, request.id):
            if part.system == system.id and part.status == "pending":
                part.status, part.last_error = "failed", "CallbackTimeout"
                part.attempts += 1
                part.next_attempt_at = now
        record_event(session, org, actor="system", action="request.system_failed",
                     target=f"request:{request.reference}",
                     details={"system": system.id, "delivery": delivery.uid,
                              "error": "CallbackTimeout"})
    return expired
