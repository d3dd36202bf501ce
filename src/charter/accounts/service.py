"""Staff accounts, sessions and API keys. Passwords: argon2id. Tokens: stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..audit import record_event
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..models import ApiKey, StaffSession, StaffUser, utcnow
from ..runtime import Runtime
from ..subjects.service import valid_email
from . import repository

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
KEY_USE_GRAIN = timedelta(minutes=1)
API_SCOPES = (
    "consent:read",
    "consent:write",
    "forms:submit",
    "mail:inbound",
    "requests:read",
    "requests:write",
    "subjects:read",
    "admin",
)
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < 12:
        raise InvalidInput("password: at least 12 characters")


def add_staff_user(
    session: CharterSession, runtime: Runtime, *, email: str, role: str, password: str, actor: str
) -> StaffUser:
    email = valid_email(email).lower()
    if runtime.policy.role(role) is None:
        known = ", ".join(r.id for r in runtime.policy.effective_roles())
        raise InvalidInput(f"role {role!r} is not declared in the policy (known: {known})")
    check_password_strength(password)
    org = runtime.organization_id
    if repository.user_by_email(session, org, email) is not None:
        raise Conflict(f"a staff user {email} already exists")
    user = StaffUser(
        organization_id=org, email=email, role=role, password_hash=_hasher.hash(password)
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        org,
        actor=actor,
        action="staff.added",
        target=f"staff:{user.id}",
        details={"role": role},
    )
    return user


def set_password(
    session: CharterSession, runtime: Runtime, user: StaffUser, password: str, *, actor: str
) -> None:
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    record_event(
        session,
        runtime.organization_id,
        actor=actor,
        action="staff.password_set",
        target=f"staff:{user.id}",
    )


def change_own_password(session: CharterSession, runtime: Runtime, user: StaffUser, *,
                        current: str, new: str) -> None:
    """From the account page: the current password first, so an unattended open session is
    not enough to take the account over."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise InvalidInput("current password: not the right one") from None
    set_password(session, runtime, user, new, actor=f"staff:{user.id}")


class LoginFailed(InvalidInput):
    """One message for every failure: it must not reveal which accounts exist."""


def authenticate(
    session: CharterSession, runtime: Runtime, *, email: str, password: str
) -> StaffUser:
    """The password step; the caller opens the session (or asks for the code first)."""
    org = runtime.organization_id
    user = repository.user_by_email(session, org, email.strip().lower())
    if user is None or not user.active:
        _hasher.hash(password)  # same cost as a real check: timing says nothing
        raise LoginFailed("wrong e-mail or password")
    if is_locked(user):
        record_event(session, org, actor=f"staff:{user.id}", action="staff.login_locked")
        raise LoginFailed("wrong e-mail or password")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        failed_attempt(session, runtime, user)
        raise LoginFailed("wrong e-mail or password") from None
    return user


def is_locked(user: StaffUser) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def failed_attempt(session: CharterSession, runtime: Runtime, user: StaffUser, *,
                   action: str = "staff.login_failed") -> None:
    """A wrong password or a wrong code: both count towards the lockout."""
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until, user.failed_logins = utcnow() + LOCKOUT, 0
    record_event(session, runtime.organization_id, actor=f"staff:{user.id}", action=action)


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str


def open_session(session: CharterSession, runtime: Runtime, user: StaffUser) -> NewSession:
    """The login is complete (password, and the code when two-step login is on)."""
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    record_event(session, runtime.organization_id, actor=f"staff:{user.id}",
                 action="staff.login")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            organization_id=runtime.organization_id,
            user_id=user.id,
            token_hash=_sha256(token),
            csrf_token=csrf,
        )
    )
    return NewSession(token, csrf)


def resume_session(
    session: CharterSession, runtime: Runtime, token: str
) -> tuple[StaffSession, StaffUser] | None:
    """The live session for a cookie, or None when unknown or idle for too long."""
    org = runtime.organization_id
    found = repository.session_by_token_hash(session, org, _sha256(token))
    if found is None:
        return None
    now = utcnow()
    if now - found.last_seen_at > timedelta(minutes=runtime.settings.session_idle_minutes):
        repository.delete_session(session, org, found.token_hash)
        return None
    user = repository.user_by_id(session, org, found.user_id)
    if user is None or not user.active:
        return None
    found.last_seen_at = now
    return found, user


def close_session(session: CharterSession, runtime: Runtime, token: str) -> None:
    repository.delete_session(session, runtime.organization_id, _sha256(token))


def purge_idle_sessions(session: CharterSession, runtime: Runtime) -> int:
    cutoff = utcnow() - timedelta(minutes=runtime.settings.session_idle_minutes)
    return repository.delete_sessions_idle_since(session, runtime.organization_id, cutoff)


def add_api_key(
    session: CharterSession, runtime: Runtime, *, name: str, scopes: list[str], actor: str
) -> str:
    """Create a key and return it; only its hash is kept, so it is shown once."""
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if not scopes or unknown:
        raise InvalidInput(
            f"scope: unknown {', '.join(unknown) or '(none given)'}; known: {', '.join(API_SCOPES)}"
        )
    org = runtime.organization_id
    if repository.api_key_by_name(session, org, name) is not None:
        raise Conflict(f"an API key named {name!r} already exists")
    secret = "chk_" + secrets.token_urlsafe(32)
    key = ApiKey(
        organization_id=org,
        name=name,
        prefix=secret[:10],
        key_hash=_sha256(secret),
        scopes=" ".join(sorted(set(scopes))),
    )
    session.add(key)
    session.flush()
    record_event(
        session,
        org,
        actor=actor,
        action="apikey.added",
        target=f"apikey:{key.id}",
        details={"name": name, "scopes": sorted(set(scopes))},
    )
    return secret


def api_key_for(session: CharterSession, runtime: Runtime, secret: str) -> ApiKey | None:
    key = repository.api_key_by_hash(session, runtime.organization_id, _sha256(secret))
    now = utcnow()
    # Recorded to the minute: a write on every API call would cost more than it tells.
    if key is not None and (key.last_used_at is None or now - key.last_used_at > KEY_USE_GRAIN):
        key.last_used_at = now
    return key
