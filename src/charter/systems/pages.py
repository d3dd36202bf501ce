"""Systems in the Portal: the tasks of the people who answer a system by hand (each sees
their own; those who handle requests see all), the state of every system for staff, and the
URL webhooks call back — public, authenticated by its one-time token and the signature."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..errors import CharterError, Conflict, EnvironmentProblem, InvalidInput, NotFound
from ..models import ManualTask, utcnow
from ..rights import repository as rights_repository
from ..rights.fulfilment import details_of
from ..runtime import Runtime
from ..web.deps import PUBLIC, TRANSACTION, Staff, current_staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .callbacks import SignatureInvalid, receive_callback
from .manual import checklist_of, may_work_on
from .service import (
    Completion,
    NotAssigned,
    complete_task,
    late_lifts,
    overview,
    parse_extract,
    system_of,
)

router = APIRouter(include_in_schema=False)
MAX_CALLBACK = 1024 * 1024
ANY_STAFF = Depends(current_staff)


def _today(runtime: Runtime) -> date:
    return local_date(utcnow(), runtime.policy.organization.country)


def _handles(runtime: Runtime, staff: Staff) -> bool:
    role = runtime.policy.role(staff.user.role)
    return role is not None and "handle_requests" in role.actions


@router.get("/tasks", response_class=HTMLResponse)
def tasks(request: Request, staff: Staff = ANY_STAFF,
          session: CharterSession = TRANSACTION) -> Response:
    """Open tasks: one's own, or all for those who handle requests."""
    runtime = runtime_of(request)
    mine = [t for t in repository.open_tasks(session, runtime.organization_id)
            if may_work_on(runtime, staff.user, t)]
    references = {t.request_id: r.reference for t in mine
                  if (r := rights_repository.request_by_id(session, runtime.organization_id,
                                                           t.request_id))}
    done = repository.done_tasks(session, runtime.organization_id, limit=30) \
        if _handles(runtime, staff) else []
    return render_staff(request, staff, "systems/tasks.html", {
        "tasks": mine, "done": done, "references": references, "today": _today(runtime),
        "systems": {s.id: s for s in runtime.policy.systems}})


def _task(session: CharterSession, runtime: Runtime, uid: str, staff: Staff) -> ManualTask:
    task = repository.task_by_uid(session, runtime.organization_id, uid)
    if task is None:
        raise HTTPException(404, "no such task")
    if not may_work_on(runtime, staff.user, task):
        raise HTTPException(403, "this task is assigned to other people")
    return task


def _page(request: Request, staff: Staff, session: CharterSession, task: ManualTask, *,
          error: str | None = None, status: int = 200,
          typed: dict[str, Any] | None = None) -> Response:
    """The task with what the people need to find the person: an access to personal data,
    audited."""
    runtime = runtime_of(request)
    found = rights_repository.request_by_id(session, runtime.organization_id, task.request_id)
    if found is None:
        raise HTTPException(404, "no such task")
    system = system_of(runtime, task.system)
    details = details_of(runtime, found)
    # who the person is (their address) and what they asked: the categories it shows
    shown = {c.id for c in runtime.policy.data_categories if "email" in c.field_names()}
    shown |= {str(change["category"]) for change in details.get("approved") or []}
    record_event(session, runtime.organization_id, actor=staff.actor, action="task.viewed",
                 target=f"request:{found.reference}",
                 details={"task": task.uid, "categories": sorted(shown),
                          "also": ["request details"] if details.get("details") else []})
    return render_staff(request, staff, "systems/task.html", {
        "task": task, "r": found, "details": details, "system": system,
        "checklist": checklist_of(system, task.action), "error": error,
        "today": _today(runtime), "typed": typed or {},
        "attestation": runtime.cipher.unseal(task) if task.status == "done" else {}},
        status_code=status)


@router.get("/tasks/{uid}", response_class=HTMLResponse)
def task_page(uid: str, request: Request, staff: Staff = ANY_STAFF,
              session: CharterSession = TRANSACTION) -> Response:
    return _page(request, staff, session, _task(session, runtime_of(request), uid, staff))


@router.post("/tasks/{uid}", response_class=HTMLResponse)
def complete(uid: str, request: Request,
             checked: list[int] = Form([]), attested: str = Form(""), note: str = Form(""),
             nothing_found: str = Form(""), category: str = Form(""),
             extract: UploadFile | None = File(None), staff: Staff = ANY_STAFF,
             session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    task = _task(session, runtime, uid, staff)
    try:
        with session.begin_nested():  # a refused attestation changes nothing
            rows = None
            if extract is not None and extract.filename:
                content = extract.file.read(6 * 1024 * 1024)
                rows = parse_extract(system_of(runtime, task.system), content,
                                     extract.filename, category)
            complete_task(session, runtime, task, user=staff.user, actor=staff.actor,
                          done=Completion(checked=checked, attested=bool(attested), note=note,
                                          nothing_found=bool(nothing_found), extract=rows))
    except NotAssigned as exc:
        raise HTTPException(403, str(exc)) from None
    except CharterError as exc:
        # what was typed comes back (a file cannot: the browser asks for it again)
        typed = {"checked": set(checked), "note": note, "category": category,
                 "nothing_found": bool(nothing_found)}
        return _page(request, staff, session, task, error=str(exc), status=422, typed=typed)
    return RedirectResponse("/tasks", status_code=303)


@router.get("/systems", response_class=HTMLResponse)
def systems(request: Request, staff: Staff = Depends(require("handle_requests")),
            session: CharterSession = TRANSACTION) -> Response:
    """Every system with what it still owes: nothing failing is ever out of sight."""
    runtime = runtime_of(request)
    return render_staff(request, staff, "systems/overview.html", {
        "states": overview(session, runtime),
        "late_lifts": late_lifts(session, runtime)})


@router.post("/systems/callbacks/{token}", dependencies=[PUBLIC])
async def callback(token: str, request: Request) -> Response:
    """A webhook's result. Anyone may reach the URL; only the system holding the secret, with
    the one-time token it was given, is heard."""
    body = b""
    async for chunk in request.stream():  # read no more than a result can need
        body += chunk
        if len(body) > MAX_CALLBACK:
            return JSONResponse({"detail": "body: at most 1 MB"}, status_code=413)
    runtime = runtime_of(request)
    signature = request.headers.get("charter-signature", "")

    def apply() -> str:  # its own transaction: a refused callback changes nothing
        with runtime.transaction() as session:
            return receive_callback(session, runtime, token, body, signature).status

    try:
        status = await run_in_threadpool(apply)
    except NotFound as exc:
        return JSONResponse({"detail": str(exc)}, status_code=404)
    except SignatureInvalid as exc:
        return JSONResponse({"detail": str(exc)}, status_code=401)
    except Conflict as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    except EnvironmentProblem:
        return JSONResponse({"detail": "this system is not configured"}, status_code=503)
    return JSONResponse({"status": status})
