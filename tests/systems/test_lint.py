"""`charter check` on systems: a mapping that would erase the wrong thing, a URL with its
password in the policy, a webhook over plain HTTP, a manual system naming unknown roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from charter.policy import load_policy
from charter.policy.lint import lint

from .conftest import PORTAL, policy_with, sql_system
from .databases import ACCOUNTING_MAPPING


def _findings(tmp_path: Path, system: dict[str, Any]) -> list[tuple[str, str, str]]:
    loaded = load_policy(policy_with(tmp_path, [PORTAL, system]))
    return [(f.severity, ".".join(str(p) for p in f.location), f.message) for f in lint(loaded)
            if f.location and f.location[0] == "systems" and "translation" not in f.message]


def _accounting(**changes: Any) -> dict[str, Any]:
    tables = [dict(t) for t in ACCOUNTING_MAPPING["tables"]]
    for index, change in changes.items():
        tables[int(index.removeprefix("t"))].update(change)
    return sql_system("accounting", {"tables": tables}, ["contact", "billing"], "Accounting")


def test_a_sound_mapping_has_no_findings(tmp_path: Path) -> None:
    assert _findings(tmp_path, _accounting()) == []


def test_mapping_mistakes_are_errors(tmp_path: Path) -> None:
    found = _findings(tmp_path, _accounting(
        t0={"erasure": None, "columns": {"email": "contact.mail", "vat": "payroll"}},
        t1={"erasure": "delete"}))
    assert ("error", "systems.1.sql.tables.0", "table 'clients' has no erasure strategy "
            "(delete, clear, mask, anonymise or hold)") in found
    assert ("error", "systems.1.sql.tables.0.columns.email",
            "'mail' is not a field of category 'contact'") in found
    assert ("error", "systems.1.sql.tables.0.columns.vat",
            "data category 'payroll' is not declared") in found
    assert ("error", "systems.1.sql.tables.1.hold", "hold is given but erasure is not 'hold'"
            ) in found


def test_a_hold_needs_a_declared_legal_hold_and_a_marker(tmp_path: Path) -> None:
    found = _findings(tmp_path, _accounting(t1={
        "restrict_column": None, "hold": {"legal_hold": "tax", "from_column": "issued_on"}}))
    assert ("error", "systems.1.sql.tables.1.hold.legal_hold",
            "legal hold 'tax' is not declared") in found
    assert ("error", "systems.1.sql.tables.1.erasure", "rows of 'invoices' kept under a legal "
            "hold must be marked: give restrict_column") in found


def test_the_url_of_an_sql_system_never_sits_in_the_policy(tmp_path: Path) -> None:
    system = {**_accounting(), "url": "postgresql://app:secret@db/accounting"}
    del system["url_env"]
    found = _findings(tmp_path, system)
    assert ("error", "systems.1", "sql system 'accounting' has no url_env naming the variable "
            "that holds its database URL") in found
    assert ("error", "systems.1.url", "an sql system's URL (and its password) is read from "
            "url_env, never written in the policy") in found


def test_a_webhook_is_signed_and_called_over_https(tmp_path: Path) -> None:
    hook = {"id": "crm", "kind": "webhook", "label": {"en": "CRM"}, "categories": ["contact"],
            "url": "http://crm.example.org/hook"}
    found = _findings(tmp_path, hook)
    assert ("error", "systems.1.url", "webhook 'crm' must be called over https (the person's "
            "address travels in it)") in found
    assert any(m.startswith("webhook 'crm' has no secret_env") for _, _, m in found)
    local = {**hook, "url": "http://127.0.0.1:9000/hook", "secret_env": "CRM_SECRET"}
    assert _findings(tmp_path, local) == []  # a receiver on this machine, for trials


def test_a_manual_system_names_declared_roles_and_few_people(tmp_path: Path) -> None:
    paper = {"id": "paper", "kind": "manual", "label": {"en": "Paper"},
             "categories": ["billing"], "max_staff_with_access": 1,
             "manual": {"roles": ["bookkeeper"],
                        "assignees": ["a@langschool.be", "b@langschool.be"]}}
    found = _findings(tmp_path, paper)
    assert ("error", "systems.1.manual.roles.0", "role 'bookkeeper' is not declared under "
            "roles") in found
    assert ("warning", "systems.1.manual.assignees", "2 people are assigned, but only 1 may "
            "open 'paper'") in found


def test_keys_of_another_kind_are_refused(tmp_path: Path) -> None:
    paper = {"id": "paper", "kind": "manual", "label": {"en": "Paper"},
             "categories": ["billing"], "sql": {"tables": []}}
    assert ("error", "systems.1.sql", "'sql' configures a sql system, but 'paper' is manual"
            ) in _findings(tmp_path, paper)


SCHOOL_YAML = """
- id: school
  kind: sql
  label: {en: School database}
  categories: [contact]
  url_env: SCHOOL_DATABASE_URL
  sql:
    tables:
      - name: customers
        identity: {email: email}
        columns: {email: contact.email}
        erasure: anonymise
        restrict_column: restricted
      - name: notes
        join: {column: customer_ref, to: customers.id}
        columns: {body: contact}
        erasure: %s
        restrict_column: restricted
"""


def _yaml_policy(tmp_path: Path, strategy: str) -> Path:
    """The policy as people write it: YAML text, the systems block as in docs/systems.md."""
    path = policy_with(tmp_path, [PORTAL])
    text = path.read_text()
    assert text.count("\nsystems:\n") == 1
    head, _, tail = text.partition("\nsystems:\n")
    path.write_text(head + "\nsystems:" + SCHOOL_YAML % strategy + tail)
    return path


def test_erasure_clear_reads_from_yaml_text(tmp_path: Path) -> None:
    loaded = load_policy(_yaml_policy(tmp_path, "clear"))
    [school] = [s for s in loaded.policy.systems if s.id == "school"]
    assert school.sql is not None and school.sql.tables[1].erasure == "clear"
    assert [f.message for f in lint(loaded) if f.severity == "error"] == []


def test_erasure_null_in_yaml_is_no_strategy_at_all(tmp_path: Path) -> None:
    """YAML reads `null` as nothing: that is why the strategy is called clear."""
    loaded = load_policy(_yaml_policy(tmp_path, "null"))
    assert ("error", "table 'notes' has no erasure strategy (delete, clear, mask, anonymise "
            "or hold)") in [(f.severity, f.message) for f in lint(loaded)]
