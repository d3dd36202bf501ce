"""How Charter reaches a declared system, by kind: the tables and columns of an SQL database
and what erasure does to each, the checklist and the staff of a system answered by people,
the timing of a webhook. Apart from processing.py because these keys configure connectors,
not the processing the notice describes."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import EmailStr, Field, StringConstraints

from ._base import Identifier, Strict

SqlName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", min_length=1, max_length=63)
]
"""A table or column name as the database spells it. Plain names only: they reach SQL."""

ColumnTarget = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_\-]*(\.[a-z][a-z0-9_\-]*)?$")
]
"""``category`` or ``category.field``: where a column's values belong in the policy."""

ErasureStrategy = Literal["delete", "clear", "mask", "anonymise", "hold"]
"""``clear`` sets columns to NULL (not ``null``, which YAML reads as no value at all)."""
RowStrategy = Literal["delete", "clear", "mask", "anonymise"]
TaskAction = Literal["access", "portability", "erasure", "restriction", "rectification", "lift"]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def webhook_url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a receiver on loopback, for trials)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOOPBACK


class SqlJoin(Strict):
    """A relation the database does not declare as a foreign key: this table's ``column``
    equals ``to`` (``table.column``) of a table already linked to the person."""

    column: SqlName
    to: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]\w*\.[A-Za-z_]\w*$")]

    @property
    def table(self) -> str:
        return self.to.split(".")[0]

    @property
    def other_column(self) -> str:
        return self.to.split(".")[1]


class SqlHold(Strict):
    """Rows a legal hold keeps (invoices): they stay, marked restricted, until the hold ends
    counted from ``from_column``; after that, erasure does ``then`` to them."""

    legal_hold: Identifier = Field(description="the id of a declared legal hold")
    from_column: SqlName = Field(description="date the hold counts from, e.g. the invoice date")
    then: RowStrategy = Field(default="delete", description="for rows whose hold has ended")


class SqlTable(Strict):
    """One table holding personal data."""

    name: SqlName
    identity: dict[Literal["email", "phone"], SqlName] = Field(
        default_factory=dict,
        description="columns that find the person: {email: COLUMN, phone: COLUMN}")
    join: SqlJoin | None = Field(
        default=None, description="how rows link to the person when no foreign key says it")
    key: list[SqlName] = Field(
        default_factory=list, description="primary key columns (read from the database if not "
        "given)")
    columns: dict[SqlName, ColumnTarget] = Field(
        default_factory=dict, description="column: category or category.field")
    erasure: ErasureStrategy | None = Field(
        default=None, description="delete, clear, mask, anonymise, or hold (legal hold)")
    hold: SqlHold | None = None
    restrict_column: SqlName | None = Field(
        default=None, description="boolean column set to true while the row's use is restricted")
    ignore_case: bool = Field(default=True, description="compare e-mail addresses in lower case")


class SqlMapping(Strict):
    """What an SQL system holds and where; the URL comes from the variable ``url_env``."""

    schema_name: SqlName | None = Field(default=None, description="e.g. a PostgreSQL schema")
    tables: list[SqlTable] = Field(default_factory=list)

    def table(self, name: str) -> SqlTable | None:
        return next((t for t in self.tables if t.name == name), None)


class ManualTasks(Strict):
    """A system answered by people: who gets the task, by when, and what they tick off."""

    roles: list[Identifier] = Field(
        default_factory=list, description="roles (ids under roles:) whose staff get the task, "
        "e.g. the bookkeeper")
    assignees: list[EmailStr] = Field(
        default_factory=list, description="staff accounts given the task by address (without "
        "roles or assignees: the staff who handle requests)")
    lead_days: int = Field(
        default=5, ge=1, le=60, description="the task is due this many days before the request")
    checklist: dict[TaskAction, list[str]] = Field(
        default_factory=dict, description="per request type, the steps to tick off")


class WebhookOptions(Strict):
    """Timing of a webhook system (its URL and secret are keys of the system itself)."""

    timeout_seconds: int = Field(default=30, ge=1, le=300)
    callback_hours: int = Field(
        default=24, ge=1, le=720,
        description="how long to wait for the callback before asking again")
