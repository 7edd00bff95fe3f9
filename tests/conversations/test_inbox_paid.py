"""A hand-off whose balance reaches zero stays until a person resolves it.

Every step goes through the command line on SQLite and PostgreSQL. A cycle
sends the reminder and the customer replies. A payment (`cobranza payment
add`) or an import brings the balance to zero, and the next cycle runs.
Then a person reads `cobranza inbox` and resolves the case. A dispute stays
in the inbox with its balance marked as settled, while a reported payment
("ya pagué") closes, because the payment settled it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import (
    AuditEvent,
    Case,
    CaseState,
    Document,
    OutboxMessage,
    OutboxState,
)
from tests.conversations.test_inbox_close import _inbox_world

runner = CliRunner()
PHONE = "+5491155550101"
# Tuesday 3 to Thursday 5 March 2026: working days in Argentina.
TUESDAY = "2026-03-03"
WEDNESDAY = "2026-03-04"
THURSDAY = "2026-03-05"
DISPUTE = "me cobraron dos veces la misma factura, el monto está mal"
SETTLED_WORDS = "saldo cancelado: ya no debe nada y no recibe recordatorios"


@dataclass(frozen=True)
class PaidWorld:
    url: str
    customer_id: int
    folder: Path


@pytest.fixture
def paid_world(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[PaidWorld]:
    """Customer C1, who consented, owes A-1 and A-2, overdue since 2 March."""
    for world in _inbox_world(db_url, monkeypatch, tmp_path):
        # The settled-balance note is long, so the tables get wider lines.
        monkeypatch.setattr(cli.console, "_width", 250)
        monkeypatch.setattr(cli.err_console, "_width", 250)
        yield PaidWorld(world.url, world.customer_id, tmp_path)


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, " ".join(result.output.split())


def _run(at: str) -> dict[str, Any]:
    result = runner.invoke(cli.app, ["run", "--json", "--now", at])
    assert result.exit_code == 0, result.output
    counts: dict[str, Any] = json.loads(result.output)
    return counts


def _inbox() -> list[dict[str, Any]]:
    result = runner.invoke(cli.app, ["inbox", "--json"])
    assert result.exit_code == 0, result.output
    waiting: list[dict[str, Any]] = json.loads(result.output)
    return waiting


def _reply(text: str, at: str) -> None:
    code, output = _invoke("sandbox", "reply", PHONE, text, "--now", at)
    assert code == 0, output


def _handed_off(text: str, reason: str) -> int:
    """Send the first reminder, then have the customer write `text`."""
    assert _run(f"{TUESDAY}T10:00")["sent"] == 1
    _reply(text, f"{TUESDAY}T10:30")
    # The robot's acknowledgement goes out before the balance changes.
    _run(f"{TUESDAY}T10:45")
    [waiting] = _inbox()
    assert waiting["reason"] == reason
    assert waiting["nothing_owed"] is False
    case_id: int = waiting["case_id"]
    return case_id


def _pay_everything() -> None:
    code, output = _invoke(
        "payment", "add", "C1", "1500", "--date", f"{TUESDAY}T11:00",
        "--reference", "TR-1",
    )  # fmt: skip
    assert code == 0, output


def _import_paid(world: PaidWorld) -> None:
    """Import the accounting export in which A-1 and A-2 show nothing left."""
    path = world.folder / "facturas.csv"
    path.write_text(
        "Código cliente;Cliente;Factura;Vencimiento;Importe;Saldo\n"
        "C1;Ana;A-1;02/03/2026;1.000,00;0,00\n"
        "C1;Ana;A-2;02/03/2026;500,00;0,00\n",
        encoding="utf-8",
    )
    code, output = _invoke("import", str(path))
    assert code == 0, output


def _case(world: PaidWorld, case_id: int) -> Case:
    engine = make_engine(world.url)
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        session.expunge(case)
    engine.dispose()
    return case


def _closed_events(world: PaidWorld, case_id: int) -> list[AuditEvent]:
    engine = make_engine(world.url)
    with transaction(engine) as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.kind == "case_closed",
                    AuditEvent.subject_type == "case",
                    AuditEvent.subject_id == case_id,
                )
                .order_by(AuditEvent.id)
            )
        )
        session.expunge_all()
    engine.dispose()
    return events


def _open_balance(world: PaidWorld) -> int:
    engine = make_engine(world.url)
    with transaction(engine) as session:
        total = session.scalar(select(func.sum(Document.open_amount))) or 0
    engine.dispose()
    return int(total)


def _queued_reminders(world: PaidWorld) -> int:
    engine = make_engine(world.url)
    with transaction(engine) as session:
        count = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state == OutboxState.QUEUED
            )
        )
    engine.dispose()
    return int(count or 0)


def test_dispute_stays_after_import(paid_world: PaidWorld) -> None:
    # given
    case_id = _handed_off(DISPUTE, "dispute")

    # when
    _import_paid(paid_world)
    next_day = _run(f"{WEDNESDAY}T10:00")

    # then
    assert _open_balance(paid_world) == 0
    assert next_day["planned"] == 0
    assert next_day["sent"] == 0
    assert _queued_reminders(paid_world) == 0
    case = _case(paid_world, case_id)
    assert case.closed_at is None
    assert case.state == CaseState.HANDED_OFF
    assert case.handoff_reason == "dispute"
    [waiting] = _inbox()
    assert waiting["case_id"] == case_id
    assert waiting["nothing_owed"] is True
    code, listed = _invoke("inbox")
    assert code == 0, listed
    assert "reclama una factura" in listed
    assert SETTLED_WORDS in listed
    assert _closed_events(paid_world, case_id) == []

    # when
    code, resolved = _invoke("inbox", "resolve", str(case_id), "--resume")
    after = _run(f"{THURSDAY}T10:00")

    # then
    assert code == 0, resolved
    assert f"El caso {case_id} quedó cerrado como pagado" in resolved
    assert "el cliente C1 ya no debe nada" in resolved
    case = _case(paid_world, case_id)
    assert case.state == CaseState.CLOSED
    assert case.close_reason == "zero_balance"
    assert case.handoff_reason is None
    [closed] = _closed_events(paid_world, case_id)
    assert closed.actor == "cli"
    assert closed.reason == "zero_balance"
    assert closed.details["handoff_reason"] == "dispute"
    assert closed.details["closed_on_resume"] is True
    assert _inbox() == []
    assert after["planned"] == 0
    assert after["sent"] == 0
    code, shown = _invoke("case", "show", "C1")
    assert code == 0, shown
    assert (
        "El cliente no tiene saldo pendiente, esperaba a una persona: reclama "
        "una factura"
    ) in shown


def test_cannot_pay_stays_after_payment(paid_world: PaidWorld) -> None:
    # given
    case_id = _handed_off("no puedo pagar, me quedé sin trabajo", "cannot_pay")

    # when
    _pay_everything()

    # then
    assert _open_balance(paid_world) == 0
    case = _case(paid_world, case_id)
    assert case.closed_at is None
    assert case.handoff_reason == "cannot_pay"
    # No thank-you is queued, because the person replies to the customer.
    assert _queued_reminders(paid_world) == 0

    # when
    next_day = _run(f"{WEDNESDAY}T10:00")

    # then
    assert next_day["planned"] == 0
    assert next_day["sent"] == 0
    assert _case(paid_world, case_id).closed_at is None
    [waiting] = _inbox()
    assert waiting["reason"] == "cannot_pay"
    assert waiting["nothing_owed"] is True

    # when
    code, resolved = _invoke("inbox", "resolve", str(case_id), "--resume")

    # then
    assert code == 0, resolved
    assert f"El caso {case_id} quedó cerrado como pagado" in resolved
    assert _case(paid_world, case_id).close_reason == "zero_balance"
    assert _inbox() == []


def test_request_human_stays_after_import(paid_world: PaidWorld) -> None:
    # given
    case_id = _handed_off("quiero hablar con una persona", "request_human")

    # when
    _import_paid(paid_world)
    next_day = _run(f"{WEDNESDAY}T10:00")

    # then
    assert _open_balance(paid_world) == 0
    assert next_day["sent"] == 0
    assert _case(paid_world, case_id).closed_at is None
    [waiting] = _inbox()
    assert waiting["reason"] == "request_human"
    assert waiting["nothing_owed"] is True

    # when
    code, resolved = _invoke("inbox", "resolve", str(case_id), "--close")

    # then
    assert code == 0, resolved
    assert "no debía ninguna factura, así que no se retuvo nada" in resolved
    case = _case(paid_world, case_id)
    assert case.close_reason == "closed_by_person"
    [closed] = _closed_events(paid_world, case_id)
    assert closed.reason == "closed_by_person"
    assert closed.details["handoff_reason"] == "request_human"
    assert _inbox() == []


def test_reported_payment_closes_after_import(paid_world: PaidWorld) -> None:
    # given
    case_id = _handed_off("ya pagué todo ayer", "payment_to_verify")

    # when
    _import_paid(paid_world)
    next_day = _run(f"{WEDNESDAY}T10:00")

    # then
    assert next_day["sent"] == 0
    case = _case(paid_world, case_id)
    assert case.state == CaseState.CLOSED
    assert case.close_reason == "zero_balance"
    [closed] = _closed_events(paid_world, case_id)
    assert closed.actor == "planner"
    assert closed.reason == "zero_balance"
    assert closed.details["handoff_reason"] == "payment_to_verify"
    assert closed.details["waited_for_person"] is True
    assert _inbox() == []


def test_reported_payment_closes_when_paid(paid_world: PaidWorld) -> None:
    # given
    case_id = _handed_off("ya pagué todo ayer", "payment_to_verify")

    # when
    _pay_everything()

    # then
    case = _case(paid_world, case_id)
    assert case.state == CaseState.CLOSED
    assert case.close_reason == "paid"
    [closed] = _closed_events(paid_world, case_id)
    assert closed.actor == "payments"
    assert closed.reason == "paid"
    assert _inbox() == []


def test_dispute_after_reported_payment_stays(paid_world: PaidWorld) -> None:
    # given
    case_id = _handed_off("ya pagué todo ayer", "payment_to_verify")
    _reply(DISPUTE, f"{TUESDAY}T10:50")

    # when
    _import_paid(paid_world)
    _run(f"{WEDNESDAY}T10:00")

    # then
    case = _case(paid_world, case_id)
    assert case.closed_at is None
    assert case.handoff_reason == "dispute"
    [waiting] = _inbox()
    assert waiting["reason"] == "dispute"
    assert waiting["nothing_owed"] is True
