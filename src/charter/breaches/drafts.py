"""Drafts written from the register and the policy, for staff to check and send: the
notification to the supervisory authority (Art. 33(3), in English like the Portal) and the
communication to the people concerned (Art. 34(2), in each language of the policy). Staff's
own texts are inserted as written; Charter's sentences come from the gettext catalogs."""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..i18n import gettext_for
from ..models import Breach, utcnow
from ..policy import Policy
from .clock import authority_clock, shown, whole_hours, zone_of
from .facts import EXEMPTIONS

NOT_KNOWN = "(not known yet)"
NATURE_EN = {
    "confidentiality": "confidentiality (data disclosed to or accessed by people not "
                       "authorised)",
    "integrity": "integrity (data altered without authorisation)",
    "availability": "availability (data lost or made inaccessible)",
}


def _approximately(count: int | None) -> str:
    return NOT_KNOWN if count is None else f"about {count}"


def _labels(policy: Policy, breach: Breach, language: str) -> list[str]:
    """Category labels in ``language``; an id since removed from the policy stays visible."""
    default = policy.languages.default
    found = [(c_id, policy.category(c_id)) for c_id in breach.categories.split()]
    return [category.label.get(language, default) if category else c_id
            for c_id, category in found]


def authority_notification(policy: Policy, breach: Breach, texts: dict[str, str], *,
                           now: datetime | None = None) -> str:
    """The facts Art. 33(3) asks for, laid out in the order of the article."""
    organization, authority = policy.organization, policy.organization.supervisory_authority
    zone = zone_of(organization.country)
    moment = now or utcnow()
    clock = authority_clock(detected_at=breach.detected_at, decision=breach.authority_decision,
                            notified_at=breach.authority_notified_at, now=moment)
    identity = [organization.legal_name, organization.address.one_line()]
    identity += [f"{label} {number}" for label, number in (
        ("Company number", organization.company_number), ("VAT", organization.vat_number))
        if number]
    lines = [
        "Notification of a personal data breach (GDPR Art. 33)", "",
        f"To: {authority.name.get('en', policy.languages.default)}",
        f"    {authority.address.one_line()}",
        *([f"    {authority.email}"] if authority.email else []),
        f"Our reference: {breach.reference}"
        + (f" · Your reference: {breach.authority_reference}"
           if breach.authority_reference else ""),
        "", "1. Controller", "; ".join(identity),
        *([f"Data protection officer: {organization.dpo.name} <{organization.dpo.email}>"]
          if organization.dpo else []),
        f"Contact point for more information (Art. 33(3)(b)): {texts.get('contact', '')}",
        "", "2. The breach (Art. 33(3)(a))",
        "Nature: " + "; ".join(NATURE_EN[n] for n in breach.nature.split()),
        f"Occurred: {shown(breach.occurred_at, zone) or NOT_KNOWN}",
        f"Detected (became aware): {shown(breach.detected_at, zone)}",
        f"Categories of personal data: {', '.join(_labels(policy, breach, 'en'))}",
        f"People concerned: {_approximately(breach.subjects_affected)}",
        f"Personal data records concerned: {_approximately(breach.records_affected)}",
        f"Risk to people, as assessed: {breach.risk}",
        "What happened:", texts.get("description") or NOT_KNOWN,
        "", "3. Likely consequences (Art. 33(3)(c))", texts.get("consequences") or NOT_KNOWN,
        "", "4. Measures taken or proposed (Art. 33(3)(d))",
        "Taken:", texts.get("measures_taken") or NOT_KNOWN,
        "Proposed:", texts.get("measures_proposed") or NOT_KNOWN,
        "", "5. The people concerned (Art. 34)", _people(breach, texts, zone),
    ]
    if clock.notified_late or clock.overdue:
        hours = whole_hours((breach.authority_notified_at or moment) - breach.detected_at)
        lines += ["", "6. Reasons for the delay (Art. 33(1))",
                  f"This notification comes {hours} hours after we became aware of the breach "
                  f"(the 72 hours ended {shown(clock.deadline, zone)}).",
                  texts.get("delay_reason") or "(to be given: a late notification must say "
                                                 "why)"]
    return "\n".join(lines) + "\n"


def _people(breach: Breach, texts: dict[str, str], zone: tzinfo) -> str:
    if breach.subjects_notified_at is not None:
        return f"Told on {shown(breach.subjects_notified_at, zone)}."
    if breach.subjects_decision == "not_required":
        ground = EXEMPTIONS.get(texts.get("subjects_ground", ""), "")
        return f"Not told: {ground}. {texts.get('subjects_reason', '')}".strip()
    if breach.risk == "high":
        return "High risk: the people concerned will be told."
    return "Not told: the risk to them is not assessed as high."


def subject_notice(policy: Policy, breach: Breach, texts: dict[str, str],
                   language: str) -> str:
    """The communication to the people concerned, in plain words (Art. 34(2)): what
    happened, what it may mean for them, what was done, what they can do, whom to ask."""
    _ = gettext_for(language)
    organization = policy.organization
    authority = organization.supervisory_authority
    default = policy.languages.default
    zone = zone_of(organization.country)
    natures = breach.nature.split()
    fideslang = [c.fideslang for c in policy.data_categories
                 if c.id in breach.categories.split()]
    nature_lines = {
        "confidentiality": _("Your data may have been seen or taken by people who should not "
                             "have access to it."),
        "integrity": _("Your data may have been changed or damaged."),
        "availability": _("Your data was lost or could not be used for some time."),
    }
    advice = []
    if "confidentiality" in natures:
        advice.append(_("Be careful with messages or calls that mention this incident or ask "
                        "for passwords, codes or payment details: we will never ask you for "
                        "them."))
        if any(f.startswith("user.financial") for f in fideslang):
            advice.append(_("Check your bank and card statements and tell your bank about any "
                            "payment you do not recognise."))
        if any(f.startswith("user.authorization") for f in fideslang):
            advice.append(_("Change your password, and change it everywhere you used the "
                            "same one."))
    if "integrity" in natures:
        advice.append(_("If data we hold about you looks wrong, tell us: you have the right "
                        "to have it corrected."))
    if "availability" in natures:
        advice.append(_("If you need a copy of your data, ask us for it."))
    advice.append(_("You may also lodge a complaint with %(authority)s, %(address)s, "
                    "%(website)s.") % {"authority": authority.name.get(language, default),
                                       "address": authority.address.one_line(),
                                       "website": authority.website})
    detected = breach.detected_at.astimezone(zone).strftime("%Y-%m-%d")
    lines = [
        _("Subject: a personal data breach that concerns you"), "",
        _("%(organization)s is writing to tell you about a personal data breach that "
          "concerns your data.") % {"organization": organization.legal_name},
        "", _("What happened"), texts.get("description", ""),
        _("We became aware of it on %(date)s.") % {"date": detected},
        "", _("Which data"),
        _("The breach concerns: %(categories)s.") % {
            "categories": ", ".join(_labels(policy, breach, language))},
        *[nature_lines[n] for n in natures],
        "", _("What this may mean for you"),
        texts.get("consequences") or _("We are still assessing the consequences."),
        "", _("What we have done"),
        texts.get("measures_taken") or _("We are taking measures to stop the breach and "
                                         "limit its effects."),
        *([texts["measures_proposed"]] if texts.get("measures_proposed") else []),
        "", _("What you can do"), *[f"- {line}" for line in advice],
        "", _("Whom to ask"),
        _("For any question about this breach, contact: %(contact)s") % {
            "contact": texts.get("contact", "")},
        "", organization.legal_name,
    ]
    return "\n".join(lines) + "\n"
