"""Staff login and logout."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..db import CharterSession
from ..web.deps import SESSION_COOKIE, Staff, current_staff, db_session, runtime_of
from ..web.templating import templates
from .service import LoginFailed, authenticate, close_session, open_session

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "charter_login_csrf"


def _set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=runtime_of(request).settings.secure_cookies,
    )


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, "login.html", {"csrf_token": token, "error": error}, status_code=status
    )
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    session: CharterSession = Depends(db_session),
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, "The form expired; please try again.", 400)
    runtime = runtime_of(request)
    try:
        user = authenticate(session, runtime, email=email, password=password)
    except LoginFailed as exc:
        session.commit()  # the failed attempt and the lockout count are kept
        return _login_page(request, str(exc).capitalize() + ".", 401)
    opened = open_session(session, runtime, user)
    response = RedirectResponse("/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, opened.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request,
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    session: CharterSession = Depends(db_session),
) -> Response:
    if hmac.compare_digest(staff.session.csrf_token, csrf_token):
        close_session(session, runtime_of(request), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
