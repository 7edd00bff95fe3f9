"""Customers write "BAJA" to a real server while a real `cobranza run` sends."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import ConsentEvent, Customer, OutboxMessage, OutboxState
from tests.crash.harness import (
    NOW_TEXT,
    given_whatsapp_portfolio,
    phone_of,
    post_text_reply,
    start_cli,
    start_serve,
    stop,
    whatsapp_environment,
)
from tests.fakes.graph_api import FakeGraphAPI
from tests.polling import wait_for

CUSTOMERS = 40
# Customers far enough down the batch that their opt-outs are stored before
# the run reaches them, unless the run sends them without a re-check.
OPTING_OUT = range(20, CUSTOMERS, 3)
SEND_DELAY_SECONDS = 0.1


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with FakeGraphAPI() as fake:
        yield fake


def _revoked_phones(engine: Engine) -> set[str]:
    with transaction(engine) as session:
        phones = session.scalars(
            select(Customer.phone)
            .join(ConsentEvent, ConsentEvent.customer_id == Customer.id)
            .where(ConsentEvent.action == "revoke")
        )
        return {phone.lstrip("+") for phone in phones if phone}


def test_stop_during_batch_suppresses_rest(db_url: str, graph: FakeGraphAPI) -> None:
    # Given a server that handles replies and a run sending 40 reminders.
    engine = make_engine(db_url)
    given_whatsapp_portfolio(engine, graph, CUSTOMERS)
    environment = whatsapp_environment(db_url, graph)
    server, base_url = start_serve(environment)
    graph.state.send_delay = SEND_DELAY_SECONDS
    run = start_cli(environment, "run", "--now", NOW_TEXT, "--json")

    # When some customers further down the batch write "BAJA".
    started = wait_for(lambda: len(graph.state.messages) >= 3, 120)
    statuses = [
        post_text_reply(base_url, index, f"wamid.baja{index}", "BAJA")
        for index in OPTING_OUT
    ]
    revoked_seen: dict[str, float] = {}
    while run.poll() is None:
        seen_at = time.monotonic()
        for phone in _revoked_phones(engine) - revoked_seen.keys():
            revoked_seen[phone] = seen_at
        time.sleep(0.005)
    _, run_stderr = run.communicate(timeout=60)
    server_output = stop(server)

    # Then no reminder started after an opt-out was stored, and the rows
    # of those the run had not reached yet are suppressed.
    assert started
    assert statuses == [200] * len(OPTING_OUT)
    assert run.returncode == 0, run_stderr
    assert "Traceback" not in server_output
    opted_out = {phone_of(index).lstrip("+") for index in OPTING_OUT}
    assert set(revoked_seen) == opted_out
    for started_at, to in graph.state.send_starts:
        if to in revoked_seen:
            assert started_at < revoked_seen[to], f"{to} sent to after opting out"
    with transaction(engine) as session:
        rows = session.execute(
            select(OutboxMessage.state, OutboxMessage.suppressed_reason).where(
                OutboxMessage.step_kind != "optout_confirmation"
            )
        ).all()
    suppressed = [reason for state, reason in rows if state == OutboxState.SUPPRESSED]
    assert suppressed
    assert set(suppressed) == {"opted_out"}
    engine.dispose()
