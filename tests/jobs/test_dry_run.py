"""The dry run's messages: the amount each one states and their JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from cobranza.db.models import OutboxMessage
from cobranza.jobs.dry_run import DryRunMessage, Outcome, stated_amount

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
