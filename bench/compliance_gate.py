"""Benchmark the consent subquery and the gate at portfolio scale.

Builds a portfolio of CUSTOMERS customers with one to three consent events
each, then times:

1. `consent_granted_subquery` counted over the whole portfolio;
2. `capped_customers_query` over one sent message per customer;
3. `evaluate` for every customer (the pure gate, no database).

Run: /work/venv/bin/python -m bench.compliance_gate [DATABASE_URL]
The default URL is a temporary SQLite file; pass a PostgreSQL URL to an
empty database to measure there.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from cobranza.compliance import (
    GateFacts,
    capped_customers_query,
    consent_granted_subquery,
    evaluate,
    legal_rules,
)
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import (
    Business,
    Case,
    ConsentEvent,
    Customer,
    OutboxMessage,
    OutboxState,
)

CUSTOMERS = 100_000
BATCH = 5_000
NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
SANTIAGO = "America/Santiago"


def build_portfolio(engine: Engine) -> int:
    """Insert the customers, their consent events and one sent message each."""
    with transaction(engine) as session:
        business = Business(
            name="bench",
            country="CL",
            timezone=SANTIAGO,
            currency="CLP",
            locale="es_CL",
            settings={},
            created_at=NOW,
        )
        session.add(business)
        session.flush()
        business_id = business.id

    for first in range(0, CUSTOMERS, BATCH):
        numbers = range(first, min(first + BATCH, CUSTOMERS))
        with transaction(engine) as session:
            ids = session.scalars(
                insert(Customer).returning(Customer.id),
                [_customer_row(business_id, number) for number in numbers],
            ).all()
            session.execute(
                insert(ConsentEvent),
                [
                    row
                    for number, customer_id in zip(numbers, ids, strict=True)
                    for row in _consent_rows(business_id, customer_id, number)
                ],
            )
            case_ids = session.scalars(
                insert(Case).returning(Case.id),
                [
                    {
                        "business_id": business_id,
                        "customer_id": customer_id,
                        "opened_at": NOW,
                        "closed_at": NOW,
                    }
                    for customer_id in ids
                ],
            ).all()
            session.execute(
                insert(OutboxMessage),
                [
                    _outbox_row(business_id, customer_id, case_id, number)
                    for number, customer_id, case_id in zip(
                        numbers, ids, case_ids, strict=True
                    )
                ],
            )
    return business_id


def _customer_row(business_id: int, number: int) -> dict[str, object]:
    return {
        "business_id": business_id,
        "external_id": f"C{number:06d}",
        "name": f"Cliente {number}",
        "created_at": NOW,
        "updated_at": NOW,
    }


def _consent_rows(
    business_id: int, customer_id: int, number: int
) -> list[dict[str, object]]:
    actions = ("grant", "revoke", "grant")[: 1 + number % 3]
    return [
        {
            "business_id": business_id,
            "customer_id": customer_id,
            "channel": "whatsapp",
            "action": action,
            "source": "bench",
            "at": NOW - timedelta(days=30 - index),
        }
        for index, action in enumerate(actions)
    ]


def _outbox_row(
    business_id: int, customer_id: int, case_id: int, number: int
) -> dict[str, object]:
    return {
        "business_id": business_id,
        "case_id": case_id,
        "customer_id": customer_id,
        "step": "reminder",
        "step_kind": "reminder",
        "tone": "friendly",
        "locale": "es_CL",
        "idempotency_key": f"bench-{number}",
        "state": OutboxState.DELIVERED,
        "planned_for": NOW,
        "sent_at": NOW - timedelta(hours=number % 200),
        "created_at": NOW,
    }


def timed(label: str, action: object) -> object:
    start = time.perf_counter()
    result = action() if callable(action) else action
    print(f"{label}: {time.perf_counter() - start:.3f} s -> {result}")
    return result


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    if url is None:
        folder = tempfile.mkdtemp(prefix="cobranza-bench-")
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
    engine = open_database(url)
    print(f"database: {engine.url.get_backend_name()}, customers: {CUSTOMERS}")

    business_id = timed("build portfolio", lambda: build_portfolio(engine))
    assert isinstance(business_id, int)
    rules = legal_rules("CL")

    def count_granted() -> int:
        granted = consent_granted_subquery(business_id)
        with transaction(engine) as session:
            return session.scalar(select(func.count()).select_from(granted)) or 0

    def count_capped() -> int:
        query = capped_customers_query(business_id, rules, NOW, SANTIAGO)
        with transaction(engine) as session:
            return len(session.scalars(query).all())

    def gate_all() -> int:
        sent = 0
        for number in range(CUSTOMERS):
            facts = GateFacts(
                consent=True,
                balance=Decimal("100"),
                phone_status="valid",
                tz=SANTIAGO,
                previous_sends=(NOW - timedelta(hours=number % 200),),
            )
            sent += evaluate(facts, rules, NOW).action == "send"
        return sent

    for attempt in (1, 2):
        timed(f"consent_granted_subquery count, run {attempt}", count_granted)
    for attempt in (1, 2):
        timed(f"capped_customers_query, run {attempt}", count_capped)
    timed("evaluate for every customer", gate_all)
    engine.dispose()


if __name__ == "__main__":
    main()
