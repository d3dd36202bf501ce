"""Access and erasure of one person across Charter's store and two SQL systems of a million
rows each, against hand-written SQL doing the same reads and writes in the same run.

    .venv/bin/python benchmarks/systems_access_erasure.py --rows 1000000          # SQLite
    .venv/bin/python benchmarks/systems_access_erasure.py --rows 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test                 # PostgreSQL

The two systems are the accounting program's SQLite file (clients, and one invoice each,
kept under a legal hold) and the school's database (customers, and one enrolment each) — an
SQLite file, or with --database-url a schema in a PostgreSQL database of its own on the same
server (never Charter's own database: the connector refuses it).
ROWS is the number of clients and of customers; each system holds twice as many rows. Both
have an index on lower(email) and on their foreign keys, as docs/systems.md advises.

Charter's access runs the three connectors as a request does (the built-in store decrypts the
person's records; each SQL connector finds the person by identity, follows the foreign key and
maps each column to its category). Its erasure erases in the store, masks the client and
marks the held invoice, anonymises the customer and deletes the enrolments, with the audit
events. The baseline selects, then updates and deletes, the same rows by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml
from _harness import Timing, charter_store, report
from rich.console import Console
from rights_access_erasure import _records, fill, sql_access, sql_erasure
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    func,
    make_url,
    text,
)

from charter.rights.connectors import Person, SystemAnswer, connector_for
from charter.runtime import Runtime, open_runtime
from charter.subjects import store_subject_data
from charter.systems.sql_database import external_url, forget_databases

ACCOUNTING = {"tables": [
    {"name": "clients", "identity": {"email": "email"},
     "columns": {"email": "contact.email", "company": "billing.company",
                 "vat": "billing.vat_number"},
     "erasure": "mask", "restrict_column": "blocked"},
    {"name": "invoices", "columns": {"number": "billing", "amount": "billing"},
     "erasure": "hold", "restrict_column": "blocked",
     "hold": {"legal_hold": "tax_records", "from_column": "issued_on"}}]}


def school_mapping(schema: str | None) -> dict[str, Any]:
    return {"schema_name": schema, "tables": [
        {"name": "customers", "identity": {"email": "email"},
         "columns": {"email": "contact.email", "phone": "contact.phone",
                     "first_name": "identity.first_name", "last_name": "identity.last_name"},
         "erasure": "anonymise", "restrict_column": "restricted"},
        {"name": "enrolments", "columns": {"course": "language_profile"},
         "erasure": "delete", "restrict_column": "restricted"}]}


def accounting_schema(metadata: MetaData) -> tuple[Table, Table]:
    clients = Table("clients", metadata, Column("id", Integer, primary_key=True),
                    Column("email", String(200), nullable=False), Column("company", String(200)),
                    Column("vat", String(20)), Column("blocked", Boolean, nullable=False))
    invoices = Table("invoices", metadata, Column("id", Integer, primary_key=True),
                     Column("client_id", Integer, ForeignKey("clients.id"), nullable=False),
                     Column("number", String(20), nullable=False),
                     Column("issued_on", Date, nullable=False), Column("amount", Numeric(10, 2)),
                     Column("blocked", Boolean, nullable=False))
    Index("ix_clients_email", func.lower(clients.c.email))
    Index("ix_invoices_client", invoices.c.client_id)
    return clients, invoices


def school_schema(metadata: MetaData, schema: str | None) -> tuple[Table, Table]:
    customers = Table("customers", metadata, Column("id", Integer, primary_key=True),
                      Column("email", String(200), nullable=False), Column("phone", String(40)),
                      Column("first_name", String(100)), Column("last_name", String(100)),
                      Column("restricted", Boolean, nullable=False), schema=schema)
    prefix = f"{schema}." if schema else ""
    enrolments = Table("enrolments", metadata, Column("id", Integer, primary_key=True),
                       Column("customer_id", Integer, ForeignKey(f"{prefix}customers.id"),
                              nullable=False),
                       Column("course", String(100)), Column("restricted", Boolean,
                                                            nullable=False), schema=schema)
    Index("ix_customers_email", func.lower(customers.c.email))
    Index("ix_enrolments_customer", enrolments.c.customer_id)
    return customers, enrolments


def _series(connection: Connection, table: str, columns: str, values: str, rows: int) -> None:
    """ROWS generated rows in one statement; ``i`` counts from 1."""
    if connection.dialect.name == "postgresql":
        statement = (f"INSERT INTO {table} ({columns}) SELECT {values} "
                     "FROM generate_series(1, :n) AS s(i)")
    else:
        statement = (f"INSERT INTO {table} ({columns}) WITH RECURSIVE s(i) AS (SELECT 1 UNION "
                     f"ALL SELECT i + 1 FROM s WHERE i < :n) SELECT {values} FROM s")
    connection.execute(text(statement), {"n": rows})


def fill_accounting(engine: Engine, rows: int, measured: int) -> None:
    metadata = MetaData()
    accounting_schema(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        _series(connection, "clients", "id, email, company, vat, blocked",
                "i, 'client' || i || '@example.org', 'Company ' || i, 'BE0' || i, false", rows)
        _series(connection, "invoices", "id, client_id, number, issued_on, amount, blocked",
                "i, i, 'F-' || i, '2025-11-03', 120, false", rows)
        for n in range(measured):
            connection.execute(text(
                "INSERT INTO clients (id, email, company, vat, blocked) VALUES "
                "(:id, :e, 'Atelier', 'BE0123456789', false)"),
                {"id": rows + 1 + n, "e": f"Measured{n}@Example.org"})
            connection.execute(text(
                "INSERT INTO invoices (id, client_id, number, issued_on, amount, blocked) "
                "VALUES (:id, :id, 'F-M', '2025-11-03', 480, false)"), {"id": rows + 1 + n})
        connection.execute(text("ANALYZE"))


def fill_school(engine: Engine, schema: str | None, rows: int, measured: int) -> None:
    metadata = MetaData()
    school_schema(metadata, schema)
    metadata.create_all(engine)
    prefix = f"{schema}." if schema else ""
    with engine.begin() as connection:
        _series(connection, f"{prefix}customers",
                "id, email, phone, first_name, last_name, restricted",
                "i, 'customer' || i || '@example.org', '+3247' || i, 'Anna', 'Peeters', false",
                rows)
        _series(connection, f"{prefix}enrolments", "id, customer_id, course, restricted",
                "i, i, 'Dutch B1', false", rows)
        for n in range(measured):
            connection.execute(text(
                f"INSERT INTO {prefix}customers (id, email, phone, first_name, last_name, "
                "restricted) VALUES (:id, :e, '+32470123456', 'Anna', 'Peeters', false)"),
                {"id": rows + 1 + n, "e": f"measured{n}@example.org"})
            connection.execute(text(
                f"INSERT INTO {prefix}enrolments (id, customer_id, course, restricted) "
                "VALUES (:id, :c, 'Dutch B1', false)"), {"id": rows + 1 + n, "c": rows + 1 + n})
        connection.execute(text(f"ANALYZE {prefix}customers" if schema else "ANALYZE"))
        if schema:
            connection.execute(text(f"ANALYZE {prefix}enrolments"))


def with_systems(runtime: Runtime, schema: str | None) -> Runtime:
    """The example policy with the two SQL systems added after Charter's own store."""
    path = runtime.settings.policy
    document = yaml.safe_load(path.read_text())
    builtin = next(s for s in document["systems"] if s["kind"] == "builtin")
    document["systems"] = [builtin, {
        "id": "accounting", "kind": "sql", "label": {"en": "Accounting"},
        "categories": ["contact", "billing"], "url_env": "BENCH_ACCOUNTING_URL",
        "sql": ACCOUNTING}, {
        "id": "school", "kind": "sql", "label": {"en": "School"},
        "categories": ["contact", "identity", "language_profile"],
        "url_env": "BENCH_SCHOOL_URL", "sql": school_mapping(schema)}]
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return open_runtime(runtime.settings, engine=runtime.engine)


def measured_people(runtime: Runtime, numbers: range) -> list[tuple[int, int]]:
    """(number, subject id) of people written through Charter, also in both systems."""
    found = []
    for n in numbers:
        with runtime.transaction() as session:
            subject = store_subject_data(session, runtime, email=f"measured{n}@example.org",
                                         records=_records(n), actor="bench")
            found.append((n, subject.id))
    return found


def charter_access(runtime: Runtime, n: int, subject_id: int) -> None:
    person = Person(f"measured{n}@example.org", "x", subject_id)
    with runtime.transaction() as session:
        parts: dict[str, SystemAnswer] = {}
        for system in runtime.policy.systems:
            parts[system.id] = connector_for(runtime, system).export(
                session, runtime, person, provided_only=False)
        assert all(p.found for p in parts.values()), parts


def charter_erasure(runtime: Runtime, n: int, subject_id: int) -> None:
    person = Person(f"measured{n}@example.org", "x", subject_id, request=f"R-{n}")
    with runtime.transaction() as session:
        for system in runtime.policy.systems:
            assert connector_for(runtime, system).erase(session, runtime, person).found


class Baseline:
    """The same work by hand, on connections opened once."""

    def __init__(self, accounting: Engine, school: Engine, schema: str | None) -> None:
        self.accounting, self.school = accounting, school
        self.prefix = f"{schema}." if schema else ""

    def access(self, runtime: Runtime, n: int, subject_id: int) -> None:
        sql_access(runtime, subject_id)
        email = f"measured{n}@example.org"
        with self.accounting.connect() as connection:
            clients = connection.execute(text(
                "SELECT * FROM clients WHERE lower(email) = :e"), {"e": email}).fetchall()
            connection.execute(text("SELECT * FROM invoices WHERE client_id = :c"),
                               {"c": clients[0].id}).fetchall()
        with self.school.connect() as connection:
            customers = connection.execute(text(
                f"SELECT * FROM {self.prefix}customers WHERE lower(email) = :e"),
                {"e": email}).fetchall()
            connection.execute(text(
                f"SELECT * FROM {self.prefix}enrolments WHERE customer_id = :c"),
                {"c": customers[0].id}).fetchall()

    def erasure(self, runtime: Runtime, n: int, subject_id: int) -> None:
        sql_erasure(runtime, subject_id)
        email = f"measured{n}@example.org"
        with self.accounting.begin() as connection:
            [client] = connection.execute(text(
                "SELECT id FROM clients WHERE lower(email) = :e"), {"e": email}).fetchall()
            connection.execute(text("UPDATE invoices SET blocked = true WHERE client_id = :c"),
                               {"c": client.id})
            connection.execute(text(
                "UPDATE clients SET email = :m, company = 'erased', vat = 'erased' "
                "WHERE id = :c"), {"c": client.id, "m": f"erased-{n}@erased.invalid"})
        with self.school.begin() as connection:
            [customer] = connection.execute(text(
                f"SELECT id FROM {self.prefix}customers WHERE lower(email) = :e"),
                {"e": email}).fetchall()
            connection.execute(text(
                f"DELETE FROM {self.prefix}enrolments WHERE customer_id = :c"),
                {"c": customer.id})
            connection.execute(text(
                f"UPDATE {self.prefix}customers SET email = :m, phone = 'erased', "
                "first_name = 'erased', last_name = 'erased' WHERE id = :c"),
                {"c": customer.id, "m": f"erased-{n}@erased.invalid"})


def timed_pair(names: tuple[str, str],
               actions: tuple[Callable[[Runtime, int, int], None],
                              Callable[[Runtime, int, int], None]],
               people: tuple[list[tuple[int, int]], list[tuple[int, int]]],
               runtime: Runtime) -> tuple[Timing, Timing]:
    """Charter and the baseline take turns, person by person, so that neither finds the
    other's pages warmer in the database's cache."""
    seconds: tuple[list[float], list[float]] = ([], [])
    for pair in zip(*people, strict=True):
        for side in (0, 1):
            n, subject_id = pair[side]
            started = time.perf_counter()
            actions[side](runtime, n, subject_id)
            seconds[side].append(time.perf_counter() - started)
    return Timing(names[0], seconds[0]), Timing(names[1], seconds[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL: Charter's store, and the school in a database of "
                        "its own on the same server")
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="clients and customers per system (each has as many children)")
    parser.add_argument("--subjects", type=int, default=10_000,
                        help="other people in Charter's own store")
    parser.add_argument("--measured", type=int, default=30)
    args = parser.parse_args()
    console = Console()
    pg = bool(args.database_url and args.database_url.startswith("postgresql"))
    schema = "school" if pg else None
    school_database = f"charter_school_bench_{int(time.time())}"
    admin = create_engine(external_url(args.database_url or "sqlite://"),
                          isolation_level="AUTOCOMMIT")
    with tempfile.TemporaryDirectory() as folder, charter_store(args.database_url) as store:
        accounting_url = f"sqlite:///{Path(folder) / 'accounting.db'}"
        school_url = f"sqlite:///{Path(folder) / 'school.db'}"
        if pg:
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {school_database}"))
            school_url = make_url(args.database_url).set(database=school_database).render_as_string(
                hide_password=False)
        accounting = create_engine(accounting_url)
        school = create_engine(external_url(school_url))
        if schema:
            with school.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            started = time.perf_counter()
            fill(store, args.subjects)
            total = 4 * args.measured
            fill_accounting(accounting, args.rows, total)
            fill_school(school, schema, args.rows, total)
            console.print(f"filled in {time.perf_counter() - started:.0f} s")
            os.environ["BENCH_ACCOUNTING_URL"] = accounting_url
            os.environ["BENCH_SCHOOL_URL"] = school_url
            runtime = with_systems(store, schema)
            m = args.measured
            groups = [measured_people(runtime, range(g * m, (g + 1) * m)) for g in range(4)]
            baseline = Baseline(accounting, school, schema)
            charter_access(runtime, *groups[0][0])  # resolve the mappings once, untimed
            baseline.access(runtime, *groups[1][0])
            pairs = [
                timed_pair(("charter: access across three systems",
                            "baseline: SELECT the same rows"),
                           (charter_access, baseline.access), (groups[0][1:], groups[1][1:]),
                           runtime),
                timed_pair(("charter: erasure across three systems",
                            "baseline: UPDATE/DELETE the same rows"),
                           (charter_erasure, baseline.erasure), (groups[2], groups[3]),
                           runtime),
            ]
            where = "PostgreSQL (school in a database of its own) + SQLite" if pg else "SQLite"
            report(f"{where}: two systems of {args.rows:,} clients/customers and as many "
                   f"invoices/enrolments; {args.measured} people measured per line",
                   pairs, console)
        finally:
            forget_databases()
            accounting.dispose()
            school.dispose()
            if pg:
                with admin.connect() as connection:
                    connection.execute(text(f"DROP DATABASE IF EXISTS {school_database} "
                                            "WITH (FORCE)"))
            admin.dispose()


if __name__ == "__main__":
    main()
