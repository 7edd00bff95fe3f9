"""Time the portfolio audit on a large generated portfolio.

    /work/venv/bin/python bench/bench_audit.py --documents 1000000

The script fills a fresh SQLite file (or the PostgreSQL database given with
--url) with one business and `--documents` invoices over `--customers`
customers. About 85% of the invoices get a payment with one allocation. It
then times `audit_portfolio` as of the last day and prints the figures.
Loading the data is not part of the timing. Results go in
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

from cobranza.config import Settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import Allocation, Customer, Document, Payment
from cobranza.portfolio import SegmentRules, audit_portfolio
from cobranza.portfolio.html import render_html

AS_OF = date(2026, 6, 30)
CHUNK = 50_000
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="audit the data already in --url instead of loading it again",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = open_database(url)
        if not args.reuse:
            started = time.perf_counter()
            fill(engine, args.documents, args.customers)
            print(f"load: {time.perf_counter() - started:.1f} s (not timed below)")
        run_audit(engine)
        engine.dispose()


def fill(engine: Any, documents: int, customers: int) -> None:
    rng = np.random.default_rng(7)
    with transaction(engine) as session:
        business = default_business(session, Settings(_env_file=None))
        business_id = business.id
        rows = [_customer_row(business_id, index) for index in range(1, customers + 1)]
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(Customer), rows[start : start + CHUNK])
    customer_ids = rng.integers(1, customers + 1, documents)
    issued_offsets = rng.integers(0, 540, documents)
    amounts = rng.integers(1_000_00, 500_000_00, documents)
    paid = rng.random(documents) < 0.85
    delays = rng.integers(-10, 60, documents)

    for start in range(0, documents, CHUNK):
        stop = min(start + CHUNK, documents)
        with transaction(engine) as session:
            _insert_chunk(
                session, business_id, start, stop, customer_ids, issued_offsets,
                amounts, paid, delays,
            )  # fmt: skip


def _customer_row(business_id: int, index: int) -> dict[str, Any]:
    return {
        "id": index,
        "business_id": business_id,
        "external_id": f"C{index:07d}",
        "name": f"Cliente {index} (ficticio)",
        "kind": "person",
        "phone_status": "missing",
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def _insert_chunk(
    session: Any,
    business_id: int,
    start: int,
    stop: int,
    customer_ids: Any,
    issued_offsets: Any,
    amounts: Any,
    paid: Any,
    delays: Any,
) -> None:
    first_day = AS_OF - timedelta(days=540)
    documents, payments, allocations = [], [], []
    for index in range(start, stop):
        issued_on = first_day + timedelta(days=int(issued_offsets[index]))
        due_on = issued_on + timedelta(days=30)
        amount = Decimal(int(amounts[index])).scaleb(-2)
        paid_on = due_on + timedelta(days=int(delays[index]))
        is_paid = bool(paid[index]) and paid_on <= AS_OF
        documents.append(
            {
                "id": index + 1,
                "business_id": business_id,
                "customer_id": int(customer_ids[index]),
                "kind": "invoice",
                "number": f"F-{index + 1:08d}",
                "issued_on": issued_on,
                "due_on": due_on,
                "amount": amount,
                "currency": "ARS",
                "open_amount": Decimal(0) if is_paid else amount,
                "disputed": False,
                "created_at": CREATED,
                "updated_at": CREATED,
            }
        )
        if not is_paid:
            continue
        paid_at = datetime.combine(paid_on, datetime.min.time(), tzinfo=UTC)
        payments.append(
            {
                "id": index + 1,
                "business_id": business_id,
                "customer_id": int(customer_ids[index]),
                "amount": amount,
                "currency": "ARS",
                "paid_at": paid_at + timedelta(hours=15),
                "provider": "bench",
                "provider_payment_id": str(index + 1),
                "status": "approved",
                "unallocated": Decimal(0),
                "created_at": CREATED,
            }
        )
        allocations.append(
            {
                "business_id": business_id,
                "payment_id": index + 1,
                "document_id": index + 1,
                "amount": amount,
            }
        )
    session.execute(insert(Document), documents)
    if payments:
        session.execute(insert(Payment), payments)
        session.execute(insert(Allocation), allocations)


def run_audit(engine: Any) -> None:
    with transaction(engine) as session:
        business = default_business(session, Settings(_env_file=None))
        before_mib = _peak_mib()
        started = time.perf_counter()
        report = audit_portfolio(
            session, business, AS_OF, today=AS_OF, rules=SegmentRules()
        )
        audited = time.perf_counter()
        data = report.to_dict()
        serialised = time.perf_counter()
        page = render_html(report, "es_AR")
        rendered = time.perf_counter()

    peak_mib = _peak_mib()
    print(f"audit (query, metrics, segments stored): {audited - started:.1f} s")
    print(f"to_dict: {serialised - audited:.1f} s")
    print(f"render_html: {rendered - serialised:.1f} s ({len(page) / 1e6:.1f} MB)")
    print(
        f"peak resident memory: {before_mib:.0f} MiB before the audit, "
        f"{peak_mib:.0f} MiB after it"
    )
    print(
        f"open invoices: {data['open_invoices']}, customers: {len(data['customers'])}"
    )


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
