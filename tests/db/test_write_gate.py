"""The write gate that orders this process's SQLite writers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from cobranza.db.engine import WriteGate, make_engine, write_gate

WAIT = 10.0  # seconds; only a bound so that a broken gate fails, not hangs


def test_urgent_writer_goes_before_background() -> None:
    gate = WriteGate()
    order: list[str] = []
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with gate.background():
            holding.set()
            release.wait(WAIT)

    def write(kind: str) -> None:
        context = gate.urgent() if kind == "urgent" else gate.background()
        with context:
            order.append(kind)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(WAIT)
    background = threading.Thread(target=write, args=("background",))
    background.start()
    urgent = threading.Thread(target=write, args=("urgent",))
    urgent.start()
    while not gate.urgent_waiting():
        urgent.join(0.01)
    release.set()
    for thread in (holder, background, urgent):
        thread.join(WAIT)

    assert order == ["urgent", "background"]


def test_gate_released_after_error() -> None:
    gate = WriteGate()

    with pytest.raises(ValueError), gate.urgent():
        raise ValueError("write failed")
    entered = threading.Event()
    thread = threading.Thread(target=_enter_background, args=(gate, entered))
    thread.start()

    assert entered.wait(WAIT)
    thread.join(WAIT)


def _enter_background(gate: WriteGate, entered: threading.Event) -> None:
    with gate.background():
        entered.set()


def test_one_gate_per_sqlite_engine(sqlite_engine: Engine) -> None:
    assert write_gate(sqlite_engine) is write_gate(sqlite_engine)
    other = make_engine("sqlite:///:memory:")
    assert write_gate(other) is not write_gate(sqlite_engine)
    other.dispose()


def test_no_gate_on_postgresql() -> None:
    engine = make_engine("postgresql://user@127.0.0.1:5432/unused")

    assert write_gate(engine) is None
    engine.dispose()
