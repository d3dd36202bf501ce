"""A staff member's own account: two-step login and the password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..db import CharterSession
from ..errors import CharterError
from ..web.deps import TRANSACTION, Staff, current_staff, runtime_of
from ..web.templating import render_staff
from .service import change_own_password
from .totp import (
    confirm_enrolment,
    pending_enrolment,
    second_factor_on,
    start_enrolment,
    turn_off,
)

router = APIRouter(include_in_schema=False)


def _page(request: Request, staff: Staff, session: CharterSession, *,
          error: str | None = None, notice: str | None = None, status: int = 200) -> Response:
    runtime = runtime_of(request)
    return render_staff(request, staff, "account.html", {
        "totp_on": second_factor_on(session, runtime, staff.user),
        "enrolment": pending_enrolment(session, runtime, staff.user),
        "error": error, "notice": notice}, status_code=status)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, staff: Staff = Depends(current_staff),
            session: CharterSession = TRANSACTION) -> Response:
    return _page(request, staff, session)


@router.post("/account/{action}", response_class=HTMLResponse)
def act(action: str, request: Request, code: str = Form(""),
        current: str = Form(""), new: str = Form(""),
        staff: Staff = Depends(current_staff),
        session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    user = staff.user
    try:
        with session.begin_nested():  # a refused step changes nothing
            if action == "totp-start":
                start_enrolment(session, runtime, user)
            elif action == "totp-confirm":
                confirm_enrolment(session, runtime, user, code)
            elif action == "totp-off":
                turn_off(session, runtime, user, code=code, actor=staff.actor)
            elif action == "password":
                change_own_password(session, runtime, user, current=current, new=new)
            else:
                return _page(request, staff, session, error="No such action.", status=404)
    except CharterError as exc:
        return _page(request, staff, session, error=str(exc), status=422)
    return RedirectResponse("/account", status_code=303)
