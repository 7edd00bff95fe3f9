"""Hold the WhatsApp number's throughput for 60 seconds against the fake Graph API.

Queues RATE × SECONDS reminders (one per customer, template approved) and
runs the real dispatcher with `whatsapp_dispatcher` against
`tests.fakes.graph_api.FakeGraphAPI`, which returns error 130429 for any send
above RATE in a rolling second. Prints the sends, the wall time, the
achieved rate, the busiest rolling second, the throughput errors, the CPU
time and SQL statements per message, and the machine's load average.

Run from the repository root:
    /work/venv/bin/python -m bench.bench_whatsapp_dispatch [RATE] [SECONDS] [URL]

URL is a database URL; the default is a temporary SQLite file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, event
from tests.fakes.graph_api import PHONE_NUMBER_ID, TOKEN, WABA_ID, FakeGraphAPI

from cobranza.channels.whatsapp.config import WhatsAppConfig
from cobranza.channels.whatsapp.dispatch import whatsapp_dispatcher
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import (
    Business,
    Case,
    ConsentEvent,
    Customer,
    Document,
    OutboxMessage,
    TemplateStatus,
)

# Tuesday 10 March 2026, 10:00 in Buenos Aires: inside the contact window.
NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
BATCH = 1_000


def build_queue(engine: Engine, count: int) -> int:
    """Insert `count` customers, each with an invoice, a case and a queued row."""
    with transaction(engine) as session:
        business = Business(
            name="bench",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        session.add(business)
        session.flush()
        set_template_status(
            session,
            business.id,
            "cobranza_reminder_soft_friendly",
            "es_AR",
            TemplateStatus.APPROVED,
            NOW,
            source="sync",
        )
        business_id = business.id

    for start in range(0, count, BATCH):
        with transaction(engine) as session:
            for index in range(start, min(count, start + BATCH)):
                _add_customer_row(session, business_id, index)
    return business_id


def _add_customer_row(session: object, business_id: int, index: int) -> None:
    customer = Customer(
        business_id=business_id,
        external_id=f"C{index}",
        name=f"Cliente {index}",
        phone=f"+54911{index:08d}",
        phone_status="valid",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(customer)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    consent = ConsentEvent(
        business_id=business_id,
        customer_id=customer.id,
        action="grant",
        source="bench",
        at=NOW,
    )
    invoice = Document(
        business_id=business_id,
        customer_id=customer.id,
        number=f"A-{index}",
        due_on=date(2026, 3, 5),
        amount=Decimal("1500.00"),
        open_amount=Decimal("1500.00"),
        currency="ARS",
        created_at=NOW,
        updated_at=NOW,
    )
    case = Case(business_id=business_id, customer_id=customer.id, opened_at=NOW)
    session.add_all([consent, invoice, case])  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    session.add(  # type: ignore[attr-defined]
        OutboxMessage(
            business_id=business_id,
            case_id=case.id,
            customer_id=customer.id,
            channel="whatsapp",
            step="reminder_soft",
            step_kind="reminder_soft",
            tone="friendly",
            locale="es_AR",
            variables={
                "customer_name": customer.name,
                "business_name": "bench",
                "balance": "1500.00",
                "currency": "ARS",
                "invoice_count": 1,
                "oldest_due_on": "2026-03-05",
                "days_past_due": 5,
                "payment_link": "https://pagar.example.com/c/abc123",
            },
            document_ids=[invoice.id],
            idempotency_key=f"bench-{index}",
            planned_for=NOW,
            created_at=NOW,
        )
    )


def count_statements(engine: Engine) -> list[int]:
    """Count the statements `engine` runs from now on, in a one-item list."""
    count = [0]

    def increment(*_: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", increment)
    return count


def busiest_second(times: list[float]) -> int:
    """Return the most sends that fall in any rolling one-second window."""
    best, left = 0, 0
    for right, current in enumerate(times):
        while current - times[left] >= 1.0:
            left += 1
        best = max(best, right - left + 1)
    return best


def main() -> None:
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 80.0
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    url = sys.argv[3] if len(sys.argv) > 3 else None
    count = int(rate * seconds)

    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(url or f"sqlite:///{Path(folder) / 'bench.db'}")
        started = time.perf_counter()
        business_id = build_queue(engine, count)
        print(f"queued {count} rows in {time.perf_counter() - started:.1f} s")

        with FakeGraphAPI(max_per_second=rate) as graph:
            config = WhatsAppConfig(
                phone_number_id=PHONE_NUMBER_ID,
                business_account_id=WABA_ID,
                access_token=TOKEN,
                base_url=graph.base_url,
                messages_per_second=rate,
                tier_limit=None,
            )
            dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: NOW)
            statements = count_statements(engine)
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            cpu_started = time.process_time()
            report = dispatcher.run(business_id, NOW)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            send_times = sorted(graph.state.send_times_all)
            errors = graph.state.throughput_errors
        engine.dispose()
    load_after = os.getloadavg()[0]
    sent = max(report.sent, 1)

    achieved = report.sent / elapsed
    print(f"sent {report.sent} of {count} in {elapsed:.1f} s: {achieved:.1f}/s")
    print(
        f"busiest rolling second: {busiest_second(send_times)} sends (limit {rate:g})"
    )
    print(f"throughput errors (130429): {errors}")
    # The fake server runs in this process, so its CPU time is included.
    print(f"CPU time {cpu:.1f} s: {cpu / sent * 1000:.1f} ms per message")
    print(f"SQL statements: {statements[0] / sent:.1f} per message")
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after")
    print(f"retried: {dict(report.retried)}, failed: {dict(report.failed)}")


if __name__ == "__main__":
    main()
