"""The consent ledger is append-only: an event once written is never rewritten nor deleted
alone — a change of mind is a new event; only key rotation re-seals the same proof."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from charter.consent.service import record_consent
from charter.db import CharterSession
from charter.keys import service as rotation
from charter.models import ConsentEvent
from charter.models.consent import LedgerIsAppendOnly
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings

from ..factories import person


def _events(runtime: Runtime) -> list[ConsentEvent]:
    with runtime.transaction() as session:
        return list(session.scalars(select(ConsentEvent).where(
            ConsentEvent.organization_id == runtime.organization_id).order_by(ConsentEvent.id)))


def _one(session: CharterSession, runtime: Runtime, event_id: int) -> ConsentEvent:
    return session.scalars(select(ConsentEvent).where(
        ConsentEvent.organization_id == runtime.organization_id,
        ConsentEvent.id == event_id)).one()


def test_a_written_event_cannot_be_rewritten_or_deleted(runtime: Runtime) -> None:
    subject = person(runtime)
    with runtime.transaction() as session:
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="staff:1",
                       text="Send me the newsletter.")
    [written] = _events(runtime)
    with pytest.raises(LedgerIsAppendOnly, match="action cannot change"), \
            runtime.transaction() as session:
        _one(session, runtime, written.id).action = "withdraw"
    with pytest.raises(LedgerIsAppendOnly, match="cannot be deleted"), \
            runtime.transaction() as session:
        session.delete(_one(session, runtime, written.id))
    [kept] = _events(runtime)  # both attempts rolled back: the grant stands as written
    assert (kept.action, kept.occurred_at) == ("grant", written.occurred_at)


def test_key_rotation_still_reseals_the_proof(runtime: Runtime, settings: Settings) -> None:
    subject = person(runtime)
    with runtime.transaction() as session:
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="staff:1",
                       text="Send me the newsletter.", evidence={"note": "signed form"})
    [before] = _events(runtime)
    rotation.rotate_keys(runtime)
    after_runtime = open_runtime(settings, engine=runtime.engine)
    [after] = _events(after_runtime)
    assert after.key_id != before.key_id and after.receipt_id == before.receipt_id
    assert after_runtime.cipher.unseal(after)["note"] == "signed form"
