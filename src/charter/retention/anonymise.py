"""Anonymisation: a record becomes a fact about no one. Kept: its category, where it came
from, the month it was collected, the person's language and the fields the policy lists in
the category's `anonymise_keep` (a language level, a country) — nothing that points to the
person, not even their id. What remains is only shown in groups of at least k (stats)."""

from __future__ import annotations

import json

from sqlalchemy import select

from ..db import CharterSession
from ..models import AnonymousFact, Record, Subject
from ..runtime import Runtime


def anonymise(session: CharterSession, runtime: Runtime, records: list[Record]) -> None:
    """Write the facts of these records; the caller deletes the records in the same
    transaction."""
    org = runtime.organization_id
    languages = dict(session.execute(select(Subject.id, Subject.language).where(
        Subject.organization_id == org,
        Subject.id.in_({r.subject_id for r in records}))).all())
    for record in records:
        category = runtime.policy.category(record.category)
        keep = category.anonymise_keep if category else []
        values = runtime.cipher.unseal(record) if keep else {}
        kept = {name: values[name] for name in keep if values.get(name) not in (None, "")}
        session.add(AnonymousFact(
            organization_id=org, category=record.category, source=record.source,
            month=record.collected_at.strftime("%Y-%m"),
            language=languages.get(record.subject_id, ""),
            kept=json.dumps(kept, sort_keys=True, ensure_ascii=False)))
    session.flush()
