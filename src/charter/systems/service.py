"""Completing a manual task (the attestation of the people in charge of a system, with what
they found for an access request), and the overview of every system's state for staff:
parts still owed, tasks, callbacks waited for, restrictions not lifted on their day."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from ..audit import record_event
from ..db import CharterSession
from ..errors import CharterError, Conflict, InvalidInput, NotFound
from ..models import (
    AuditEvent,
    ManualTask,
    RequestSystemPart,
    RightsRequest,
    StaffUser,
    WebhookDelivery,
)
from ..policy.processing import System
from ..rights import repository as rights_repository
from ..rights.connectors import PersonAnswers, connector_for
from ..rights.fulfilment import MAX_ATTEMPTS, attest
from ..runtime import Runtime
from . import repository
from .manual import checklist_of, close_tasks, may_work_on

MAX_EXTRACT = 5 * 1024 * 1024
Extract = dict[str, list[dict[str, Any]]]


class NotAssigned(CharterError):
    """The task is for other people (its assignees, and those who handle requests)."""


def system_of(runtime: Runtime, system_id: str) -> System:
    system = runtime.policy.system(system_id)
    if system is None:
        raise NotFound(f"system {system_id!r} is no longer declared in the policy")
    return system


def parse_extract(system: System, content: bytes, filename: str, category: str) -> Extract:
    """JSON ``{category: [rows]}``, or a CSV file of one category chosen on the form."""
    if len(content) > MAX_EXTRACT:
        raise InvalidInput("extract: at most 5 MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("extract: a UTF-8 JSON or CSV file") from None
    if filename.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise InvalidInput("extract: not valid JSON") from None
        if not isinstance(data, dict) or not all(
                isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
                for rows in data.values()):
            raise InvalidInput('extract: JSON of the form {"category": [{...}, ...]}')
    else:
        rows = [dict(r) for r in csv.DictReader(io.StringIO(text))]
        if not category:
            raise InvalidInput("extract: choose the category of the CSV file")
        data = {category: rows}
    if not any(data.values()):
        raise InvalidInput("extract: the file holds no rows; tick 'nothing found' instead")
    unknown = sorted(set(data) - set(system.categories))
    if unknown:
        raise InvalidInput(f"extract: {system.id} holds no {', '.join(unknown)} according to "
                           "the policy")
    return data


@dataclass
class Completion:
    checked: list[int]
    attested: bool
    note: str
    nothing_found: bool = False
    extract: Extract | None = None


def complete_task(session: CharterSession, runtime: Runtime, task: ManualTask, *,
                  user: StaffUser, actor: str, done: Completion) -> RightsRequest:
    """The people in charge attest what they did; the request goes on once all answered."""
    if not may_work_on(runtime, user, task):
        raise NotAssigned("this task is assigned to other people")
    if task.status != "open":
        raise Conflict("this task is already done")
    system = system_of(runtime, task.system)
    steps = checklist_of(system, task.action)
    if sorted(set(done.checked)) != list(range(len(steps))):
        raise InvalidInput("tick every step of the checklist once it is done")
    if not done.attested:
        raise InvalidInput("confirm the attestation")
    if not done.note.strip():
        raise InvalidInput("note: say what was done in the system")
    if task.action in ("access", "portability") and not done.extract and not done.nothing_found:
        raise InvalidInput("upload what was found, or tick 'nothing found'")
    if done.extract and done.nothing_found:
        raise InvalidInput("an extract was uploaded but 'nothing found' is ticked")
    request = rights_repository.request_by_id(session, runtime.organization_id,
                                              task.request_id)
    if request is None:
        raise NotFound("the request of this task no longer exists")
    runtime.cipher.seal(task, {"note": done.note.strip(), "checked": steps})
    record_event(session, runtime.organization_id, actor=actor, action="task.done",
                 target=f"request:{request.reference}",
                 details={"system": task.system, "task": task.uid, "action": task.action,
                          "extract_rows": sum(len(r) for r in (done.extract or {}).values())})
    if task.action == "lift":  # the request was answered long ago: only the task closes
        close_tasks(session, runtime, request, task.system, actor=actor)
        return request
    attest(session, runtime, request, system=task.system, note=done.note, extract=done.extract,
           actor=actor)  # closes the task
    return request


@dataclass
class SystemState:
    system: System
    connector: str
    parts: list[tuple[RequestSystemPart, RightsRequest]] = field(default_factory=list)
    tasks: list[ManualTask] = field(default_factory=list)
    waiting: list[WebhookDelivery] = field(default_factory=list)

    @property
    def to_attest(self) -> list[tuple[RequestSystemPart, RightsRequest]]:
        """Parts that stopped retrying: staff must do them by hand and attest."""
        return [(p, r) for p, r in self.parts if gave_up(p)]


def gave_up(part: RequestSystemPart) -> bool:
    """A failed part past its last attempt: no job retries it; it waits for an attestation."""
    return part.status == "failed" and part.attempts >= MAX_ATTEMPTS


def overview(session: CharterSession, runtime: Runtime) -> list[SystemState]:
    """Each declared system with what it still owes: failed parts (the kind of error, the
    attempts, the next try), parts waiting, open tasks and webhook calls unanswered."""
    org = runtime.organization_id
    parts = repository.unanswered_parts(session, org)
    tasks = repository.open_tasks(session, org)
    waiting = repository.deliveries_waiting(session, org)
    states = []
    for system in runtime.policy.systems:
        connector = connector_for(runtime, system)
        kind = ("answered by its people" if isinstance(connector, PersonAnswers)
                else "built-in" if system.kind == "builtin" else "connector")
        states.append(SystemState(
            system=system, connector=kind,
            parts=[(p, r) for p, r in parts if p.system == system.id],
            tasks=[t for t in tasks if t.system == system.id],
            waiting=[d for d in waiting if d.system == system.id]))
    return states


@dataclass
class LateLift:
    """A restriction a system failed to lift on its day: the daily job tries again; staff see
    which system and the kind of error."""

    request: RightsRequest
    lift_on: date
    failing: dict[str, str]  # system id: error type, from the latest failure of each


def late_lifts(session: CharterSession, runtime: Runtime) -> list[LateLift]:
    org = runtime.organization_id
    late = []
    for request in rights_repository.lifting(session, org):
        failing: dict[str, str] = {}
        for event in session.scalars(select(AuditEvent).where(
                AuditEvent.organization_id == org, AuditEvent.action == "request.lift_failed",
                AuditEvent.target == f"request:{request.reference}").order_by(AuditEvent.id)):
            details = json.loads(event.details)
            failing[details["system"]] = details["error"]
        if failing:
            lift_on = date.fromisoformat(runtime.cipher.unseal(request)["lift_on"])
            late.append(LateLift(request, lift_on, failing))
    return late
