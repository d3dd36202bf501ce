"""The ``charter`` command; its exit codes are listed in its help (and
docs/configuration.md)."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from ..errors import CharterError, EnvironmentProblem, InvalidInput
from ..settings import SERVER_SETTINGS, Settings
from .context import settings_options
from .problems import check_database_url, database_problem, settings_problem

_SETTINGS = "charter.settings"
"""Key in ``ctx.meta`` of the settings a command runs with, for messages about them."""


class CharterGroup(click.Group):
    """Turns Charter's own errors, and a database that cannot be used, into one clear line and
    their documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CharterError as exc:
            _fail(exc)
        except DBAPIError as exc:
            problem = database_problem(exc, ctx.meta.get(_SETTINGS))
            if problem is None:
                raise
            _fail(EnvironmentProblem(problem))


def _fail(exc: CharterError) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(cls=CharterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@settings_options(exclude=SERVER_SETTINGS)
@click.pass_context
def main(ctx: click.Context, /, **overrides: Any) -> None:
    """Charter keeps the promises of your privacy policy.

    Every flag below can also be set as an environment variable CHARTER_<NAME>.

    Exit codes: 0 success; 1 what was checked failed (policy errors, a broken audit chain);
    2 bad input (a flag, an argument, a setting, the policy file); 3 environment problem (the
    key, the database); 4 not found; 5 conflict.
    """
    ctx.obj = {key: value for key, value in overrides.items() if value is not None}


def settings_from(ctx: click.Context, **more: Any) -> Settings:
    """The settings from the flags given (``more``: the command's own) and the environment;
    a wrong value is bad input (exit 2), an unusable database URL an environment problem."""
    given = {**ctx.find_root().obj, **{k: v for k, v in more.items() if v is not None}}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise InvalidInput(settings_problem(exc, given)) from None
    ctx.meta[_SETTINGS] = settings
    check_database_url(settings, given)
    return settings


from . import (  # noqa: E402  (commands register on main)
    admin_cmds,
    breach_cmds,
    complaint_cmds,
    mail_cmds,
    notice_cmds,
    policy_cmds,
    requests_cmds,
    retention_cmds,
    server_cmds,
    systems_cmds,
)

__all__ = [
    "admin_cmds",
    "breach_cmds",
    "complaint_cmds",
    "mail_cmds",
    "main",
    "notice_cmds",
    "policy_cmds",
    "requests_cmds",
    "retention_cmds",
    "server_cmds",
    "settings_from",
    "systems_cmds",
]
