"""Staff login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..db import CharterSession
from ..web.deps import SESSION_COOKIE, TRANSACTION, Staff, current_staff, runtime_of
from ..web.forms import (
    FORM_COOKIE,
    attach_form_token,
    form_token_matches,
    form_token_ok,
    new_form_token,
)
from ..web.templating import templates
from .service import LoginFailed, authenticate, close_session, open_session

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = new_form_token()
    response = templates.TemplateResponse(
        request, "login.html", {"csrf_token": token, "error": error}, status_code=status
    )
    return attach_form_token(request, response, token)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
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
    except LoginFailed as exc:
        session.commit()  # the failed attempt and the lockout count are kept
        return _login_page(request, str(exc).capitalize() + ".", 401)
    opened = open_session(session, runtime, user)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, opened.token, httponly=True, samesite="strict",
                        secure=runtime.settings.secure_cookies)
    response.delete_cookie(FORM_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request,
    csrf_token: str = Form(""),
    staff: Staff = Depends(current_staff),
    session: CharterSession = TRANSACTION,
) -> Response:
    if form_token_matches(staff.session.csrf_token, csrf_token):
        close_session(session, runtime_of(request), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
