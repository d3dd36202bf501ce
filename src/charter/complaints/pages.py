"""Complaints in the Portal: the register (unanswered first, by due date, overdue ones loud),
recording one, and working it — notes, the answer, closing. Opening a complaint is an access
to personal data, and audited."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..audit.repository import events_about
from ..db import CharterSession
from ..errors import CharterError, NotFound
from ..models import Complaint
from ..runtime import Runtime
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .service import (
    CHANNELS,
    OUTCOMES,
    ComplaintInput,
    ComplaintInvalid,
    add_note,
    answer,
    close,
    find_complaint,
    is_overdue,
    read_complaint,
    record_complaint,
    target,
    today,
)

router = APIRouter(include_in_schema=False)
HANDLER = Depends(require("handle_complaints"))


@router.get("/complaints", response_class=HTMLResponse)
def register(request: Request, staff: Staff = HANDLER,
             session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    day = today(runtime)
    complaints = repository.register(session, runtime.organization_id)
    return render_staff(request, staff, "complaints/register.html", {
        "complaints": complaints, "today": day,
        "overdue": [c for c in complaints if is_overdue(c, day)]})


def _form_page(request: Request, staff: Staff, values: dict[str, str], *,
               problems: list[str] | None = None, status: int = 200) -> Response:
    return render_staff(request, staff, "complaints/new.html", {
        "values": values, "problems": problems or [], "channels": CHANNELS},
        status_code=status)


@router.get("/complaints/new", response_class=HTMLResponse)
def new(request: Request, staff: Staff = HANDLER) -> Response:
    return _form_page(request, staff, {"received_on": today(runtime_of(request)).isoformat()})


@router.post("/complaints", response_class=HTMLResponse)
def create(request: Request, received_on: str = Form(""),
           channel: str = Form(""), from_authority: str = Form(""),
           authority_reference: str = Form(""), authority_deadline: str = Form(""),
           name: str = Form(""), contact: str = Form(""), statement: str = Form(""),
           email: str = Form(""), request_reference: str = Form(""),
           staff: Staff = HANDLER, session: CharterSession = TRANSACTION) -> Response:
    given = ComplaintInput(
        received_on=received_on, channel=channel, from_authority=from_authority == "yes",
        authority_reference=authority_reference, authority_deadline=authority_deadline,
        name=name, contact=contact, statement=statement, email=email,
        request_reference=request_reference)
    try:
        with session.begin_nested():  # a refused form changes nothing
            complaint = record_complaint(session, runtime_of(request), given,
                                         actor=staff.actor)
    except ComplaintInvalid as exc:
        values = {k: str(v) for k, v in vars(given).items()}
        return _form_page(request, staff, values, problems=exc.problems, status=422)
    return RedirectResponse(f"/complaints/{complaint.reference}", status_code=303)


def _found(session: CharterSession, runtime: Runtime, reference: str) -> Complaint:
    try:
        return find_complaint(session, runtime, reference)
    except NotFound:
        raise HTTPException(404, "no such complaint") from None


@router.get("/complaints/{reference}", response_class=HTMLResponse)
def show(reference: str, request: Request, staff: Staff = HANDLER,
         session: CharterSession = TRANSACTION) -> Response:
    return _page(reference, request, staff, session)


def _page(reference: str, request: Request, staff: Staff, session: CharterSession, *,
          problems: list[str] | None = None, status: int = 200) -> Response:
    runtime = runtime_of(request)
    complaint = _found(session, runtime, reference)
    held = read_complaint(session, runtime, complaint, actor=staff.actor)
    day = today(runtime)
    return render_staff(request, staff, "complaints/complaint.html", {
        "c": complaint, "held": held, "today": day, "overdue": is_overdue(complaint, day),
        "outcomes": OUTCOMES, "problems": problems or [],
        "timeline": events_about(session, runtime.organization_id, target(complaint))},
        status_code=status)


Action = Callable[[CharterSession, Runtime, Complaint, Staff, dict[str, str]], None]
ACTIONS: dict[str, Action] = {
    "note": lambda s, r, c, st, form: add_note(s, r, c, text=form["text"], actor=st.actor),
    "answer": lambda s, r, c, st, form: answer(s, r, c, outcome=form["outcome"],
                                               text=form["text"], actor=st.actor),
    "close": lambda s, r, c, st, form: close(s, r, c, reason=form["reason"], actor=st.actor),
}


@router.post("/complaints/{reference}/{action}", response_class=HTMLResponse)
def act(reference: str, action: str, request: Request,
        text: str = Form(""), outcome: str = Form(""), reason: str = Form(""),
        staff: Staff = HANDLER, session: CharterSession = TRANSACTION) -> Response:
    if action not in ACTIONS:
        raise HTTPException(404, "no such action")
    runtime = runtime_of(request)
    complaint = _found(session, runtime, reference)
    try:
        with session.begin_nested():  # a refused action changes nothing
            ACTIONS[action](session, runtime, complaint, staff,
                            {"text": text, "outcome": outcome, "reason": reason})
    except ComplaintInvalid as exc:
        return _page(reference, request, staff, session, problems=exc.problems, status=422)
    except CharterError as exc:
        return _page(reference, request, staff, session, problems=[str(exc)], status=422)
    return RedirectResponse(f"/complaints/{reference}", status_code=303)
