from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    Customer,
    CustomerKind,
    InstallmentPlan,
    OutboxMessage,
    OutboxState,
    PlanStatus,
)
from cobranza.dunning.outbox import enqueue, idempotency_key
from cobranza.dunning.planner import decide, plan
from cobranza.dunning.policy import CustomerFacts, Policy
from cobranza.dunning.policy_loader import parse_policy
from cobranza.dunning.promises import case_message

from .conftest import NOW, TODAY, Portfolio


def _rows(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _audit_kinds(session: Session, kind: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
        )
    )


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_latest_due_step_only(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1", segment="chronic_late")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=8))

    result = plan(portfolio.session, portfolio.business, NOW, default_policy)

    rows = _rows(portfolio.session)
    assert [row.step for row in rows] == ["reminder_empathetic"]
    assert result.messages_queued == 1
    assert result.steps_skipped == 3
    planned = _audit_kinds(portfolio.session, "step_planned")
    assert len(planned) == 1
    details = planned[0].details
    assert details["skipped_steps"] == [
        {"step": "preventive", "reason": "later_step_due"},
        {"step": "due_today", "reason": "later_step_due"},
        {"step": "reminder_soft", "reason": "later_step_due"},
    ]
    assert details["case_opened"] is True
    assert details["days_past_due"] == 8
    assert details["segment"] == "chronic_late"
    assert details["balance"] == "1000.0000"
    assert details["idempotency_key"] == rows[0].idempotency_key


def test_one_message_covers_all_invoices(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    older = portfolio.invoice(customer, "1000", TODAY - timedelta(days=16))
    newer = portfolio.invoice(customer, "250.50", TODAY - timedelta(days=2))

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    rows = _rows(portfolio.session)
    assert len(rows) == 1
    row = rows[0]
    assert row.step == "second_notice"
    assert row.document_ids == sorted([older.id, newer.id])
    assert row.variables["balance"] == "1250.5000"
    assert row.variables["invoice_count"] == 2
    # Due on Sunday 22 February, so the days count from Monday 23.
    assert row.variables["days_past_due"] == 15
    assert row.variables["oldest_due_on"] == (TODAY - timedelta(days=16)).isoformat()
    assert row.idempotency_key == idempotency_key(
        portfolio.business.id, row.case_id, "second_notice", [newer.id, older.id]
    )


def test_plan_twice_creates_nothing(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    for number in range(5):
        customer = portfolio.customer(f"C{number}")
        portfolio.invoice(customer, "100", TODAY - timedelta(days=number * 10))
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    counts = [
        _count(portfolio.session, model) for model in (Case, OutboxMessage, AuditEvent)
    ]

    result = plan(portfolio.session, portfolio.business, NOW, default_policy)

    after = [
        _count(portfolio.session, model) for model in (Case, OutboxMessage, AuditEvent)
    ]
    assert after == counts
    assert result.messages_queued == 0
    assert result.cases_opened == 0


def test_catch_up_send_late(portfolio: Portfolio, default_policy: Policy) -> None:
    # reminder_soft (day 1, send_late) was missed: today is day 3.
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=3))

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    assert [row.step for row in _rows(portfolio.session)] == ["reminder_soft"]


def test_catch_up_skip(portfolio: Portfolio, default_policy: Policy) -> None:
    # The preventive step (day -3, skip) was missed: today is day -1.
    customer = portfolio.customer("C1", segment="month_end")
    portfolio.invoice(customer, "100", TODAY + timedelta(days=1))

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    assert _rows(portfolio.session) == []
    skipped = _audit_kinds(portfolio.session, "step_skipped")
    assert len(skipped) == 1
    assert skipped[0].reason == "missed_catch_up_skip"
    assert skipped[0].details["skipped_steps"] == [
        {"step": "preventive", "reason": "missed_catch_up_skip"}
    ]
    case = portfolio.session.scalars(select(Case)).one()
    assert case.planned_step == "preventive"


def test_missed_days_plan_one_step(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1", segment="chronic_late")
    portfolio.invoice(customer, "100", TODAY + timedelta(days=3))
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    first = _rows(portfolio.session)
    assert [row.step for row in first] == ["preventive"]

    # Five days of downtime: due_today (day 0) was missed, reminder_soft is due.
    later = NOW + timedelta(days=5)
    plan(portfolio.session, portfolio.business, later, default_policy)

    rows = _rows(portfolio.session)
    queued = [row for row in rows if row.state == OutboxState.QUEUED]
    assert [row.step for row in queued] == ["reminder_soft"]
    # The preventive row never went out, so it is superseded, not sent late.
    assert rows[0].state == OutboxState.SUPPRESSED
    assert rows[0].suppressed_reason == "superseded"
    planned = _audit_kinds(portfolio.session, "step_planned")
    assert planned[-1].details["skipped_steps"] == [
        {"step": "due_today", "reason": "later_step_due"}
    ]


def _simulate(portfolio: Portfolio, policy: Policy, days: int) -> list[str]:
    """Plan once a day and send every queued row; return the steps sent."""
    for day in range(days):
        now = NOW + timedelta(days=day)
        plan(portfolio.session, portfolio.business, now, policy)
        for row in _rows(portfolio.session):
            if row.state == OutboxState.QUEUED:
                row.state = OutboxState.SENT
                row.sent_at = now
        portfolio.session.flush()
    return [row.step for row in _rows(portfolio.session)]


def test_punctual_get_fewer_messages(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    punctual = portfolio.customer("P", segment="punctual")
    late = portfolio.customer("L", segment="chronic_late")
    portfolio.invoice(punctual, "100", TODAY + timedelta(days=5))
    portfolio.invoice(late, "100", TODAY + timedelta(days=5))

    _simulate(portfolio, default_policy, 70)

    by_customer: dict[int, list[str]] = {}
    for row in _rows(portfolio.session):
        by_customer.setdefault(row.customer_id, []).append(row.step)
    assert by_customer[late.id] == [
        "preventive",
        "due_today",
        "reminder_soft",
        "reminder_empathetic",
        "second_notice",
        "plan_offer",
        "final_notice",
        "handoff",
    ]
    assert by_customer[punctual.id] == [
        "reminder_soft",
        "second_notice",
        "plan_offer",
        "final_notice",
        "handoff",
    ]


def test_credit_notes_netted(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1")
    invoice = portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    portfolio.credit_note(customer, "300")

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    row = _rows(portfolio.session)[0]
    assert row.variables["balance"] == "700.0000"
    assert row.document_ids == [invoice.id]


def test_credit_note_covering_all(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "300", TODAY - timedelta(days=1))
    portfolio.credit_note(customer, "300")

    result = plan(portfolio.session, portfolio.business, NOW, default_policy)

    assert _rows(portfolio.session) == []
    assert result.cases_opened == 0


def test_disputed_invoice_excluded(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "5000", TODAY - timedelta(days=20), disputed=True)
    current = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    row = _rows(portfolio.session)[0]
    assert row.step == "reminder_soft"
    assert row.document_ids == [current.id]
    assert row.variables["balance"] == "100.0000"


def test_held_invoice_excluded_until_end(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    held = portfolio.invoice(
        customer, "100", TODAY - timedelta(days=1), hold_until=TODAY
    )

    plan(portfolio.session, portfolio.business, NOW, default_policy)
    assert _rows(portfolio.session) == []

    plan(portfolio.session, portfolio.business, NOW + timedelta(days=1), default_policy)

    rows = _rows(portfolio.session)
    assert [row.document_ids for row in rows] == [[held.id]]
    assert rows[0].step == "reminder_soft"


def test_partial_payment_reminds_rest(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=1), open_amount="400")

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    assert _rows(portfolio.session)[0].variables["balance"] == "400.0000"


def test_due_today_is_not_overdue(portfolio: Portfolio, default_policy: Policy) -> None:
    late = portfolio.customer("L", segment="occasional_late")
    punctual = portfolio.customer("P", segment="punctual")
    portfolio.invoice(late, "100", TODAY)
    portfolio.invoice(punctual, "100", TODAY)

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    rows = _rows(portfolio.session)
    assert [(row.customer_id, row.step) for row in rows] == [(late.id, "due_today")]
    assert rows[0].variables["days_past_due"] == 0
    assert rows[0].variables["overdue_amount"] == "0.0000"


def test_due_date_in_business_zone(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # 01:00 UTC on 11 March is still 10 March (22:00) in Buenos Aires.
    customer = portfolio.customer("C1", segment="punctual")
    portfolio.invoice(customer, "100", date(2026, 3, 10))
    late_evening = NOW.replace(day=11, hour=1)

    plan(portfolio.session, portfolio.business, late_evening, default_policy)

    assert _rows(portfolio.session) == []


def test_case_closes_at_zero_balance(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    invoice = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    plan(portfolio.session, portfolio.business, NOW, default_policy)

    invoice.open_amount = Decimal(0)
    portfolio.session.flush()
    result = plan(portfolio.session, portfolio.business, NOW, default_policy)

    case = portfolio.session.scalars(select(Case)).one()
    assert result.cases_closed == 1
    assert case.state == CaseState.CLOSED
    assert case.closed_at == NOW
    assert case.close_reason == "zero_balance"
    closed = _audit_kinds(portfolio.session, "case_closed")
    assert [event.subject_id for event in closed] == [case.id]
    row = _rows(portfolio.session)[0]
    assert row.state == OutboxState.SUPPRESSED
    assert row.suppressed_reason == "zero_balance"


# Each hand-off reason, with whether a zero balance closes its case. None
# is the policy's hand-off step, which sets no reason.
HANDOFFS_AT_ZERO = [
    (None, True),
    ("payment_to_verify", True),
    ("promise_no_date", True),
    ("promise_past_installment", True),
    ("installments_requested", True),
    ("plan_declined", True),
    ("installments_refused", True),
    ("dispute", False),
    ("request_human", False),
    ("cannot_pay", False),
    ("wrong_person", False),
    ("possible_opt_out", False),
    ("opt_out_new_contact", False),
    ("complaint_threat", False),
    ("promise_to_review", False),
    ("unclear_reply", False),
    ("payment_charged_back", False),
    ("payment_in_mediation", False),
    ("payment_mismatch_amount", False),
    ("a_reason_added_later", False),
]


@pytest.mark.parametrize("paid_by", ["zero_open_amount", "no_document_left"])
@pytest.mark.parametrize(("reason", "closes"), HANDOFFS_AT_ZERO)
def test_handoff_at_zero_balance(
    portfolio: Portfolio,
    default_policy: Policy,
    reason: str | None,
    closes: bool,
    paid_by: str,
) -> None:
    # given
    customer = portfolio.customer("C1")
    invoice = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    case = portfolio.session.scalars(select(Case)).one()
    case.state = CaseState.HANDED_OFF
    case.handoff_reason = reason
    if paid_by == "zero_open_amount":
        invoice.open_amount = Decimal(0)
    else:
        # A full-snapshot import that no longer lists the invoice.
        invoice.missing_since = TODAY
    portfolio.session.flush()

    # when
    result = plan(
        portfolio.session, portfolio.business, NOW + timedelta(days=1), default_policy
    )

    # then
    portfolio.session.refresh(case)
    closed = _audit_kinds(portfolio.session, "case_closed")
    assert result.messages_queued == 0
    if closes:
        assert result.cases_closed == 1
        assert case.state == CaseState.CLOSED
        assert case.close_reason == "zero_balance"
        assert [event.reason for event in closed] == ["zero_balance"]
        assert closed[0].details["handoff_reason"] == (reason or "policy_handoff")
        assert closed[0].details["waited_for_person"] is True
    else:
        assert result.cases_closed == 0
        assert case.closed_at is None
        assert case.state == CaseState.HANDED_OFF
        assert case.handoff_reason == reason
        assert closed == []


def test_new_case_after_close(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1")
    first = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    first.open_amount = Decimal(0)
    plan(portfolio.session, portfolio.business, NOW, default_policy)

    portfolio.invoice(customer, "200", TODAY - timedelta(days=1))
    plan(portfolio.session, portfolio.business, NOW, default_policy)

    cases = list(portfolio.session.scalars(select(Case).order_by(Case.id)))
    assert [case.state for case in cases] == [CaseState.CLOSED, CaseState.OPEN]
    assert [row.case_id for row in _rows(portfolio.session)] == [
        cases[0].id,
        cases[1].id,
    ]


def test_handoff_stops_planning(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=61))

    result = plan(portfolio.session, portfolio.business, NOW, default_policy)
    plan(
        portfolio.session, portfolio.business, NOW + timedelta(days=30), default_policy
    )

    case = portfolio.session.scalars(select(Case)).one()
    assert result.handoffs == 1
    assert case.state == CaseState.HANDED_OFF
    assert [row.step_kind for row in _rows(portfolio.session)] == ["handoff_notice"]


def test_tone_auto_by_customer_kind(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    person = portfolio.customer("P", kind=CustomerKind.PERSON)
    company = portfolio.customer("E", kind=CustomerKind.COMPANY)
    portfolio.invoice(person, "100", TODAY - timedelta(days=1))
    portfolio.invoice(company, "100", TODAY - timedelta(days=1))

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    tones = {row.customer_id: row.tone for row in _rows(portfolio.session)}
    assert tones == {person.id: "friendly", company.id: "formal"}


PAUSE_POLICY = """\
version: 1
name: con pausa
steps:
  - key: soft
    offset_days: 1
    action: send
    step_kind: reminder_soft
  - key: wait
    offset_days: 5
    action: pause
    pause_days: 10
  - key: second
    offset_days: 6
    action: send
    step_kind: second_notice
"""


def test_pause_step_holds_case(portfolio: Portfolio) -> None:
    policy = parse_policy(PAUSE_POLICY)
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=5))

    plan(portfolio.session, portfolio.business, NOW, policy)
    case = portfolio.session.scalars(select(Case)).one()
    assert case.state == CaseState.PAUSED
    assert case.paused_until == NOW + timedelta(days=10)

    plan(portfolio.session, portfolio.business, NOW + timedelta(days=3), policy)
    assert _rows(portfolio.session) == []

    result = plan(
        portfolio.session, portfolio.business, NOW + timedelta(days=10), policy
    )

    assert result.cases_resumed == 1
    assert [row.step for row in _rows(portfolio.session)] == ["second"]


def test_several_currencies_one_message(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    dollars = portfolio.invoice(
        customer, "50", TODAY - timedelta(days=16), currency="USD"
    )

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    rows = _rows(portfolio.session)
    assert len(rows) == 1
    assert rows[0].document_ids == [dollars.id]
    assert rows[0].variables["currency"] == "USD"


def test_documents_scoped_by_business(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    other = Business(
        name="Otro negocio",
        country="AR",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        locale="es_AR",
        settings={},
        created_at=NOW,
    )
    portfolio.session.add(other)
    portfolio.session.flush()

    result = plan(portfolio.session, other, NOW, default_policy)

    assert result.customers == 0
    assert _rows(portfolio.session) == []


def _facts(days_past_due: int, segment: str | None = "new") -> CustomerFacts:
    return CustomerFacts(
        segment=segment,
        customer_kind="person",
        balance=Decimal(100),
        days_past_due=days_past_due,
        risk_score=None,
    )


def test_decide_skips_earlier_steps(default_policy: Policy) -> None:
    due = date(2026, 3, 1)

    decision = decide(default_policy, _facts(15), due, due + timedelta(days=15), None)

    assert decision.step is not None
    assert decision.step.key == "second_notice"
    assert [step.key for step, _ in decision.skipped] == [
        "due_today",
        "reminder_soft",
        "reminder_empathetic",
    ]


def test_decide_nothing_after_planned(default_policy: Policy) -> None:
    due = date(2026, 3, 1)

    decision = decide(
        default_policy, _facts(20), due, due + timedelta(days=20), "second_notice"
    )

    assert decision.step is None
    assert decision.skipped == []


def test_decide_no_plan_offer_after_broken_plan(default_policy: Policy) -> None:
    due = date(2026, 3, 1)
    broke = replace(_facts(30), broke_plan_recently=True)

    decision = decide(
        default_policy, broke, due, due + timedelta(days=30), "second_notice"
    )
    offered = decide(
        default_policy, _facts(30), due, due + timedelta(days=30), "second_notice"
    )

    assert decision.step is None
    assert offered.step is not None
    assert offered.step.key == "plan_offer"


def _broken_plan(portfolio: Portfolio, customer: Customer, days_ago: int) -> None:
    broken_at = NOW - timedelta(days=days_ago)
    case = Case(
        business_id=portfolio.business.id,
        customer_id=customer.id,
        state=CaseState.CLOSED,
        opened_at=broken_at - timedelta(days=30),
        closed_at=broken_at,
    )
    portfolio.session.add(case)
    portfolio.session.flush()
    portfolio.session.add(
        InstallmentPlan(
            business_id=portfolio.business.id,
            case_id=case.id,
            customer_id=customer.id,
            currency="ARS",
            principal=Decimal(300),
            total=Decimal(300),
            installment_count=3,
            status=PlanStatus.BROKEN,
            created_at=broken_at - timedelta(days=20),
            closed_at=broken_at,
        )
    )
    portfolio.session.flush()


def test_broken_plan_keeps_plan_offer_away(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Due on Friday 6 February, 32 days past due: the plan offer (30) is due.
    lately = portfolio.customer("C1")
    portfolio.invoice(lately, "300", TODAY - timedelta(days=32))
    _broken_plan(portfolio, lately, days_ago=10)
    long_ago = portfolio.customer("C2")
    portfolio.invoice(long_ago, "300", TODAY - timedelta(days=32))
    _broken_plan(portfolio, long_ago, days_ago=200)

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    steps = {row.customer_id: row.step for row in _rows(portfolio.session)}
    assert steps.get(lately.id) == "second_notice"
    assert steps[long_ago.id] == "plan_offer"


REPEATED_PAUSE_POLICY = """\
version: 1
name: dos pausas
steps:
  - key: first_pause
    offset_days: 1
    action: pause
    pause_days: 2
  - key: second_pause
    offset_days: 4
    action: pause
    pause_days: 5
"""


def test_pause_after_resume_holds(portfolio: Portfolio) -> None:
    policy = parse_policy(REPEATED_PAUSE_POLICY)
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    plan(portfolio.session, portfolio.business, NOW, policy)

    # The first pause ends and the second pause step is due in the same cycle.
    later = NOW + timedelta(days=3)
    result = plan(portfolio.session, portfolio.business, later, policy)

    case = portfolio.session.scalars(select(Case)).one()
    assert result.cases_resumed == 1
    assert case.state == CaseState.PAUSED
    assert case.planned_step == "second_pause"
    assert case.paused_until == later + timedelta(days=5)


def _case_with_notice(
    portfolio: Portfolio, days_past_due: int, planned_step: str
) -> tuple[Case, int]:
    """Add an open case whose broken-promise notice waits in the outbox."""
    customer = portfolio.customer("C1", segment="chronic_late")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=days_past_due))
    case = Case(
        business_id=portfolio.business.id,
        customer_id=customer.id,
        state=CaseState.OPEN,
        planned_step=planned_step,
        planned_at=NOW - timedelta(days=20),
        opened_at=NOW - timedelta(days=30),
    )
    portfolio.session.add(case)
    portfolio.session.flush()
    values = case_message(
        portfolio.session, case, "broken_promise:1", "broken_promise", {}, NOW
    )
    notice_id = enqueue(portfolio.session, values)
    assert notice_id is not None
    return case, notice_id


def test_waiting_notice_replaces_due_step(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    case, notice_id = _case_with_notice(portfolio, 16, "reminder_soft")

    result = plan(portfolio.session, portfolio.business, NOW, default_policy)

    rows = _rows(portfolio.session)
    assert [(row.step, row.state) for row in rows] == [
        ("broken_promise:1", OutboxState.QUEUED)
    ]
    assert result.messages_queued == 0
    assert result.messages_superseded == 0
    assert portfolio.session.get_one(Case, case.id).planned_step == "second_notice"
    planned = _audit_kinds(portfolio.session, "step_planned")
    assert [event.reason for event in planned] == ["second_notice"]
    assert planned[0].details["replaced_by"] == notice_id
    assert "idempotency_key" not in planned[0].details


def test_sent_notice_replaces_one_step(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Due on Friday 20 February, so 14 days later the plan offer (30) is due.
    case, notice_id = _case_with_notice(portfolio, 18, "reminder_soft")
    notice = portfolio.session.get_one(OutboxMessage, notice_id)
    notice.state = OutboxState.SENT

    plan(portfolio.session, portfolio.business, NOW, default_policy)
    later = NOW + timedelta(days=14)
    plan(portfolio.session, portfolio.business, later, default_policy)

    rows = _rows(portfolio.session)
    assert [row.step for row in rows] == ["broken_promise:1", "plan_offer"]
    assert portfolio.session.get_one(Case, case.id).planned_step == "plan_offer"


def test_handoff_step_drops_notice(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    case, notice_id = _case_with_notice(portfolio, 61, "final_notice")

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    notice = portfolio.session.get_one(OutboxMessage, notice_id)
    assert notice.state == OutboxState.SUPPRESSED
    assert notice.suppressed_reason == "superseded"
    stored = portfolio.session.get_one(Case, case.id)
    assert stored.state == CaseState.HANDED_OFF
    assert [row.step for row in _rows(portfolio.session)] == [
        "broken_promise:1",
        "handoff",
    ]
