"""Systems answered by people (the accounting program on an isolated computer that two
people may open): each part they owe becomes a task with a checklist, due before the
request itself, for the staff the policy names, who are reminded until they attest."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from ..accounts.repository import active_users
from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..i18n import N_, gettext_for
from ..mail.service import queue_message
from ..models import ManualTask, RightsRequest, StaffUser, utcnow
from ..policy.processing import System
from ..rights.repository import request_by_id
from ..runtime import Runtime
from . import repository

FIND = "Search the system for the person (name, e-mail address, customer or invoice number)"
DEFAULT_CHECKLISTS: dict[str, list[str]] = {
    "access": [FIND, "Export what was found, or note that nothing was found"],
    "portability": [FIND, "Export what the person gave us, in a common format (CSV or JSON)"],
    "erasure": [FIND, "Delete the person's data, except what a legal hold keeps",
                "Mark what a legal hold keeps as restricted: stored, used for nothing else"],
    "restriction": [FIND, "Mark the person's data as restricted: stored, used for nothing else"],
    "rectification": [FIND, "Apply the approved changes shown on this page"],
    "lift": [FIND, "Lift the restriction set in this system for this request"],
}
TASK_ACTIONS = {"access": N_("find and export"), "portability": N_("export what they gave"),
                "erasure": N_("erase"), "restriction": N_("restrict"),
                "rectification": N_("rectify"), "lift": N_("lift the restriction")}
REMIND_AHEAD = timedelta(days=2)
DROPPED = ("denied", "revoked", "expired")
"""requests that will get no answer: their tasks are cancelled, never reminded"""


def checklist_of(system: System, action: str) -> list[str]:
    configured = {str(k): v for k, v in system.manual.checklist.items()} if system.manual \
        else {}
    return list(configured.get(action) or DEFAULT_CHECKLISTS.get(action, [FIND]))


def task_due_on(system: System, request: RightsRequest, today: date, action: str) -> date:
    """Some days before the request's own deadline (the people need time, and staff need
    time after them), never later than the day before it; a lift is due at once."""
    if action == "lift":
        return today
    lead = timedelta(days=system.manual.lead_days if system.manual else 5)
    due = max(today, request.deadline - lead)
    return min(due, request.deadline - timedelta(days=1))


def _handlers(session: CharterSession, runtime: Runtime) -> list[StaffUser]:
    return [u for u in active_users(session, runtime.organization_id)
            if (role := runtime.policy.role(u.role)) and "handle_requests" in role.actions]


def assignees_of(session: CharterSession, runtime: Runtime, system: System) -> list[str]:
    """The staff the policy names for the system: by address, and every active account of
    the roles it names, as they are when the task opens."""
    manual = system.manual
    if manual is None:
        return []
    named = [str(e) for e in manual.assignees]
    by_role = [u.email for u in active_users(session, runtime.organization_id)
               if u.role in manual.roles]
    return list(dict.fromkeys(e.lower() for e in [*named, *by_role]))


def recipients_of(session: CharterSession, runtime: Runtime, task: ManualTask) -> list[str]:
    """The assignees with a staff account; without any, those who handle requests."""
    named = {e.lower() for e in task.assignee_list}
    users = [u for u in active_users(session, runtime.organization_id)
             if u.email.lower() in named]
    return [u.email for u in users or _handlers(session, runtime)]


def may_work_on(runtime: Runtime, user: StaffUser, task: ManualTask) -> bool:
    """Those who handle requests, the task's assignees, and staff of the roles the policy
    names for the system now (a bookkeeper hired after the task opened)."""
    role = runtime.policy.role(user.role)
    if role is not None and "handle_requests" in role.actions:
        return True
    if user.email.lower() in {e.lower() for e in task.assignee_list}:
        return True
    system = runtime.policy.system(task.system)
    return bool(system and system.manual and user.role in system.manual.roles)


def _mail(session: CharterSession, runtime: Runtime, tasks: list[ManualTask],
          requests: dict[int, RightsRequest], today: date) -> int:
    """One message per person in charge, listing their tasks (in the organization's
    language: staff have no language of their own)."""
    by_person: dict[str, list[ManualTask]] = {}
    for task in tasks:
        for email in recipients_of(session, runtime, task):
            by_person.setdefault(email, []).append(task)
    language = runtime.policy.languages.default
    _ = gettext_for(language)
    for email, mine in by_person.items():
        listed = [{"reference": requests[t.request_id].reference,
                   "system": _system_label(runtime, t.system, language),
                   "action": _(TASK_ACTIONS.get(t.action, t.action)), "due_on": t.due_on,
                   "overdue": t.due_on < today} for t in mine]
        queue_message(session, runtime, kind="task_reminder", to=email, language=language,
                      audited=False, context={
                          "tasks": listed, "portal_url": f"{runtime.settings.public_url}/tasks"})
    return len(by_person)


def _system_label(runtime: Runtime, system_id: str, language: str) -> str:
    system = runtime.policy.system(system_id)
    return system.label.get(language, runtime.policy.languages.default) if system \
        else system_id


def open_task(session: CharterSession, runtime: Runtime, request: RightsRequest,
              system: System, *, action: str) -> ManualTask:
    """The task for one system's part (once: asking again finds the open one)."""
    for task in repository.open_tasks_for(session, runtime.organization_id, request.id,
                                          system.id):
        if task.action == action:
            return task
    today = local_date(utcnow(), runtime.policy.organization.country)
    assignees = assignees_of(session, runtime, system)
    task = ManualTask(organization_id=runtime.organization_id, uid=uuid.uuid4().hex,
                      request_id=request.id, system=system.id, action=action,
                      assignees="\n".join(assignees), status="open",
                      due_on=task_due_on(system, request, today, action), reminded_on=today)
    runtime.cipher.seal(task, {})
    session.add(task)
    session.flush()
    told = _mail(session, runtime, [task], {request.id: request}, today)
    record_event(session, runtime.organization_id, actor="system", action="task.opened",
                 target=f"request:{request.reference}",
                 details={"system": system.id, "task": task.uid, "due": task.due_on.isoformat(),
                          "staff_told": told})
    return task


def close_tasks(session: CharterSession, runtime: Runtime, request: RightsRequest,
                system: str, *, actor: str) -> int:
    """The part was attested (on the task page, the request page or the command line)."""
    tasks = repository.open_tasks_for(session, runtime.organization_id, request.id, system)
    for task in tasks:
        task.status, task.done_at, task.done_by = "done", utcnow(), actor
    return len(tasks)


def has_open_task(session: CharterSession, runtime: Runtime, request: RightsRequest,
                  system: str) -> bool:
    return bool(repository.open_tasks_for(session, runtime.organization_id, request.id,
                                          system))


def remind_tasks(session: CharterSession, runtime: Runtime, *, today: date | None = None
                 ) -> int:
    """The daily job: tasks due within two days or overdue, once a day to their people."""
    day = today or local_date(utcnow(), runtime.policy.organization.country)
    tasks = repository.tasks_to_remind(session, runtime.organization_id, day + REMIND_AHEAD,
                                       day)
    requests = {t.request_id: r for t in tasks
                if (r := request_by_id(session, runtime.organization_id, t.request_id))
                and r.status not in DROPPED}
    tasks = [t for t in tasks if t.request_id in requests]
    if not tasks:
        return 0
    staff = _mail(session, runtime, tasks, requests, day)
    for task in tasks:
        task.reminded_on = day
    record_event(session, runtime.organization_id, actor="system", action="task.reminded",
                 details={"tasks": len(tasks), "staff": staff})
    return len(tasks)
