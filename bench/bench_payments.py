"""Time payment notifications from storage to a paid case, on SQLite and PostgreSQL.

Each of `--customers` customers owes two invoices and has an open case and a
sandbox payment link. The script then stores and processes one signed
sandbox notification per customer (`inbox.store_event`, then
`inbox.process_event`, each in its own transactions as the webhook route
runs them): the payment is inserted, allocated, the case closed and the
thank-you queued. A second pass delivers every notification again, which
must change nothing. Wall time comes from `time.perf_counter`.

Run by hand, not in CI:

    /work/venv/bin/python -m bench.bench_payments --backend sqlite
    COBRANZA_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        /work/venv/bin/python -m bench.bench_payments --backend postgres

PostgreSQL runs in a scratch database that the script creates and drops.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from cobranza.db.engine import make_engine, session_factory, transaction, upgrade
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    Document,
    OutboxMessage,
    Payment,
    PaymentLink,
)
from cobranza.payments import inbox
from cobranza.payments.links import ensure_link
from cobranza.payments.sandbox import SandboxHandler, sign_notification
from cobranza.payments.sandbox.provider import (
    EVENT_PROVIDER,
    SIGNATURE_HEADER,
    notification_body,
    verify_notification,
)
from cobranza.payments.targets import balance_target, open_documents

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SECRET = "bench-secret"


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    url = os.environ["COBRANZA_TEST_POSTGRES_URL"]
    name = f"cobranza_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def load(engine: Engine, customers: int) -> list[tuple[int, Decimal]]:
    """Create the customers, invoices, cases and links; return (link id, amount)."""
    links = []
    with session_factory(engine).begin() as session:
        business = Business(
            name="Bench SRL", country="AR", timezone="America/Argentina/Buenos_Aires",
            currency="ARS", locale="es_AR", settings={}, created_at=NOW,
        )  # fmt: skip
        session.add(business)
        session.flush()
        for index in range(customers):
            customer = Customer(
                business_id=business.id, external_id=f"C{index}", name=f"C {index}",
                phone="+5491155550000", phone_status="valid",
                created_at=NOW, updated_at=NOW,
            )  # fmt: skip
            session.add(customer)
            session.flush()
            for number, due in ((1, date(2026, 2, 1)), (2, date(2026, 3, 1))):
                session.add(
                    Document(
                        business_id=business.id,
                        customer_id=customer.id,
                        kind="invoice",
                        number=f"{index}-{number}",
                        due_on=due,
                        amount=Decimal("1000.00"),
                        open_amount=Decimal("1000.00"),
                        currency="ARS",
                        created_at=NOW,
                        updated_at=NOW,
                    )  # fmt: skip
                )
            case = Case(
                business_id=business.id, customer_id=customer.id, state="open",
                opened_at=NOW,
            )  # fmt: skip
            session.add(case)
            session.flush()
            documents = open_documents(session, business.id, customer.id, NOW.date())
            target = balance_target(documents, "es", customer.name)
            assert target is not None
            link = ensure_link(session, business, case, target, "sandbox", NOW)
            links.append((link.id, link.amount))
    return links


def deliver(engine: Engine, links: list[tuple[int, Decimal]]) -> int:
    """Store and process one notification per link; return how many were new."""
    handler = SandboxHandler()
    stored = 0
    for link_id, amount in links:
        body = notification_body(link_id, f"sbx-{link_id}", "approved", amount, "ARS")
        headers = {SIGNATURE_HEADER: sign_notification(SECRET, body, int(time.time()))}
        now = datetime.now(UTC)
        key = verify_notification(SECRET, body, headers, now, 300)
        with transaction(engine) as session:
            event_id = inbox.store_event(
                session, EVENT_PROVIDER, key, body, headers, now
            )
        if event_id is not None:
            stored += 1
            inbox.process_event(engine, handler, event_id, NOW)
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--customers", type=int, default=2000)
    arguments = parser.parse_args()

    with database(arguments.backend) as url:
        engine = make_engine(url)
        upgrade(engine)
        links = load(engine, arguments.customers)

        started = time.perf_counter()
        stored = deliver(engine, links)
        first = time.perf_counter() - started
        started = time.perf_counter()
        repeated = deliver(engine, links)
        second = time.perf_counter() - started

        with session_factory(engine)() as session:
            payments = session.scalar(select(func.count()).select_from(Payment))
            closed = session.scalar(
                select(func.count()).where(Case.close_reason == "paid")
            )
            thanks = session.scalar(
                select(func.count()).where(OutboxMessage.step_kind == "payment_thanks")
            )
            paid_links = session.scalar(
                select(func.count()).where(PaymentLink.status == "paid")
            )
        engine.dispose()

    count = len(links)
    print(f"backend {arguments.backend}, {count} notifications")
    print(
        f"first delivery: {first:.2f} s, {count / first:.0f} per second, {stored} new"
    )
    print(f"repeat delivery: {second:.2f} s, {count / second:.0f} per second, "
          f"{repeated} new")  # fmt: skip
    print(f"payments {payments}, cases paid {closed}, thank-yous {thanks}, "
          f"links paid {paid_links}")  # fmt: skip


if __name__ == "__main__":
    main()
