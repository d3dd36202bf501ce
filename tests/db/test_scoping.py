from __future__ import annotations

import pytest
from sqlalchemy import delete, func, or_, select, update

from charter.db import UnscopedQuery
from charter.models import Record, Subject
from charter.runtime import Runtime

from ..factories import person


def test_unscoped_queries_on_personal_data_are_refused(runtime: Runtime) -> None:
    person(runtime)
    with runtime.transaction() as session:
        for statement in (
            select(Subject),
            select(func.count()).select_from(Record),
            select(Record).join(Subject, Subject.id == Record.subject_id)
            .where(Subject.organization_id == 1),
            update(Record).values(restricted=True),
            delete(Subject).where(Subject.id == 1),
            # mentioning the column is not filtering by it
            select(Subject).where(Subject.organization_id != 1),
            select(Subject).where(Subject.organization_id.is_not(None)),
            select(Subject).where(or_(Subject.organization_id == 1, Subject.id > 0)),
            select(Record).join(Subject, (Subject.id == Record.subject_id)
                                & (Subject.organization_id == Record.organization_id)),
        ):
            with pytest.raises(UnscopedQuery):
                session.execute(statement)


def test_scoped_queries_and_the_visible_escape_hatch_pass(runtime: Runtime) -> None:
    subject = person(runtime)
    org = runtime.organization_id
    with runtime.transaction() as session:
        assert session.scalars(select(Subject).where(Subject.organization_id == org)).one() \
            .id == subject.id
        joined = select(Record).join(Subject, Subject.id == Record.subject_id).where(
            Subject.organization_id == org, Record.organization_id == org)
        assert len(session.scalars(joined).all()) == 1
        # one table pinned, the other joined to it on the organization: both scoped
        carried = select(Record).join(Subject, (Subject.id == Record.subject_id) & (
            Subject.organization_id == Record.organization_id)).where(
            Subject.organization_id.in_([org]))
        assert len(session.scalars(carried).all()) == 1
        everywhere = select(func.count()).select_from(Subject).execution_options(
            all_organizations=True)
        assert session.scalar(everywhere) == 1
