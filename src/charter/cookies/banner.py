"""What the banner shows, built from the policy alone: categories in a fixed order, vendors
grouped by provider, texts in the visitor's language."""

from __future__ import annotations

import re
from typing import Any

from ..i18n import N_, gettext_for
from ..runtime import Runtime
from ..wording import cookie_lifetime_words

ORDER = ("necessary", "preferences", "analytics", "marketing")
CATEGORY_TEXT = {
    "necessary": (N_("Strictly necessary"),
                  N_("Needed for the site to work, such as keeping you logged in. Always on.")),
    "preferences": (N_("Preferences"), N_("Remember your choices, such as your language.")),
    "analytics": (N_("Statistics"), N_("Count visits and see how the site is used, so we can "
                                       "improve it.")),
    "marketing": (N_("Marketing"), N_("Show advertising and measure it, also on other sites.")),
}
TEXTS = {
    "title": N_("Cookies on this site"),
    "intro": N_("We use cookies that the site needs, and, only if you agree, others for "
                "statistics, preferences or marketing. You can change your mind at any time."),
    "acceptAll": N_("Accept all"),
    "rejectAll": N_("Reject all"),
    "customize": N_("Choose"),
    "save": N_("Save my choices"),
    "settings": N_("Cookie settings"),
    "doNotSell": N_("Do not sell or share my personal information"),
    "doNotSellDone": N_("We will not sell or share your personal information."),
    "vendors": N_("Providers"),
    "cookie": N_("Cookie"),
    "duration": N_("Duration"),
    "purpose": N_("Purpose"),
    "alwaysOn": N_("Always on"),
    "close": N_("Close"),
    "gpcHonoured": N_("Your browser asks not to sell or share your data (Global Privacy "
                      "Control): marketing stays off."),
    "privacy": N_("Privacy notice"),
}


def vendor_id(provider: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-") or "vendor"


def banner_config(runtime: Runtime, language: str, *, gpc: bool) -> dict[str, Any] | None:
    """The banner's configuration, or None when the policy declares no cookie beyond the
    strictly necessary (then there is nothing to ask)."""
    policy = runtime.policy
    if not any(c.category != "necessary" for c in policy.cookies):
        return None
    _ = gettext_for(language)
    default = policy.languages.default
    base = runtime.settings.public_url
    categories = []
    for category in ORDER:
        cookies = [c for c in policy.cookies if c.category == category]
        if not cookies and category != "necessary":
            continue
        vendors: dict[str, dict[str, Any]] = {}
        for cookie in cookies:
            provider = cookie.vendor or cookie.provider
            entry = vendors.setdefault(vendor_id(provider), {
                "id": vendor_id(provider), "name": provider, "cookies": []})
            entry["cookies"].append({"name": cookie.name,
                                     "duration": cookie_lifetime_words(cookie.duration, language),
                                     "purpose": cookie.purpose.get(language, default)})
        label, description = CATEGORY_TEXT[category]
        categories.append({"id": category, "label": _(label), "description": _(description),
                           "required": category == "necessary",
                           "vendors": list(vendors.values())})
    return {
        "endpoint": f"{base}/api/v1/cookie-consents",
        "stylesheet": f"{base}/static/consent-banner.css",
        "policyVersion": runtime.policy_version,  # a new version asks again
        "language": language,
        "gpc": gpc,
        "honourGpc": policy.signals.honour_gpc,
        "doNotSellLink": policy.signals.do_not_sell_link,
        "privacyUrl": f"{base}/privacy?lang={language}",
        "categories": categories,
        "texts": {key: _(text) for key, text in TEXTS.items()},
    }
