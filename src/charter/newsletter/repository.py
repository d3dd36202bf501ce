from __future__ import annotations

from sqlalchemy import select

from ..db import CharterSession
from ..models import Campaign


def recent_campaigns(
    session: CharterSession, organization_id: int, *, limit: int
) -> list[Campaign]:
    statement = select(Campaign).where(Campaign.organization_id == organization_id)
    return list(session.scalars(statement.order_by(Campaign.id.desc()).limit(limit)))
