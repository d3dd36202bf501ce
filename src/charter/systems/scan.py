"""`charter systems scan`: read an SQL database's schema and a sample of its rows, and propose
the policy's `sql:` mapping — which columns hold e-mail addresses, phone numbers, IBANs,
dates of birth, names — by their names and by their values. Values are only counted, never
printed: the proposal is safe to paste into a ticket."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import phonenumbers
from sqlalchemy import Date, DateTime, Engine, MetaData, String, Table, func, select
from sqlalchemy.exc import SAWarning

from ..policy import Policy

NAME_RULES: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in [
        ("email", r"e_?mail|courriel"),
        ("phone", r"phone|^tel|_tel|mobile|gsm|telefoon"),
        ("iban", r"iban|bank_?account"),
        ("birth_date", r"birth|^dob$|born|naissance|geboorte"),
        ("first_name", r"first_?name|given_?name|fore_?name|prenom|voornaam"),
        ("last_name", r"last_?name|surname|family_?name|^nom$|achternaam"),
        ("name", r"^(full_?|display_?|contact_?|customer_?)?name$"),
        ("street", r"street|address|addr|straat|^rue"),
        ("postal_code", r"zip|postal|post_?code"),
        ("city", r"^city$|town|ville|gemeente"),
        ("vat", r"vat|btw|tva"),
        ("ip", r"^ip$|ip_?addr"),
    ]]
FALLBACK = {"email": "contact.email", "phone": "contact.phone", "street": "contact.street",
            "postal_code": "contact.postal_code", "city": "contact.city",
            "first_name": "identity.first_name", "last_name": "identity.last_name",
            "name": "identity.name", "birth_date": "identity.birth_date",
            "iban": "billing.iban", "vat": "billing.vat_number", "ip": "technical.ip"}
FIELD_TYPES = {"email": "email", "phone": "phone", "iban": "iban", "ip": "ip"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WORD_NAME = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ'\-]+( [A-ZÀ-Ý][a-zà-ÿ'\-]+){0,2}$")
_COMMON_FIRST_NAMES = (
    "anna emma julie marie sophie laura sarah lisa eva lucas louis noah liam adam arthur victor "
    "jules hugo thomas nicolas pierre jean luc marc peter jan tom kevin david michael john james "
    "robert mary linda elise charlotte camille chloe lea manon ines jade lina mila nora olivia "
    "alice clara louise hanne lotte fien ruben daan lars sem milan wout bram pieter koen bart "
    "stijn jens sander simon paul anne martine nathalie isabelle christine catherine philippe "
    "patrick eric alain michel francois olivier laurent")
FIRST_NAMES = frozenset(_COMMON_FIRST_NAMES.split())
SAMPLE = 200
LARGE = 100_000
WINDOWS = 10


def _iban(value: str) -> bool:
    text = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", text):
        return False
    digits = "".join(str(int(c, 36)) for c in text[4:] + text[:4])
    return int(digits) % 97 == 1


def _phone(value: str, region: str) -> bool:
    if sum(c.isdigit() for c in value) < 8:
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.+\-Z]*)?$")
EUROPEAN_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _day(value: Any) -> date | None:
    """A date, or text that spells one (dates kept as text: 1990-06-15, 15/06/1990)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if match := ISO_DAY.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := EUROPEAN_DAY.match(text):
        day, month, year = (int(g) for g in match.groups())
        if month > 12:  # 06/15/1990: month first
            day, month = month, day
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _birth(day: date) -> bool:
    return 1900 <= day.year <= date.today().year - 12


VALUE_TESTS: dict[str, Callable[[Any, str], bool]] = {
    "email": lambda v, r: isinstance(v, str) and bool(EMAIL.match(v.strip())),
    "iban": lambda v, r: isinstance(v, str) and _iban(v),
    "phone": lambda v, r: isinstance(v, str) and _phone(v, r),
    "first_name": lambda v, r: isinstance(v, str) and v.strip().split(" ")[0].lower()
    in FIRST_NAMES,
}
NOT_BIRTH = re.compile(r"creat|updat|modif|issu|paid|due|sent|start|end|valid|expir|order|"
                       r"invoice|date_?$", re.IGNORECASE)


@dataclass
class ColumnGuess:
    column: str
    kind: str
    reason: str
    target: str = ""


@dataclass
class TableProposal:
    name: str
    rows: int
    columns: list[ColumnGuess] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (column, table.column)
    referred_by: list[str] = field(default_factory=list)

    @property
    def identity(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for guess in self.columns:
            if guess.kind in ("email", "phone"):
                found.setdefault(guess.kind, guess.column)
        return found


def classify(table: Table, rows: list[dict[str, Any]], region: str) -> list[ColumnGuess]:
    """Each column by its name, then by its sampled values (80% of the non-empty ones)."""
    guesses = []
    for column in table.columns:
        if column.primary_key or column.foreign_keys:
            continue
        by_name = next((kind for kind, rule in NAME_RULES if rule.search(column.name)), None)
        values = [r[column.name] for r in rows if r[column.name] not in (None, "")]
        days = [d for v in values if (d := _day(v)) is not None]
        # dates kept as text look like phone numbers (19900615): a date is never a phone
        dated = isinstance(column.type, Date | DateTime) or bool(
            values and len(days) >= 0.8 * len(values))
        by_value: str | None = None
        hits = 0
        for kind, test in VALUE_TESTS.items():
            if dated:
                break
            hits = sum(1 for v in values if test(v, region))
            if values and hits >= 0.8 * len(values):
                by_value = kind
                break
        if dated and values and not NOT_BIRTH.search(column.name):
            hits = sum(1 for d in days if _birth(d))
            by_value = "birth_date" if hits >= 0.8 * len(values) and len(set(days)) > 1 \
                else None
        if by_value is None and isinstance(column.type, String) and by_name is None and values \
                and not dated:
            hits = sum(1 for v in values if isinstance(v, str) and WORD_NAME.match(v.strip()))
            by_value = "name" if hits >= 0.9 * len(values) and len(set(values)) > 3 else None
        guessed = by_value or by_name
        if guessed is None:
            continue
        reason = "name" if by_name == guessed else ""
        if by_value == guessed:
            reason = (reason + "; " if reason else "") + \
                f"{hits} of {len(values)} sampled values"
        guesses.append(ColumnGuess(column.name, guessed, reason))
    return guesses


def target_for(kind: str, column: str, policy: Policy | None) -> str:
    """The policy's own category and field when one fits; else a usual name to adapt."""
    if policy is not None:
        for category in policy.data_categories:
            for f in category.fields:
                if f.name == column or f.name == kind:
                    return f"{category.id}.{f.name}"
        wanted = FIELD_TYPES.get(kind)
        for category in policy.data_categories:
            for f in category.fields:
                if wanted and f.type == wanted:
                    return f"{category.id}.{f.name}"
    return FALLBACK[kind]


def sample(engine: Engine, table: Table, rows: int, advance: Callable[[int], None]
           ) -> list[dict[str, Any]]:
    """The first rows of a small table; windows spread across a large one."""
    with engine.connect() as connection:
        if rows <= LARGE:
            found = [dict(r) for r in connection.execute(select(table).limit(SAMPLE)).mappings()]
            advance(len(found))
            return found
        found = []
        step = rows // WINDOWS
        for window in range(WINDOWS):
            statement = select(table).offset(window * step).limit(SAMPLE // WINDOWS)
            batch = [dict(r) for r in connection.execute(statement).mappings()]
            found.extend(batch)
            advance(len(batch))
        return found


def scan(engine: Engine, *, schema: str | None, policy: Policy | None, region: str,
         only: list[str], progress: Callable[[str, int], Callable[[int], None]]
         ) -> list[TableProposal]:
    """Every table (or those in ``only``) with its personal columns and relations."""
    metadata = MetaData()
    with warnings.catch_warnings():  # an index on lower(email) is not ours to read
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        metadata.reflect(bind=engine, schema=schema, only=only or None)
    proposals: dict[str, TableProposal] = {}
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(table)).scalar() or 0
        rows = sample(engine, table, count, progress(table.name, min(count, SAMPLE)))
        proposal = TableProposal(table.name, count, classify(table, rows, region))
        for guess in proposal.columns:
            guess.target = target_for(guess.kind, guess.column, policy)
        proposal.links = [(fk.parent.name, f"{fk.column.table.name}.{fk.column.name}")
                          for fk in table.foreign_keys]
        proposals[table.name] = proposal
    for proposal in proposals.values():
        for _, target in proposal.links:
            parent = proposals.get(target.split(".")[0])
            if parent is not None:
                parent.referred_by.append(proposal.name)
    return list(proposals.values())


HELD_NAMES = re.compile(r"invoice|payment|order|transaction|factur|receipt", re.IGNORECASE)


def _related(proposals: list[TableProposal]) -> list[TableProposal]:
    """Tables with personal columns, and those linked to them (an invoice of a customer)."""
    kept = {p.name for p in proposals if p.columns}
    grown = True
    while grown:
        grown = False
        for proposal in proposals:
            if proposal.name not in kept and any(t.split(".")[0] in kept
                                                 for _, t in proposal.links):
                kept.add(proposal.name)
                grown = True
    return [p for p in proposals if p.name in kept]


def render_mapping(proposals: list[TableProposal], *, schema: str | None) -> str:
    """The proposal as the `sql:` key of a system, with the reasons as comments."""
    lines = ["# Proposed by `charter systems scan`: the reasons are in the comments (sampled",
             "# values are counted, never shown). Review every line, then paste this under the",
             "# system in charter.yaml and run `charter check` and `charter systems check`.",
             "sql:"]
    if schema:
        lines.append(f"  schema_name: {schema}")
    lines.append("  tables:")
    related = _related(proposals)
    for proposal in related:
        lines.append(f"    - name: {proposal.name}  # {proposal.rows:,} rows")
        if proposal.identity:
            pairs = ", ".join(f"{k}: {v}" for k, v in proposal.identity.items())
            lines.append(f"      identity: {{{pairs}}}")
        else:
            parent = next((f"{column} -> {target}" for column, target in proposal.links
                           if target.split(".")[0] in {p.name for p in related}), None)
            lines.append(f"      # linked to the person by its foreign key {parent}" if parent
                         else "      # not linked to the person: give identity or a join")
        if proposal.columns:
            lines.append("      columns:")
            lines += [f"        {g.column}: {g.target}  # {g.reason}" for g in proposal.columns]
        if proposal.referred_by:
            lines.append(f"      erasure: mask  # rows of {', '.join(proposal.referred_by)} "
                         "refer to these: masked rather than deleted")
        elif HELD_NAMES.search(proposal.name):
            lines.append("      erasure: delete  # review: the law may keep these (erasure: "
                         "hold, with hold: and restrict_column)")
        else:
            lines.append("      erasure: delete  # review: delete, clear, mask, anonymise or hold")
    skipped = [p.name for p in proposals if p not in related]
    if skipped:
        lines.append(f"# no personal data found in: {', '.join(skipped)}")
    return "\n".join(lines) + "\n"
