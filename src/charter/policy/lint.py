"""`charter check`: what the schema cannot see. Errors are promises Charter could not enforce;
warnings are legal risks it can still run with. Each finding names its rule."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from ._base import EEA
from .commitments import ALL_RIGHTS
from .document import Policy
from .findings import Finding, error, warning
from .lint_recipients import processor_findings, transfer_findings
from .lint_systems import system_findings
from .loader import LoadedPolicy, Location
from .text import Text


def _duplicate_ids(policy: Policy) -> Iterator[Finding]:
    for section in (
        "subject_categories",
        "data_categories",
        "collection_points",
        "purposes",
        "retention_rules",
        "legal_holds",
        "recipients",
        "systems",
        "statements",
        "roles",
    ):
        seen: set[str] = set()
        for i, item in enumerate(getattr(policy, section)):
            if item.id in seen:
                yield error(
                    (section, i, "id"),
                    f"id {item.id!r} is declared twice",
                    "Charter: ids are unique",
                )
            seen.add(item.id)


def _references(policy: Policy) -> Iterator[Finding]:
    categories = {c.id for c in policy.data_categories}
    purposes = {p.id for p in policy.purposes}
    recipients = {r.id for r in policy.recipients}
    rules = {r.id for r in policy.retention_rules}
    subjects = {s.id for s in policy.subject_categories}
    rule = "Art. 30(1): the record names what it refers to"

    def check(ids: list[str], known: set[str], kind: str, where: Location) -> Iterator[Finding]:
        for j, ref in enumerate(ids):
            if ref not in known:
                yield error((*where, j), f"{kind} {ref!r} is not declared", rule)

    for i, p in enumerate(policy.purposes):
        yield from check(p.categories, categories, "data category", ("purposes", i, "categories"))
        yield from check(p.recipients, recipients, "recipient", ("purposes", i, "recipients"))
        yield from check(
            p.subject_categories,
            subjects,
            "subject category",
            ("purposes", i, "subject_categories"),
        )
        if p.retention and p.retention not in rules:
            yield error(
                ("purposes", i, "retention"),
                f"retention rule {p.retention!r} is not declared",
                rule,
            )
    for i, c in enumerate(policy.collection_points):
        yield from check(c.purposes, purposes, "purpose", ("collection_points", i, "purposes"))
        yield from check(
            c.subject_categories,
            subjects,
            "subject category",
            ("collection_points", i, "subject_categories"),
        )
        for j, option in enumerate(c.consent_options):
            yield from check(
                [option.purpose],
                purposes,
                "purpose",
                ("collection_points", i, "consent_options", j),
            )
    holders: list[tuple[str, int, list[str]]] = [
        *(("recipients", i, r.categories) for i, r in enumerate(policy.recipients)),
        *(("systems", i, s.categories) for i, s in enumerate(policy.systems)),
        *(("legal_holds", i, h.categories) for i, h in enumerate(policy.legal_holds)),
    ]
    for section, i, held in holders:
        yield from check(held, categories, "data category", (section, i, "categories"))
    for i, role in enumerate(policy.roles):
        known = categories | {"*"}
        yield from check(role.categories, known, "data category", ("roles", i, "categories"))
    if policy.newsletter and policy.newsletter.purpose not in purposes:
        yield error(
            ("newsletter", "purpose"),
            f"purpose {policy.newsletter.purpose!r} is not declared",
            rule,
        )


def _purposes(policy: Policy) -> Iterator[Finding]:
    for i, p in enumerate(policy.purposes):
        if p.legal_basis is None:
            yield error(
                ("purposes", i),
                f"purpose {p.id!r} has no legal basis",
                "Art. 6(1): processing needs a legal basis",
            )
        if p.retention is None:
            yield error(
                ("purposes", i),
                f"purpose {p.id!r} has no retention rule",
                "Art. 5(1)(e): storage limitation",
            )
        if p.legal_basis == "legitimate_interests" and p.legitimate_interest is None:
            yield warning(
                ("purposes", i, "legal_basis"),
                f"purpose {p.id!r} rests on legitimate interests that are not named",
                "Art. 13(1)(d): the legitimate interests must be stated",
            )
        if p.legal_basis == "consent" and not policy.rights.withdrawal_channels:
            yield error(
                ("rights", "withdrawal_channels"),
                f"purpose {p.id!r} rests on consent but there is no way to withdraw it",
                "Art. 7(3): withdrawing must be as easy as giving consent",
            )
        if (p.marketing or p.targeted_advertising) and p.legal_basis == "contract":
            yield warning(
                ("purposes", i, "legal_basis"),
                f"marketing purpose {p.id!r} rests on the contract",
                "Art. 6(1)(b): marketing is not necessary for a contract",
            )


def _collection(policy: Policy) -> Iterator[Finding]:
    for i, point in enumerate(policy.collection_points):
        for j, f in enumerate(point.fields):
            where: Location = ("collection_points", i, "fields", j)
            category = policy.category(f.category) if f.category else None
            if f.category is None:
                yield error(
                    where,
                    f"field {f.name!r} is collected but mapped to no category",
                    "Art. 30(1)(c): every collected item belongs to a category",
                )
            elif category is None:
                yield error(
                    (*where, "category"),
                    f"data category {f.category!r} is not declared",
                    "Art. 30(1): the record names what it refers to",
                )
            elif category.fields and f.category_field not in category.field_names():
                yield error(
                    where,
                    f"field {f.category_field!r} is not a field of category {category.id!r}",
                    "Art. 30(1)(c): every collected item belongs to a category",
                )
    for i, point in enumerate(policy.collection_points):
        served = {c for p in policy.purposes if p.id in point.purposes for c in p.categories}
        for unserved in sorted({f.category for f in point.fields if f.category} - served):
            if policy.category(unserved) is None:
                continue
            yield warning(("collection_points", i, "fields"),
                          f"{point.id!r} collects {unserved!r} for none of its purposes: "
                          "retention deletes it as soon as it is stored",
                          "Art. 5(1)(b)-(c): collected for specified purposes, no more")
    used = {c for p in policy.purposes for c in p.categories}
    for i, c in enumerate(policy.data_categories):
        for j, name in enumerate(c.anonymise_keep):
            if name not in c.field_names():
                yield error(("data_categories", i, "anonymise_keep", j),
                            f"{name!r} is not a field of category {c.id!r}",
                            "Recital 26: only declared, non-identifying fields survive "
                            "anonymisation")
        if c.id not in used:
            yield warning(
                ("data_categories", i),
                f"category {c.id!r} is used by no purpose",
                "Art. 5(1)(c): data minimisation",
            )
        if c.special and c.art9_condition is None:
            yield warning(
                ("data_categories", i, "special"),
                f"special-category data {c.id!r} has no Art. 9(2) condition",
                "Art. 9(1): special categories are prohibited unless 9(2) applies",
            )


def _contacts_and_minors(policy: Policy) -> Iterator[Finding]:
    org = policy.organization
    if org.privacy_email is None and org.dpo is None and policy.rights.request_email is None:
        yield warning(
            ("organization",),
            "no privacy contact e-mail and no DPO",
            "Art. 13(1)(a)-(b): contact details of the controller",
        )
    missing = [right for right in ALL_RIGHTS if right not in policy.rights.offered]
    if missing:
        yield warning(
            ("rights", "offered"),
            f"the notice does not offer the right(s) of {', '.join(missing)}",
            "Art. 13(2)(b)-(c): the notice names each right of the data subject",
        )
    minors = policy.minors
    if minors and org.country in EEA and not 13 <= minors.minimum_age <= 16:
        yield warning(
            ("minors", "minimum_age"),
            f"minimum age {minors.minimum_age} is outside 13-16",
            "Art. 8(1): the digital age of consent is 13 to 16 in the EU",
        )


def _contradictions(policy: Policy) -> Iterator[Finding]:
    claims, rule = policy.claims, "Art. 5(1)(a) and Art. 12(1): transparency"
    if claims.uses_cookies is False and policy.cookies:
        names = ", ".join(c.name for c in policy.cookies[:4])
        yield warning(
            ("claims", "uses_cookies"),
            f"the notice says no cookies are used, yet cookies are declared ({names})",
            rule,
        )
    if claims.sells_personal_data is False and any(p.sale_or_sharing for p in policy.purposes):
        yield warning(
            ("claims", "sells_personal_data"),
            "the notice says data is not sold or shared, yet a purpose is flagged sale_or_sharing",
            rule,
        )
    third_party_ads = any(c.party == "third" and c.category == "marketing" for c in policy.cookies)
    if policy.signals.honour_dnt and (claims.allows_third_party_tracking or third_party_ads):
        yield warning(
            ("signals", "honour_dnt"),
            "Do Not Track is honoured, yet third parties track behaviour on the site",
            rule,
        )
    selling = [p.id for p in policy.purposes if p.sale_or_sharing or p.targeted_advertising]
    if selling and not policy.signals.honour_gpc:
        yield warning(
            ("signals", "honour_gpc"),
            "Global Privacy Control is not honoured, yet purposes sell, share or target "
            f"advertising ({', '.join(selling[:3])}): a browser's opt-out would be ignored",
            "Art. 21(5): the right to object may be exercised by automated means",
        )
    if claims.consent_by_use:
        yield warning(
            ("claims", "consent_by_use"),
            "the notice treats using the site or giving data as consent",
            "Art. 4(11) and Art. 7(2): consent is a specific, informed and unambiguous act",
        )
    if claims.disclaims_breach_liability:
        yield warning(
            ("claims", "disclaims_breach_liability"),
            "the notice disclaims liability for security breaches",
            "Art. 24, 32 and 82: the duty to secure data and the liability cannot be waived",
        )
    if claims.immediate_effect_of_changes and policy.changes.notice_window_days > 0:
        yield warning(
            ("claims", "immediate_effect_of_changes"),
            "changes are said to apply at once, yet an objection window is declared",
            rule,
        )


def _translations(policy: Policy) -> Iterator[Finding]:
    """Every text given per language should exist in each language the policy declares."""
    wanted = set(policy.languages.all)
    if len(wanted) < 2:
        return

    def walk(value: object, here: Location) -> Iterator[Finding]:
        if isinstance(value, Text):
            given = value.languages()
            if "*" in given:  # a plain string is written in the default language
                given = {policy.languages.default}
            missing = sorted(wanted - given)
            if missing:
                yield warning(
                    here,
                    f"no {', '.join(missing)} translation; the "
                    f"{policy.languages.default} text will be shown",
                    "Art. 12(1): information in clear and plain language",
                )
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, (*here, i))
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                yield from walk(getattr(value, name), (*here, name))

    yield from walk(policy, ())


def lint(loaded: LoadedPolicy) -> list[Finding]:
    """All findings for a loaded policy, errors first, each placed at its line."""
    policy = loaded.policy
    found = [
        *_duplicate_ids(policy),
        *_references(policy),
        *_purposes(policy),
        *_collection(policy),
        *transfer_findings(policy),
        *processor_findings(policy),
        *system_findings(policy),
        *_contacts_and_minors(policy),
        *_contradictions(policy),
        *_translations(policy),
    ]
    placed = []
    for f in found:
        line, column = loaded.position(f.location)
        placed.append(Finding(f.severity, f.location, f.message, f.rule, line, column))
    return sorted(placed, key=lambda f: (f.severity != "error", f.line, f.column))
