"""The proof log of cookie choices: only well-formed choices about this site's own
categories and providers are kept."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from ..db import CharterSession
from ..errors import InvalidInput
from ..models import CookieConsent
from ..runtime import Runtime
from .banner import vendor_id


@dataclass(frozen=True)
class Choice:
    consent_id: str
    policy_version: str
    language: str
    action: str
    choices: dict[str, bool]
    vendors: dict[str, bool]
    do_not_sell: bool
    gpc: bool


def log_choice(session: CharterSession, runtime: Runtime, choice: Choice) -> None:
    policy = runtime.policy
    try:
        uuid.UUID(choice.consent_id)
    except ValueError:
        raise InvalidInput("consentId: a random UUID") from None
    if choice.policy_version != runtime.policy_version:
        raise InvalidInput("policyVersion: the banner is out of date; reload the page")
    optional = {c.category for c in policy.cookies} - {"necessary"}
    if set(choice.choices) != optional:
        raise InvalidInput(f"choices: one answer for each of {', '.join(sorted(optional))}")
    vendors = {vendor_id(c.vendor or c.provider) for c in policy.cookies
               if c.category != "necessary"}
    unknown = sorted(set(choice.vendors) - vendors)
    if unknown:
        raise InvalidInput(f"vendors: {', '.join(unknown[:5])} is not a provider of this site")
    missing = sorted(vendors - set(choice.vendors))
    if missing:
        raise InvalidInput(f"vendors: one answer for each provider ({', '.join(missing[:5])} "
                           "missing)")
    for vendor, granted in choice.vendors.items():
        serves = {c.category for c in policy.cookies if vendor_id(c.vendor or c.provider) == vendor}
        if granted and not any(choice.choices.get(category) for category in serves):
            raise InvalidInput(f"vendors: {vendor} is allowed but none of its categories is")
    refused_marketing = (choice.gpc and policy.signals.honour_gpc) or choice.do_not_sell
    if choice.action in ("accept_all", "reject_all"):
        accepted = choice.action == "accept_all"
        expected = {c: accepted and not (c == "marketing" and refused_marketing)
                    for c in optional}
        if choice.choices != expected:
            raise InvalidInput(f"choices: do not match the action {choice.action}")
    if refused_marketing and choice.choices.get("marketing"):
        raise InvalidInput("choices: marketing is refused by Global Privacy Control or "
                           "the do-not-sell choice")
    session.add(CookieConsent(
        organization_id=runtime.organization_id, consent_id=choice.consent_id,
        policy_version=choice.policy_version, action=choice.action,
        choices=json.dumps(choice.choices, sort_keys=True),
        vendors=json.dumps(choice.vendors, sort_keys=True), do_not_sell=choice.do_not_sell,
        gpc=choice.gpc, language=choice.language))
