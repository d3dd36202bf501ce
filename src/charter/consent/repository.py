from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from ..db import CharterSession
from ..models import (
    ConsentEvent,
    ConsentState,
    Objection,
    ParentalConsent,
    Subject,
    Suppression,
)


def state_of(
    session: CharterSession,
    organization_id: int,
    subject_id: int,
    purpose: str,
    channel: str,
    *,
    for_update: bool = False,
) -> ConsentState | None:
    statement = select(ConsentState).where(
        ConsentState.organization_id == organization_id,
        ConsentState.subject_id == subject_id,
        ConsentState.purpose == purpose,
        ConsentState.channel == channel,
    )
    if for_update:  # two answers at once: the second waits and sees the first
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def states_of(session: CharterSession, organization_id: int, subject_id: int) -> list[ConsentState]:
    statement = select(ConsentState).where(
        ConsentState.organization_id == organization_id, ConsentState.subject_id == subject_id
    )
    return list(session.scalars(statement.order_by(ConsentState.purpose, ConsentState.channel)))


def events_of(session: CharterSession, organization_id: int, subject_id: int) -> list[ConsentEvent]:
    statement = select(ConsentEvent).where(
        ConsentEvent.organization_id == organization_id, ConsentEvent.subject_id == subject_id
    )
    return list(session.scalars(statement.order_by(ConsentEvent.occurred_at, ConsentEvent.id)))


def latest_pending(
    session: CharterSession, organization_id: int, subject_id: int, purpose: str, channel: str
) -> ConsentEvent | None:
    """The last request for consent still awaiting its confirmation link: it holds the text
    the person was shown."""
    statement = select(ConsentEvent).where(
        ConsentEvent.organization_id == organization_id, ConsentEvent.subject_id == subject_id,
        ConsentEvent.purpose == purpose, ConsentEvent.channel == channel,
        ConsentEvent.action == "pending",
    )
    return session.scalars(statement.order_by(ConsentEvent.occurred_at.desc(),
                                              ConsentEvent.id.desc())).first()


def event_by_receipt(
    session: CharterSession, organization_id: int, receipt_id: str
) -> ConsentEvent | None:
    statement = select(ConsentEvent).where(
        ConsentEvent.organization_id == organization_id, ConsentEvent.receipt_id == receipt_id
    )
    return session.scalars(statement).first()


def suppression_of(
    session: CharterSession, organization_id: int, email_index: str
) -> Suppression | None:
    statement = select(Suppression).where(
        Suppression.organization_id == organization_id, Suppression.email_index == email_index
    )
    return session.scalars(statement).first()


@dataclass(frozen=True)
class StateFact:
    status: str
    since: datetime


@dataclass(frozen=True)
class DecisionFacts:
    states: dict[str, StateFact]
    suppressed_at: datetime | None


def decision_facts(
    session: CharterSession,
    organization_id: int,
    subject: Subject,
    purpose: str,
    channel: str,
    whole_purpose: str,
) -> DecisionFacts:
    """The states of one purpose on ``channel`` and on the whole purpose, and the address's
    suppression, in one indexed query."""
    statement = (
        select(ConsentState.channel, ConsentState.status, ConsentState.since,
               Suppression.created_at)
        .select_from(Subject)
        .outerjoin(ConsentState, and_(
            ConsentState.organization_id == organization_id,
            ConsentState.subject_id == Subject.id,
            ConsentState.purpose == purpose,
            ConsentState.channel.in_([channel, whole_purpose])))
        .outerjoin(Suppression, and_(
            Suppression.organization_id == organization_id,
            Suppression.email_index == Subject.email_index))
        .where(Subject.organization_id == organization_id, Subject.id == subject.id)
    )
    states: dict[str, StateFact] = {}
    suppressed_at = None
    for state_channel, status, since, suppressed in session.execute(statement):
        if state_channel is not None:
            states[state_channel] = StateFact(status, since)
        suppressed_at = suppressed
    return DecisionFacts(states, suppressed_at)


def _objecting(organization_id: int, purpose: str) -> Select[int]:
    """Subjects with an upheld objection to this purpose or to all direct marketing."""
    return select(Objection.subject_id).where(
        Objection.organization_id == organization_id,
        Objection.status == "upheld",
        or_(Objection.purpose == purpose, Objection.purpose.is_(None)),
    )


def audience(organization_id: int, purpose: str, channel: str) -> Select[int]:
    """Subjects who may receive marketing for ``purpose`` on ``channel``: current consent,
    not restricted, not objecting, and not suppressed since they consented."""
    return (
        select(Subject.id)
        .join(
            ConsentState,
            and_(
                ConsentState.subject_id == Subject.id,
                ConsentState.organization_id == organization_id,
            ),
        )
        .outerjoin(
            Suppression,
            and_(
                Suppression.organization_id == organization_id,
                Suppression.email_index == Subject.email_index,
            ),
        )
        .where(
            Subject.organization_id == organization_id,
            ConsentState.purpose == purpose,
            ConsentState.channel == channel,
            ConsentState.status == "granted",
            Subject.restricted_at.is_(None),
            or_(Suppression.id.is_(None), Suppression.created_at < ConsentState.since),
            Subject.id.not_in(_objecting(organization_id, purpose)),
        )
        .order_by(Subject.id)
    )



def pending_parental(
    session: CharterSession, organization_id: int, subject_id: int
) -> ParentalConsent | None:
    statement = select(ParentalConsent).where(
        ParentalConsent.organization_id == organization_id,
        ParentalConsent.subject_id == subject_id,
        ParentalConsent.status == "pending",
    )
    return session.scalars(statement).first()
