"""Closing a hand-off holds the invoices, so the next cycles stay quiet.

Every step goes through the command line on SQLite and PostgreSQL: a cycle
sends the reminder, the customer replies that they cannot pay, a person
closes the case from `cobranza inbox`, and the next day's cycle writes
nothing until the invoices are released.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import (
    AuditEvent,
    Case,
    CaseState,
    Document,
    OutboxMessage,
    SandboxMessage,
)
from tests.channels.factories import PAYMENT_INSTRUCTIONS, make_customer, make_document
from tests.scenarios.helpers import AR_TZ, local_instant

runner = CliRunner()
PHONE = "+5491155550101"
# Tuesday 3 and Wednesday 4 March 2026: working days in Argentina.
TUESDAY = "2026-03-03"
WEDNESDAY = "2026-03-04"


@dataclass(frozen=True)
class InboxWorld:
    url: str
    customer_id: int


@pytest.fixture
def inbox_world(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[InboxWorld]:
    """Customer C1, who consented, owes A-1 and A-2, overdue since 2 March."""
    yield from _inbox_world(db_url, monkeypatch, tmp_path)


@pytest.fixture
def inbox_sqlite(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[InboxWorld]:
    """The same world on SQLite only, for checks of input."""
    yield from _inbox_world(sqlite_url, monkeypatch, tmp_path)


def _inbox_world(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[InboxWorld]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.console, "_width", 200)
    monkeypatch.setattr(cli.err_console, "_width", 200)
    get_settings.cache_clear()
    setup = local_instant(date(2026, 2, 1), 10, AR_TZ)
    engine = make_engine(url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        customer = make_customer(session, business, setup, "C1", PHONE, name="Ana")
        for number, amount in (("A-1", "1000.00"), ("A-2", "500.00")):
            make_document(session, customer, setup, number, amount, date(2026, 3, 2))
        customer_id = customer.id
    engine.dispose()
    yield InboxWorld(url, customer_id)
    get_settings.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, " ".join(result.output.split())


def _run(at: str) -> dict[str, object]:
    result = runner.invoke(cli.app, ["run", "--json", "--now", at])
    assert result.exit_code == 0, result.output
    counts: dict[str, object] = json.loads(result.output)
    return counts


def _handed_off_case(world: InboxWorld) -> int:
    """Send the first reminder, then have the customer say they cannot pay."""
    assert _run(f"{TUESDAY}T10:00")["sent"] == 1
    code, output = _invoke(
        "sandbox", "reply", PHONE, "no puedo pagar, me quedé sin trabajo",
        "--now", f"{TUESDAY}T10:30",
    )  # fmt: skip
    assert code == 0, output
    # The robot's acknowledgement goes out before the person closes the case.
    assert _run(f"{TUESDAY}T10:45")["sent"] == 1
    listed = runner.invoke(cli.app, ["inbox", "--json"])
    [waiting] = json.loads(listed.output)
    assert waiting["reason"] == "cannot_pay"
    case_id: int = waiting["case_id"]
    return case_id


def _counts(world: InboxWorld) -> tuple[int, int]:
    """Return the number of outbox rows and of messages the sandbox delivered."""
    engine = make_engine(world.url)
    with transaction(engine) as session:
        rows = session.scalar(select(func.count(OutboxMessage.id))) or 0
        delivered = session.scalar(select(func.count(SandboxMessage.id))) or 0
    engine.dispose()
    return rows, delivered


def test_close_then_next_day_quiet(inbox_world: InboxWorld) -> None:
    # given
    case_id = _handed_off_case(inbox_world)
    before = _counts(inbox_world)

    # when
    code, closed = _invoke(
        "inbox", "resolve", str(case_id), "--close", "--reason", "pasó al abogado"
    )
    next_day = _run(f"{WEDNESDAY}T10:00")

    # then
    assert code == 0, closed
    assert f"El caso {case_id} quedó cerrado." in closed
    assert "Las facturas A-1, A-2 quedaron retenidas sin fecha de fin" in closed
    assert "Para volver a cobrar las retenidas: cobranza case release C1" in closed
    assert next_day["planned"] == 0
    assert next_day["sent"] == 0
    assert _counts(inbox_world) == before
    engine = make_engine(inbox_world.url)
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        open_cases = session.scalar(
            select(func.count(Case.id)).where(Case.closed_at.is_(None))
        )
        reasons = set(session.scalars(select(Document.hold_reason)))
        held = [
            (event.actor, event.reason)
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.kind == "invoice_held")
            )
        ]
    engine.dispose()
    assert case.state == CaseState.CLOSED
    assert open_cases == 0
    assert reasons == {"pasó al abogado"}
    assert held == [("cli", "pasó al abogado"), ("cli", "pasó al abogado")]

    # when
    code, released = _invoke("case", "release", "C1")
    after_release = _run(f"{WEDNESDAY}T10:05")

    # then
    assert code == 0, released
    assert after_release["planned"] == 1


def test_close_default_reason(inbox_sqlite: InboxWorld) -> None:
    case_id = _handed_off_case(inbox_sqlite)

    code, closed = _invoke("inbox", "resolve", str(case_id), "--close")

    assert code == 0, closed
    engine = make_engine(inbox_sqlite.url)
    with transaction(engine) as session:
        reasons = set(session.scalars(select(Document.hold_reason)))
    engine.dispose()
    assert reasons == {"cerrado por una persona"}


@pytest.mark.parametrize(
    ("flags", "code", "message"),
    [
        (["--resume", "--reason", "x"], 2, "--reason sirve solo con --close"),
        (["--close", "--reason", "  "], 1, "falta el motivo"),
        (["--close", "--reason", "x" * 201], 1, "201 caracteres"),
    ],
)
def test_close_bad_reason_changes_nothing(
    inbox_sqlite: InboxWorld, flags: list[str], code: int, message: str
) -> None:
    # given
    case_id = _handed_off_case(inbox_sqlite)

    # when
    exit_code, output = _invoke("inbox", "resolve", str(case_id), *flags)

    # then
    assert exit_code == code, output
    assert message in output
    engine = make_engine(inbox_sqlite.url)
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        held = session.scalar(
            select(func.count(Document.id)).where(Document.held_at.is_not(None))
        )
    engine.dispose()
    assert case.state == CaseState.HANDED_OFF
    assert case.closed_at is None
    assert held == 0


def test_resume_holds_nothing(inbox_sqlite: InboxWorld) -> None:
    case_id = _handed_off_case(inbox_sqlite)

    code, output = _invoke("inbox", "resolve", str(case_id), "--resume")

    assert code == 0, output
    assert f"El caso {case_id} vuelve a la automatización." in output
    engine = make_engine(inbox_sqlite.url)
    with transaction(engine) as session:
        held = session.scalar(
            select(func.count(Document.id)).where(Document.held_at.is_not(None))
        )
    engine.dispose()
    assert held == 0
