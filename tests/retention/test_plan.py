"""The dry run as staff read it: the oldest due date per rule and category, and every system
outside Charter's store that holds data under a rule but that no sweep reaches, with who
must apply the rules there."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from charter.cli import main
from charter.policy.systems import ManualTasks
from charter.retention.plan import BY_REQUEST_ONLY, not_swept, plan
from charter.runtime import Runtime

from .conftest import customer, prospect, years_ago


def _plan_output(runtime: Runtime) -> str:
    settings = runtime.settings
    result = CliRunner(env={"COLUMNS": "400"}).invoke(main, [
        "--data-dir", str(settings.data_dir), "--database-url", str(settings.database_url),
        "--policy", str(settings.policy), "retention", "plan"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _row(output: str, *cells: str) -> list[str]:
    """The cells of the one table line that holds all these cells."""
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in output.splitlines()
            if "│" in line]
    [row] = [row for row in rows if all(cell in row for cell in cells)]
    return row


def test_the_plan_gives_the_oldest_due_date(qualifio: Runtime) -> None:
    prospect(qualifio, "oldest@example.org", datetime(2019, 3, 15, 9, 30, tzinfo=UTC))
    prospect(qualifio, "older@example.org", datetime(2021, 7, 1, 8, tzinfo=UTC))
    prospect(qualifio, "recent@example.org", years_ago(1))  # not due: no part of the oldest
    customer(qualifio, "ended@example.org", datetime(2014, 5, 31, 12, tzinfo=UTC))
    with qualifio.transaction() as session:
        found = plan(session, qualifio)
    oldest = {(line.rule, line.category): (line.count, line.oldest_due) for line in found.due}
    three_years_after_the_first = datetime(2022, 3, 15, 9, 30, tzinfo=UTC)
    ten_years_after_the_contract = datetime(2024, 5, 31, 12, tzinfo=UTC)
    assert oldest == {
        ("prospects", "contact"): (2, three_years_after_the_first),
        ("prospects", "professional"): (2, three_years_after_the_first),
        ("contract_archive", "contact"): (1, ten_years_after_the_contract),
        ("contract_archive", "billing"): (1, ten_years_after_the_contract)}
    output = _plan_output(qualifio)
    assert _row(output, "prospects", "contact")[-2:] == ["2", "2022-03-15"]
    assert _row(output, "prospects", "professional")[-2:] == ["2", "2022-03-15"]
    assert _row(output, "contract_archive", "billing")[-2:] == ["1", "2024-05-31"]
    assert "2024-07-01" not in output  # the later prospect's date is not the oldest


def test_the_plan_names_the_systems_no_sweep_reaches(qualifio: Runtime) -> None:
    with qualifio.transaction() as session:
        found = plan(session, qualifio)
    lines = {line.system: line for line in found.not_swept}
    assert set(lines) == {"hubspot", "platform", "contract_archive"}  # not Charter's store
    assert lines["platform"].kind == "sql" and "contact" in lines["platform"].categories
    assert lines["hubspot"].kind == "webhook" and "contact" in lines["hubspot"].categories
    assert lines["platform"].who == lines["hubspot"].who == BY_REQUEST_ONLY
    assert lines["contract_archive"].who == ("not swept by Charter: the rules are applied by "
                                             "hand by Finance manager, Legal counsel")
    assert "billing" in lines["contract_archive"].categories
    output = _plan_output(qualifio)
    assert "Not swept by Charter" in output
    assert _row(output, "platform", "sql")[-1] == BY_REQUEST_ONLY
    assert _row(output, "hubspot", "webhook")[-1] == BY_REQUEST_ONLY
    assert _row(output, "contract_archive", "manual")[-1].endswith(
        "by hand by Finance manager, Legal counsel")


def test_a_manual_systems_named_staff_are_the_ones_to_act(runtime: Runtime) -> None:
    policy = runtime.policy
    [accounting] = [s for s in policy.systems if s.id == "accounting"]
    named = accounting.model_copy(update={"manual": ManualTasks(
        assignees=["bookkeeper@langschool.be"], roles=["billing"])})
    unnamed = accounting.model_copy(update={"id": "paper", "responsible": [], "manual": None})
    outside_rules = accounting.model_copy(update={"id": "archive", "categories": ["nothing"]})
    changed = policy.model_copy(update={"systems": [
        s for s in policy.systems if s.id != "accounting"] + [named, unnamed, outside_rules]})
    lines = {line.system: line.who for line in not_swept(changed)}
    assert lines == {
        "accounting": "not swept by Charter: the rules are applied by hand by Accountant, "
                      "Managing director, bookkeeper@langschool.be, role billing",
        "paper": "not swept by Charter: the rules are applied by hand by those who handle "
                 "requests"}  # a system holding no category under a rule is not listed
