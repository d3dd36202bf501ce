"""`charter check` on systems: what a connector needs to answer requests without a person —
an SQL mapping Charter can act on, a webhook it may call. A mistake here would erase the
wrong rows or send a person's address in clear, so most findings are errors."""

from __future__ import annotations

from collections.abc import Iterator

from .document import Policy
from .findings import Finding, error, warning
from .loader import Location
from .processing import System
from .systems import SqlTable, webhook_url_allowed

CONNECT = "Art. 12(3) and 17(1): every system holding the data answers the request"
MAP = "Art. 30(1)(c): every item held belongs to a declared category"
HOLD = "Art. 17(3)(b) and 18: what the law makes us keep stays, its use restricted"


def system_findings(policy: Policy) -> Iterator[Finding]:
    for i, system in enumerate(policy.systems):
        where: Location = ("systems", i)
        for key, kind in (("sql", "sql"), ("manual", "manual"), ("webhook", "webhook")):
            if getattr(system, key) is not None and system.kind != kind:
                yield error((*where, key), f"{key!r} configures a {kind} system, but "
                            f"{system.id!r} is {system.kind}", CONNECT)
        if system.kind == "sql":
            yield from _sql(policy, system, where)
        elif system.kind == "webhook":
            yield from _webhook(system, where)
        elif system.kind == "manual":
            yield from _manual(policy, system, where)


def _manual(policy: Policy, system: System, where: Location) -> Iterator[Finding]:
    if system.manual is None:
        return  # tasks go to those who handle requests
    for j, role in enumerate(system.manual.roles):
        if policy.role(role) is None:
            yield error((*where, "manual", "roles", j), f"role {role!r} is not declared "
                        "under roles", CONNECT)
    limit = system.max_staff_with_access
    if limit is not None and len(system.manual.assignees) > limit:
        yield warning((*where, "manual", "assignees"), f"{len(system.manual.assignees)} "
                      f"people are assigned, but only {limit} may open {system.id!r}",
                      "Art. 32(4): only those who must may process the data")


def _webhook(system: System, where: Location) -> Iterator[Finding]:
    if not system.url:
        yield error(where, f"webhook {system.id!r} has no url", CONNECT)
    elif not webhook_url_allowed(system.url):
        yield error((*where, "url"), f"webhook {system.id!r} must be called over https (the "
                    "person's address travels in it)", "Art. 32(1)(a): encryption in transit")
    if not system.secret_env:
        yield error(where, f"webhook {system.id!r} has no secret_env: its calls could not be "
                    "signed, nor its answers checked", "Art. 32(1)(b): integrity")


def _sql(policy: Policy, system: System, where: Location) -> Iterator[Finding]:
    if not system.url_env:
        yield error(where, f"sql system {system.id!r} has no url_env naming the variable that "
                    "holds its database URL", CONNECT)
    if system.url:
        yield error((*where, "url"), "an sql system's URL (and its password) is read from "
                    "url_env, never written in the policy", "Art. 32(1): security")
    if system.sql is None:
        return  # answered by its people until mapped (docs/systems.md)
    tables = system.sql.tables
    if tables and not any(t.identity for t in tables):
        yield error((*where, "sql", "tables"), f"no table of {system.id!r} has identity "
                    "columns: the person could not be found", CONNECT)
    seen: set[str] = set()
    for j, table in enumerate(tables):
        here: Location = (*where, "sql", "tables", j)
        if table.name in seen:
            yield error((*here, "name"), f"table {table.name!r} is mapped twice", CONNECT)
        seen.add(table.name)
        yield from _table(policy, system, table, here)


def _table(policy: Policy, system: System, table: SqlTable, here: Location
           ) -> Iterator[Finding]:
    mapping = system.sql
    assert mapping is not None
    if table.erasure is None:
        yield error(here, f"table {table.name!r} has no erasure strategy (delete, clear, mask, "
                    "anonymise or hold)", "Art. 17(1): erasure without undue delay")
    for column, target in table.columns.items():
        category_id, _, field = target.partition(".")
        category = policy.category(category_id)
        at: Location = (*here, "columns", column)
        if category is None:
            yield error(at, f"data category {category_id!r} is not declared", MAP)
        elif field and category.fields and field not in category.field_names():
            yield error(at, f"{field!r} is not a field of category {category_id!r}", MAP)
        elif category_id not in system.categories:
            yield warning(at, f"{system.id!r} does not list {category_id!r} among its "
                          "categories", MAP)
    for kind, column in table.identity.items():
        if column not in table.columns:
            yield warning((*here, "identity", kind), f"identity column {column!r} is not "
                          "mapped to a category: access would leave it out", MAP)
    if table.join and mapping.table(table.join.table) is None:
        yield error((*here, "join", "to"), f"table {table.join.table!r} is not mapped in this "
                    "system", CONNECT)
    if table.identity and table.join:
        yield warning((*here, "join"), "a table with identity columns is found by them; its "
                      "join is not used", CONNECT)
    yield from _hold(policy, table, here)


def _hold(policy: Policy, table: SqlTable, here: Location) -> Iterator[Finding]:
    if table.erasure == "hold" and table.hold is None:
        yield error((*here, "erasure"), f"table {table.name!r} is held but names no legal "
                    "hold (hold: {legal_hold, from_column})", HOLD)
    if table.hold is not None and table.erasure != "hold":
        yield error((*here, "hold"), "hold is given but erasure is not 'hold'", HOLD)
    if table.hold is not None and not any(h.id == table.hold.legal_hold
                                          for h in policy.legal_holds):
        yield error((*here, "hold", "legal_hold"),
                    f"legal hold {table.hold.legal_hold!r} is not declared", HOLD)
    if table.erasure == "hold" and table.restrict_column is None:
        yield error((*here, "erasure"), f"rows of {table.name!r} kept under a legal hold must "
                    "be marked: give restrict_column", HOLD)
    elif table.erasure is not None and table.restrict_column is None:
        yield warning(here, f"{table.name!r} has no restrict_column: a restriction (Art. 18) "
                      "of its rows is done by hand", "Art. 18(1): restriction of processing")
