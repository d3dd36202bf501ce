"""The record of processing activities (GDPR Art. 30) as CSV, HTML or JSON-LD with W3C Data
Privacy Vocabulary (DPV) terms: one activity per purpose of the controller (Art. 30(1)) and,
when the organization is also a processor, what it does on behalf of its clients
(Art. 30(2)). What goes in each line is worked out in ``ropa_entries``."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from .document import Policy
from .processing import Recipient, dpv_legal_basis
from .ropa_entries import Activity, RecordKind, record
from .text import Duration

COLUMNS = (
    "purpose",
    "legal_basis",
    "dpv_legal_basis",
    "data_subjects",
    "personal_data",
    "special_categories",
    "recipients",
    "transfers",
    "dpv_transfer_safeguards",
    "retention",
    "systems",
    "security",
    "record",
    "controller",
    "processor",
    "dpo",
)
ARTICLE = {"controller": "Art. 30(1)", "processor": "Art. 30(2)"}


def _organization(policy: Policy) -> str:
    org = policy.organization
    return ", ".join(p for p in (org.legal_name, org.address.one_line(),
                                 str(org.privacy_email or "")) if p)


def _dpo(policy: Policy) -> str:
    dpo = policy.organization.dpo
    return f"{dpo.name} <{dpo.email}>" if dpo else ""


def _clients(policy: Policy, activity: Activity) -> str:
    lang = policy.languages.default
    if activity.purpose and activity.purpose.on_behalf_of:
        return activity.purpose.on_behalf_of.get(lang, lang)
    return f"Clients of {policy.organization.legal_name}, each named in its contract"


def _description(policy: Policy, activity: Activity) -> str:
    lang = policy.languages.default
    if activity.purpose:
        return activity.purpose.label.get(lang, lang)
    statement = policy.organization.processor_statement
    return statement.get(lang, lang) if statement else "Processing on behalf of clients"


def row(policy: Policy, activity: Activity) -> dict[str, str]:
    """One line of the record, in the default language: what Art. 30(1)(a)-(g), or for a
    processor Art. 30(2)(a)-(d), asks for."""
    lang = policy.languages.default
    purpose = activity.purpose
    uses = set(purpose.categories) if purpose else set()
    categories = [c for c in policy.data_categories if c.id in uses]
    rule = policy.retention_rule(purpose.retention) if purpose and purpose.retention else None
    holds = [h for h in policy.legal_holds if set(h.categories) & uses]
    own = activity.kind == "controller"
    return {
        "purpose": _description(policy, activity),
        "legal_basis": (purpose.legal_basis or "") if own and purpose else "",
        "dpv_legal_basis": (purpose.dpv_legal_basis or "") if own and purpose else "",
        "data_subjects": "; ".join(s.label.get(lang, lang) for s in policy.subject_categories
                                   if purpose and s.id in purpose.subject_categories),
        "personal_data": "; ".join(c.label.get(lang, lang) for c in categories),
        "special_categories": "; ".join(c.label.get(lang, lang) for c in categories
                                        if c.special),
        "recipients": "; ".join(f"{r.name} ({r.role})" for r in activity.recipients),
        "transfers": "; ".join(
            f"{t.recipient.name}: {', '.join(t.countries)} "
            f"({t.safeguard.label if t.safeguard else 'no safeguard stated'})"
            for t in activity.transfers),
        "dpv_transfer_safeguards": "; ".join(
            f"{t.recipient.name}: {t.safeguard.iri}" for t in activity.transfers if t.safeguard),
        "retention": (f"{rule.duration.root} after {rule.trigger.replace('_', ' ')}"
                      if rule else "")
        + "".join(f"; legal hold: {h.duration.root} ({h.basis.get(lang, lang)})"
                  for h in holds),
        "systems": "; ".join(s.label.get(lang, lang) for s in policy.systems
                             if set(s.categories) & uses),
        "security": "; ".join(s.get(lang, lang) for s in policy.security),
        "record": ARTICLE[activity.kind],
        "controller": _organization(policy) if own else _clients(policy, activity),
        "processor": "" if own else _organization(policy),
        "dpo": _dpo(policy),
    }


def rows(policy: Policy, kind: RecordKind) -> list[dict[str, str]]:
    return [row(policy, a) for a in record(policy, kind)]


def iso_duration(duration: Duration) -> str:
    """ISO 8601: P3Y, P6M, P30D."""
    return f"P{duration.amount}{duration.unit[0].upper()}"


def to_csv(policy: Policy) -> str:
    """One table: the controller's lines, then the processor's (column ``record``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows([*rows(policy, "controller"), *rows(policy, "processor")])
    return out.getvalue()


CONTROLLER_TABLE = {c: c.replace("_", " ") for c in COLUMNS[:11]}
PROCESSOR_TABLE = {"controller": "controller", "purpose": "categories of processing",
                   "data_subjects": "data subjects", "personal_data": "personal data",
                   "recipients": "sub-processors and other recipients",
                   "transfers": "transfers", "dpv_transfer_safeguards": "dpv transfer safeguards",
                   "retention": "retention", "systems": "systems"}


def _linked(part: str) -> str:
    """``Name: IRI`` or a bare IRI, with the IRI as a link."""
    label, _, iri = part.rpartition(" ")
    anchor = f'<a href="{escape(iri)}">{escape(iri)}</a>'
    return f"{escape(label)} {anchor}" if label else anchor


def _cell(column: str, value: str) -> str:
    if column in ("dpv_legal_basis", "dpv_transfer_safeguards"):
        return "<br>".join(_linked(part) for part in value.split("; ") if part)
    return escape(value)


def _table(table_rows: list[dict[str, str]], columns: dict[str, str]) -> str:
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label in columns.values())
    body = "".join("<tr>" + "".join(f"<td>{_cell(c, r[c])}</td>" for c in columns) + "</tr>"
                   for r in table_rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(policy: Policy) -> str:
    lang = policy.languages.default
    org = escape(_organization(policy))
    dpo = f"Data protection officer: {escape(_dpo(policy) or 'none designated')}"
    security = "".join(f"<li>{escape(s.get(lang, lang))}</li>" for s in policy.security)
    processor = rows(policy, "processor")
    as_processor = (
        "<h2>Processing carried out as processor (Art. 30(2) GDPR)</h2>"
        f"<p>Processor: {org}. {dpo}.</p>{_table(processor, PROCESSOR_TABLE)}"
        "<p>Security measures: as listed above (Art. 32(1)).</p>" if processor else "")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        "<title>Record of processing activities — "
        f"{escape(policy.organization.legal_name)}</title></head><body>"
        "<h1>Record of processing activities (Art. 30 GDPR)</h1>"
        f"<p>Controller: {org}. {dpo}.</p>"
        "<h2>Processing activities as controller (Art. 30(1) GDPR)</h2>"
        f"{_table(rows(policy, 'controller'), CONTROLLER_TABLE)}"
        "<h2>Technical and organisational security measures (Art. 30(1)(g), Art. 32(1))</h2>"
        f"<ul>{security or '<li>none described in the policy</li>'}</ul>"
        f"{as_processor}</body></html>\n"
    )


RECIPIENT_TYPES = {
    "processor": "dpv:DataProcessor",
    "sub_processor": "dpv:DataSubProcessor",
    "third_party": "dpv:ThirdParty",
    "joint_controller": "dpv:JointDataControllers",
}


def _recipient(recipient: Recipient, activity: Activity) -> dict[str, Any]:
    """A recipient; one outside the EEA names its transfer safeguard as a DPV legal basis."""
    transfer = next((t for t in activity.transfers if t.recipient is recipient), None)
    safeguard = transfer.safeguard if transfer else None
    return {
        "@type": RECIPIENT_TYPES[recipient.role],
        "dpv:hasName": recipient.name,
        "dpv:hasLocation": recipient.all_countries(),
        **({"dpv:hasLegalBasis": {"@id": safeguard.iri, "dct:description": safeguard.label}}
           if safeguard else {}),
    }


def _process(policy: Policy, activity: Activity) -> dict[str, Any]:
    lang = policy.languages.default
    purpose = activity.purpose
    rule = policy.retention_rule(purpose.retention) if purpose and purpose.retention else None
    own = activity.kind == "controller"
    return {
        "@id": f"#process-{purpose.id if purpose else 'on-behalf-of-clients'}",
        "@type": "dpv:Process",
        "dpv:hasPurpose": {"@type": "dpv:Purpose",
                           "dct:description": _description(policy, activity)},
        **({"dpv:hasLegalBasis": {"@id": dpv_legal_basis(purpose.legal_basis)}}
           if own and purpose and purpose.legal_basis else {}),
        **({} if own else {
            "dpv:hasDataController": {"@type": "dpv:DataController",
                                      "dct:description": _clients(policy, activity)},
            "dpv:hasDataProcessor": {"@id": "#organization"}}),
        "dpv:hasPersonalData": [
            {"@type": "dpv:SpecialCategoryPersonalData" if c.special else "dpv:PersonalData",
             "dct:identifier": c.fideslang, "dct:description": c.label.get(lang, lang)}
            for c in policy.data_categories if purpose and c.id in purpose.categories],
        "dpv:hasDataSubject": [
            {"@type": "dpv:DataSubject", "dct:description": s.label.get(lang, lang)}
            for s in policy.subject_categories
            if purpose and s.id in purpose.subject_categories],
        "dpv:hasRecipient": [_recipient(r, activity) for r in activity.recipients],
        **({"dpv:hasStorageCondition": {
            "@type": "dpv:StorageDuration", "dpv:hasDuration": iso_duration(rule.duration),
            "dct:description": f"{rule.duration.root} after {rule.trigger}"}} if rule else {}),
        "dpv:hasTechnicalOrganisationalMeasure": [
            {"@id": f"#security-{n}"} for n in range(1, len(policy.security) + 1)],
    }


def to_jsonld(policy: Policy) -> str:
    lang = policy.languages.default
    org, dpo = policy.organization, policy.organization.dpo
    processor = record(policy, "processor")
    document = {
        "@context": {
            "dpv": "https://w3id.org/dpv#",
            "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
            "dct": "http://purl.org/dc/terms/",
        },
        "@id": "#ropa",
        "@type": "dpv:ROPA",
        "dct:title": "Record of processing activities (Art. 30 GDPR)",
        "dpv:hasDataController": {
            "@id": "#organization",
            "@type": "dpv:DataController",
            "dpv:hasName": org.legal_name,
            "dpv:hasAddress": org.address.one_line(),
            "dpv:hasContact": str(org.privacy_email or ""),
            **({"dpv:hasDataProtectionOfficer": {
                "@type": "dpv:DataProtectionOfficer", "dpv:hasName": dpo.name,
                "dpv:hasContact": str(dpo.email),
                **({"dpv:hasAddress": dpo.address.one_line()} if dpo.address else {})}}
               if dpo else {}),
        },
        "dpv:hasTechnicalOrganisationalMeasure": [
            {"@id": f"#security-{n}", "@type": "dpv:TechnicalOrganisationalMeasure",
             "dct:description": s.get(lang, lang)}
            for n, s in enumerate(policy.security, 1)],
        "dpv:hasProcess": [_process(policy, a) for a in record(policy, "controller")],
        **({"dct:hasPart": {
            "@id": "#ropa-processor",
            "@type": "dpv:ROPA",
            "dct:title": "Record of processing activities carried out as processor "
                         "(Art. 30(2) GDPR)",
            "dpv:hasDataProcessor": {"@id": "#organization"},
            "dpv:hasProcess": [_process(policy, a) for a in processor],
        }} if processor else {}),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"csv": to_csv, "html": to_html, "jsonld": to_jsonld}
