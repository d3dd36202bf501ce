"""`charter diff`: what changed between two versions or policy files, each change classed as
material (people are told and may object) or not, with the purposes it affects."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import main
from charter.policy import load_policy
from charter.policy.diff import PolicyChange, diff_policies
from charter.publication.service import publish
from charter.runtime import Runtime

from ..conftest import POLICY
from .policies import (
    COSMETIC,
    LONGER_RETENTION,
    NEW_BASIS,
    NEW_CATEGORY,
    NEW_PURPOSE,
    NEW_RECIPIENT,
    NEW_TRANSFER,
    Edit,
    policy_with,
)


def _diff(tmp_path: Path, *edits: Edit) -> list[PolicyChange]:
    source = POLICY.read_text()
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new, 1)
    path = tmp_path / "new.yaml"
    path.write_text(source)
    return diff_policies(load_policy(POLICY).policy, load_policy(path).policy)


@pytest.mark.parametrize(("edits", "kind", "item", "purposes"), [
    ((NEW_CATEGORY,), "category_added", "bank_account", []),
    ((NEW_CATEGORY, ("    categories: [billing, contact]\n",
                     "    categories: [billing, contact, bank_account]\n")),
     "category_added", "bank_account", ["invoicing"]),
    ((NEW_BASIS,), "basis_changed", "courses", ["courses"]),
    # named by courses and the newsletter; invoicing names no recipient and uses its data
    (NEW_RECIPIENT, "recipient_added", "planner", ["courses", "invoicing", "newsletter"]),
    ((NEW_TRANSFER,), "transfer_added", "hosting", ["courses", "invoicing", "newsletter"]),
], ids=["category", "category-used", "legal-basis", "recipient", "transfer"])
def test_each_change_people_must_be_told_of_is_material(
        tmp_path: Path, edits: tuple[Edit, ...], kind: str, item: str,
        purposes: list[str]) -> None:
    changes = _diff(tmp_path, *edits)
    found = [c for c in changes if c.kind == kind and c.item == item]
    assert found and found[0].material, changes
    assert found[0].purposes == purposes


def test_a_recipient_serves_only_the_purposes_that_name_it_when_they_all_say(
        tmp_path: Path) -> None:
    every_purpose_says = [(f"    retention: {rule}\n", f"    retention: {rule}\n    recipients: "
                           f"{'[planner]' if rule != 'accounting' else '[]'}\n")
                          for rule in ("after_contract", "accounting")]
    changes = _diff(tmp_path, NEW_RECIPIENT[0], *every_purpose_says, NEW_RECIPIENT[2])
    [added] = [c for c in changes if c.kind == "recipient_added"]
    assert added.purposes == ["courses", "newsletter"]


def test_a_cosmetic_change_is_not_material(tmp_path: Path) -> None:
    changes = _diff(tmp_path, COSMETIC)
    assert [(c.kind, c.item, c.material) for c in changes] == [
        ("text_changed", "purpose courses", False)]


def test_charter_diff_without_arguments_compares_the_last_version_with_the_policy_file(
        cli_args: list[str], runtime: Runtime, tmp_path: Path) -> None:
    nothing = CliRunner().invoke(main, [*cli_args, "diff"])
    assert nothing.exit_code == 2 and "nothing published yet" in nothing.output
    with runtime.transaction() as session:
        publish(session, runtime, actor="test")
    changed = policy_with(runtime, tmp_path, NEW_PURPOSE, LONGER_RETENTION, COSMETIC)
    on_changed = [*cli_args[:-1], str(changed.settings.policy)]
    result = CliRunner().invoke(main, [*on_changed, "diff"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "MATERIAL purpose_added course_recommendations: legitimate_interests",
        "minor    text_changed purpose courses",
        "MATERIAL retention_longer newsletter: 3 years after last_contact → 5 years after "
        "last_contact",
        f"version 1 → {changed.settings.policy}: 3 change(s), 2 material"]
    with changed.transaction() as session:
        publish(session, changed, actor="test")
    between = CliRunner().invoke(main, [*on_changed, "diff", "1", "2"])
    assert between.exit_code == 0, between.output
    assert between.output.splitlines()[:3] == result.output.splitlines()[:3]
    assert between.output.splitlines()[-1] == "version 1 → version 2: 3 change(s), 2 material"
    backwards = CliRunner().invoke(main, [*on_changed, "diff", "2", str(POLICY)])
    assert "minor    purpose_removed course_recommendations" in backwards.output
    assert "0 material" in backwards.output
    assert CliRunner().invoke(main, [*on_changed, "diff", "7"]).exit_code == 4
