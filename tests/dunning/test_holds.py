"""Holding and releasing invoices: the rule, the planner, the gate, the checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from cobranza.db.models import AuditEvent, Customer, Document, OutboxMessage
from cobranza.dunning import gate, outbox
from cobranza.dunning.errors import HoldError
from cobranza.dunning.holds import (
    MAX_HOLD_DAYS,
    held_invoices,
    held_on,
    hold_document,
    hold_invoices,
    hold_open_invoices,
    is_held,
    not_held_on,
    release_document,
    release_invoices,
)
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy
from cobranza.dunning.promises import open_balance

from .conftest import NOW, TODAY, Portfolio

ACTOR = "owner:duenia@ejemplo.com"


def _rows(portfolio: Portfolio) -> list[OutboxMessage]:
    return list(
        portfolio.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    )


def _hold_events(portfolio: Portfolio) -> list[AuditEvent]:
    return list(
        portfolio.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind.in_(["invoice_held", "invoice_released"]))
            .order_by(AuditEvent.id)
        )
    )


def _owing(portfolio: Portfolio) -> tuple[Customer, Document, Document]:
    """Return a customer owing two overdue invoices, 1000 and 500."""
    customer = portfolio.customer("C1")
    old = portfolio.invoice(customer, "1000", TODAY - timedelta(days=5))
    new = portfolio.invoice(customer, "500", TODAY - timedelta(days=2))
    return customer, old, new


@pytest.mark.parametrize(
    ("hold_until", "held_at", "held"),
    [
        (None, None, False),
        (None, NOW, True),
        (TODAY, NOW, True),
        (TODAY, None, True),
        (TODAY - timedelta(days=1), NOW, False),
        (TODAY + timedelta(days=30), None, True),
    ],
)
def test_hold_rule_same_in_sql_and_python(
    portfolio: Portfolio,
    hold_until: date | None,
    held_at: datetime | None,
    held: bool,
) -> None:
    customer = portfolio.customer("C1")
    document = portfolio.invoice(customer, "100", TODAY)
    document.hold_until = hold_until
    document.held_at = held_at
    portfolio.session.flush()

    in_sql = portfolio.session.scalar(
        select(Document.id).where(Document.id == document.id, held_on(TODAY))
    )
    free_in_sql = portfolio.session.scalar(
        select(Document.id).where(Document.id == document.id, not_held_on(TODAY))
    )

    assert is_held(hold_until, held_at, TODAY) is held
    assert (in_sql is not None) is held
    assert (free_in_sql is not None) is not held


def test_hold_no_end_stops_planning(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given
    customer, old, new = _owing(portfolio)

    # when
    held = hold_invoices(
        portfolio.session, customer, [], None, "pasó al abogado", TODAY, NOW, ACTOR
    )
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    a_year_later = NOW + timedelta(days=365)
    plan(portfolio.session, portfolio.business, a_year_later, default_policy)

    # then
    assert [document.id for document in held] == [old.id, new.id]
    assert old.hold_until is None
    assert old.held_at == NOW
    assert old.hold_reason == "pasó al abogado"
    assert _rows(portfolio) == []


def test_release_resumes_planning(portfolio: Portfolio, default_policy: Policy) -> None:
    # given
    customer, old, new = _owing(portfolio)
    hold_invoices(portfolio.session, customer, [], None, "acuerdo", TODAY, NOW, ACTOR)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    assert _rows(portfolio) == []

    # when
    released = release_invoices(portfolio.session, customer, [], TODAY, NOW, ACTOR)
    plan(portfolio.session, portfolio.business, NOW, default_policy)

    # then
    rows = _rows(portfolio)
    assert [document.id for document in released] == [old.id, new.id]
    assert (old.hold_until, old.held_at, old.hold_reason) == (None, None, None)
    assert [row.document_ids for row in rows] == [[old.id, new.id]]
    assert rows[0].variables["balance"] == "1500.0000"


def test_hold_until_ends_after_that_day(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given
    customer, old, new = _owing(portfolio)
    until = TODAY + timedelta(days=3)
    hold_invoices(portfolio.session, customer, [], until, "viaja", TODAY, NOW, ACTOR)

    # when
    plan(portfolio.session, portfolio.business, NOW + timedelta(days=3), default_policy)
    on_last_day = list(_rows(portfolio))
    plan(portfolio.session, portfolio.business, NOW + timedelta(days=4), default_policy)

    # then
    assert on_last_day == []
    assert [row.document_ids for row in _rows(portfolio)] == [[old.id, new.id]]


def test_hold_named_invoice_leaves_others(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given
    customer, old, new = _owing(portfolio)

    # when
    hold_invoices(
        portfolio.session, customer, [old.number], None, "acuerdo", TODAY, NOW, ACTOR
    )
    plan(portfolio.session, portfolio.business, NOW, default_policy)

    # then
    rows = _rows(portfolio)
    assert [row.document_ids for row in rows] == [[new.id]]
    assert rows[0].variables["balance"] == "500.0000"
    assert new.held_at is None


def test_hold_audited_per_invoice(portfolio: Portfolio) -> None:
    # given
    customer, old, new = _owing(portfolio)
    until = TODAY + timedelta(days=10)

    # when
    hold_invoices(
        portfolio.session, customer, [old.number], until, "viaja", TODAY, NOW, ACTOR
    )
    release_invoices(
        portfolio.session,
        customer,
        [old.number],
        TODAY,
        NOW + timedelta(hours=1),
        ACTOR,
    )

    # then
    held, released = _hold_events(portfolio)
    assert (held.kind, held.actor, held.reason) == ("invoice_held", ACTOR, "viaja")
    assert (held.subject_type, held.subject_id) == ("document", old.id)
    assert held.details == {
        "customer_id": customer.id,
        "number": old.number,
        "until": until.isoformat(),
    }
    assert (released.kind, released.actor) == ("invoice_released", ACTOR)
    assert released.details["until"] == until.isoformat()
    assert released.details["hold_reason"] == "viaja"


def test_rehold_changes_end_and_reason(portfolio: Portfolio) -> None:
    # given
    customer, old, new = _owing(portfolio)
    until = TODAY + timedelta(days=10)
    hold_invoices(portfolio.session, customer, [], until, "viaja", TODAY, NOW, ACTOR)

    # when
    hold_invoices(
        portfolio.session, customer, [old.number], None, "abogado", TODAY, NOW, ACTOR
    )
    held = held_invoices(portfolio.session, *_ids(customer), TODAY)

    # then
    assert (old.hold_until, old.hold_reason) == (None, "abogado")
    assert (new.hold_until, new.hold_reason) == (until, "viaja")
    assert [document.id for document in held] == [old.id, new.id]


def _ids(customer: Customer) -> tuple[int, int]:
    return customer.business_id, customer.id


def test_held_invoices_skip_settled_and_expired(portfolio: Portfolio) -> None:
    # given
    customer, old, new = _owing(portfolio)
    paid = portfolio.invoice(customer, "300", TODAY - timedelta(days=9))
    for document in (old, new, paid):
        document.held_at = NOW
    paid.open_amount = paid.open_amount * 0
    new.hold_until = TODAY - timedelta(days=1)
    portfolio.session.flush()

    # when
    held = held_invoices(portfolio.session, *_ids(customer), TODAY)

    # then
    assert [document.id for document in held] == [old.id]


def test_hold_open_invoices_none_owed(portfolio: Portfolio) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY, open_amount="0")

    held = hold_open_invoices(portfolio.session, customer, "cerrado", NOW, ACTOR)

    assert held == []
    assert _hold_events(portfolio) == []


@pytest.mark.parametrize(
    ("numbers", "until", "reason", "message"),
    [
        (["A-99999"], None, "acuerdo", "no tiene la factura A-99999. Revisá el número"),
        (
            ["A-99998", "A-99999"],
            None,
            "acuerdo",
            "no tiene las facturas A-99998, A-99999. Revisá los números",
        ),
        ([" "], None, "acuerdo", "un número de factura está vacío"),
        ([], TODAY - timedelta(days=1), "acuerdo", "la fecha de fin 09/03/2026 ya"),
        ([], None, "   ", "falta el motivo"),
        ([], None, "x" * 201, "el motivo tiene 201 caracteres. Acortalo a 200"),
        ([], date(9999, 12, 31), "acuerdo", "31/12/9999 está a más de diez años"),
        ([], TODAY + timedelta(days=3654), "acuerdo", "hasta el 10/03/2036"),
        ([], None, "a\x00b", "un carácter de control (U+0000) en la posición 2"),
        ([], None, "\x1b[31mrojo", "un carácter de control (U+001B)"),
        ([], None, "pagó \u202etxet", "un carácter de control (U+202E)"),
        ([], None, "\u2067abogado", "un carácter de control (U+2067)"),
    ],
)
def test_hold_bad_input_changes_nothing(
    portfolio: Portfolio,
    numbers: list[str],
    until: date | None,
    reason: str,
    message: str,
) -> None:
    # given
    customer, old, new = _owing(portfolio)

    # when
    with pytest.raises(HoldError) as raised:
        hold_invoices(
            portfolio.session, customer, numbers, until, reason, TODAY, NOW, ACTOR
        )

    # then
    assert message in str(raised.value)
    for document in (old, new):
        assert document.held_at is None
        assert document.hold_until is None
    assert _hold_events(portfolio) == []


def test_hold_latest_end_accepted(portfolio: Portfolio, default_policy: Policy) -> None:
    # given a reminder planned before the longest dated hold
    customer, old, new = _owing(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    row = _rows(portfolio)[0]
    latest = TODAY + timedelta(days=MAX_HOLD_DAYS)
    hold_invoices(portfolio.session, customer, [], latest, "x", TODAY, NOW, ACTOR)

    # when
    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    # then the gate waits for the day after it
    assert old.hold_until == latest
    assert decision.action == "defer"
    assert decision.reason == "on_hold"


def test_hold_reason_on_one_line(portfolio: Portfolio) -> None:
    customer, old, _ = _owing(portfolio)

    hold_invoices(
        portfolio.session,
        customer,
        [old.number],
        None,
        " pasó\r\nal\tabogado ",
        TODAY,
        NOW,
        ACTOR,
    )

    assert old.hold_reason == "pasó al abogado"
    assert _hold_events(portfolio)[0].reason == "pasó al abogado"


def test_hold_document_not_by_number(portfolio: Portfolio) -> None:
    # given an invoice and a settled debit note that share a number
    customer, old, _ = _owing(portfolio)
    note = portfolio.invoice(customer, "100", TODAY, open_amount="0", kind="debit_note")
    note.number = old.number
    portfolio.session.flush()

    # when the note itself is held
    with pytest.raises(HoldError) as raised:
        hold_document(portfolio.session, note, None, "x", TODAY, NOW, ACTOR)

    # then the invoice with the same number is left alone
    assert f"la factura {old.number} del cliente C1 no tiene saldo" in str(raised.value)
    assert old.held_at is None
    assert note.held_at is None
    assert _hold_events(portfolio) == []


def test_release_document_not_by_number(portfolio: Portfolio) -> None:
    # given a held invoice and a credit note that share its number
    customer, old, _ = _owing(portfolio)
    note = portfolio.credit_note(customer, "50")
    note.number = old.number
    hold_invoices(
        portfolio.session, customer, [old.number], None, "x", TODAY, NOW, ACTOR
    )

    # when the credit note is released, then the invoice itself
    with pytest.raises(HoldError) as raised:
        release_document(portfolio.session, note, TODAY, NOW, ACTOR)
    held_after_note = old.held_at
    release_document(portfolio.session, old, TODAY, NOW, ACTOR)

    # then only the invoice's own release changed it
    assert "no está retenida" in str(raised.value)
    assert held_after_note == NOW
    assert old.held_at is None
    kinds = [event.kind for event in _hold_events(portfolio)]
    assert kinds == ["invoice_held", "invoice_released"]


def test_hold_document_audited(portfolio: Portfolio) -> None:
    customer, old, new = _owing(portfolio)

    hold_document(portfolio.session, new, TODAY, "viaja", TODAY, NOW, ACTOR)

    [event] = _hold_events(portfolio)
    assert new.hold_until == TODAY
    assert old.held_at is None
    assert (event.kind, event.subject_id, event.actor) == (
        "invoice_held",
        new.id,
        ACTOR,
    )
    assert event.details["number"] == new.number


def test_hold_settled_invoice_rejected(portfolio: Portfolio) -> None:
    customer = portfolio.customer("C1")
    paid = portfolio.invoice(customer, "100", TODAY, open_amount="0")

    with pytest.raises(HoldError) as raised:
        hold_invoices(
            portfolio.session, customer, [paid.number], None, "x", TODAY, NOW, ACTOR
        )

    assert f"la factura {paid.number} del cliente C1 no tiene saldo" in str(
        raised.value
    )
    assert paid.held_at is None


def test_hold_nothing_owed_rejected(portfolio: Portfolio) -> None:
    customer = portfolio.customer("C1")
    portfolio.credit_note(customer, "100")

    with pytest.raises(HoldError) as raised:
        hold_invoices(portfolio.session, customer, [], None, "x", TODAY, NOW, ACTOR)

    assert "no tiene facturas con saldo pendiente" in str(raised.value)


def test_release_bad_input_changes_nothing(portfolio: Portfolio) -> None:
    # given
    customer, old, new = _owing(portfolio)
    hold_invoices(
        portfolio.session, customer, [old.number], None, "x", TODAY, NOW, ACTOR
    )
    events = len(_hold_events(portfolio))

    # when
    with pytest.raises(HoldError) as not_held:
        release_invoices(
            portfolio.session, customer, [old.number, new.number], TODAY, NOW, ACTOR
        )
    with pytest.raises(HoldError) as unknown:
        release_invoices(portfolio.session, customer, ["Z-1"], TODAY, NOW, ACTOR)

    # then
    assert f"la factura {new.number} del cliente C1 no está retenida" in str(
        not_held.value
    )
    assert "no tiene la factura Z-1" in str(unknown.value)
    assert old.held_at == NOW
    assert len(_hold_events(portfolio)) == events


def test_release_none_held_rejected(portfolio: Portfolio) -> None:
    customer, _, _ = _owing(portfolio)

    with pytest.raises(HoldError) as raised:
        release_invoices(portfolio.session, customer, [], TODAY, NOW, ACTOR)

    assert "no tiene facturas retenidas" in str(raised.value)


def test_gate_suppresses_row_held_without_end(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given: a reminder planned before the invoices were held
    customer, _, _ = _owing(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    row = _rows(portfolio)[0]
    hold_invoices(portfolio.session, customer, [], None, "acuerdo", TODAY, NOW, ACTOR)

    # when
    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    # then
    assert decision.action == "suppress"
    assert decision.reason == "on_hold"
    assert row.suppressed_reason == "on_hold"


def test_gate_waits_for_dated_hold_beside_endless(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given: one invoice held with no end and the other through 15 March
    customer, old, new = _owing(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    row = _rows(portfolio)[0]
    hold_invoices(
        portfolio.session, customer, [old.number], None, "abogado", TODAY, NOW, ACTOR
    )
    hold_invoices(
        portfolio.session,
        customer,
        [new.number],
        date(2026, 3, 15),
        "viaja",
        TODAY,
        NOW,
        ACTOR,
    )

    # when
    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    # then: Monday 16 March, 09:00 in Buenos Aires
    assert decision.action == "defer"
    assert decision.reason == "on_hold"
    assert decision.until == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def test_gate_sends_rest_after_partial_hold(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given
    customer, old, new = _owing(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    row = _rows(portfolio)[0]
    hold_invoices(
        portfolio.session, customer, [old.number], None, "abogado", TODAY, NOW, ACTOR
    )

    # when
    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    # then: the reminder states only the invoice still collected
    assert decision.action == "send"
    assert row.variables["balance"] == "500.0000"
    assert row.variables["invoice_count"] == 1


def test_promise_balance_leaves_out_held(portfolio: Portfolio) -> None:
    customer, old, new = _owing(portfolio)
    hold_invoices(
        portfolio.session, customer, [old.number], None, "abogado", TODAY, NOW, ACTOR
    )

    owed = open_balance(portfolio.session, portfolio.business, customer.id, TODAY)

    assert owed.balance == 500
    assert owed.document_ids == [new.id]


def test_stored_last_day_hold_no_end(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # given a hold stored before ends were limited, on the last day `date` has
    customer, old, new = _owing(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    row = _rows(portfolio)[0]
    for document in (old, new):
        document.held_at = NOW
        document.hold_until = date.max
    portfolio.session.flush()

    # when
    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    # then the gate treats it as a hold with no end instead of overflowing
    assert decision.action == "suppress"
    assert decision.reason == "on_hold"
