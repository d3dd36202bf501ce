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

from sqlalchemy import update

from ..db import CharterSession
from ..models import MailLink, Subject, utcnow
from ..runtime import Runtime
from .repository import link_by_hash

LinkKind = Literal["unsubscribe", "preferences", "confirm", "verify", "parent", "proof",
                   "export", "respond"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lasting_link(
    session: CharterSession,
    runtime: Runtime,
    kind: LinkKind,
    subject: Subject,
    purpose: str | None = None,
) -> str:
    """The token of this person's ``kind`` link (for one purpose), the same in every mail.
    It is bound to the address too, so a row id reused after an erasure opens nothing."""
    subject_id = subject.id
    token = runtime.blind_index.token(
        f"{kind}:{runtime.organization_id}:{subject_id}:{subject.email_index}:{purpose or ''}"
    )
    if link_by_hash(session, runtime.organization_id, _hash(token)) is None:
        session.add(MailLink(organization_id=runtime.organization_id, token_hash=_hash(token),
                             kind=kind, subject_id=subject_id, purpose=purpose))
        session.flush()
    return token


def one_time_link(
    session: CharterSession,
    runtime: Runtime,
    kind: LinkKind,
    subject_id: int | None,
    *,
    expires_at: datetime,
    purpose: str | None = None,
    request_id: int | None = None,
) -> str:
    token = secrets.token_urlsafe(24)
    session.add(MailLink(organization_id=runtime.organization_id, token_hash=_hash(token),
                         kind=kind, subject_id=subject_id, purpose=purpose,
                         request_id=request_id, expires_at=expires_at))
    session.flush()
    return token


def resolve(
    session: CharterSession, runtime: Runtime, token: str, kind: LinkKind
) -> MailLink | None:
    """The live link behind a token: right kind, not expired, not used."""
    if not token or len(token) > 100:
        return None
    link = link_by_hash(session, runtime.organization_id, _hash(token))
    if link is None or link.kind != kind or link.used_at is not None:
        return None
    if link.expires_at is not None and link.expires_at <= utcnow():
        return None
    return link


def use(session: CharterSession, runtime: Runtime, link: MailLink) -> bool:
    """Spend a single-use link; False when another request spent it first."""
    result = session.execute(
        update(MailLink)
        .where(MailLink.organization_id == runtime.organization_id, MailLink.id == link.id,
               MailLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def spend_all(session: CharterSession, runtime: Runtime, kind: LinkKind,
              subject_id: int | None, purpose: str | None = None, *,
              request_id: int | None = None) -> None:
    """Spend every open link of a kind for a person (the other confirmation mails sent the
    same week), or for a request."""
    statement = update(MailLink).where(
        MailLink.organization_id == runtime.organization_id, MailLink.kind == kind,
        MailLink.used_at.is_(None))
    statement = statement.where(MailLink.request_id == request_id) if request_id is not None \
        else statement.where(MailLink.subject_id == subject_id)
    if purpose is not None:
        statement = statement.where(MailLink.purpose == purpose)
    session.execute(statement.values(used_at=utcnow())
                    .execution_options(synchronize_session=False))
