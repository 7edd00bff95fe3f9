"""The dry run's messages: the amount each one states and how the list shows it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from rich.console import Console

from cobranza.db.models import OutboxMessage
from cobranza.jobs.dry_run import DryRunMessage, Outcome, stated_amount
from cobranza.jobs.terminal import render_dry_run_messages

AR_TZ = "America/Argentina/Buenos_Aires"
NOW = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


def _row(step_kind: str, variables: dict[str, Any]) -> OutboxMessage:
    return OutboxMessage(
        step=step_kind,
        step_kind=step_kind,
        tone="friendly",
        locale="es_AR",
        variables=variables,
    )


def _message(**changes: Any) -> DryRunMessage:
    values: dict[str, Any] = {
        "customer_external_id": "C1",
        "customer_name": "Ana (ficticia)",
        "step": "reminder_soft",
        "step_kind": "reminder_soft",
        "channel": "sandbox",
        "amount": Decimal("1250.5"),
        "currency": "ARS",
        "outcome": Outcome.SEND,
        "reason": None,
        "until": None,
    }
    return DryRunMessage(**{**values, **changes})


def _rendered(*messages: DryRunMessage) -> str:
    console = Console(record=True, width=200)
    table = render_dry_run_messages(messages, NOW, AR_TZ, "es_AR", "Mensajes")
    console.print(table)
    return console.export_text()


@pytest.mark.parametrize(
    ("step_kind", "variables", "expected"),
    [
        ("reminder_soft", {"balance": "1250.5000"}, Decimal("1250.5")),
        (
            "payment_thanks",
            {"balance": "0", "paid_amount": "300.00"},
            Decimal("300"),
        ),
        (
            "promise_confirmation",
            {"balance": "900.00", "promise_amount": "450.00"},
            Decimal("450"),
        ),
        ("ask_receipt", {"balance": "900.00"}, None),
        ("no_such_kind", {"balance": "900.00"}, None),
        ("reminder_soft", {}, None),
        ("reminder_soft", {"balance": "mil"}, None),
        ("reminder_soft", {"balance": "NaN"}, None),
    ],
    ids=[
        "reminder",
        "thanks",
        "promise",
        "no_amount",
        "unknown_kind",
        "missing",
        "invalid",
        "nan",
    ],
)
def test_stated_amount(
    step_kind: str, variables: dict[str, Any], expected: Decimal | None
) -> None:
    assert stated_amount(_row(step_kind, variables)) == expected


def test_message_as_dict_rounds_amount() -> None:
    values = _message(amount=Decimal("1250.5000")).as_dict()

    assert values["amount"] == "1250.50"
    assert values["outcome"] == "send"


def test_message_as_dict_without_amount() -> None:
    values = _message(amount=None).as_dict()

    assert values["amount"] is None


def test_render_send() -> None:
    text = _rendered(_message())

    assert "C1 Ana (ficticia)" in text
    assert "$ 1.250,50" in text
    assert "Se enviaría" in text


def test_render_no_amount() -> None:
    text = _rendered(_message(step="ask_receipt:12", amount=None))

    assert "pedido del comprobante" in text
    assert "—" in text


def test_render_deferral_in_business_zone() -> None:
    until = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

    text = _rendered(
        _message(outcome=Outcome.DEFER, reason="holiday", until=until),
    )

    assert "Diferido hasta 04/03 09:00: es feriado en el país del cliente" in text
    assert "(holiday)" not in text


def test_render_deferral_names_holiday() -> None:
    until = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    holiday = ((date(2026, 3, 24), "Día Nacional de la Memoria"),)

    text = _rendered(
        _message(outcome=Outcome.DEFER, reason="holiday", until=until, holidays=holiday)
    )

    assert (
        "Diferido hasta 25/03 09:00: es feriado en el país del cliente: martes "
        "24/03 (Día Nacional de la Memoria)" in text
    )


def test_render_deferral_names_holidays_after_weekend() -> None:
    until = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
    holidays = (
        (date(2026, 12, 7), "Feriado puente"),
        (date(2026, 12, 8), "Inmaculada"),
    )

    text = _rendered(
        _message(
            outcome=Outcome.DEFER,
            reason="day_not_allowed",
            until=until,
            holidays=holidays,
        )
    )

    # The last column wraps, so the cell is read without borders and breaks.
    cell = " ".join(text.replace("│", " ").split())
    assert (
        "ese día de la semana no se envían mensajes; además, lunes 07/12 (Feriado "
        "puente) y martes 08/12 (Inmaculada) son feriados" in cell
    )


def test_message_as_dict_lists_holidays() -> None:
    holiday = ((date(2026, 3, 24), "Día Nacional de la Memoria"),)

    values = _message(
        outcome=Outcome.DEFER, reason="holiday", holidays=holiday
    ).as_dict()

    assert values["holidays"] == [
        {"date": "2026-03-24", "name": "Día Nacional de la Memoria"}
    ]


def test_render_deferral_next_year() -> None:
    until = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)

    text = _rendered(_message(outcome=Outcome.DEFER, reason="on_hold", until=until))

    assert "Diferido hasta 04/01/2027 09:00" in text


def test_render_failure_code() -> None:
    text = _rendered(
        _message(outcome=Outcome.FAIL, reason="channel_not_configured"),
    )

    assert "Fallaría: channel_not_configured" in text
