from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import main
from charter.policy import lint, parse_policy

from ..conftest import POLICY


def _findings(source: str) -> list[str]:
    return [f"{f.severity}: {f.message} [{f.rule}]" for f in lint(parse_policy(source))]


def _edit(*pairs: tuple[str, str]) -> str:
    source = POLICY.read_text()
    for old, new in pairs:
        assert old in source, old
        source = source.replace(old, new, 1)
    return source


def test_the_fixture_policy_is_clean() -> None:
    assert _findings(POLICY.read_text()) == []


@pytest.mark.parametrize("edits, expected", [
    ([("    legal_basis: contract\n", "")],
     "error: purpose 'courses' has no legal basis [Art. 6(1)"),
    ([("    retention: after_contract\n", "")],
     "error: purpose 'courses' has no retention rule [Art. 5(1)(e)"),
    ([("{name: phone, category: contact}", "{name: phone}")],
     "error: field 'phone' is collected but mapped to no category"),
    ([("{name: mother_tongue, category: language_profile}",
       "{name: shoe_size, category: language_profile}")],
     "error: field 'shoe_size' is not a field of category 'language_profile'"),
    ([("rights:\n", "rights:\n  withdrawal_channels: []\n")],
     "error: purpose 'newsletter' rests on consent but there is no way to withdraw it"),
    ([("categories: [billing, contact]", "categories: [billing, contact, health]")],
     "error: data category 'health' is not declared"),
    ([("retention: prospects", "retention: forever")],
     "error: retention rule 'forever' is not declared"),
    ([("  - {id: prospects, label:", "  - {id: students, label:")],
     "error: id 'students' is declared twice"),
    ([("    fideslang: user.demographic.language\n",
       "    fideslang: user.demographic.language\n    anonymise_keep: [level, age]\n")],
     "error: 'age' is not a field of category 'language_profile'"),
])
def test_errors(edits: list[tuple[str, str]], expected: str) -> None:
    findings = _findings(_edit(*edits))
    assert any(f.startswith(expected) for f in findings), findings


@pytest.mark.parametrize("edits, expected", [
    ([("categories: [contact, language_profile]\n", "categories: [contact]\n")],
     "warning: category 'language_profile' is used by no purpose"),
    ([("    purposes: [courses, invoicing]\n", "    purposes: [invoicing]\n")],
     "warning: 'enrolment' collects 'language_profile' for none of its purposes"),
    ([("    country: BE\nsystems", "    country: US\nsystems")],
     "warning: Example Hosting SA receives data in US with no transfer mechanism"),
    ([("    fideslang: user.financial\n", "    fideslang: user.financial\n    special: true\n")],
     "warning: special-category data 'billing' has no Art. 9(2) condition"),
    ([("newsletter: {", "minors: {minimum_age: 18}\nnewsletter: {")],
     "warning: minimum age 18 is outside 13-16"),
    ([("  privacy_email: privacy@langschool.be\n", ""),
      ("  request_email: privacy@langschool.be\n", "  extension_allowed: true\n")],
     "warning: no privacy contact e-mail and no DPO"),
    ([("newsletter: {", "claims: {uses_cookies: false}\ncookies:\n  - {name: _ga, provider: "
       "Google, category: analytics, duration: 2 years, party: third, purpose: Statistics}\n"
       "newsletter: {")],
     "warning: the notice says no cookies are used, yet cookies are declared (_ga)"),
    ([("newsletter: {", "signals: {honour_dnt: true}\nclaims: {allows_third_party_tracking: "
       "true}\nnewsletter: {")],
     "warning: Do Not Track is honoured, yet third parties track behaviour"),
    ([("fr: Facturation, ", "")],
     "warning: no fr translation; the en text will be shown"),
])
def test_warnings_do_not_fail_the_check(edits: list[tuple[str, str]], expected: str) -> None:
    findings = _findings(_edit(*edits))
    assert any(f.startswith(expected) for f in findings), findings
    assert not [f for f in findings if f.startswith("error")], findings


def _place(source: str, line_text: str, token: str) -> tuple[int, int]:
    """Line and column (1-based) of ``token`` on the one line holding ``line_text``."""
    [(number, line)] = [(n, t) for n, t in enumerate(source.splitlines(), 1) if line_text in t]
    return number, line.index(token) + 1


@pytest.mark.parametrize("edits, message, line_text, token", [
    # a block key, an item of a flow list, a flow mapping in a block list, a missing key
    ([("retention: prospects", "retention: forever")],
     "retention rule 'forever' is not declared", "retention: forever", "retention"),
    ([("categories: [billing, contact]", "categories: [billing, contact, health]")],
     "data category 'health' is not declared", "[billing, contact, health]", "health"),
    ([("{name: mother_tongue, category: language_profile}",
       "{name: shoe_size, category: language_profile}")],
     "field 'shoe_size' is not a field of category 'language_profile'", "name: shoe_size", "{"),
    ([("    legal_basis: contract\n", "")],
     "purpose 'courses' has no legal basis", "- id: courses", "id"),
])
def test_a_finding_is_placed_at_its_key(edits: list[tuple[str, str]], message: str,
                                        line_text: str, token: str) -> None:
    source = _edit(*edits)
    [finding] = [f for f in lint(parse_policy(source)) if f.message == message]
    assert (finding.line, finding.column) == _place(source, line_text, token)


def test_check_exits_1_printing_each_error_at_its_line_with_its_article(tmp_path: Path) -> None:
    source = _edit(("retention: prospects", "retention: forever"),
                   ("categories: [billing, contact]", "categories: [billing, contact, health]"))
    path = tmp_path / "charter.yaml"
    path.write_text(source)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    retention, _ = _place(source, "retention: forever", "retention")
    health, column = _place(source, "[billing, contact, health]", "health")
    assert result.stdout.splitlines() == [
        f"{path}:{health}:{column}: error: purposes[1].categories[2]: data category 'health' "
        "is not declared [Art. 30(1): the record names what it refers to]",
        f"{path}:{retention}:5: error: purposes[2].retention: retention rule 'forever' is not "
        "declared [Art. 30(1): the record names what it refers to]",
    ]
    assert result.stderr == f"{path}: 2 error(s), 0 warning(s)\n"


def test_check_exits_0_on_warnings_alone(tmp_path: Path) -> None:
    path = tmp_path / "charter.yaml"
    path.write_text(_edit(("categories: [contact, language_profile]\n", "categories: [contact]\n")))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stdout and "[Art. " in result.stdout
    assert CliRunner().invoke(main, ["check", "--quiet", str(path)]).stdout == ""
