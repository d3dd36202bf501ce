"""Relations followed outward past the first step: a shop's database where a customer has
invoices, each invoice has lines (a foreign key two steps from the person), and each line
may have notes (a join the database does not declare, three steps away). Access finds them
all, and erasure does to each table what the mapping declares — and nothing to anyone
else's rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Numeric, String, Table, create_engine

from charter.rights.connectors import Person, SystemAnswer, connector_for
from charter.runtime import Runtime
from charter.systems.sql import SqlConnector
from charter.systems.sql_database import forget_databases

from .conftest import PORTAL, SecondDatabase, policy_with, runtime_with, sql_system
from .databases import EMAIL, OTHER, rows

MAPPING: dict[str, Any] = {"tables": [
    # listed deepest first: the order the tables are reached in comes from the links
    {"name": "line_notes", "join": {"column": "line_ref", "to": "invoice_lines.id"},
     "columns": {"body": "billing"}, "erasure": "delete"},
    {"name": "invoice_lines", "columns": {"description": "billing", "amount": "billing"},
     "erasure": "delete"},
    {"name": "invoices", "columns": {"reference": "billing"}, "erasure": "clear"},
    {"name": "customers", "identity": {"email": "email"},
     "columns": {"email": "contact.email", "name": "contact.last_name"}, "erasure": "mask"},
]}


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[SecondDatabase]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = create_engine(url)
    metadata = MetaData()
    customers = Table("customers", metadata, Column("id", Integer, primary_key=True),
                      Column("email", String(200), nullable=False),
                      Column("name", String(100), nullable=False))
    invoices = Table("invoices", metadata, Column("id", Integer, primary_key=True),
                     Column("customer_id", Integer, ForeignKey("customers.id"),
                            nullable=False, index=True),
                     Column("number", String(20), nullable=False),
                     Column("reference", String(100)))
    lines = Table("invoice_lines", metadata, Column("id", Integer, primary_key=True),
                  Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False,
                         index=True),
                  Column("description", String(200), nullable=False),
                  Column("amount", Numeric(10, 2), nullable=False))
    notes = Table("line_notes", metadata, Column("id", Integer, primary_key=True),
                  Column("line_ref", Integer, nullable=False, index=True),
                  Column("body", String(200)))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(customers.insert(), [
            {"id": 1, "email": EMAIL, "name": "Peeters"},
            {"id": 2, "email": OTHER, "name": "Dubois"}])
        connection.execute(invoices.insert(), [
            {"id": 10, "customer_id": 1, "number": "2026-001", "reference": "PO Peeters 7"},
            {"id": 11, "customer_id": 1, "number": "2026-002", "reference": None},
            {"id": 12, "customer_id": 2, "number": "2026-003", "reference": "PO Dubois 1"}])
        connection.execute(lines.insert(), [
            {"id": 100, "invoice_id": 10, "description": "Dutch B1, evening", "amount": 320},
            {"id": 101, "invoice_id": 10, "description": "Course book", "amount": 35},
            {"id": 102, "invoice_id": 11, "description": "English C1", "amount": 410},
            {"id": 103, "invoice_id": 12, "description": "French A2", "amount": 280}])
        connection.execute(notes.insert(), [
            {"id": 1000, "line_ref": 100, "body": "Paid by her employer"},
            {"id": 1001, "line_ref": 103, "body": "Paid in two parts"}])
    yield SecondDatabase(url, engine, None)
    engine.dispose()
    forget_databases()


@pytest.fixture
def shop_runtime(runtime: Runtime, shop: SecondDatabase, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("SHOP_DATABASE_URL", shop.url)
    return runtime_with(runtime, policy_with(tmp_path, [
        PORTAL, sql_system("shop", MAPPING, ["contact", "billing"], "Shop")]))


def _call(runtime: Runtime, action: str, **kwargs: Any) -> SystemAnswer:
    system = next(s for s in runtime.policy.systems if s.id == "shop")
    connector = connector_for(runtime, system)
    assert isinstance(connector, SqlConnector)
    with runtime.transaction() as session:
        answer: SystemAnswer = getattr(connector, action)(
            session, runtime, Person(email=EMAIL, email_index=runtime.blind_index.email(EMAIL),
                                     request="R-1"), **kwargs)
        return answer


def test_the_tables_are_reached_from_the_person_outward(shop_runtime: Runtime) -> None:
    system = next(s for s in shop_runtime.policy.systems if s.id == "shop")
    connector = connector_for(shop_runtime, system)
    assert isinstance(connector, SqlConnector)
    database = connector.database(shop_runtime)
    reached = [(t.name, t.link.parent if t.link else None) for t in database.tables]
    assert reached == [("customers", None), ("invoices", "customers"),
                       ("invoice_lines", "invoices"), ("line_notes", "invoice_lines")]


def test_access_finds_the_grandchildren_of_the_person(shop_runtime: Runtime) -> None:
    answer = _call(shop_runtime, "export", provided_only=False)
    lines = sorted((r["description"], r["amount"]) for r in answer.data["billing"]
                   if r["table"] == "invoice_lines")
    assert lines == [("Course book", "35.00"), ("Dutch B1, evening", "320.00"),
                     ("English C1", "410.00")]  # two steps away; not Marc's French A2
    assert [r["body"] for r in answer.data["billing"] if r["table"] == "line_notes"] == \
        ["Paid by her employer"]  # three steps away, by the declared join
    assert "Dubois" not in repr(answer.data) and "Paid in two parts" not in repr(answer.data)


def test_erasure_reaches_the_grandchildren_as_declared(shop_runtime: Runtime,
                                                       shop: SecondDatabase) -> None:
    answer = _call(shop_runtime, "erase")
    assert [line["id"] for line in rows(shop.engine, "invoice_lines")] == [103]  # delete
    assert [note["id"] for note in rows(shop.engine, "line_notes")] == [1001]  # delete
    invoices = {i["id"]: i for i in rows(shop.engine, "invoices")}
    assert sorted(invoices) == [10, 11, 12]  # clear keeps the rows ...
    assert invoices[10]["reference"] is None  # ... without what was personal
    assert invoices[10]["number"] == "2026-001"  # unmapped columns stay
    assert invoices[12]["reference"] == "PO Dubois 1"
    customers = {c["id"]: c for c in rows(shop.engine, "customers")}
    assert customers[1]["email"].endswith("@erased.invalid")  # mask
    assert customers[1]["name"] != "Peeters"
    assert customers[2] == {"id": 2, "email": OTHER, "name": "Dubois"}
    assert sorted(answer.done) == ["personal details removed from the records we keep",
                                   "records deleted"]
