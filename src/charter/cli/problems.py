"""Mistakes in the settings and a database that cannot be used, said in one line.

They come from libraries (pydantic, SQLAlchemy, the database drivers) whose messages span
several lines and name internals; a person needs the setting to fix and the reason.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from ..errors import EnvironmentProblem
from ..settings import Settings

DATABASE_FORMS = "sqlite:///PATH or postgresql://user@host:5432/dbname"


def setting_source(name: str, given: dict[str, Any]) -> str:
    """Where a setting came from: its flag when given one, else its environment variable."""
    return "--" + name.replace("_", "-") if name in given else f"CHARTER_{name.upper()}"


def settings_problem(exc: ValidationError, given: dict[str, Any]) -> str:
    """One line for every invalid setting, each named the way it was given."""
    parts = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:  # a rule across settings: its message names them
            parts.append(message)
            continue
        name = str(error["loc"][0])
        field = Settings.model_fields.get(name)
        secret = field is not None and "SecretStr" in str(field.annotation)
        shown = "" if secret or "input" not in error else f" (got {error['input']!r})"
        parts.append(f"{setting_source(name, given)}: {message[:1].lower()}{message[1:]}{shown}")
    return "; ".join(parts)


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)


def check_database_url(settings: Settings, given: dict[str, Any]) -> None:
    """Refuse a database URL no engine can be made from, before a command starts on it."""
    if not settings.database_url:
        return
    where = setting_source("database_url", given)
    url = settings.database_url
    try:
        make_url(settings.resolved_database_url).get_dialect().import_dbapi()
    except NoSuchModuleError:  # before ArgumentError, its base class
        kind = make_url(settings.resolved_database_url).drivername
        raise EnvironmentProblem(
            f"{where}: {shown_url(url)!r}: Charter cannot use a database of kind {kind!r}; "
            f"use {DATABASE_FORMS}"
        ) from None
    except ArgumentError:
        raise EnvironmentProblem(
            f"{where}: {shown_url(url)!r} is not a database URL; use {DATABASE_FORMS}"
        ) from None
    except ImportError as exc:
        raise EnvironmentProblem(
            f"{where}: the driver for {shown_url(url)!r} is not installed ({exc})"
        ) from None


def database_problem(exc: DBAPIError, settings: Settings | None) -> str | None:
    """One line for a database that cannot be reached or has no schema; None for errors that
    are Charter's own (a constraint, a bad query), which keep their traceback."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    where = ""
    if settings is not None:
        where = " " + shown_url(settings.database_url or settings.resolved_database_url)
    if exc.statement is None:  # raised while connecting, before any statement was sent
        return f"cannot connect to the database{where}: {reason}"
    if getattr(exc.orig, "sqlstate", None) == "42P01" or "no such table" in reason:
        return f"the database{where} has no Charter schema ({reason}): run `charter migrate`"
    if isinstance(exc, OperationalError):
        return f"the database{where} failed: {reason}"
    return None
