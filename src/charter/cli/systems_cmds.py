"""charter systems: the systems a policy declares — their state, where a person is, the dry
run of an SQL mapping against the live database, the proposal of a mapping from a
database's schema, the rows kept under a legal hold, and the tasks of the systems answered
by people."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import EnvironmentProblem, InvalidInput
from ..policy import Policy, load_policy
from ..rights import repository as rights_repository
from ..rights.fulfilment import MAX_ATTEMPTS
from ..runtime import open_runtime
from ..systems import repository
from ..systems.locate import locate
from ..systems.scan import LARGE, render_mapping, scan
from ..systems.service import overview
from ..systems.sql_check import check_system
from ..systems.sql_database import MappingMismatch, external_url
from ..systems.sql_holds import held_counts, release_ended_holds
from . import main, settings_from


@main.group()
def systems() -> None:
    """The systems that hold personal data (SQL databases, webhooks, manual systems)."""


@systems.command("list")
@click.pass_context
def systems_list(ctx: click.Context) -> None:
    """Each declared system, how it answers requests, and what it still owes."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        states = overview(session, runtime)
    table = Table()
    for column in ("system", "kind", "answered by", "failed", "waiting", "open tasks"):
        table.add_column(column)
    for state in states:
        failed = sum(1 for part, _ in state.parts if part.status == "failed")
        table.add_row(state.system.id, state.system.kind, state.connector, str(failed),
                      str(len(state.parts) - failed), str(len(state.tasks)))
    Console().print(table)


@systems.command("find")
@click.argument("email")
@click.pass_context
def systems_find(ctx: click.Context, email: str) -> None:
    """Which systems hold this person, and in which categories (reads only; audited).

    Each system is asked through its connector; systems only people can open are not."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = locate(session, runtime, email, actor="cli")
    table = Table("system", "kind", "holds the person", "categories")
    for where in found:
        table.add_row(where.system.id, where.system.kind, where.state,
                      ", ".join(where.categories))
    Console().print(table)


@systems.command("check")
@click.argument("system", required=False)
@click.option("--email", default=None,
              help="dry run for this person: rows found and what erasure would do")
@click.pass_context
def systems_check(ctx: click.Context, system: str | None, email: str | None) -> None:
    """Check SQL mappings against their live databases (read only; exit 1 on a mismatch).

    Without SYSTEM, every sql system with a mapping. With --email, also count the person's
    rows per table and show the erasure plan; nothing is written, values are never shown.
    """
    runtime = open_runtime(settings_from(ctx))
    mapped = [s.id for s in runtime.policy.systems if s.kind == "sql" and s.sql is not None]
    if system is None and not mapped:
        raise InvalidInput("no sql system of the policy has a mapping (sql: tables)")
    bad = False
    for system_id in [system] if system else mapped:
        try:
            with runtime.transaction() as session:
                checked = check_system(session, runtime, system_id, email=email, actor="cli")
        except MappingMismatch as exc:
            click.echo(f"{system_id}: the mapping does not fit the database", err=True)
            for problem in exc.problems:
                click.echo(f"  - {problem}", err=True)
            bad = True
            continue
        click.echo(f"{checked.system}: mapping fits the database")
        for name, reached, strategy in checked.tables:
            line = f"  {name}: reached by {reached}; erasure {strategy or '-'}"
            if email is not None:
                plan = ", ".join(f"{s.action} {s.rows}" + (f" until {s.until}" if s.until
                                                            else "")
                                 for s in checked.plan if s.table == name)
                line += f"; {checked.found.get(name, 0)} row(s) of the person"
                line += f"; erasure would {plan}" if plan else ""
            click.echo(line)
        if checked.conflict:
            click.echo(f"{system_id}: erasure would be refused: {checked.conflict}", err=True)
            bad = True
    if bad:
        ctx.exit(1)


def _policy_near(ctx: click.Context) -> Policy | None:
    """The policy, when there is one, so the proposal uses its categories and fields."""
    path = Path(settings_from(ctx).policy)
    return load_policy(path).policy if path.exists() else None


@systems.command("scan")
@click.argument("url")
@click.option("--schema", default=None, help="a PostgreSQL schema (default: the search path)")
@click.option("--table", "tables", multiple=True, help="only this table; repeat")
@click.option("--region", default=None,
              help="country for phone numbers without +prefix (default: the policy's)")
@click.pass_context
def systems_scan(ctx: click.Context, url: str, schema: str | None, tables: tuple[str, ...],
                 region: str | None) -> None:
    """Propose the sql: mapping of a database: personal columns by name and by sampled values.

    URL is an SQLAlchemy URL (sqlite:///path.db, postgresql://user@host/db). Pass a password
    through the environment (e.g. "$ACCOUNTING_DATABASE_URL"), not typed on the command
    line. The YAML goes to standard output; sampled values are counted, never printed.
    """
    policy = _policy_near(ctx)
    country = region or (policy.organization.country if policy else "BE")
    engine = create_engine(external_url(url))
    console = Console(stderr=True)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=console, transient=True) as progress:
            def track(name: str, total: int) -> Callable[[int], None]:
                task: TaskID = progress.add_task(f"sampling {name}", total=total or 1)
                return lambda n: progress.advance(task, n)

            proposals = scan(engine, schema=schema, policy=policy, region=country,
                             only=list(tables), progress=track)
    except SQLAlchemyError as exc:  # its message may quote the URL and its password
        raise EnvironmentProblem(f"the database could not be read ({type(exc).__name__})"
                                 ) from None
    finally:
        engine.dispose()
    if not proposals:
        raise InvalidInput("no tables found" + (f" in schema {schema}" if schema else ""))
    large = [p.name for p in proposals if p.rows > LARGE]
    if large:
        console.print(f"sampled spread-out rows of large tables: {', '.join(large)}")
    click.echo(render_mapping(proposals, schema=schema), nl=False)


@systems.command("holds")
@click.option("--release", is_flag=True,
              help="first give rows whose hold has ended the then of their table, as the "
              "nightly job does")
@click.pass_context
def systems_holds(ctx: click.Context, release: bool) -> None:
    """Rows of SQL systems that erasure kept under a legal hold, and when the first ends."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        if release:
            click.echo(f"{release_ended_holds(session, runtime)} held row(s) released")
        counts = held_counts(session, runtime.organization_id)
    table = Table()
    for column in ("system", "table", "rows held", "first hold ends"):
        table.add_column(column)
    for system, name, count, nearest in counts:
        table.add_row(system, name, str(count), nearest.isoformat())
    Console().print(table)


@systems.command("tasks")
@click.pass_context
def systems_tasks(ctx: click.Context) -> None:
    """Open tasks of the systems answered by people, the nearest due first."""
    runtime = open_runtime(settings_from(ctx))
    table = Table()
    for column in ("due", "system", "action", "request", "assigned to"):
        table.add_column(column)
    with runtime.transaction() as session:
        for task in repository.open_tasks(session, runtime.organization_id):
            request = rights_repository.request_by_id(session, runtime.organization_id,
                                                      task.request_id)
            table.add_row(task.due_on.isoformat(), task.system, task.action,
                          request.reference if request else "?",
                          ", ".join(task.assignee_list) or "those who handle requests")
        states = overview(session, runtime)
    Console().print(table)
    stopped = [(state.system.id, part, request) for state in states
               for part, request in state.to_attest]
    if stopped:
        click.echo(f"{len(stopped)} part(s) stopped retrying after {MAX_ATTEMPTS} attempts: "
                   "do them by hand, then attest")
        given_up = Table()
        for column in ("system", "request", "due", "last error", "attempts"):
            given_up.add_column(column)
        for system_id, part, request in stopped:
            given_up.add_row(system_id, request.reference, request.deadline.isoformat(),
                             part.last_error or "", str(part.attempts))
        Console().print(given_up)
    click.echo("attest with: charter requests fulfil REFERENCE --system SYSTEM --note TEXT")
