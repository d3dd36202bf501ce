"""The record of processing activities (GDPR Art. 30(1)), one activity per purpose, as CSV,
HTML or JSON-LD with W3C Data Privacy Vocabulary (DPV) terms."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from ._base import EEA
from .document import Policy
from .processing import dpv_legal_basis
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
    "retention",
    "systems",
    "security",
)


def activities(policy: Policy) -> list[dict[str, str]]:
    """One row per purpose: what Art. 30(1)(b)-(g) asks for, in the default language."""
    lang = policy.languages.default
    rows = []
    for purpose in policy.purposes:
        categories = [c for c in policy.data_categories if c.id in purpose.categories]
        recipients = policy.recipients_of(purpose.categories)
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        holds = [h for h in policy.legal_holds if set(h.categories) & set(purpose.categories)]
        subjects = [
            s.label.get(lang, lang)
            for s in policy.subject_categories
            if s.id in purpose.subject_categories
        ]
        rows.append(
            {
                "purpose": purpose.label.get(lang, lang),
                "legal_basis": purpose.legal_basis or "",
                "dpv_legal_basis": purpose.dpv_legal_basis or "",
                "data_subjects": "; ".join(subjects),
                "personal_data": "; ".join(c.label.get(lang, lang) for c in categories),
                "special_categories": "; ".join(
                    c.label.get(lang, lang) for c in categories if c.special
                ),
                "recipients": "; ".join(f"{r.name} ({r.role})" for r in recipients),
                "transfers": "; ".join(
                    f"{r.name}: {', '.join(c for c in r.all_countries() if c not in EEA)} "
                    f"({r.transfer_mechanism or 'no safeguard stated'})"
                    for r in recipients
                    if any(c not in EEA for c in r.all_countries())
                ),
                "retention": (
                    f"{rule.duration.root} after {rule.trigger.replace('_', ' ')}" if rule else ""
                )
                + "".join(
                    f"; legal hold: {h.duration.root} ({h.basis.get(lang, lang)})" for h in holds
                ),
                "systems": "; ".join(
                    s.label.get(lang, lang)
                    for s in policy.systems
                    if set(s.categories) & set(purpose.categories)
                ),
                "security": "; ".join(s.get(lang, lang) for s in policy.security),
            }
        )
    return rows


def iso_duration(duration: Duration) -> str:
    """ISO 8601: P3Y, P6M, P30D."""
    return f"P{duration.amount}{duration.unit[0].upper()}"


def _controller(policy: Policy) -> dict[str, str]:
    org = policy.organization
    return {
        "name": org.legal_name,
        "address": org.address.one_line(),
        "email": str(org.privacy_email or ""),
        "dpo": f"{org.dpo.name} <{org.dpo.email}>" if org.dpo else "",
    }


def to_csv(policy: Policy) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(activities(policy))
    return out.getvalue()


def to_html(policy: Policy) -> str:
    controller = _controller(policy)
    head = "".join(f'<th scope="col">{c.replace("_", " ")}</th>' for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(row[c])}</td>" for c in COLUMNS) + "</tr>"
        for row in activities(policy)
    )
    return (
        f'<!doctype html><html lang="{policy.languages.default}"><head><meta charset="utf-8">'
        f"<title>Record of processing activities — {escape(controller['name'])}</title>"
        "</head><body><h1>Record of processing activities (Art. 30 GDPR)</h1>"
        f"<p>Controller: {escape(controller['name'])}, {escape(controller['address'])}"
        f"{', ' + escape(controller['email']) if controller['email'] else ''}"
        f"{'; DPO: ' + escape(controller['dpo']) if controller['dpo'] else ''}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>\n"
    )


def to_jsonld(policy: Policy) -> str:
    lang = policy.languages.default
    controller = _controller(policy)
    processes: list[dict[str, Any]] = []
    for purpose in policy.purposes:
        recipients = policy.recipients_of(purpose.categories)
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        processes.append(
            {
                "@id": f"#process-{purpose.id}",
                "@type": "dpv:Process",
                "dpv:hasPurpose": {
                    "@type": "dpv:Purpose",
                    "dct:description": purpose.label.get(lang, lang),
                },
                **(
                    {"dpv:hasLegalBasis": {"@id": dpv_legal_basis(purpose.legal_basis)}}
                    if purpose.legal_basis
                    else {}
                ),
                "dpv:hasPersonalData": [
                    {
                        "@type": "dpv:SpecialCategoryPersonalData"
                        if c.special
                        else "dpv:PersonalData",
                        "dct:identifier": c.fideslang,
                        "dct:description": c.label.get(lang, lang),
                    }
                    for c in policy.data_categories
                    if c.id in purpose.categories
                ],
                "dpv:hasDataSubject": [
                    {"@type": "dpv:DataSubject", "dct:description": s.label.get(lang, lang)}
                    for s in policy.subject_categories
                    if s.id in purpose.subject_categories
                ],
                "dpv:hasRecipient": [
                    {
                        "@type": {
                            "processor": "dpv:DataProcessor",
                            "sub_processor": "dpv:DataSubProcessor",
                            "third_party": "dpv:ThirdParty",
                            "joint_controller": "dpv:JointDataControllers",
                        }[r.role],
                        "dpv:hasName": r.name,
                        "dpv:hasLocation": r.all_countries(),
                        **(
                            {"dpv:hasTechnicalOrganisationalMeasure": r.transfer_mechanism.upper()}
                            if r.transfer_mechanism
                            else {}
                        ),
                    }
                    for r in recipients
                ],
                **(
                    {
                        "dpv:hasStorageCondition": {
                            "@type": "dpv:StorageDuration",
                            "dpv:hasDuration": iso_duration(rule.duration),
                            "dct:description": f"{rule.duration.root} after {rule.trigger}",
                        }
                    }
                    if rule
                    else {}
                ),
            }
        )
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
            "@type": "dpv:DataController",
            "dpv:hasName": controller["name"],
            "dpv:hasAddress": controller["address"],
            "dpv:hasContact": controller["email"],
        },
        "dpv:hasProcess": processes,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"csv": to_csv, "html": to_html, "jsonld": to_jsonld}
