"""`cobranza run` killed with SIGKILL while it sends through WhatsApp."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import Case, Customer, OutboxMessage, OutboxState
from tests.crash.harness import (
    NOW_TEXT,
    events_processed,
    given_whatsapp_portfolio,
    kill,
    outbox_states,
    post_status,
    sends_by_recipient,
    start_cli,
    start_serve,
    stop,
    whatsapp_environment,
)
from tests.fakes.graph_api import FakeGraphAPI
from tests.polling import wait_for

CUSTOMERS = 30
SENDS_BEFORE_KILL = 5
SEND_DELAY_SECONDS = 0.3
# Later than `DispatchLimits.stuck_after` (10 minutes), so rows left in
# `sending` are reconciled.
LATER_TEXT = "2026-03-10T10:30"


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with FakeGraphAPI() as fake:
        yield fake


@pytest.fixture
def killed_run(db_url: str, graph: FakeGraphAPI) -> Iterator[tuple[Engine, str]]:
    """Kill a `run` mid-send; yield the engine and the database URL.

    The fake responds to each send after `SEND_DELAY_SECONDS`, and the kill
    lands while one send waits for its response. The fake still accepts
    that message, which the killed run never records.
    """
    engine = make_engine(db_url)
    given_whatsapp_portfolio(engine, graph, CUSTOMERS)
    graph.state.send_delay = SEND_DELAY_SECONDS
    environment = whatsapp_environment(db_url, graph)
    process = start_cli(environment, "run", "--now", NOW_TEXT, "--json")

    in_flight = wait_for(lambda: _send_in_flight(graph), 120)
    kill(process)
    answered = wait_for(
        lambda: len(graph.state.messages) == len(graph.state.send_starts), 60
    )
    graph.state.send_delay = 0.0

    assert in_flight
    assert answered
    assert outbox_states(engine).get(OutboxState.SENDING, 0) > 0
    yield engine, db_url
    engine.dispose()


def _send_in_flight(graph: FakeGraphAPI) -> bool:
    """Return whether a send past the first few waits for the fake's response."""
    started = len(graph.state.send_starts)
    return started > SENDS_BEFORE_KILL and started > len(graph.state.messages)


def _run_to_end(db_url: str, graph: FakeGraphAPI, now_text: str) -> None:
    environment = whatsapp_environment(db_url, graph)
    process = start_cli(environment, "run", "--now", now_text, "--json")
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr


def _rows_by_phone(engine: Engine) -> dict[str, OutboxMessage]:
    with transaction(engine) as session:
        found = session.execute(
            select(Customer.phone, OutboxMessage).join(
                Customer, Customer.id == OutboxMessage.customer_id
            )
        ).all()
    return {phone.lstrip("+"): row for phone, row in found}


def test_killed_run_sends_nothing_twice(
    killed_run: tuple[Engine, str], graph: FakeGraphAPI
) -> None:
    # Given a run killed mid-batch. When it runs again at the same instant
    # and then later.
    engine, db_url = killed_run
    _run_to_end(db_url, graph, NOW_TEXT)
    _run_to_end(db_url, graph, LATER_TEXT)

    # Then no customer got the reminder twice and no row is left in sending.
    sends = sends_by_recipient(graph)
    assert max(sends.values()) == 1
    assert OutboxState.SENDING not in outbox_states(engine)
    for phone, row in _rows_by_phone(engine).items():
        if sends[phone] == 1:
            assert row.state != OutboxState.QUEUED, phone


def test_statuses_settle_flagged_rows(
    killed_run: tuple[Engine, str], graph: FakeGraphAPI
) -> None:
    # Given a run killed mid-send, whose row in flight a later run flagged
    # unknown_delivery_state.
    engine, db_url = killed_run
    _run_to_end(db_url, graph, LATER_TEXT)
    accepted = {message["to"]: message for message in graph.state.messages}
    rows = _rows_by_phone(engine)
    flagged = [phone for phone in accepted if rows[phone].state == OutboxState.FAILED]

    # When Meta's sent and delivered statuses for every accepted message
    # reach a real server.
    server, base_url = start_serve(whatsapp_environment(db_url, graph))
    statuses = [
        post_status(base_url, message, status)
        for message in accepted.values()
        for status in ("sent", "delivered")
    ]
    processed = wait_for(lambda: events_processed(engine), 120)
    server_output = stop(server)

    # Then every message the fake accepted is recorded as delivered.
    assert flagged
    assert statuses == [200] * (2 * len(accepted))
    assert processed
    assert "Traceback" not in server_output
    rows = _rows_by_phone(engine)
    for phone, message in accepted.items():
        assert rows[phone].state == OutboxState.DELIVERED, phone
        assert rows[phone].provider_message_id == message["id"], phone
        assert rows[phone].error_code is None, phone
    # And the flagged rows' cases record their step as sent, as a send does.
    cases = _cases_by_id(engine)
    for phone in flagged:
        case = cases[rows[phone].case_id]
        assert case.step == rows[phone].step, phone
        assert case.step_sent_at == rows[phone].sent_at, phone


def _cases_by_id(engine: Engine) -> dict[int, Case]:
    with transaction(engine) as session:
        return {case.id: case for case in session.scalars(select(Case))}


def test_killed_run_requeues_unsent_rows(
    killed_run: tuple[Engine, str], graph: FakeGraphAPI
) -> None:
    # Given a run killed mid-batch. When a later run reconciles its rows.
    engine, db_url = killed_run
    _run_to_end(db_url, graph, LATER_TEXT)

    # Then every customer the fake never heard from is still to be sent to.
    sends = sends_by_recipient(graph)
    for phone, row in _rows_by_phone(engine).items():
        if sends[phone] == 0:
            assert row.state in (OutboxState.QUEUED, OutboxState.SENT), (
                phone,
                row.state,
                row.error_code,
            )
