"""Consent receipts: Kantara Initiative Consent Receipt v1.1, carrying the fields of
ISO/IEC TS 27560 (consent record information structure) and W3C DPV terms."""

from __future__ import annotations

from typing import Any

from ..models import ConsentEvent
from ..policy.processing import dpv_legal_basis
from ..runtime import Runtime

EVENT_TYPE = {"grant": "given", "withdraw": "withdrawn", "pending": "requested",
              "gpc": "refused", "dnt": "refused", "object": "objected"}
CONSENT_TYPE = {"implied_by_terms": "IMPLIED"}


def consent_receipt(runtime: Runtime, event: ConsentEvent, principal: str) -> dict[str, Any]:
    """The receipt of one consent event, for the person it concerns (``principal``)."""
    policy = runtime.policy
    org = policy.organization
    lang = event.language
    default = policy.languages.default
    purpose = policy.purpose(event.purpose)
    label = purpose.label.get(lang, default) if purpose else event.purpose
    categories = [c for c in policy.data_categories if purpose and c.id in purpose.categories]
    recipients = [r for r in policy.recipients if purpose and r.id in purpose.recipients]
    rule = policy.retention_rule(purpose.retention) if purpose and purpose.retention else None
    retention = f"{rule.duration.root} after {rule.trigger.replace('_', ' ')}" if rule else ""
    when = event.occurred_at
    return {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": org.country,
        "consentTimestamp": int(when.timestamp()),
        "collectionMethod": event.method,
        "consentReceiptID": event.receipt_id,
        "language": lang,
        "piiPrincipalId": principal,
        "piiControllers": [{
            "piiController": org.legal_name,
            "onBehalf": False,
            "contact": org.dpo.name if org.dpo else "Privacy",
            "address": {"streetAddress": org.address.street,
                        "postalCode": org.address.postal_code,
                        "addressLocality": org.address.city,
                        "addressCountry": org.address.country},
            "email": str(org.privacy_email or (org.dpo.email if org.dpo else "")),
            "phone": "",
            "piiControllerUrl": org.website or runtime.settings.public_url,
        }],
        "policyUrl": f"{runtime.settings.public_url}/privacy",
        "services": [{
            "service": label,
            "purposes": [{
                "purpose": label,
                "purposeCategory": [event.purpose],
                "consentType": CONSENT_TYPE.get(event.method, "EXPLICIT"),
                "piiCategory": [c.fideslang for c in categories],
                "primaryPurpose": True,
                "termination": retention,
                "thirdPartyDisclosure": bool(recipients),
                "thirdPartyName": ", ".join(r.name for r in recipients),
            }],
        }],
        "sensitive": any(c.special for c in categories),
        "spiCat": [c.fideslang for c in categories if c.special],
        "iso27560": {
            "schema_version": "ISO/IEC TS 27560:2023",
            "record_id": event.receipt_id,
            "pii_principal_id": principal,
            "event": {"event_time": when.isoformat(), "event_type": EVENT_TYPE[event.action],
                      "event_by": event.actor},
            "notice": {"policy_version": event.policy_version, "text_sha256": event.text_hash,
                       "language": lang, "url": f"{runtime.settings.public_url}/privacy"},
            "processing": {
                "purpose": event.purpose,
                "legal_basis": dpv_legal_basis(purpose.legal_basis if purpose and
                                               purpose.legal_basis else "consent"),
                "data_controller": org.legal_name,
                "pii_categories": [c.fideslang for c in categories],
                "recipients": [r.name for r in recipients],
                "storage_duration": retention,
            },
            "collection": {"method": event.method, "channel": event.channel,
                           "source": event.source, "gpc": event.gpc, "dnt": event.dnt},
        },
    }
