"""Time one planning cycle over a large portfolio, on SQLite and PostgreSQL.

The portfolio is loaded with one INSERT ... SELECT per table (a recursive CTE
on SQLite, generate_series on PostgreSQL), so loading takes seconds, not
hours. Each customer gets the same number of open invoices, a week apart, the
oldest due between 90 days ago and 9 days ahead, and 2% of them disputed. The script
then measures, in the same run:

- a bare SQL aggregate over the same rows (SUM, MIN, COUNT per customer),
  twice, to show how much of its time is a cold cache,
- the planner's own aggregate query alone, fetched to the end,
- the first planning cycle (opens every case and queues the messages),
- a second cycle at the same instant (which must create nothing).

Wall time comes from `time.perf_counter`; peak memory is the growth of the
process's maximum resident set size (`resource.getrusage`) during the step.

Run by hand, not in CI:

    /work/venv/bin/python -m bench.bench_planner --backend sqlite
    COBRANZA_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        /work/venv/bin/python -m bench.bench_planner --backend postgres

PostgreSQL runs in a scratch database that the script creates and drops.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from cobranza.compliance.business_days import overdue_cutoff
from cobranza.compliance.rules import legal_rules
from cobranza.db.engine import make_engine, session_factory, upgrade
from cobranza.db.models import AuditEvent, Business, Case, OutboxMessage
from cobranza.dunning.balances import customer_balances_query
from cobranza.dunning.planner import plan
from cobranza.dunning.policy_loader import default_policy_path, load_policy

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SEGMENTS = ("punctual", "new", "occasional_late", "chronic_late", "month_end")

# Column values shared by both loaders: amounts are stored scaled by 10,000.
SQLITE_CUSTOMERS = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO customer (business_id, external_id, name, kind, phone, phone_status,
                      segment, created_at, updated_at)
SELECT :business_id, 'C' || i, 'Cliente ' || i,
       CASE WHEN i % 4 = 0 THEN 'company' ELSE 'person' END,
       '+54911' || (10000000 + i), 'valid',
       CASE i % 5 WHEN 0 THEN 'punctual' WHEN 1 THEN 'new'
                  WHEN 2 THEN 'occasional_late' WHEN 3 THEN 'chronic_late'
                  ELSE 'month_end' END,
       '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'
FROM n
"""
SQLITE_DOCUMENTS = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :count - 1)
INSERT INTO document (business_id, customer_id, kind, number, issued_on, due_on,
                      amount, currency, open_amount, disputed, created_at,
                      updated_at)
SELECT :business_id, :first_customer + (i % :customers), 'invoice', 'F-' || i,
       '2026-01-01',
       date('2026-03-10',
            ((i % :customers) * 7919 % 100 - 90 + (i / :customers) * 7) || ' days'),
       (1000 + i % 5000) * 10000, 'ARS', (1000 + i % 5000) * 10000,
       CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END,
       '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'
FROM n
"""
POSTGRES_CUSTOMERS = """
INSERT INTO customer (business_id, external_id, name, kind, phone, phone_status,
                      segment, created_at, updated_at)
SELECT :business_id, 'C' || i, 'Cliente ' || i,
       CASE WHEN i % 4 = 0 THEN 'company' ELSE 'person' END,
       '+54911' || (10000000 + i), 'valid',
       (ARRAY['punctual', 'new', 'occasional_late', 'chronic_late',
              'month_end'])[i % 5 + 1],
       '2026-01-01', '2026-01-01'
FROM generate_series(1, :count) AS i
"""
POSTGRES_DOCUMENTS = """
INSERT INTO document (business_id, customer_id, kind, number, issued_on, due_on,
                      amount, currency, open_amount, disputed, created_at,
                      updated_at)
SELECT :business_id, :first_customer + (i % :customers), 'invoice', 'F-' || i,
       DATE '2026-01-01',
       DATE '2026-03-10' + ((i % :customers) * 7919 % 100 - 90 + (i / :customers) * 7),
       (1000 + i % 5000) * 10000, 'ARS', (1000 + i % 5000) * 10000, i % 50 = 0,
       '2026-01-01', '2026-01-01'
FROM generate_series(0, :count - 1) AS i
"""
BARE_AGGREGATE = """
SELECT customer_id, SUM(open_amount), MIN(due_on), COUNT(*)
FROM document WHERE business_id = :business_id AND open_amount <> 0
GROUP BY customer_id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    arguments = parser.parse_args()

    with _database(arguments.backend) as url:
        engine = make_engine(url)
        upgrade(engine)
        _run(engine, arguments.invoices, arguments.customers)
        engine.dispose()


def _run(engine: Engine, invoices: int, customers: int) -> None:
    dialect = engine.dialect.name
    policy = load_policy(default_policy_path())
    print(f"backend {dialect}, {invoices:,} invoices of {customers:,} customers")

    with session_factory(engine).begin() as session:
        business = Business(
            name="Bench",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        session.add(business)
        session.flush()
        business_id = business.id

    _measure(
        "load the portfolio", lambda: _load(engine, business_id, invoices, customers)
    )
    with engine.connect() as connection:
        # Fresh statistics on both; SQLite also folds its write-ahead log
        # into the database file, so the first query does not pay for it.
        if dialect == "sqlite":
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        connection.execute(text("ANALYZE"))
        connection.commit()

    def bare() -> int:
        with engine.connect() as connection:
            rows = connection.execute(
                text(BARE_AGGREGATE), {"business_id": business_id}
            )
            return len(rows.all())

    def planner_query() -> int:
        today = NOW.astimezone(UTC).date()
        query = customer_balances_query(
            business_id, today, overdue_cutoff(legal_rules("AR"), today), dialect
        )
        with engine.connect() as connection:
            rows = connection.execution_options(yield_per=5000).execute(query)
            return sum(1 for _ in rows)

    def cycle() -> Any:
        with session_factory(engine).begin() as session:
            target = session.get_one(Business, business_id)
            return plan(session, target, NOW, policy).as_dict()

    # Peak RSS never shrinks, so a step shows growth only above earlier peaks.
    _measure("bare SQL aggregate", bare)
    _measure("bare SQL aggregate, again", bare)
    _measure("planner aggregate query alone", planner_query)
    _measure("planning cycle 1", cycle)
    _measure("planning cycle 2 (same instant)", cycle)

    with session_factory(engine).begin() as session:
        for model in (Case, OutboxMessage, AuditEvent):
            count = session.scalar(select(func.count()).select_from(model))
            print(f"  {model.__tablename__}: {count:,} rows")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole process: {peak:.0f} MiB")


def _load(engine: Engine, business_id: int, invoices: int, customers: int) -> int:
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.execute(
            text(POSTGRES_CUSTOMERS if postgres else SQLITE_CUSTOMERS),
            {"business_id": business_id, "count": customers},
        )
        first = connection.scalar(
            text("SELECT MIN(id) FROM customer WHERE business_id = :id"),
            {"id": business_id},
        )
        connection.execute(
            text(POSTGRES_DOCUMENTS if postgres else SQLITE_DOCUMENTS),
            {
                "business_id": business_id,
                "count": invoices,
                "customers": customers,
                "first_customer": first,
            },
        )
    return invoices


def _measure(label: str, step: Callable[[], Any]) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = step()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux.
    growth = (after - before) / 1024
    print(f"{label}: {elapsed:.2f} s, peak RSS +{growth:.0f} MiB -> {outcome}")
    sys.stdout.flush()


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return

    admin_url = os.environ.get("COBRANZA_TEST_POSTGRES_URL")
    if not admin_url:
        raise SystemExit(
            "COBRANZA_TEST_POSTGRES_URL is not set: point it at a PostgreSQL "
            "server where the script may create a scratch database"
        )
    name = f"cobranza_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
