"""charter retention plan | run | mark, and charter stats."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import NotFound
from ..retention.plan import RetentionPlan, plan
from ..retention.stats import statistics
from ..retention.sweep import sweep
from ..retention.triggers import mark_trigger
from ..runtime import open_runtime
from ..subjects import find_subject
from . import main, settings_from


@main.group()
def retention() -> None:
    """Retention: plan and run the sweeps that delete or anonymise what is due."""


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "—"


def _print_plan(found: RetentionPlan) -> None:
    console = Console()
    if found.to_reschedule:
        console.print(f"{found.to_reschedule} record(s) follow an older policy: their dates "
                      "are recomputed first, which may add to what is due.")
    due = Table("rule", "action", "category", "systems", "records", "oldest due",
                title=f"Due now ({found.total_due} records)")
    for line in found.due:
        due.add_row(line.rule, line.action, line.category, ", ".join(line.systems),
                    str(line.count), _day(line.oldest_due))
    console.print(due)
    held = Table("category", "kept by", "records", "until", title="Past retention, held")
    for h in found.held:
        held.add_row(h.category, "; ".join(h.holds), str(h.count), _day(h.until))
    console.print(held)
    own = Table("what", "rows due", title="Charter's own by-products")
    for _name, label, count in found.by_products:
        own.add_row(label, str(count))
    console.print(own)
    if found.not_swept:
        outside = Table("system", "kind", "data categories under a rule", "who deletes them",
                        title="Not swept by Charter (other systems)")
        for other in found.not_swept:
            outside.add_row(other.system, other.kind, ", ".join(other.categories), other.who)
        console.print(outside)


@retention.command("plan")
@click.pass_context
def retention_plan(ctx: click.Context) -> None:
    """What a sweep would remove now, what the law holds and why (writes nothing)."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        _print_plan(plan(session, runtime))


@retention.command("run")
@click.option("--batch-size", default=500, show_default=True,
              type=click.IntRange(1, 5_000), help="rows per transaction")
@click.pass_context
def retention_run(ctx: click.Context, batch_size: int) -> None:
    """Delete or anonymise what is due, in batches; safe to stop and run again."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        ahead = plan(session, runtime)
    total = ahead.to_reschedule + ahead.total_due + sum(c for _n, _l, c in ahead.by_products)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("sweeping", total=total or None)

        def advance(stage: str, count: int) -> None:
            # rescheduling may make more due than the plan saw, and people emptied by a
            # withdrawal are not in it: the bar grows rather than run past its end
            [bar] = progress.tasks
            progress.update(task, advance=count, description=stage,
                            total=max(bar.completed + count, bar.total or 0))

        report = sweep(runtime, batch_size=batch_size, actor="cli", progress=advance)
    click.echo(f"rescheduled {report.rescheduled}, deleted {report.deleted}, anonymised "
               f"{report.anonymised} record(s); removed {report.people_removed} person(s)")
    for name, count in report.by_products.items():
        click.echo(f"  {name}: {count}")


@retention.command("mark")
@click.argument("email")
@click.option("--contract-end", "contract_end", type=click.DateTime(["%Y-%m-%d"]),
              default=None, help="the day the person's contract ended")
@click.option("--account-closed", "account_closed", type=click.DateTime(["%Y-%m-%d"]),
              default=None, help="the day the person's account was closed")
@click.pass_context
def retention_mark(ctx: click.Context, email: str, contract_end: datetime | None,
                   account_closed: datetime | None) -> None:
    """Start the clocks that count from the end of a contract or the closing of an account."""
    given = [(t, d) for t, d in (("contract_end", contract_end),
                                 ("account_closed", account_closed)) if d]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --contract-end and --account-closed")
    trigger, day = given[0]
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        if subject is None:
            raise NotFound("no one is known under this e-mail address")
        count = mark_trigger(session, runtime, subject, trigger, day.replace(tzinfo=UTC),
                             actor="cli")
    click.echo(f"{trigger.replace('_', ' ')} on {day.date()}: {count} record(s) rescheduled")


@main.command("stats")
@click.option("--by", default="month,category", show_default=True,
              help="comma-separated: category, source, month, language, field:NAME")
@click.option("--k", type=click.IntRange(2, 100), default=None,
              help="smallest group shown: at least the policy's statistics.minimum_cell")
@click.pass_context
def stats(ctx: click.Context, by: str, k: int | None) -> None:
    """Counts of anonymised records; groups smaller than k are suppressed."""
    runtime = open_runtime(settings_from(ctx))
    dimensions = [d.strip() for d in by.split(",") if d.strip()]
    with runtime.transaction() as session:
        cells = statistics(session, runtime, dimensions, k=k)
    table = Table(*dimensions, "records")
    for cell in cells:
        table.add_row(*cell.key, str(cell.count) if cell.count is not None else "<k")
    Console().print(table)
