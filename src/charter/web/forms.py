"""Forms that a visitor without a session submits (login, sign-up): a double-submit token in
a cookie and a hidden field, so another site cannot post them in the visitor's name."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from fastapi import Request
from starlette.responses import Response

FORM_COOKIE = "charter_form"


def new_form_token() -> str:
    return secrets.token_urlsafe(32)


def attach_form_token(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(FORM_COOKIE, token, max_age=3600, httponly=True, samesite="strict")
    return response


def form_token_matches(expected: str, submitted: str) -> bool:
    """Constant-time comparison; an empty expectation never matches."""
    return bool(expected) and hmac.compare_digest(expected, submitted or "")


def form_token_ok(request: Request, submitted: str) -> bool:
    return form_token_matches(request.cookies.get(FORM_COOKIE, ""), submitted)


def evidence_of(request: Request) -> dict[str, Any]:
    """The proof a submission from a browser leaves (sealed with it, never logged)."""
    return {
        "ip": request.client.host if request.client else None,
        "user_agent": request.headers.get("user-agent", "")[:300],
    }


SIGNED_FORM_VALID = 2 * 3600


def signed_form_token(runtime: Any, scope: str) -> str:
    """A token that needs no cookie, for forms that may sit in another site's frame (where
    the browser withholds our cookies): it proves the form came from us, recently."""
    expires = int(time.time()) + SIGNED_FORM_VALID
    return f"{expires}.{runtime.blind_index.token(f'form:{scope}:{expires}')}"


def signed_form_token_ok(runtime: Any, scope: str, submitted: str) -> bool:
    expires, _, mac = (submitted or "").partition(".")
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return form_token_matches(runtime.blind_index.token(f"form:{scope}:{expires}"), mac)
