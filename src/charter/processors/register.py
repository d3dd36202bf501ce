"""The register of processors (Art. 28 and 30(1)(d)), built from the policy each time it is
read: the policy file is the one source of truth, so nothing here is stored. Processors come
with the sub-processors they engaged under them; joint controllers and third parties are
listed apart. The flags are `charter check`'s own findings about each recipient."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..policy import Policy
from ..policy._base import EEA
from ..policy.lint_recipients import recipient_findings
from ..policy.processing import Recipient


@dataclass(frozen=True)
class Entry:
    """One recipient as the register shows it, in the policy's default language."""

    id: str
    name: str
    role: str
    processor_of: str | None
    does: str
    categories: list[str]
    countries: list[str]
    outside_eea: list[str]
    transfer_mechanism: str | None
    agreement_signed: str | None
    agreement_reviewed: str | None
    privacy_url: str | None
    purposes: list[str]
    flags: list[str]


@dataclass(frozen=True)
class Register:
    processors: list[Entry]
    """Processors, each followed by its sub-processors; sub-processors with no declared
    processor come last, so none is left out."""
    others: list[Entry]
    """Joint controllers and third parties: they decide for themselves, no Art. 28 contract."""


def _entry(policy: Policy, recipient: Recipient, flags: list[str]) -> Entry:
    lang = policy.languages.default
    labels = {c.id: c.label.get(lang, lang) for c in policy.data_categories}
    countries = recipient.all_countries()
    return Entry(
        id=recipient.id, name=recipient.name, role=recipient.role,
        processor_of=recipient.processor_of, does=recipient.purpose.get(lang, lang),
        categories=[labels.get(c, c) for c in recipient.categories], countries=countries,
        outside_eea=[c for c in countries if c not in EEA],
        transfer_mechanism=recipient.transfer_mechanism,
        agreement_signed=recipient.agreement_signed,
        agreement_reviewed=recipient.agreement_reviewed, privacy_url=recipient.privacy_url,
        purposes=[p.label.get(lang, lang) for p in policy.purposes
                  if recipient.id in p.recipients],
        flags=flags)


def build_register(policy: Policy) -> Register:
    findings = recipient_findings(policy)
    entries = {r.id: _entry(policy, r, [f.message for f in findings.get(i, [])])
               for i, r in enumerate(policy.recipients)}
    processors: list[Entry] = []
    placed: set[str] = set()
    for r in policy.recipients:
        if r.role == "processor":
            processors.append(entries[r.id])
            under = [s.id for s in policy.recipients
                     if s.role == "sub_processor" and s.processor_of == r.id]
            processors.extend(entries[s] for s in under)
            placed.update(under)
    processors.extend(entries[r.id] for r in policy.recipients
                      if r.role == "sub_processor" and r.id not in placed)
    others = [entries[r.id] for r in policy.recipients
              if r.role in ("joint_controller", "third_party")]
    return Register(processors=processors, others=others)


COLUMNS = ("id", "name", "role", "processor_of", "does", "data_categories", "countries",
           "outside_eea", "transfer_mechanism", "agreement_signed", "agreement_reviewed",
           "privacy_url", "purposes", "flags")


def register_csv(policy: Policy) -> str:
    """Every recipient, processors first, one row each: lists are joined with "; "."""
    register = build_register(policy)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in (*register.processors, *register.others):
        writer.writerow([
            e.id, e.name, e.role, e.processor_of or "", e.does, "; ".join(e.categories),
            "; ".join(e.countries), "; ".join(e.outside_eea), e.transfer_mechanism or "",
            e.agreement_signed or "", e.agreement_reviewed or "", e.privacy_url or "",
            "; ".join(e.purposes), "; ".join(e.flags)])
    return out.getvalue()
