from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import main
from charter.policy import PolicyInvalid, parse_policy

from ..conftest import POLICY


def _broken(replace: str, by: str) -> str:
    source = POLICY.read_text()
    assert replace in source
    return source.replace(replace, by, 1)


def _problems(source: str) -> list[str]:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(source, "charter.yaml")
    return [str(p) for p in caught.value.problems]


def _line_of(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


def test_a_wrong_value_names_file_line_key_and_expectation() -> None:
    source = _broken("legal_basis: consent", "legal_basis: consentt")
    [problem] = _problems(source)
    line = _line_of(source, "consentt")
    assert problem.startswith(f"charter.yaml:{line}:")
    assert "purposes[2].legal_basis" in problem
    assert "expected 'consent', 'contract'" in problem and "got 'consentt'" in problem


def test_an_unknown_key_is_refused_not_ignored() -> None:
    source = _broken("    marketing: true", "    marketting: true")
    [problem] = _problems(source)
    assert f"charter.yaml:{_line_of(source, 'marketting')}:" in problem
    assert "purposes[2].marketting: unknown key" in problem


def test_a_missing_key_is_named() -> None:
    source = _broken("  country: BE\nlanguages", "languages")
    [problem] = _problems(source)
    assert "organization.country: required key is missing" in problem


def test_bad_duration_and_duplicate_key_and_bad_yaml() -> None:
    assert "a duration such as" in _problems(
        _broken("duration: 3 years, trigger: last_contact", "duration: three years, trigger: "
                "last_contact"))[0]
    duplicate = _problems(_broken("languages: {default: en, others: [fr, nl]}",
                                  "languages: {default: en}\nlanguages: {default: fr}"))
    assert "duplicate key" in duplicate[0] and "languages" in duplicate[0]
    assert "not valid YAML" in _problems("organization: [unclosed\n")[0]
    assert "the file is empty" in _problems("")[0]


def test_cli_prints_located_errors_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "charter.yaml"
    bad.write_text(_broken("legal_basis: consent", "legal_basis: maybe"))
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.startswith(f"error: {bad}:")
    missing = CliRunner().invoke(main, ["check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such policy file" in missing.output


def test_texts_can_be_given_per_language() -> None:
    source = _broken("label: {en: Newsletter about our courses, fr: Lettre d'information sur nos "
                     "cours, nl: Nieuwsbrief over onze cursussen}",
                     "label: {en: Newsletter about our courses, fr: Lettre d'information}")
    policy = parse_policy(source).policy
    label = policy.purpose("newsletter").label  # type: ignore[union-attr]
    assert label.get("fr", "en") == "Lettre d'information"
    assert label.get("nl", "en") == "Newsletter about our courses"
    assert policy.purpose("invoicing").dpv_legal_basis == (  # type: ignore[union-attr]
        "https://w3id.org/dpv/legal/eu/gdpr#A6-1-c")


def test_anchors_merge_keys_and_dates_load_like_plain_yaml() -> None:
    source = _broken(
        "  - {id: prospects, duration: 3 years, trigger: last_contact, action: delete}",
        "  - &three_years {id: prospects, duration: 3 years, trigger: last_contact}\n"
        "  - {<<: *three_years, id: prospects_again}")
    source = source.replace('effective_date: "2026-01-01"', "effective_date: 2026-01-01")
    policy = parse_policy(source).policy
    again = policy.retention_rule("prospects_again")
    assert again is not None and again.duration.root == "3 years"
    assert again.trigger == "last_contact"
    assert policy.effective_date == "2026-01-01"


def test_a_flow_mapping_with_a_stray_comma_is_a_located_error() -> None:
    source = _broken("label: {en: Students, fr: Élèves, nl: Leerlingen}}",
                     "label: {en: Students, pupils, fr: Élèves}}")
    problems = _problems(source)
    line = _line_of(source, "pupils")
    assert any(p.startswith(f"charter.yaml:{line}:") and "subject_categories[0].label" in p
               for p in problems), problems
