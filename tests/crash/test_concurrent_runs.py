"""Several `cobranza run` processes send one business's reminders at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cobranza.db.engine import make_engine
from cobranza.db.models import OutboxState
from tests.crash.harness import (
    NOW_TEXT,
    given_whatsapp_portfolio,
    outbox_states,
    phone_of,
    sends_by_recipient,
    start_cli,
    whatsapp_environment,
)
from tests.fakes.graph_api import FakeGraphAPI

CUSTOMERS = 120
RUNS = 3


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with FakeGraphAPI() as fake:
        yield fake


def test_concurrent_runs_send_each_once(db_url: str, graph: FakeGraphAPI) -> None:
    # Given 120 customers on WhatsApp, each with a reminder due.
    engine = make_engine(db_url)
    given_whatsapp_portfolio(engine, graph, CUSTOMERS)
    environment = whatsapp_environment(db_url, graph)

    # When three runs at the same instant plan and send at once.
    processes = [
        start_cli(environment, "run", "--now", NOW_TEXT, "--json") for _ in range(RUNS)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]

    # Then every customer got exactly one reminder, recorded as sent.
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    sends = sends_by_recipient(graph)
    expected = {phone_of(index).lstrip("+") for index in range(CUSTOMERS)}
    assert set(sends) == expected
    assert max(sends.values()) == 1
    assert outbox_states(engine) == {OutboxState.SENT: CUSTOMERS}
    engine.dispose()
