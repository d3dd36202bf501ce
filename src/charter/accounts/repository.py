from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from ..db import CharterSession
from ..models import ApiKey, StaffSession, StaffUser


def user_by_email(session: CharterSession, organization_id: int, email: str) -> StaffUser | None:
    statement = select(StaffUser).where(
        StaffUser.organization_id == organization_id, StaffUser.email == email
    )
    return session.scalars(statement).first()


def user_by_id(session: CharterSession, organization_id: int, user_id: int) -> StaffUser | None:
    statement = select(StaffUser).where(
        StaffUser.organization_id == organization_id, StaffUser.id == user_id
    )
    return session.scalars(statement).first()


def session_by_token_hash(
    session: CharterSession, organization_id: int, token_hash: str
) -> StaffSession | None:
    statement = select(StaffSession).where(
        StaffSession.organization_id == organization_id, StaffSession.token_hash == token_hash
    )
    return session.scalars(statement).first()


def delete_sessions_idle_since(
    session: CharterSession, organization_id: int, cutoff: datetime
) -> int:
    statement = delete(StaffSession).where(
        StaffSession.organization_id == organization_id, StaffSession.last_seen_at < cutoff
    )
    return session.execute(statement).rowcount  # type: ignore[attr-defined, no-any-return]


def delete_session(session: CharterSession, organization_id: int, token_hash: str) -> None:
    session.execute(
        delete(StaffSession).where(
            StaffSession.organization_id == organization_id, StaffSession.token_hash == token_hash
        )
    )


def api_key_by_hash(session: CharterSession, organization_id: int, key_hash: str) -> ApiKey | None:
    statement = select(ApiKey).where(
        ApiKey.organization_id == organization_id,
        ApiKey.key_hash == key_hash,
        ApiKey.revoked_at.is_(None),
    )
    return session.scalars(statement).first()


def api_key_by_name(session: CharterSession, organization_id: int, name: str) -> ApiKey | None:
    statement = select(ApiKey).where(ApiKey.organization_id == organization_id, ApiKey.name == name)
    return session.scalars(statement).first()


def active_users(session: CharterSession, organization_id: int) -> list[StaffUser]:
    statement = select(StaffUser).where(
        StaffUser.organization_id == organization_id, StaffUser.active.is_(True)
    )
    return list(session.scalars(statement.order_by(StaffUser.email)))
