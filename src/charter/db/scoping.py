"""Refuse any ORM query on an organization-scoped table that does not filter by organization.

Repositories take the organization explicitly; this guard turns a forgotten filter into an
error at the first run instead of a leak between organizations. A query that must span
organizations says so: ``.execution_options(all_organizations=True)`` with a comment why.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Column, Table, event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from ..models import table_is_scoped


class UnscopedQuery(RuntimeError):
    """A programming error: a personal-data query without an organization filter."""


def _tables(statement: Any) -> set[Table]:
    found: set[Table] = set()
    for element in visitors.iterate(statement):
        if isinstance(element, Table):
            found.add(element)
    return found


def _organization_column(side: Any) -> Table | None:
    """The table whose ``organization_id`` this is, if it is one."""
    if isinstance(side, Column) and side.name == "organization_id" \
            and isinstance(side.table, Table):
        return side.table
    return None


def _binding_comparisons(statement: Any) -> Iterator[BinaryExpression[Any]]:
    """Every comparison that must hold for a row to be read: not those under an OR, where
    another branch may let any organization's rows through."""
    stack: list[tuple[Any, bool]] = [(statement, False)]
    seen: set[int] = set()
    while stack:
        element, optional = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        if isinstance(element, BinaryExpression) and not optional:
            yield element
        optional = optional or (isinstance(element, BooleanClauseList)
                                and element.operator is operators.or_)
        stack.extend((child, optional) for child in element.get_children())


def _filtered_tables(statement: Any) -> set[Table]:
    """Tables whose ``organization_id`` is held to given values: ``= value`` or
    ``IN (values)`` in a WHERE or JOIN ON clause, or ``=`` the ``organization_id`` of a table
    itself held so. ``!=``, ``IS NOT NULL`` or two tables merely equal to each other scope
    nothing."""
    pinned: set[Table] = set()
    linked: list[tuple[Table, Table]] = []
    for element in _binding_comparisons(statement):
        left, right = _organization_column(element.left), _organization_column(element.right)
        if left is None and right is None:
            continue
        if element.operator is operators.eq and left is not None and right is not None:
            linked.append((left, right))
        elif element.operator in (operators.eq, operators.in_op):
            other = element.right if left is not None else element.left
            if isinstance(other, BindParameter):
                pinned.add(left if left is not None else right)  # type: ignore[arg-type]
    grew = True
    while grew:  # a join on equal organization ids carries the pin across
        grew = False
        for one, two in linked:
            if (one in pinned) != (two in pinned):
                pinned |= {one, two}
                grew = True
    return pinned


_CHECKED: dict[Any, None] = {}
_CHECKED_MAX = 4096


def check_statement(statement: Any) -> None:
    # The same statement shape comes back on every request: check each shape once. The cache
    # key is SQLAlchemy's own (structure without the bound values), which it computes anyway.
    cache_key = getattr(statement, "_generate_cache_key", lambda: None)()
    key = cache_key.key if cache_key is not None else None
    if key is not None and key in _CHECKED:
        return
    scoped = {t for t in _tables(statement) if table_is_scoped(t)}
    missing = scoped - _filtered_tables(statement)
    if missing:
        names = ", ".join(sorted(t.name for t in missing))
        raise UnscopedQuery(f"query on {names} is not filtered by organization_id")
    if key is not None:
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        _CHECKED[key] = None


def install(session_class: type[Session]) -> None:
    @event.listens_for(session_class, "do_orm_execute")
    def _guard(state: ORMExecuteState) -> None:
        if state.is_insert or state.execution_options.get("all_organizations"):
            return
        if state.is_column_load:  # refreshing a row already loaded (by a scoped query)
            return
        if state.is_select or state.is_update or state.is_delete:
            check_statement(state.statement)
