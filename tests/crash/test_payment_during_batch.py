"""Payments recorded by `cobranza payment add` while `cobranza run` sends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import (
    Allocation,
    Customer,
    Document,
    OutboxMessage,
    OutboxState,
    Payment,
)
from tests.crash.harness import (
    NOW_TEXT,
    given_whatsapp_portfolio,
    phone_of,
    start_cli,
    whatsapp_environment,
)
from tests.fakes.graph_api import FakeGraphAPI
from tests.polling import wait_for

CUSTOMERS = 40
# The last customers of the batch, which the run reaches after about seven
# seconds, while each payment process needs a few seconds to start.
PAYING = range(30, CUSTOMERS, 3)
SEND_DELAY_SECONDS = 0.25


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with FakeGraphAPI() as fake:
        yield fake


def _paid_phones(engine: Engine) -> set[str]:
    with transaction(engine) as session:
        phones = session.scalars(
            select(Customer.phone).join(Payment, Payment.customer_id == Customer.id)
        )
        return {phone.lstrip("+") for phone in phones if phone}


def test_payment_during_batch_suppresses_reminder(
    db_url: str, graph: FakeGraphAPI
) -> None:
    # Given a run sending 40 reminders of 1500 each.
    engine = make_engine(db_url)
    given_whatsapp_portfolio(engine, graph, CUSTOMERS)
    environment = whatsapp_environment(db_url, graph)
    graph.state.send_delay = SEND_DELAY_SECONDS
    run = start_cli(environment, "run", "--now", NOW_TEXT, "--json")

    # When customers down the batch pay their whole balance meanwhile.
    started = wait_for(lambda: len(graph.state.messages) >= 3, 120)
    payments = [
        start_cli(
            environment,
            *("payment", "add", f"C{index}", "1500,00"),
            *("--reference", f"TR-{index}"),
        )
        for index in PAYING
    ]
    paid_seen: dict[str, float] = {}
    while run.poll() is None:
        seen_at = time.monotonic()
        for phone in _paid_phones(engine) - paid_seen.keys():
            paid_seen[phone] = seen_at
        time.sleep(0.005)
    _, run_stderr = run.communicate(timeout=60)
    payment_results = [process.communicate(timeout=120) for process in payments]

    # Then no reminder started after its customer's payment was stored, the
    # rest were suppressed for a zero balance, and the money adds up.
    assert started
    assert run.returncode == 0, run_stderr
    for process, (_, stderr) in zip(payments, payment_results, strict=True):
        assert process.returncode == 0, stderr
    for started_at, to in graph.state.send_starts:
        if to in paid_seen:
            assert started_at < paid_seen[to], f"{to} reminded after paying"
    paying_phones = {phone_of(index).lstrip("+") for index in PAYING}
    reminded = {message["to"] for message in graph.state.messages}
    with transaction(engine) as session:
        suppressed = session.execute(
            select(Customer.phone, OutboxMessage.suppressed_reason)
            .join(Customer, Customer.id == OutboxMessage.customer_id)
            .where(OutboxMessage.state == OutboxState.SUPPRESSED)
        ).all()
        paid_total = session.scalar(select(func.sum(Payment.amount)))
        allocated_total = session.scalar(select(func.sum(Allocation.amount)))
        open_total = session.scalar(select(func.sum(Document.open_amount)))
    suppressed_phones = {phone.lstrip("+") for phone, _ in suppressed}
    assert suppressed_phones
    assert suppressed_phones <= paying_phones
    assert {reason for _, reason in suppressed} == {"zero_balance"}
    assert suppressed_phones | (reminded & paying_phones) == paying_phones
    assert paid_total == Decimal("1500.00") * len(PAYING)
    assert allocated_total == paid_total
    assert open_total == Decimal("1500.00") * (CUSTOMERS - len(PAYING))
    engine.dispose()
