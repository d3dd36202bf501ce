"""Request dependencies. The request owns the transaction: commit at the end, roll back on
any error, so a rejected request changes nothing. A staff route says who may call it with
`current_staff` or `require`, and both refuse a change (POST, PUT, PATCH, DELETE) whose form
does not carry the session's CSRF token: no staff form can forget it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request

from ..accounts.service import api_key_for, resume_session
from ..db import CharterSession
from ..models import ApiKey, StaffSession, StaffUser
from ..runtime import Runtime
from .forms import form_token_matches

SESSION_COOKIE = "charter_session"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def db_session(request: Request) -> Iterator[CharterSession]:
    runtime = runtime_of(request)
    session = runtime.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


TRANSACTION = Depends(db_session, scope="function")
"""The request's transaction, committed before the response is sent: an answer never reports
what did not commit, and SQLite's write lock is not held while the bytes go out."""


@dataclass(frozen=True)
class Staff:
    user: StaffUser
    session: StaffSession

    @property
    def actor(self) -> str:
        return f"staff:{self.user.id}"


class LoginRequired(Exception):
    """Raised for a page that needs a staff session; answered with a redirect to /login."""


async def submitted_csrf_token(request: Request) -> str:
    """The CSRF token a change sent in its form; "" for a read or a body that is not a form
    (which is then refused: the Portal's changes are all forms). FastAPI has usually parsed
    the form already, and Starlette hands back that same parse."""
    if request.method not in UNSAFE_METHODS:
        return ""
    if not request.headers.get("content-type", "").lower().startswith(_FORM_TYPES):
        return ""
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


def _session_staff(request: Request, session: CharterSession = TRANSACTION) -> Staff:
    """The staff member whose session cookie came with the request. Routes do not use this
    directly (web.access would find no rule): they go through `current_staff` or `require`,
    which add the CSRF check."""
    token = request.cookies.get(SESSION_COOKIE)
    found = resume_session(session, runtime_of(request), token) if token else None
    if found is None:
        raise LoginRequired()
    return Staff(user=found[1], session=found[0])


def _refuse_forged_change(request: Request, staff: Staff, submitted: str) -> None:
    if request.method in UNSAFE_METHODS:
        check_csrf(staff, submitted)


def current_staff(request: Request, staff: Staff = Depends(_session_staff),
                  submitted: str = Depends(submitted_csrf_token)) -> Staff:
    """Any logged-in staff member; for a change, only with the session's CSRF token.

    Every cookie-authenticated route reaches the session through here or `require`, so the
    CSRF check cannot be left out of a new form. Routes that take no session — public pages,
    links carrying their own token, Bearer API keys — never come here."""
    _refuse_forged_change(request, staff, submitted)
    return staff


def api_key(scope: str):  # type: ignore[no-untyped-def]
    """Dependency factory: a valid bearer API key holding ``scope`` (or ``admin``)."""

    def dependency(request: Request, session: CharterSession = TRANSACTION) -> ApiKey:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise HTTPException(
                401,
                "send an API key as 'Authorization: Bearer KEY'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        key = api_key_for(session, runtime_of(request), header[7:].strip())
        if key is None:
            raise HTTPException(
                401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
            )
        scopes = set(key.scopes.split())
        if scope not in scopes and "admin" not in scopes:
            raise HTTPException(403, f"this API key lacks the {scope!r} scope")
        return key

    dependency.charter_scope = scope  # type: ignore[attr-defined]  # read by web.access
    return dependency


def require(action: str):  # type: ignore[no-untyped-def]
    """Dependency factory: a logged-in staff member whose role grants ``action``."""

    def dependency(request: Request, staff: Staff = Depends(_session_staff),
                   submitted: str = Depends(submitted_csrf_token)) -> Staff:
        role = runtime_of(request).policy.role(staff.user.role)
        if role is None or action not in role.actions:
            raise HTTPException(403, f"your role may not {action.replace('_', ' ')}")
        _refuse_forged_change(request, staff, submitted)  # after the 403: it says more
        return staff

    dependency.charter_action = action  # type: ignore[attr-defined]  # read by web.access
    return dependency


def public() -> None:
    """Marks a route anyone may call (a visitor, a person following a mailed link): every
    route says who may call it, and a test fails for one that does not."""


PUBLIC = Depends(public)


def check_csrf(staff: Staff, submitted: str) -> None:
    """Every Portal form carries the session's CSRF token; a form without it changes nothing.
    `current_staff` and `require` call this for every change: handlers never do."""
    if not form_token_matches(staff.session.csrf_token, submitted):
        raise HTTPException(400, "the form expired or came from elsewhere; reload the page")
