"""Optional second factor: time-based one-time codes (RFC 6238, 30-second steps, six digits)
from an authenticator app. The secret is sealed at rest; a code is accepted one step either
side of now (clock drift) and never twice, so a code read over a shoulder is already spent.

Login with a second factor takes two forms: after the password, the browser holds only a
short-lived signed "pending" token naming the user; the session opens after the code."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import select

from ..audit import record_event
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..models import StaffTotp, StaffUser, utcnow
from ..runtime import Runtime

ISSUER = "Charter"
PENDING_SECONDS = 300
STEP = 30


def totp_of(session: CharterSession, runtime: Runtime, user: StaffUser) -> StaffTotp | None:
    return session.scalars(select(StaffTotp).where(
        StaffTotp.organization_id == runtime.organization_id,
        StaffTotp.user_id == user.id)).first()


def second_factor_on(session: CharterSession, runtime: Runtime, user: StaffUser) -> bool:
    found = totp_of(session, runtime, user)
    return found is not None and found.confirmed_at is not None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_data_uri: str


def _enrolment(runtime: Runtime, user: StaffUser, secret: str) -> Enrolment:
    issuer = f"{ISSUER} · {runtime.policy.organization.legal_name}"
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)
    # an SVG data URI: the page's CSP allows data: images, and nothing leaves the server
    return Enrolment(secret, uri, segno.make(uri, error="m").svg_data_uri(scale=5))


def start_enrolment(session: CharterSession, runtime: Runtime, user: StaffUser) -> Enrolment:
    """A new secret, not asked at login until a first code confirms the app holds it."""
    found = totp_of(session, runtime, user)
    if found is not None and found.confirmed_at is not None:
        raise Conflict("two-step login is already on; turn it off first")
    secret = pyotp.random_base32()
    if found is None:
        found = StaffTotp(organization_id=runtime.organization_id, user_id=user.id)
        session.add(found)
    found.last_step = 0
    runtime.cipher.seal(found, {"secret": secret})
    record_event(session, runtime.organization_id, actor=f"staff:{user.id}",
                 action="staff.totp_started")
    return _enrolment(runtime, user, secret)


def pending_enrolment(session: CharterSession, runtime: Runtime,
                      user: StaffUser) -> Enrolment | None:
    found = totp_of(session, runtime, user)
    if found is None or found.confirmed_at is not None:
        return None
    return _enrolment(runtime, user, str(runtime.cipher.unseal(found)["secret"]))


def _accept(runtime: Runtime, found: StaffTotp, code: str) -> bool:
    """True when ``code`` matches a step within one of now that was not used before."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(str(runtime.cipher.unseal(found)["secret"]))
    now = int(time.time()) // STEP
    for step in (now - 1, now, now + 1):
        if step > found.last_step and hmac.compare_digest(totp.at(step * STEP), code):
            found.last_step = step
            return True
    return False


def confirm_enrolment(session: CharterSession, runtime: Runtime, user: StaffUser,
                      code: str) -> None:
    found = totp_of(session, runtime, user)
    if found is None or found.confirmed_at is not None:
        raise Conflict("start setting up two-step login first")
    if not _accept(runtime, found, code):
        raise InvalidInput("code: not the current code of your app; check its clock")
    found.confirmed_at = utcnow()
    record_event(session, runtime.organization_id, actor=f"staff:{user.id}",
                 action="staff.totp_on")


def turn_off(session: CharterSession, runtime: Runtime, user: StaffUser, *, code: str | None,
             actor: str) -> None:
    """By the user with a current code, or by an administrator (``code=None``) when the
    device is lost."""
    found = totp_of(session, runtime, user)
    if found is None:
        raise Conflict("two-step login is not on for this account")
    if code is not None and found.confirmed_at is not None and not _accept(runtime, found, code):
        raise InvalidInput("code: not the current code of your app")
    session.delete(found)
    record_event(session, runtime.organization_id, actor=actor, action="staff.totp_off",
                 target=f"staff:{user.id}")


def check_code(session: CharterSession, runtime: Runtime, user: StaffUser, code: str) -> bool:
    found = totp_of(session, runtime, user)
    return found is not None and found.confirmed_at is not None and \
        _accept(runtime, found, code)


def pending_token(runtime: Runtime, user: StaffUser) -> str:
    """What the browser holds between the password and the code: the user and an expiry,
    signed; it opens nothing by itself."""
    expires = int(time.time()) + PENDING_SECONDS
    return f"{user.id}.{expires}.{runtime.blind_index.token(f'login:{user.id}:{expires}')}"


def pending_user_id(runtime: Runtime, token: str) -> int | None:
    user_id, _, rest = (token or "").partition(".")
    expires, _, mac = rest.partition(".")
    if not (user_id.isdigit() and expires.isdigit()) or int(expires) < time.time():
        return None
    expected = runtime.blind_index.token(f"login:{user_id}:{expires}")
    return int(user_id) if hmac.compare_digest(expected, mac) else None
