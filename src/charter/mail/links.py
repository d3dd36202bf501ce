"""Capabilities carried by mails: unsubscribe, preferences, confirmations.

Unsubscribe and preferences tokens are derived (keyed HMAC), so every mail to a person
carries the same working link and the link in a mail of last year still works; only their
hash is stored. Confirmation tokens are random, single-use and expire.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from ..db import CharterSession
from ..models import MailLink, utcnow
from ..runtime import Runtime

LinkKind = Literal["unsubscribe", "preferences", "confirm", "verify", "parent"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _by_hash(session: CharterSession, runtime: Runtime, token_hash: str) -> MailLink | None:
    statement = select(MailLink).where(
        MailLink.organization_id == runtime.organization_id, MailLink.token_hash == token_hash
    )
    return session.scalars(statement).first()


def lasting_link(
    session: CharterSession,
    runtime: Runtime,
    kind: LinkKind,
    subject_id: int,
    purpose: str | None = None,
) -> str:
    """The token of this person's ``kind`` link (for one purpose), the same in every mail."""
    token = runtime.blind_index.token(
        f"{kind}:{runtime.organization_id}:{subject_id}:{purpose or ''}"
    )
    if _by_hash(session, runtime, _hash(token)) is None:
        session.add(MailLink(organization_id=runtime.organization_id, token_hash=_hash(token),
                             kind=kind, subject_id=subject_id, purpose=purpose))
        session.flush()
    return token


def one_time_link(
    session: CharterSession,
    runtime: Runtime,
    kind: LinkKind,
    subject_id: int,
    *,
    expires_at: datetime,
    purpose: str | None = None,
) -> str:
    token = secrets.token_urlsafe(24)
    session.add(MailLink(organization_id=runtime.organization_id, token_hash=_hash(token),
                         kind=kind, subject_id=subject_id, purpose=purpose,
                         expires_at=expires_at))
    session.flush()
    return token


def resolve(
    session: CharterSession, runtime: Runtime, token: str, kind: LinkKind
) -> MailLink | None:
    """The live link behind a token: right kind, not expired, not used."""
    if not token or len(token) > 100:
        return None
    link = _by_hash(session, runtime, _hash(token))
    if link is None or link.kind != kind or link.used_at is not None:
        return None
    if link.expires_at is not None and link.expires_at <= utcnow():
        return None
    return link


def use(link: MailLink) -> None:
    """Spend a single-use link."""
    link.used_at = utcnow()
