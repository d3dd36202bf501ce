"""Policies that differ from the test policy by one change each, and the steps every change
test takes: publish the test policy, publish a changed one, deliver the notices."""

from __future__ import annotations

from pathlib import Path

from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.publication.service import Published, publish
from charter.runtime import Runtime
from charter.subjects import RecordInput, store_subject_data

from ..factories import Edit, policy_with

NEW_PURPOSE: Edit = ("purposes:\n", """purposes:
  - id: course_recommendations
    label:
      en: Course recommendations from your profile
      fr: Recommandations de cours selon votre profil
      nl: Cursusaanbevelingen op basis van uw profiel
    legal_basis: legitimate_interests
    legitimate_interest:
      en: Suggesting courses that fit
      fr: Proposer des cours adaptés
      nl: Passende cursussen voorstellen
    profiling: true
    categories: [contact, language_profile]
    retention: prospects
""")
LONGER_RETENTION: Edit = ("{id: prospects, duration: 3 years,",
                          "{id: prospects, duration: 5 years,")

# A new recipient of contact details, named by the courses (contract) and the newsletter
# (consent).
NEW_RECIPIENT: tuple[Edit, ...] = (
    ("recipients:\n", """recipients:
  - id: planner
    name: Course Planner SRL
    role: processor
    purpose: {en: Planning the courses, fr: Planifier les cours, nl: De cursussen plannen}
    categories: [contact]
    agreement_signed: "2026-02-01"
    country: BE
"""),
    ("    retention: after_contract\n",
     "    retention: after_contract\n    recipients: [planner]\n"),
    ("    retention: prospects\nretention_rules:",
     "    retention: prospects\n    recipients: [planner]\nretention_rules:"),
)
# A new recipient of billing details only, named by invoicing (a legal obligation).
NEW_ACCOUNTANT: tuple[Edit, ...] = (
    ("recipients:\n", """recipients:
  - id: accountants
    name: Fiduciaire Dupont SRL
    role: processor
    purpose: {en: Keeping our accounts, fr: Tenir notre comptabilité, nl: Onze boekhouding}
    categories: [billing]
    agreement_signed: "2026-02-01"
    country: BE
"""),
    ("    retention: accounting\n", "    retention: accounting\n    recipients: [accountants]\n"),
)
NEW_TRANSFER: Edit = ("    country: BE\nsystems:",
                      "    country: BE\n    countries: [US]\n    transfer_mechanism: scc\nsystems:")
NEW_CATEGORY: Edit = ("collection_points:\n", """  - id: bank_account
    label: {en: Bank account, fr: Compte bancaire, nl: Bankrekening}
    fideslang: user.financial.bank_account
    fields:
      - {name: iban, type: iban}
collection_points:
""")
NEW_BASIS: Edit = ("    legal_basis: contract\n", """    legal_basis: legitimate_interests
    legitimate_interest: {en: Running our school, fr: Faire tourner l'école, nl: Onze school runnen}
""")
COSMETIC: Edit = ("{en: Organising the courses you enrol in,",
                  "{en: Organizing the courses you enrol in,")


def changes_section(**settings: object) -> Edit:
    """The policy's ``changes:`` section, e.g. ``silence_means="objection"``."""
    anchor = "newsletter: {purpose: newsletter, manual_with_written_agreement: true}\n"
    body = ", ".join(f"{key}: {value}" for key, value in settings.items())
    return anchor, f"{anchor}changes: {{{body}}}\n"


def publish_change(runtime: Runtime, tmp_path: Path, *edits: Edit) -> tuple[Runtime, Published]:
    """Version 1 is the test policy; version 2 has the edits. Notices are delivered."""
    with runtime.transaction() as session:
        publish(session, runtime, actor="test")
    changed = policy_with(runtime, tmp_path, *edits)
    with changed.transaction() as session:
        done = publish(session, changed, actor="test")
    deliver_due(changed, SmtpTransport(changed.settings))
    return changed, done


def someone(runtime: Runtime, email: str, *, language: str = "en", billing: bool = False
            ) -> int:
    """A person with contact details (and billing details), speaking ``language``."""
    records = [RecordInput(category="contact", source="enrolment",
                           fields={"email": email, "first_name": "A", "last_name": "B"})]
    if billing:
        records.append(RecordInput(category="billing", source="enrolment",
                                   fields={"company": "Acme SRL"}))
    with runtime.transaction() as session:
        return store_subject_data(session, runtime, email=email, language=language,
                                  records=records, actor="test").id
