"""A due date on a weekend or holiday is payable on the next business day.

The planner, its balance query, the gate's cutoff and the composer all
count days past due from that effective due date, on real databases. A
due-today message that cannot go out on its day is dropped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.channels.compose import refresh_dates
from cobranza.compliance.business_days import overdue_cutoff
from cobranza.compliance.gate import GateDecision
from cobranza.compliance.rules import legal_rules
from cobranza.db.models import Business, OutboxMessage, OutboxState
from cobranza.dunning import gate, outbox
from cobranza.dunning.balances import customer_balances_query, to_customer_balance
from cobranza.dunning.gate import due_cutoff
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import parse_policy

from .conftest import NOW, Portfolio

AR = legal_rules("AR")
SATURDAY = date(2026, 3, 7)

THIRD_DAY_POLICY = """\
version: 1
name: al tercer día
steps:
  - key: third_day
    offset_days: 3
    action: send
    step_kind: reminder_soft
"""


def _noon(day: date) -> datetime:
    """Return 12:00 of `day` in Buenos Aires and São Paulo (both UTC-3)."""
    return datetime.combine(day, time(15), tzinfo=UTC)


def _planned_steps(session: Session) -> list[tuple[str, int]]:
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(row.step, row.variables["days_past_due"]) for row in rows]


def _plan_days(
    portfolio: Portfolio, policy: Policy, first: date, last: date
) -> dict[date, list[tuple[str, int]]]:
    """Plan at noon of each day from `first` to `last`, and return the new steps."""
    queued: dict[date, list[tuple[str, int]]] = {}
    seen = 0
    day = first
    while day <= last:
        plan(portfolio.session, portfolio.business, _noon(day), policy)
        steps = _planned_steps(portfolio.session)
        queued[day] = steps[seen:]
        seen = len(steps)
        day += timedelta(days=1)
    return queued


def _overdue_amount(portfolio: Portfolio, today: date) -> Decimal:
    dialect = portfolio.session.get_bind().dialect.name
    query = customer_balances_query(
        portfolio.business.id, today, overdue_cutoff(AR, today), dialect
    )
    balances = [to_customer_balance(row) for row in portfolio.session.execute(query)]
    assert len(balances) == 1
    return balances[0].overdue_amount


def test_saturday_invoice_overdue_after_monday(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", SATURDAY)

    queued = _plan_days(portfolio, default_policy, SATURDAY, date(2026, 3, 10))

    assert queued[SATURDAY] == [("due_today", 0)]
    assert queued[date(2026, 3, 8)] == []
    assert queued[date(2026, 3, 9)] == []
    assert queued[date(2026, 3, 10)] == [("reminder_soft", 1)]
    reminder = _rows(portfolio.session)[-1]
    assert reminder.variables["oldest_due_on"] == "2026-03-07"
    assert reminder.variables["overdue_amount"] == "1000.0000"


def test_saturday_invoice_not_in_overdue_amount(portfolio: Portfolio) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", SATURDAY)
    portfolio.invoice(customer, "250", date(2026, 3, 6))

    assert _overdue_amount(portfolio, date(2026, 3, 8)) == Decimal("250")
    assert _overdue_amount(portfolio, date(2026, 3, 9)) == Decimal("250")
    assert _overdue_amount(portfolio, date(2026, 3, 10)) == Decimal("1250")


def test_third_day_step_counts_from_monday(portfolio: Portfolio) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", SATURDAY)
    policy = parse_policy(THIRD_DAY_POLICY)

    queued = _plan_days(portfolio, policy, SATURDAY, date(2026, 3, 13))

    # Monday 9 March is the effective due date, so +3 is Thursday 12 March.
    assert [day for day, steps in queued.items() if steps] == [date(2026, 3, 12)]
    assert queued[date(2026, 3, 12)] == [("third_day", 3)]


def test_argentine_holiday_moves_reminder(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Independence Day, Thursday 9 July 2026, then a bridge holiday on Friday.
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", date(2026, 7, 9))

    queued = _plan_days(portfolio, default_policy, date(2026, 7, 9), date(2026, 7, 14))

    assert queued[date(2026, 7, 9)] == [("due_today", 0)]
    for day in (date(2026, 7, 10), date(2026, 7, 11), date(2026, 7, 13)):
        assert queued[day] == [], day
    assert queued[date(2026, 7, 14)] == [("reminder_soft", 1)]


def test_brazilian_holiday_moves_reminder(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Tiradentes, Tuesday 21 April 2026, is a national holiday in Brazil
    # and a business day in Argentina.
    business = Business(
        name="Loja Demo",
        country="BR",
        timezone="America/Sao_Paulo",
        currency="BRL",
        locale="pt_BR",
        settings={},
        created_at=NOW,
    )
    portfolio.session.add(business)
    portfolio.session.flush()
    brazil = Portfolio(portfolio.session, business)
    customer = brazil.customer("B1", phone="+5511987654321")
    brazil.invoice(customer, "1000", date(2026, 4, 21), currency="BRL")

    queued = _plan_days(brazil, default_policy, date(2026, 4, 21), date(2026, 4, 23))

    assert queued[date(2026, 4, 21)] == [("due_today", 0)]
    assert queued[date(2026, 4, 22)] == []
    assert queued[date(2026, 4, 23)] == [("reminder_soft", 1)]


def test_weekday_invoice_overdue_next_day(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", date(2026, 3, 4))

    queued = _plan_days(portfolio, default_policy, date(2026, 3, 4), date(2026, 3, 5))

    assert queued[date(2026, 3, 4)] == [("due_today", 0)]
    assert queued[date(2026, 3, 5)] == [("reminder_soft", 1)]
    assert _overdue_amount(portfolio, date(2026, 3, 5)) == Decimal("1000")


def test_due_today_deferred_past_saturday_suppressed(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Argentina allows no messages on Saturdays, so the gate defers the
    # due-today message to Monday, when "hoy vence" would be false.
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", SATURDAY)
    plan(portfolio.session, portfolio.business, _noon(SATURDAY), default_policy)
    row = _rows(portfolio.session)[0]

    on_saturday = _check(portfolio, row, _noon(SATURDAY))
    on_monday = _check(portfolio, row, _noon(date(2026, 3, 9)))

    assert row.step == "due_today"
    assert on_saturday.action == "defer"
    assert on_saturday.reason == "day_not_allowed"
    assert on_monday.action == "suppress"
    assert on_monday.reason == "due_date_passed"
    assert row.state == OutboxState.SUPPRESSED


def test_due_today_sent_on_colombian_saturday(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Colombia allows messages on Saturdays from 08:00 to 15:00.
    business = Business(
        name="Tienda Demo",
        country="CO",
        timezone="America/Bogota",
        currency="COP",
        locale="es_CO",
        settings={},
        created_at=NOW,
    )
    portfolio.session.add(business)
    portfolio.session.flush()
    colombia = Portfolio(portfolio.session, business)
    customer = colombia.customer("K1", phone="+573001234567")
    colombia.invoice(customer, "1000", SATURDAY, currency="COP")
    # 10:00 in Bogotá (UTC-5).
    saturday_morning = datetime.combine(SATURDAY, time(15), tzinfo=UTC)
    plan(portfolio.session, business, saturday_morning, default_policy)
    row = _rows(portfolio.session)[0]

    decision = _check(portfolio, row, saturday_morning)

    assert row.step == "due_today"
    assert decision.action == "send"


def test_gate_cutoff_leaves_out_saturday_invoice() -> None:
    overdue = OutboxMessage(
        step_kind="reminder_soft", variables={"oldest_due_on": "2026-02-02"}
    )
    due_today = OutboxMessage(
        step_kind="due_today", variables={"oldest_due_on": SATURDAY.isoformat()}
    )

    # On Monday an overdue reminder states what fell due by Friday.
    assert due_cutoff(overdue, date(2026, 3, 9), AR) == date(2026, 3, 6)
    assert due_cutoff(overdue, date(2026, 3, 10), AR) == date(2026, 3, 9)
    # A reminder for Saturday's invoice, deferred to Monday, still states it.
    assert due_cutoff(due_today, date(2026, 3, 9), AR) == SATURDAY


def test_composer_counts_days_from_monday() -> None:
    stored = {"oldest_due_on": SATURDAY.isoformat(), "days_past_due": 0}

    assert refresh_dates(stored, date(2026, 3, 9), AR)["days_past_due"] == 0
    assert refresh_dates(stored, date(2026, 3, 12), AR)["days_past_due"] == 3


def _rows(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _check(portfolio: Portfolio, row: OutboxMessage, now: datetime) -> GateDecision:
    assert outbox.claim(portfolio.session, row, now)
    return gate.check(portfolio.session, row, now)
