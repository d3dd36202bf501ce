"""Staff login (password, then the code when two-step login is on) and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..db import CharterSession
from ..models import StaffUser
from ..web.deps import PUBLIC, SESSION_COOKIE, TRANSACTION, Staff, current_staff, runtime_of
from ..web.forms import (
    FORM_COOKIE,
    attach_form_token,
    form_token_ok,
    new_form_token,
)
from ..web.templating import templates
from . import repository
from .service import LoginFailed, authenticate, close_session, failed_attempt, is_locked
from .service import open_session as open_staff_session
from .totp import PENDING_SECONDS, check_code, pending_token, pending_user_id, second_factor_on

router = APIRouter(include_in_schema=False)
PENDING_COOKIE = "charter_pending_login"
WRONG = "Wrong e-mail or password."


def _login_page(request: Request, error: str | None = None, status: int = 200, *,
                code_step: bool = False) -> Response:
    token = new_form_token()
    response = templates.TemplateResponse(
        request, "login.html", {"csrf_token": token, "error": error, "code_step": code_step},
        status_code=status)
    return attach_form_token(request, response, token)


def _opened(request: Request, session: CharterSession, user: StaffUser) -> Response:
    runtime = runtime_of(request)
    opened = open_staff_session(session, runtime, user)
    response = RedirectResponse("/", status_code=303)
    # Secure is added by web.security whenever the Portal is reached over TLS
    response.set_cookie(SESSION_COOKIE, opened.token, httponly=True, samesite="strict")
    response.delete_cookie(FORM_COOKIE)
    response.delete_cookie(PENDING_COOKIE)
    return response


@router.get("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login", dependencies=[PUBLIC])
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    session: CharterSession = TRANSACTION,
) -> Response:
    if not form_token_ok(request, csrf_token):
        return _login_page(request, "The form expired; please try again.", 400)
    runtime = runtime_of(request)
    try:
        user = authenticate(session, runtime, email=email, password=password)
    except LoginFailed:
        session.commit()  # the failed attempt and the lockout count are kept
        return _login_page(request, WRONG, 401)
    if not second_factor_on(session, runtime, user):
        return _opened(request, session, user)
    response = _login_page(request, code_step=True)
    response.set_cookie(PENDING_COOKIE, pending_token(runtime, user), max_age=PENDING_SECONDS,
                        httponly=True, samesite="strict")
    return response


@router.post("/login/code", dependencies=[PUBLIC])
def login_code(
    request: Request,
    code: str = Form(""),
    csrf_token: str = Form(""),
    session: CharterSession = TRANSACTION,
) -> Response:
    """The second step: the pending token from the password step, and a current code."""
    if not form_token_ok(request, csrf_token):
        return _login_page(request, "The form expired; please try again.", 400)
    runtime = runtime_of(request)
    user_id = pending_user_id(runtime, request.cookies.get(PENDING_COOKIE, ""))
    user = repository.user_by_id(session, runtime.organization_id, user_id) \
        if user_id is not None else None
    if user is None or not user.active or is_locked(user):
        return _login_page(request, "Log in again: the first step expired.", 401)
    if not check_code(session, runtime, user, code):
        failed_attempt(session, runtime, user, action="staff.code_failed")
        session.commit()  # the failed attempt counts towards the lockout
        return _login_page(request, "Wrong code. Enter the code your app shows now.", 401,
                           code_step=not is_locked(user))
    return _opened(request, session, user)


@router.post("/logout")
def logout(
    request: Request,
    staff: Staff = Depends(current_staff),  # with the CSRF check of every change
    session: CharterSession = TRANSACTION,
) -> Response:
    close_session(session, runtime_of(request), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
