"""The connector to a system reached by a webhook (a mailing tool, a CRM): an HMAC-signed
HTTPS POST per action. The system answers at once (200 with its result) or later (202),
by posting its result, signed the same way, to the one-time callback URL it was given.
A failed call is an error of the part, retried with backoff like any other."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from datetime import date
from typing import Any

import httpx2 as httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import EnvironmentProblem, InvalidInput
from ..policy.processing import System
from ..policy.systems import WebhookOptions, webhook_url_allowed
from ..rights import repository as rights_repository
from ..rights.connectors import Awaiting, Change, Person, SystemAnswer
from ..runtime import Runtime

SIGNATURE = "Charter-Signature"
TOLERANCE_SECONDS = 300


class WebhookNotConfigured(EnvironmentProblem):
    """No secret in the environment, or a URL Charter may not call."""


class WebhookRefused(Exception):
    """The system answered with a status other than 200 or 202."""


class AwaitingCallback(Awaiting):
    """The system accepted the call and will post its result to the callback URL."""

    def __init__(self, delivery: str, token_hash: str) -> None:
        super().__init__(delivery)
        self.delivery = delivery
        self.token_hash = token_hash


class HeldPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    until: date


class WebhookResult(BaseModel):
    """What a system answers, at once or by callback."""

    model_config = ConfigDict(extra="forbid")
    found: bool
    data: dict[str, list[dict[str, Any]]] = {}
    done: list[str] = []
    held: list[HeldPart] = []
    categories: list[str] = []
    """where the person was found (the answer to a lookup, which carries no data)"""


def secret_of(system: System) -> bytes:
    secret = os.environ.get(system.secret_env or "", "")
    if not secret:
        raise WebhookNotConfigured(f"system {system.id}: set the variable {system.secret_env} "
                                   "to the webhook's shared secret")
    return secret.encode()


def sign(secret: bytes, body: bytes, *, at: int | None = None) -> str:
    """``t=UNIX,v1=HEX``: HMAC-SHA256 of ``"{t}."`` followed by the body."""
    moment = int(time.time()) if at is None else at
    digest = hmac.new(secret, f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def signature_valid(secret: bytes, body: bytes, header: str, *, now: int | None = None) -> bool:
    """A signature of this body, made within five minutes (a replayed old call fails)."""
    fields = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in fields if name == "t"]
    digests = [value for name, _, value in fields if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not digests:
        return False
    moment = int(stamps[0])
    if abs((int(time.time()) if now is None else now) - moment) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, at=moment).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, d) for d in digests)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_of(system: System, result: WebhookResult) -> SystemAnswer:
    """The system may speak only of the categories the policy says it holds."""
    named = set(result.data) | {h.category for h in result.held} | set(result.categories)
    unknown = sorted(named - set(system.categories))
    if unknown:
        raise InvalidInput(f"system {system.id} does not hold {', '.join(unknown)} according "
                           "to the policy")
    return SystemAnswer(found=result.found, data=result.data, done=result.done,
                        held=[f"{h.category}|{h.until.isoformat()}" for h in result.held],
                        categories=sorted(named))


def parse_result(system: System, body: bytes) -> SystemAnswer:
    try:
        return answer_of(system, WebhookResult.model_validate_json(body))
    except ValidationError as exc:
        where = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"]
                          for e in exc.errors(include_input=False))
        raise InvalidInput(f"result: {where}") from None


class WebhookConnector:
    def __init__(self, system: System) -> None:
        self.system = system
        self.options = system.webhook or WebhookOptions()

    def call(self, session: Any, runtime: Runtime, person: Person, action: str,
             **extra: Any) -> SystemAnswer:
        """POST the action; the result now (200), or AwaitingCallback (202)."""
        url = self.system.url or ""
        if not webhook_url_allowed(url):
            raise WebhookNotConfigured(f"system {self.system.id}: not an https URL")
        secret = secret_of(self.system)
        token, delivery = secrets.token_urlsafe(32), uuid.uuid4().hex
        request = rights_repository.request_by_reference(
            session, runtime.organization_id, person.request or "")
        body = json.dumps({
            "delivery": delivery, "action": action, "request": person.request,
            "due_on": request.deadline.isoformat() if request else None,
            "controller": runtime.policy.organization.legal_name,
            "person": {"email": person.email, "phone": person.phone},
            "callback_url": f"{runtime.settings.public_url}/systems/callbacks/{token}",
            **extra}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", SIGNATURE: sign(secret, body),
                   "Charter-Delivery": delivery, "Charter-Action": action}
        with httpx.Client(transport=runtime.connectors.get("http"),
                          timeout=self.options.timeout_seconds) as client:
            response = client.post(url, content=body, headers=headers)
        if response.status_code == 202:
            raise AwaitingCallback(delivery, token_hash(token))
        if response.status_code != 200:
            raise WebhookRefused(f"HTTP {response.status_code}")
        return parse_result(self.system, response.content)

    def find(self, session: Any, runtime: Runtime, person: Person) -> SystemAnswer:
        return self.call(session, runtime, person, "find")

    def export(self, session: Any, runtime: Runtime, person: Person, *,
               provided_only: bool) -> SystemAnswer:
        return self.call(session, runtime, person,
                         "portability" if provided_only else "access")

    def erase(self, session: Any, runtime: Runtime, person: Person) -> SystemAnswer:
        return self.call(session, runtime, person, "erasure")

    def restrict(self, session: Any, runtime: Runtime, person: Person) -> SystemAnswer:
        return self.call(session, runtime, person, "restriction")

    def lift(self, session: Any, runtime: Runtime, person: Person,
             restricted: SystemAnswer) -> SystemAnswer:
        return self.call(session, runtime, person, "lift")

    def rectify(self, session: Any, runtime: Runtime, person: Person, changes: list[Change],
                *, actor: str) -> SystemAnswer:
        return self.call(session, runtime, person, "rectification", changes=[
            {"category": c.category, "field": c.field, "value": c.value} for c in changes])
