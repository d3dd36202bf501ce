"""The privacy notice, written from the policy alone: what the seeds' notices say, section by
section, in English, French or Dutch. Charter's own sentences come from the gettext
catalogs; the policy's texts come in the language asked for, or visibly in the default one."""

from __future__ import annotations

from typing import Any

from babel import Locale

from ..i18n import N_, gettext_for
from ..wording import (
    COOKIE_WORDS,
    LEGAL_BASIS,
    RIGHTS,
    cookie_lifetime_words,
    retention_words,
)
from ._base import EEA
from .document import Policy
from .notice_document import Inline, NoticeDocument, Section, Table, Words
from .text import Text

ROLE_WORDS = {"processor": N_("processor acting on our instructions"),
              "sub_processor": N_("sub-processor acting on our instructions"),
              "third_party": N_("third party receiving the data for its own purposes"),
              "joint_controller": N_("joint controller")}
MECHANISM_WORDS = {"adequacy": N_("an adequacy decision of the European Commission"),
                   "scc": N_("the standard contractual clauses of the European Commission"),
                   "dpf": N_("the EU-U.S. Data Privacy Framework"),
                   "bcr": N_("binding corporate rules"),
                   "derogation": N_("a derogation of Article 49 GDPR")}
KIND_WORDS = {"form": N_("a form on our site"), "import": N_("a file we received"),
              "api": N_("our applications"), "offline": N_("by mail, phone or in person")}


class _Writer:
    def __init__(self, policy: Policy, language: str) -> None:
        self.policy = policy
        self.lang = language
        self.default = policy.languages.default
        self._ = gettext_for(language)

    def t(self, text: Text | None) -> Words:
        """A policy text in the notice's language, or marked as being in another one."""
        if text is None:
            return Words("")
        value, used = text.resolve(self.lang, self.default)
        return Words(value, None if used in (self.lang, "*") else used)

    def country(self, code: str) -> str:
        return str(Locale(self.lang).territories.get(code, code))

    def phrase(self, message: str, **values: Any) -> Words:
        return Words(self._(message) % values if values else self._(message))


def _who(wr: _Writer) -> Section:
    _, org = wr._, wr.policy.organization
    section = Section("controller", _("Who we are"))
    form = org.legal_form
    # "Sp. z o.o. (spółka z ograniczoną odpowiedzialnością)" is not repeated after a name
    # that already ends in "Sp. z o.o."
    name = org.legal_name + (f" ({form})" if form and form.split(" (")[0] not in org.legal_name
                             else "")
    section.say(wr.phrase("%(name)s, %(address)s, is the controller of your personal data.",
                     name=name, address=org.address.one_line()))
    facts: list[Inline] = []
    if org.trade_names:
        facts.append([wr.phrase("Also known as: %(names)s", names=", ".join(org.trade_names))])
    if org.parent:
        facts.append([wr.phrase("Part of: %(parent)s", parent=org.parent)])
    if org.company_number:
        facts.append([wr.phrase("Company number: %(number)s", number=org.company_number)])
    if org.vat_number:
        facts.append([wr.phrase("VAT number: %(number)s", number=org.vat_number)])
    facts.extend([[Words(f"{r.kind}: {r.number}")] for r in org.registrations])
    if org.website:
        facts.append([Words(org.website, link=org.website)])
    section.bullets(facts)
    contact = org.privacy_email or wr.policy.rights.request_email or org.contact_email
    if contact:
        section.say(wr.phrase("For any question about your personal data, write to"),
                    Words(f" {contact}", link=f"mailto:{contact}"), Words("."))
    if org.dpo:
        section.say(wr.phrase("Our data protection officer is %(name)s:", name=org.dpo.name),
                    Words(f" {org.dpo.email}", link=f"mailto:{org.dpo.email}"))
    if org.role in ("processor", "both"):
        section.say(wr.phrase("For our clients, we also process personal data as a processor, on "
                         "their instructions; for that data, the client is the controller and "
                         "its own notice applies."))
        if org.processor_statement:
            section.say(wr.t(org.processor_statement))
    return section


def _what(wr: _Writer) -> Section:
    _, policy = wr._, wr.policy
    section = Section("data", _("What we collect, and from where"))
    rows = []
    for category in policy.data_categories:
        fields = ", ".join(wr.t(f.label).text if f.label else f.name.replace("_", " ")
                           for f in category.fields)
        label = [wr.t(category.label)]
        if category.special:
            label.append(wr.phrase(" (special category, Art. 9 GDPR)"))
        if category.automatic:
            label.append(wr.phrase(" (collected automatically)"))
        rows.append([label, [wr.t(category.description)] if category.description else
                     [Words(fields)]])
    section.blocks.append(Table([_("Data"), _("What it contains")], rows))
    points = [[wr.t(p.label), Words(" — "), wr.phrase(KIND_WORDS[p.kind])]
              for p in policy.collection_points]
    if points:
        section.say(wr.phrase("We collect it through:"))
        section.bullets(points)
    automatic = [c for c in policy.data_categories if c.automatic]
    if automatic:
        section.say(wr.phrase("Some data is recorded automatically when you visit our site, in our "
                         "server's log files and through cookies: %(what)s.",
                         what=", ".join(wr.t(c.label).text for c in automatic)))
    return section


def _why(wr: _Writer) -> Section:
    _, policy = wr._, wr.policy
    section = Section("purposes", _("Why we use it, on which basis, and for how long"))
    rows = []
    for purpose in policy.purposes:
        basis = [wr.phrase(LEGAL_BASIS[purpose.legal_basis])] if purpose.legal_basis else []
        if purpose.legitimate_interest:
            basis += [Words(": "), wr.t(purpose.legitimate_interest)]
        if purpose.statutory_basis:
            basis += [Words(" ("), wr.t(purpose.statutory_basis), Words(")")]
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        kept = [Words(retention_words(rule.duration, rule.trigger, wr.lang))] if rule else []
        what = [wr.t(purpose.label)]
        if purpose.description:
            what += [Words(": "), wr.t(purpose.description)]
        if purpose.automated_decision:
            what += [wr.phrase(" Automated decision: "), wr.t(purpose.automated_decision)]
        data = ", ".join(wr.t(c.label).text for c in policy.data_categories
                         if c.id in purpose.categories)
        rows.append([what, basis, [Words(data)], kept])
    section.blocks.append(Table([_("Purpose"), _("Legal basis"), _("Data"), _("Kept")], rows))
    holds = [[wr.t(h.label), wr.phrase(": kept %(duration)s, as required by ",
                                  duration=retention_words(h.duration, h.trigger, wr.lang)),
              wr.t(h.basis)] for h in policy.legal_holds]
    if holds:
        section.say(wr.phrase("The law makes us keep some data even when you ask us to erase it; "
                         "it is then kept apart and used for nothing else:"))
        section.bullets(holds)
    return section


def _recipients(wr: _Writer) -> Section:
    _, policy = wr._, wr.policy
    section = Section("recipients", _("Who receives it"))
    if not policy.recipients:
        section.say(wr.phrase("We do not share your personal data with anyone."))
        return section
    rows = [[[Words(r.name)], [wr.phrase(ROLE_WORDS[r.role])], [wr.t(r.purpose)],
             [Words(", ".join(wr.country(c) for c in r.all_countries()))]]
            for r in policy.recipients]
    section.blocks.append(Table([_("Recipient"), _("Role"), _("Why"), _("Where")], rows))
    section.say(wr.phrase("We never sell your personal data.") if not any(
        p.sale_or_sharing for p in policy.purposes) else wr.phrase(
        "Some data is shared with partners for their own purposes, as described above; you "
        "can refuse it."))
    return section


def _transfers(wr: _Writer) -> Section | None:
    _, policy = wr._, wr.policy
    outside = [r for r in policy.recipients if any(c not in EEA for c in r.all_countries())]
    section = Section("transfers", _("Transfers outside the European Economic Area"))
    if not outside:
        section.say(wr.phrase("Your personal data stays in the European Economic Area."))
        return section
    items = []
    for r in outside:
        where = ", ".join(wr.country(c) for c in r.all_countries() if c not in EEA)
        how = (wr.phrase(MECHANISM_WORDS[r.transfer_mechanism]) if r.transfer_mechanism
               else wr.phrase("no safeguard is stated"))
        items.append([Words(f"{r.name} — {where}: "), how])
    section.bullets(items)
    section.say(wr.phrase("Ask us for a copy of the safeguards at the address above."))
    return section


def _rights(wr: _Writer, privacy_center: str | None) -> Section:
    _, policy = wr._, wr.policy
    rights, org = policy.rights, policy.organization
    section = Section("rights", _("Your rights"))
    section.bullets([[wr.phrase("You have the right"), Words(" "), wr.phrase(RIGHTS[r])]
                     for r in RIGHTS])
    how: list[Inline] = []
    center = rights.privacy_center_url or privacy_center
    if center:
        how.append([wr.phrase("our privacy center:"), Words(f" {center}", link=center)])
    email = rights.request_email or org.privacy_email
    if email:
        how.append([wr.phrase("by e-mail:"), Words(f" {email}", link=f"mailto:{email}")])
    how.append([wr.phrase("by post:"), Words(f" {org.address.one_line()}")])
    section.say(wr.phrase("To exercise them, contact us through"))
    section.bullets(how)
    deadline = (wr.phrase("within one month") if rights.deadline_days is None
                else wr.phrase("within %(n)s days", n=rights.deadline_days))
    section.say(wr.phrase("We answer"), Words(" "), deadline,
                wr.phrase(" of receiving your request; for complex or numerous requests we may "
                          "take up to two more months, and we tell you why within the first "
                          "month.")
                if rights.extension_allowed else Words("."))
    section.say(wr.phrase("To make sure that nobody else receives your data, we first ask you to "
                     "confirm your request from your e-mail address, and may ask for more "
                     "proof if we have a reasonable doubt."))
    if any(p.legal_basis == "consent" for p in policy.purposes):
        section.say(wr.phrase("Where we rely on your consent, you may withdraw it at any time, as "
                         "easily as you gave it: with the link in every message we send, or on "
                         "your preferences page. Withdrawing does not affect what was done "
                         "before."))
    return section


def _complaint(wr: _Writer) -> Section:
    authority = wr.policy.organization.supervisory_authority
    section = Section("complaint", wr._("Your right to complain"))
    section.say(wr.phrase("You may lodge a complaint with the supervisory authority:"), Words(" "),
                wr.t(authority.name), Words(f", {authority.address.one_line()}, "),
                Words(authority.website, link=authority.website),
                Words(f", {authority.email}" if authority.email else ""))
    return section


def _minors(wr: _Writer) -> Section | None:
    minors = wr.policy.minors
    if minors is None:
        return None
    section = Section("minors", wr._("Children"))
    who = (wr.phrase("a parent, a guardian or the school") if minors.school_consent
           else wr.phrase("a parent or guardian"))
    section.say(wr.phrase("If you are under %(age)s, we use your data only with the consent of",
                     age=minors.minimum_age), Words(" "), who,
                wr.phrase(". We write to them; without their answer within %(days)s days, we erase "
                     "what you sent.", days=minors.confirmation_window_days))
    if minors.statement:
        section.say(wr.t(minors.statement))
    return section


def _cookies(wr: _Writer) -> Section | None:
    policy = wr.policy
    if not policy.cookies:
        return None
    _ = wr._
    section = Section("cookies", _("Cookies"))
    section.say(wr.phrase("Apart from the strictly necessary ones, cookies are set only if you "
                     "agree, in the banner shown on your first visit; you can change your "
                     "choice at any time with the cookie settings link."))
    rows = [[[Words(c.name)], [Words(c.provider)], [wr.phrase(COOKIE_WORDS[c.category])],
             [Words(cookie_lifetime_words(c.duration, wr.lang))],
             [wr.t(c.purpose)]] for c in policy.cookies]
    section.blocks.append(Table([_("Cookie"), _("Provider"), _("Category"), _("Duration"),
                                 _("Purpose")], rows))
    return section


def _signals(wr: _Writer) -> Section:
    signals = wr.policy.signals
    section = Section("signals", wr._("Do Not Track and Global Privacy Control"))
    section.say(wr.phrase("We honour Global Privacy Control: when your browser sends it, we do not "
                     "sell or share your data, nor use it for targeted advertising.")
                if signals.honour_gpc else wr.phrase("We do not act on Global Privacy Control "
                                                "signals."))
    section.say(wr.phrase("We honour Do Not Track: when your browser sends it, we do not profile "
                     "you nor track you for advertising.") if signals.honour_dnt else
                wr.phrase("We record Do Not Track signals but do not change what we do because of "
                     "them; use the cookie settings instead."))
    if signals.dnt_statement:
        section.say(wr.t(signals.dnt_statement))
    if signals.do_not_sell_link:
        section.say(wr.phrase("You can ask us not to sell or share your personal information with "
                         "the link in the cookie settings."))
    return section


def _newsletter(wr: _Writer) -> Section | None:
    newsletter = wr.policy.newsletter
    if newsletter is None:
        return None
    section = Section("newsletter", wr._("Newsletter"))
    if newsletter.double_opt_in:
        section.say(wr.phrase("We send the newsletter only to people who asked for it and "
                         "confirmed their address with the link we sent them."))
    else:
        section.say(wr.phrase("We send the newsletter only to people who asked for it."))
    section.say(wr.phrase("Every message carries a link to unsubscribe at once, without logging "
                     "in; after that, we do not write to you again unless you subscribe anew."))
    return section


def _security(wr: _Writer) -> Section | None:
    if not wr.policy.security:
        return None
    section = Section("security", wr._("How we protect it"))
    section.bullets([[wr.t(s)] for s in wr.policy.security])
    return section


def _changes(wr: _Writer) -> Section:
    """How people hear of a change: only through the channels the policy declares
    (``changes.notify_by``) — Charter mails a change notice only when e-mail is one of them."""
    changes = wr.policy.changes
    by_email = "email" in changes.notify_by
    on_page = "notice_page" in changes.notify_by or not by_email  # the notice is a page
    section = Section("changes", wr._("Changes to this notice"))
    days = changes.notice_window_days
    if days:
        consequence = (wr.phrase("if you do nothing, the new notice then applies to you.")
                       if changes.silence_means == "acceptance" else
                       wr.phrase("if you do nothing, we do not apply the changes to your data."))
        if by_email and on_page:
            told = wr.phrase("When we change how we use your data, we tell you by e-mail and on "
                             "this page at least %(days)s days before. Until then you may object, "
                             "withdraw your consent or ask us to erase your data;", days=days)
        elif by_email:
            told = wr.phrase("When we change how we use your data, we tell you by e-mail at "
                             "least %(days)s days before. Until then you may object, withdraw "
                             "your consent or ask us to erase your data;", days=days)
        else:
            told = wr.phrase("When we change how we use your data, we announce it on this page "
                             "at least %(days)s days before. Until then you may object, withdraw "
                             "your consent or ask us to erase your data;", days=days)
        section.say(told, Words(" "), consequence)
    elif by_email:
        section.say(wr.phrase("Changes apply once published on this page; we tell you by e-mail of "
                              "important ones."))
    else:
        section.say(wr.phrase("Changes apply once published on this page."))
    return section


def build_notice(policy: Policy, language: str, *, version: str, effective: str | None,
                 privacy_center: str | None = None) -> NoticeDocument:
    """The notice in ``language`` (one of the policy's languages, else the default).
    ``privacy_center``: where Charter takes requests, unless the policy names its own."""
    if language not in policy.languages.all:
        language = policy.languages.default
    wr = _Writer(policy, language)
    sections = [_who(wr), _what(wr), _why(wr), _recipients(wr), _transfers(wr),
                _rights(wr, privacy_center), _complaint(wr), _minors(wr), _cookies(wr),
                _signals(wr), _newsletter(wr), _security(wr)]
    statements = [Section(f"statement-{s.id}", wr.t(s.title).text, []) for s in
                  policy.statements]
    for section, statement in zip(statements, policy.statements, strict=True):
        section.say(wr.t(statement.body))
    sections += [*statements, _changes(wr)]
    return NoticeDocument(
        language=language,
        title=wr._("Privacy notice of %(organization)s") % {
            "organization": policy.organization.legal_name},
        intro=wr._("This notice explains what personal data we process, why, on which basis, "
                   "for how long, who receives it, and what your rights are (Articles 13 and "
                   "14 GDPR)."),
        sections=[s for s in sections if s is not None],
        version=version, effective=effective or "")

