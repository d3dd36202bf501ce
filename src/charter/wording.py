"""Words Charter uses about the policy in several documents (the privacy notice, the access
letter, pages): legal bases in plain words, rights, triggers of retention. Marked for the
catalogs; translated where they are shown."""

from __future__ import annotations

from .i18n import N_, gettext_for
from .policy.text import Duration

LEGAL_BASIS = {
    "consent": N_("your consent, which you may withdraw at any time"),
    "contract": N_("the contract with you, or steps you asked for before one"),
    "legal_obligation": N_("a legal obligation we are under"),
    "vital_interests": N_("the protection of someone's vital interests"),
    "public_task": N_("a task in the public interest"),
    "legitimate_interests": N_("our legitimate interests, which you may object to"),
}
TRIGGERS = {
    "collected": N_("after it is collected"),
    "last_contact": N_("after our last contact with you"),
    "contract_end": N_("after the end of the contract"),
    "account_closed": N_("after the account is closed"),
    "consent_withdrawn": N_("after you withdraw your consent"),
}
UNITS = {"minutes": (N_("%(n)s minute"), N_("%(n)s minutes")),
         "hours": (N_("%(n)s hour"), N_("%(n)s hours")),
         "days": (N_("%(n)s day"), N_("%(n)s days")),
         "months": (N_("%(n)s month"), N_("%(n)s months")),
         "years": (N_("%(n)s year"), N_("%(n)s years"))}
COOKIE_WORDS = {"necessary": N_("strictly necessary"), "preferences": N_("preferences"),
                "analytics": N_("statistics"), "marketing": N_("marketing")}
RIGHTS = {
    "access": N_("to know whether we process your data and to receive a copy (Art. 15)"),
    "rectification": N_("to have inaccurate data corrected (Art. 16)"),
    "erasure": N_("to have your data erased (Art. 17)"),
    "restriction": N_("to have the use of your data restricted (Art. 18)"),
    "portability": N_("to receive the data you gave us, to take it elsewhere (Art. 20)"),
    "objection": N_("to object to the use of your data (Art. 21)"),
    "withdrawal": N_("to withdraw your consent at any time (Art. 7(3))"),
}


def duration_words(duration: Duration, language: str) -> str:
    return _amount_words(duration.amount, duration.unit, language)


def cookie_lifetime_words(lifetime: str, language: str) -> str:
    """A cookie's lifetime as the policy gives it ("session", "30 minutes", "13 months")."""
    _ = gettext_for(language)
    if lifetime == "session":
        return str(_("session"))
    amount, unit = lifetime.split()
    return _amount_words(int(amount), unit if unit.endswith("s") else f"{unit}s", language)


def _amount_words(n: int, unit: str, language: str) -> str:
    singular, plural = UNITS[unit]
    return str(gettext_for(language)(singular if n == 1 else plural)) % {"n": n}


def retention_words(duration: Duration, trigger: str, language: str) -> str:
    return f"{duration_words(duration, language)} {gettext_for(language)(TRIGGERS[trigger])}"
