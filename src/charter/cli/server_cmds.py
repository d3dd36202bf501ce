"""serve, worker, demo."""

from __future__ import annotations

import os
from typing import Any

import click
import uvicorn

from .. import jobs
from ..db import make_engine, upgrade
from ..errors import EnvironmentProblem
from ..logs import configure_logging
from ..runtime import Runtime, open_runtime
from ..settings import SERVER_SETTINGS
from . import main, settings_from
from .context import settings_options

DEMO_EXAMPLE = "call-international"


def _serve(runtime: Runtime) -> None:
    from ..web.app import create_app

    settings = runtime.settings
    configure_logging(settings.log_level)
    app = create_app(runtime, run_jobs=True)
    # uvicorn's access log prints client addresses: ours (charter.access) does not.
    uvicorn.run(
        app, host=settings.host, port=settings.port, access_log=False, log_level=settings.log_level
    )


@main.command()
@settings_options(only=SERVER_SETTINGS)
@click.pass_context
def serve(ctx: click.Context, /, **server: Any) -> None:
    """Run the Portal, the API and (without Redis) the background jobs."""
    settings = settings_from(ctx, **server)
    upgrade(make_engine(settings.resolved_database_url))
    _serve(open_runtime(settings))


@main.command()
@click.option("--workers", default=2, show_default=True, help="threads running jobs")
@click.pass_context
def worker(ctx: click.Context, workers: int) -> None:
    """Run background jobs from Redis (CHARTER_REDIS_URL); start as many as you need."""
    settings = settings_from(ctx)
    if not settings.redis_url:
        raise EnvironmentProblem(
            "no CHARTER_REDIS_URL: without Redis, jobs run inside "
            "`charter serve` and no worker is needed"
        )
    configure_logging(settings.log_level)
    jobs.bind_runtime(open_runtime(settings))
    queue = jobs.build_queue(settings)
    jobs.bind_queue(queue)
    queue.huey.create_consumer(workers=workers, periodic=True).run()


@main.command()
@settings_options(only=SERVER_SETTINGS)
@click.option(
    "--subjects",
    "subject_count",
    default=60,
    show_default=True,
    help="sample people to create on first run",
)
@click.option("--no-serve", is_flag=True, help="prepare the data and exit")
@click.pass_context
def demo(ctx: click.Context, /, subject_count: int, no_serve: bool, **server: Any) -> None:
    """Run the Portal on the embedded store with an example policy and sample data."""
    from ..demo import prepare_demo

    # The demo keeps its policy inside its data dir unless one is named explicitly.
    base = settings_from(ctx, **server)
    explicit = "policy" in ctx.find_root().obj or bool(os.environ.get("CHARTER_POLICY"))
    settings = (
        base if explicit else base.model_copy(update={"policy": base.data_dir / "charter.yaml"})
    )
    runtime, login = prepare_demo(settings, example=DEMO_EXAMPLE, subjects=subject_count)
    click.echo("")
    click.echo(f"Charter demo for {runtime.policy.organization.legal_name}")
    click.echo(f"  Portal   {settings.public_url}/")
    click.echo(f"  login    {login.email}")
    click.echo(f"  password {login.password}")
    click.echo(f"  data     {settings.data_dir.resolve()}")
    click.echo("")
    if not no_serve:
        _serve(runtime)
