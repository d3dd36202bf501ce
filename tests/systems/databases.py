"""The second databases the connector tests reach: an accounting program's SQLite file, and a
school's database (customers, invoices, enrolments, and notes linked by a join the database
does not declare) on SQLite or in a PostgreSQL schema of its own. Neither is Charter's."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    select,
)

EMAIL = "sophie.peeters@example.org"
OTHER = "marc.dubois@example.org"
OLD_INVOICE = date(2015, 3, 1)  # its seven-year hold has ended
RECENT_INVOICE = date(2025, 11, 3)  # held until 2032


def accounting_tables(metadata: MetaData) -> dict[str, Table]:
    clients = Table(
        "clients", metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(200), nullable=False),
        Column("company", String(200)),
        Column("vat", String(20)),
        Column("street", String(200), nullable=False),
        Column("blocked", Boolean, nullable=False, default=False))
    invoices = Table(
        "invoices", metadata,
        Column("id", Integer, primary_key=True),
        Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
        Column("number", String(20), nullable=False),
        Column("issued_on", Date, nullable=False),
        Column("amount", Numeric(10, 2), nullable=False),
        Column("blocked", Boolean, nullable=False, default=False))
    return {"clients": clients, "invoices": invoices}


def create_accounting(engine: Engine) -> None:
    metadata = MetaData()
    tables = accounting_tables(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(tables["clients"].insert(), [
            {"id": 1, "email": "Sophie.Peeters@Example.org", "company": "Peeters BV",
             "vat": "BE0999999999", "street": "Kerkstraat 1", "blocked": False},
            {"id": 2, "email": OTHER, "company": "Dubois SA", "vat": "BE0888888888",
             "street": "Rue Haute 2", "blocked": False}])
        connection.execute(tables["invoices"].insert(), [
            {"id": 10, "client_id": 1, "number": "2015-007", "issued_on": OLD_INVOICE,
             "amount": 120, "blocked": False},
            {"id": 11, "client_id": 1, "number": "2025-101", "issued_on": RECENT_INVOICE,
             "amount": 480, "blocked": False},
            {"id": 12, "client_id": 2, "number": "2025-102", "issued_on": RECENT_INVOICE,
             "amount": 90, "blocked": False}])


ACCOUNTING_MAPPING: dict[str, Any] = {"tables": [
    {"name": "clients", "identity": {"email": "email"},
     "columns": {"email": "contact.email", "company": "billing.company",
                 "vat": "billing.vat_number", "street": "billing.street"},
     "erasure": "mask", "restrict_column": "blocked"},
    {"name": "invoices", "columns": {"number": "billing", "amount": "billing"},
     "erasure": "hold", "restrict_column": "blocked",
     "hold": {"legal_hold": "accounting_records", "from_column": "issued_on",
              "then": "delete"}},
]}


def school_tables(metadata: MetaData, schema: str | None) -> dict[str, Table]:
    customers = Table(
        "customers", metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(200), nullable=False, unique=True),
        Column("phone", String(40)),
        Column("first_name", String(100), nullable=False),
        Column("last_name", String(100), nullable=False),
        Column("birth_date", Date),
        Column("restricted", Boolean, nullable=False, default=False),
        schema=schema)
    prefix = f"{schema}." if schema else ""
    invoices = Table(
        "invoices", metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_id", Integer, ForeignKey(f"{prefix}customers.id"), nullable=False,
               index=True),
        Column("number", String(20), nullable=False),
        Column("issued_on", Date, nullable=False),
        Column("company", String(200)),
        Column("restricted", Boolean, nullable=False, default=False),
        schema=schema)
    enrolments = Table(
        "enrolments", metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_id", Integer, ForeignKey(f"{prefix}customers.id"), nullable=False,
               index=True),
        Column("course", String(100), nullable=False),
        Column("level", String(10)),
        Column("restricted", Boolean, nullable=False, default=False),
        schema=schema)
    notes = Table(  # linked by customer_ref, a relation the schema does not declare
        "notes", metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_ref", Integer, nullable=False, index=True),
        Column("body", Text),
        Column("restricted", Boolean, nullable=False, default=False),
        schema=schema)
    return {"customers": customers, "invoices": invoices, "enrolments": enrolments,
            "notes": notes}


def create_school(engine: Engine, schema: str | None) -> None:
    metadata = MetaData()
    tables = school_tables(metadata, schema)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(tables["customers"].insert(), [
            {"id": 1, "email": EMAIL, "phone": "+32470123456", "first_name": "Sophie",
             "last_name": "Peeters", "birth_date": date(1990, 6, 15), "restricted": False},
            {"id": 2, "email": OTHER, "phone": "+32470654321", "first_name": "Marc",
             "last_name": "Dubois", "birth_date": date(1985, 2, 1), "restricted": False}])
        connection.execute(tables["invoices"].insert(), [
            {"id": 20, "customer_id": 1, "number": "S-2025-1", "issued_on": RECENT_INVOICE,
             "company": "Peeters BV", "restricted": False},
            {"id": 21, "customer_id": 2, "number": "S-2025-2", "issued_on": RECENT_INVOICE,
             "company": None, "restricted": False}])
        connection.execute(tables["enrolments"].insert(), [
            {"id": 30, "customer_id": 1, "course": "Dutch B1", "level": "B1",
             "restricted": False},
            {"id": 31, "customer_id": 1, "course": "English C1", "level": "C1",
             "restricted": False},
            {"id": 32, "customer_id": 2, "course": "French A2", "level": "A2",
             "restricted": False}])
        connection.execute(tables["notes"].insert(), [
            {"id": 40, "customer_ref": 1, "body": "Prefers evening classes",
             "restricted": False},
            {"id": 41, "customer_ref": 2, "body": "Pays by transfer", "restricted": False}])


def school_mapping(schema: str | None) -> dict[str, Any]:
    return {"schema_name": schema, "tables": [
        {"name": "customers", "identity": {"email": "email", "phone": "phone"},
         "columns": {"email": "contact.email", "phone": "contact.phone",
                     "first_name": "contact.first_name", "last_name": "contact.last_name",
                     "birth_date": "contact.birth_date"},
         "erasure": "anonymise", "restrict_column": "restricted"},
        {"name": "invoices", "columns": {"number": "billing", "company": "billing.company"},
         "erasure": "hold", "restrict_column": "restricted",
         "hold": {"legal_hold": "accounting_records", "from_column": "issued_on"}},
        {"name": "enrolments", "columns": {"course": "language_profile",
                                           "level": "language_profile.level"},
         "erasure": "delete", "restrict_column": "restricted"},
        {"name": "notes", "join": {"column": "customer_ref", "to": "customers.id"},
         "columns": {"body": "contact"}, "erasure": "clear", "restrict_column": "restricted"},
    ]}


def rows(engine: Engine, table: str, schema: str | None = None) -> list[dict[str, Any]]:
    """Every row of a table, by id: what the database holds now."""
    metadata = MetaData()
    found = Table(table, metadata, schema=schema, autoload_with=engine)
    with engine.connect() as connection:
        statement = select(found).order_by(found.c.id)
        return [dict(r) for r in connection.execute(statement).mappings()]
