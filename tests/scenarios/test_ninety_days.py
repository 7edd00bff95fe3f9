"""Ninety days of daily cycles over a small mixed portfolio.

Four customers of an Argentine business, one cycle a day at 10:00 from
1 March to 29 May 2026, with payments and an opt-out arriving between
cycles, as they would in real life.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    CaseState,
    Document,
    OutboxMessage,
    OutboxState,
    SandboxMessage,
)
from cobranza.dunning.policy_loader import default_policy_path, load_policy
from cobranza.jobs import CycleReport, run_cycle
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_payment,
    revoke_consent,
)
from tests.scenarios.helpers import (
    AR_TZ,
    days,
    local_instant,
    outbox_rows,
    sandbox_texts,
    sent_rows,
)

START = date(2026, 3, 1)
DAYS = 90
SETUP = local_instant(date(2026, 1, 10), 10, AR_TZ)


@dataclass(frozen=True)
class Walk:
    business_id: int
    late: int
    punctual: int
    partial: int
    opted_out: int
    reports: list[CycleReport]


def _given_portfolio(session: Session) -> dict[str, int]:
    business = make_business(session, SETUP)
    late = make_customer(
        session, business, SETUP, "late", "+5491155550101", segment="chronic_late"
    )
    make_document(session, late, SETUP, "A-1", "1000.00", date(2026, 3, 10))
    make_document(session, late, SETUP, "A-2", "500.00", date(2026, 3, 12))
    punctual = make_customer(
        session,
        business,
        SETUP,
        "punctual",
        "+5491155550102",
        kind="company",
        segment="punctual",
    )
    make_document(session, punctual, SETUP, "B-1", "2000.00", date(2026, 3, 10))
    partial = make_customer(
        session, business, SETUP, "partial", "+5491155550103", segment="month_end"
    )
    make_document(session, partial, SETUP, "C-1", "2000.00", date(2026, 3, 16))
    opted_out = make_customer(
        session, business, SETUP, "optout", "+5491155550104", segment="chronic_late"
    )
    make_document(session, opted_out, SETUP, "D-1", "700.00", date(2026, 3, 10))
    return {
        "business": business.id,
        "late": late.id,
        "punctual": punctual.id,
        "partial": partial.id,
        "optout": opted_out.id,
    }


def _pay(number: str, amount: str) -> Callable[[Session, date], None]:
    def pay(session: Session, day: date) -> None:
        document = session.scalars(
            select(Document).where(Document.number == number)
        ).one()
        make_payment(
            session,
            document.customer,
            local_instant(day, 8, AR_TZ),
            amount,
            reference=f"pay-{number}",
        )
        document.open_amount -= Decimal(amount)

    return pay


def _opt_out(session: Session, day: date) -> None:
    customer = session.scalars(select(Document).where(Document.number == "D-1")).one()
    revoke_consent(session, customer.customer, local_instant(day, 8, AR_TZ))


# Events that happen before the cycle of their day.
EVENTS = {
    date(2026, 3, 12): _opt_out,
    date(2026, 3, 18): _pay("C-1", "1200.00"),
    date(2026, 3, 20): _pay("B-1", "2000.00"),
}


def _walk(engine: Engine) -> Walk:
    with transaction(engine) as session:
        ids = _given_portfolio(session)
    reports = []
    for day in days(START, DAYS):
        event = EVENTS.get(day)
        if event is not None:
            with transaction(engine) as session:
                event(session, day)
        reports.append(
            run_cycle(engine, ids["business"], local_instant(day, 10, AR_TZ))
        )
    return Walk(
        ids["business"],
        ids["late"],
        ids["punctual"],
        ids["partial"],
        ids["optout"],
        reports,
    )


def test_ninety_day_walk(engine: Engine) -> None:
    walk = _walk(engine)
    policy = load_policy(default_policy_path())

    # A chronic late payer who never pays gets every step once, in order.
    late = sent_rows(engine, walk.late)
    assert [row.step for row in late] == [step.key for step in policy.steps]
    # Until the second invoice falls due on 12 March, the steps name only the
    # first one, because a message never calls an invoice due before it is.
    counts = {row.step: row.variables["invoice_count"] for row in late}
    assert counts.pop("preventive") == 1
    assert counts.pop("due_today") == 1
    assert counts.pop("reminder_soft") == 1
    assert set(counts.values()) == {2}

    # A punctual company gets the day-after reminder, formally, then pays.
    punctual = sent_rows(engine, walk.punctual)
    assert [row.step for row in punctual] == ["reminder_soft"]
    assert punctual[0].tone == "formal"
    with transaction(engine) as session:
        case = session.scalars(
            select(Case).where(Case.customer_id == walk.punctual)
        ).one()
    assert case.state == CaseState.CLOSED
    assert case.close_reason == "zero_balance"

    # A partial payment on 18 March: later reminders ask for the rest only.
    partial = sent_rows(engine, walk.partial)
    texts = sandbox_texts(engine, walk.partial)
    paid_at = local_instant(date(2026, 3, 18), 8, AR_TZ)
    assert len(partial) == len(texts) >= 4
    for row, text in zip(partial, texts, strict=True):
        assert row.sent_at is not None
        expected = "$ 800,00" if row.sent_at > paid_at else "$ 2.000,00"
        assert expected in text, (row.step, text)

    # An opt-out on 12 March stops everything after it.
    opted_out = outbox_rows(engine, walk.opted_out)
    optout_at = local_instant(date(2026, 3, 12), 8, AR_TZ)
    assert [row.step for row in opted_out if row.state == OutboxState.SENT] == [
        "preventive",
        "due_today",
        "reminder_soft",
    ]
    later = [row for row in opted_out if row.created_at > optout_at]
    assert later
    assert {row.suppressed_reason for row in later} == {"opted_out"}

    _assert_rules_kept(engine, walk)


def _assert_rules_kept(engine: Engine, walk: Walk) -> None:
    """Check every sent message against the window, holidays and repeats."""
    zone = ZoneInfo(AR_TZ)
    argentine_holidays = holidays.country_holidays("AR", years=2026)
    with transaction(engine) as session:
        sent = list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENT)
            )
        )
        delivered = list(session.scalars(select(SandboxMessage.outbox_id)))

    assert sorted(delivered) == sorted(row.id for row in sent)
    per_day = Counter()
    for row in sent:
        assert row.sent_at is not None
        local = row.sent_at.astimezone(zone)
        assert local.weekday() < 5, row.step
        assert 9 <= local.hour < 20, row.step
        assert local.date() not in argentine_holidays, row.step
        per_day[(row.customer_id, local.date())] += 1
    assert max(per_day.values()) == 1
    steps = Counter((row.customer_id, row.step) for row in sent)
    assert max(steps.values()) == 1
    assert sum(report.dispatch.sent for report in walk.reports) == len(sent)
    assert sum(sum(r.dispatch.failed.values()) for r in walk.reports) == 0
