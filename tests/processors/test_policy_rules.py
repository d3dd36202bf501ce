"""`charter check` on processors: who engaged a sub-processor, the Art. 28(3) contract, and
agreement dates a reader cannot misread. Transfers keep their one existing warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.policy import PolicyInvalid, lint, load_policy, parse_policy

from ..conftest import POLICY
from .conftest import register_policy_text

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "charter" / "examples"


def _findings(source: str) -> list[str]:
    return [f"{f.severity}: {f.format('x').split(': ')[2]}: {f.message}"
            for f in lint(parse_policy(source))]


def _edit(old: str, new: str) -> str:
    source = register_policy_text()
    assert source.count(old) == 1, old
    return source.replace(old, new)


def test_the_register_policy_warns_only_about_backup() -> None:
    assert _findings(register_policy_text()) == [
        "warning: recipients[3]: Backup Ltd receives data in US with no transfer mechanism",
        "warning: recipients[3].processor_of: sub-processor Backup Ltd names no processor "
        "that engaged it",
        "warning: recipients[3].agreement_signed: no data-processing agreement is on record "
        "for Backup Ltd",
    ]


@pytest.mark.parametrize("old, new, expected", [
    ("    processor_of: mailer\n", "    processor_of: postman\n",
     "error: recipients[2].processor_of: 'postman' is not a declared processor"),
    ("    processor_of: mailer\n", "    processor_of: accountant\n",
     "error: recipients[2].processor_of: 'accountant' is not a declared processor"),
    ("    role: processor\n    purpose: {en: Sending",
     "    role: processor\n    processor_of: hosting\n    purpose: {en: Sending",
     "error: recipients[1].processor_of: Mailer BV is a processor: only a sub-processor has one"),
])
def test_a_sub_processor_names_a_declared_processor(old: str, new: str, expected: str) -> None:
    assert expected in _findings(_edit(old, new))


def test_a_processor_without_an_agreement_is_warned_about() -> None:
    findings = _findings(_edit('    agreement_signed: "2024-03-01"\n', ""))
    assert "warning: recipients[1].agreement_signed: no data-processing agreement is on " \
           "record for Mailer BV" in findings
    assert not [f for f in findings if f.startswith("error")]


def test_a_transfer_without_mechanism_is_warned_about_once() -> None:
    findings = _findings(_edit("    transfer_mechanism: scc\n", ""))
    transfers = [f for f in findings if "transfer mechanism" in f]
    assert transfers == [
        "warning: recipients[2]: Mail Cloud Inc. receives data in US with no transfer "
        "mechanism",
        "warning: recipients[3]: Backup Ltd receives data in US with no transfer mechanism",
    ]


@pytest.mark.parametrize("written", ["2024", "01/03/2024", "2024-02-30", "20240301"])
def test_agreement_dates_are_calendar_days(written: str) -> None:
    with pytest.raises(PolicyInvalid) as refused:
        parse_policy(_edit('agreement_reviewed: "2026-03-01"', f'agreement_reviewed: "{written}"'))
    assert "recipients[1].agreement_reviewed: a date written YYYY-MM-DD" in str(refused.value)


def test_the_test_policy_and_the_examples_still_pass_the_check() -> None:
    assert _findings(POLICY.read_text()) == []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        errors = [f for f in lint(load_policy(path)) if f.severity == "error"]
        assert errors == [], (path.name, errors)
    callbridge = [f.message for f in lint(load_policy(EXAMPLES / "callbridge.yaml"))]
    assert "sub-processor Toll-free number providers (not named) names no processor that " \
           "engaged it" in callbridge
