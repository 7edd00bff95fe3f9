from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import session_factory
from cobranza.db.models import Business, Case, OutboxMessage, OutboxState
from cobranza.dunning import outbox
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy

from .conftest import NOW, TODAY, Portfolio


def _queue(portfolio: Portfolio, policy: Policy, customers: int = 1) -> list[int]:
    for number in range(customers):
        customer = portfolio.customer(f"C{number}")
        portfolio.invoice(customer, "100", TODAY - timedelta(days=1 + number))
    plan(portfolio.session, portfolio.business, NOW, policy)
    return list(portfolio.session.scalars(select(OutboxMessage.id)))


def test_key_ignores_invoice_order() -> None:
    first = outbox.idempotency_key(1, 7, "reminder_soft", [3, 1, 2])
    second = outbox.idempotency_key(1, 7, "reminder_soft", [1, 2, 3])

    assert first == second
    assert len(first) == 64


def test_key_changes_with_each_part() -> None:
    base = outbox.idempotency_key(1, 7, "reminder_soft", [1, 2])

    assert outbox.idempotency_key(2, 7, "reminder_soft", [1, 2]) != base
    assert outbox.idempotency_key(1, 8, "reminder_soft", [1, 2]) != base
    assert outbox.idempotency_key(1, 7, "second_notice", [1, 2]) != base
    assert outbox.idempotency_key(1, 7, "reminder_soft", [1, 2, 3]) != base


def test_key_accepts_accented_step() -> None:
    # Owners name policy steps in Spanish, such as "último_aviso".
    key = outbox.idempotency_key(1, 7, "último_aviso", [1, 2])

    assert len(key) == 64
    assert key != outbox.idempotency_key(1, 7, "ultimo_aviso", [1, 2])


def test_due_messages_order_and_limit(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    ids = _queue(portfolio, default_policy, customers=3)
    rows = portfolio.session.scalars(select(OutboxMessage)).all()
    for offset, row in enumerate(rows):
        row.planned_for = NOW - timedelta(minutes=offset)
    rows[0].planned_for = NOW + timedelta(minutes=1)
    portfolio.session.flush()

    due = outbox.due_messages(portfolio.session, portfolio.business.id, NOW, 10)
    limited = outbox.due_messages(portfolio.session, portfolio.business.id, NOW, 1)
    other = outbox.due_messages(portfolio.session, portfolio.business.id + 1, NOW, 10)

    assert [row.id for row in due] == [ids[2], ids[1]]
    assert [row.id for row in limited] == [ids[2]]
    assert other == []


def test_claim_only_once(portfolio: Portfolio, default_policy: Policy) -> None:
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()

    first = outbox.claim(portfolio.session, row, NOW)
    second = outbox.claim(portfolio.session, row, NOW)

    assert first is True
    assert second is False
    assert row.state == OutboxState.SENDING
    assert row.attempts == 1
    assert row.claimed_at == NOW


def test_claim_with_stale_row(engine: Engine, default_policy: Policy) -> None:
    # Two dispatchers load the same queued row, and only the first claim wins.
    factory = session_factory(engine)
    with factory.begin() as setup:
        business = Business(
            name="Demo",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        setup.add(business)
        setup.flush()
        helper = Portfolio(setup, business)
        customer = helper.customer("C1")
        helper.invoice(customer, "100", TODAY - timedelta(days=1))
        plan(setup, business, NOW, default_policy)

    first_session = factory()
    second_session = factory()
    try:
        first_row = first_session.scalars(select(OutboxMessage)).one()
        second_row = second_session.scalars(select(OutboxMessage)).one()
        # End the read transaction so SQLite lets the first session write.
        second_session.rollback()

        assert outbox.claim(first_session, first_row, NOW)
        first_session.commit()
        won = outbox.claim(second_session, second_row, NOW)
        second_session.commit()
    finally:
        first_session.close()
        second_session.close()

    assert won is False
    with factory() as check:
        row = check.scalars(select(OutboxMessage)).one()
        assert row.attempts == 1


def test_mark_sent_advances_case(portfolio: Portfolio, default_policy: Policy) -> None:
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()
    outbox.claim(portfolio.session, row, NOW)

    outbox.mark_sent(portfolio.session, row, "sandbox-1", NOW)

    case = portfolio.session.get_one(Case, row.case_id)
    portfolio.session.refresh(case)
    assert row.state == OutboxState.SENT
    assert row.provider_message_id == "sandbox-1"
    assert row.sent_at == NOW
    assert case.step == "reminder_soft"
    assert case.step_sent_at == NOW


def test_late_receipt_keeps_later_step(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Given a case whose later step was recorded as sent an hour after this
    # row went out.
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()
    case = portfolio.session.get_one(Case, row.case_id)
    case.step = "second_notice"
    case.step_sent_at = NOW + timedelta(hours=1)
    portfolio.session.flush()

    # When this row's send is recorded late, as a status webhook does after
    # a crash.
    outbox.mark_sent(portfolio.session, row, "wamid.late", NOW)

    # Then the case keeps its later step.
    portfolio.session.refresh(case)
    assert row.state == OutboxState.SENT
    assert case.step == "second_notice"
    assert case.step_sent_at == NOW + timedelta(hours=1)


def test_mark_sent_keeps_later_status(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()
    row.state = OutboxState.DELIVERED

    outbox.mark_sent(portfolio.session, row, "wamid.1", NOW)

    assert row.state == OutboxState.DELIVERED
    assert row.provider_message_id == "wamid.1"


def test_mark_failed_records_error(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()

    outbox.mark_failed(portfolio.session, row, NOW, "131026", "undeliverable")

    assert row.state == OutboxState.FAILED
    assert row.failed_at == NOW
    assert row.error_code == "131026"
    assert row.error_detail == "undeliverable"


def test_requeue_sets_retry_time(portfolio: Portfolio, default_policy: Policy) -> None:
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()
    outbox.claim(portfolio.session, row, NOW)
    retry_at = NOW + timedelta(minutes=5)

    outbox.requeue(portfolio.session, row, retry_at, "130429", "rate limited")

    assert row.state == OutboxState.QUEUED
    assert row.planned_for == retry_at
    assert row.error_code == "130429"
    assert row.error_detail == "rate limited"


def test_final_row_cannot_change(portfolio: Portfolio, default_policy: Policy) -> None:
    _queue(portfolio, default_policy)
    row = portfolio.session.scalars(select(OutboxMessage)).one()
    outbox.mark_sent(portfolio.session, row, "sandbox-1", NOW)

    with pytest.raises(ValueError, match="already sent"):
        outbox.defer(portfolio.session, row, NOW, "holiday", NOW)
    with pytest.raises(ValueError, match="already sent"):
        outbox.suppress(portfolio.session, row, "opted_out", NOW)


def test_stuck_sending_found(portfolio: Portfolio, default_policy: Policy) -> None:
    ids = _queue(portfolio, default_policy, customers=2)
    rows = portfolio.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    old, recent = list(rows)
    outbox.claim(portfolio.session, old, NOW - timedelta(hours=1))
    outbox.claim(portfolio.session, recent, NOW)

    stuck = outbox.stuck_sending(
        portfolio.session, portfolio.business.id, NOW - timedelta(minutes=10)
    )

    assert [row.id for row in stuck] == [ids[0]]


@pytest.mark.postgres
def test_concurrent_claims_one_wins(engine: Engine, default_policy: Policy) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature")
    factory = session_factory(engine)
    with factory.begin() as setup:
        business = Business(
            name="Demo",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        setup.add(business)
        setup.flush()
        helper = Portfolio(setup, business)
        customer = helper.customer("C1")
        helper.invoice(customer, "100", TODAY - timedelta(days=1))
        plan(setup, business, NOW, default_policy)

    outcomes: dict[str, bool] = {}
    first = factory()
    first_row = first.scalars(select(OutboxMessage)).one()
    outcomes["first"] = outbox.claim(first, first_row, NOW)

    def second_dispatcher() -> None:
        with factory() as second:
            row = second.scalars(select(OutboxMessage)).one()
            outcomes["second"] = outbox.claim(second, row, NOW)
            second.commit()

    # The second claim waits on the case lock the first one holds.
    worker = threading.Thread(target=second_dispatcher)
    worker.start()
    worker.join(timeout=0.5)
    waited = worker.is_alive()
    first.commit()
    first.close()
    worker.join(timeout=10)

    assert waited is True
    assert outcomes == {"first": True, "second": False}


def test_claim_due_oldest_first_up_to_limit(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    ids = _queue(portfolio, default_policy, customers=4)
    rows = portfolio.session.scalars(select(OutboxMessage)).all()
    for offset, row in enumerate(rows):
        row.planned_for = NOW - timedelta(minutes=offset)
    rows[0].planned_for = NOW + timedelta(minutes=1)
    portfolio.session.flush()

    claimed, passed_over = outbox.claim_due(
        portfolio.session, portfolio.business.id, NOW, 2, exclude={ids[3]}
    )

    assert [row.id for row in claimed] == [ids[2], ids[1]]
    assert passed_over == []
    assert {row.state for row in claimed} == {OutboxState.SENDING}
    assert [row.attempts for row in claimed] == [1, 1]
    assert [row.claimed_at for row in claimed] == [NOW, NOW]
    states = {row.id: row.state for row in rows}
    assert states[ids[0]] == OutboxState.QUEUED
    assert states[ids[3]] == OutboxState.QUEUED


def test_claim_due_skips_claimed_rows(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _queue(portfolio, default_policy, customers=2)
    business_id = portfolio.business.id

    first, _ = outbox.claim_due(portfolio.session, business_id, NOW, 10)
    second, passed_over = outbox.claim_due(portfolio.session, business_id, NOW, 10)

    assert len(first) == 2
    assert second == []
    assert passed_over == []


@pytest.mark.postgres
def test_claim_due_passes_over_locked_case(
    engine: Engine, default_policy: Policy
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature")
    factory = session_factory(engine)
    with factory.begin() as setup:
        business = Business(
            name="Demo",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        setup.add(business)
        setup.flush()
        helper = Portfolio(setup, business)
        for number in range(2):
            customer = helper.customer(f"C{number}")
            helper.invoice(customer, "100", TODAY - timedelta(days=1))
        plan(setup, business, NOW, default_policy)
        business_id = business.id
        locked_row = setup.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id)
        ).first()
        assert locked_row is not None
        locked_id, locked_case = locked_row.id, locked_row.case_id

    # A planner has locked the first row's case.
    planner = factory()
    planner.execute(select(Case.id).where(Case.id == locked_case).with_for_update())
    try:
        with factory.begin() as dispatcher:
            claimed, passed_over = outbox.claim_due(dispatcher, business_id, NOW, 10)
            claimed_ids = [row.id for row in claimed]
    finally:
        planner.rollback()
        planner.close()

    assert passed_over == [locked_id]
    assert len(claimed_ids) == 1
    assert locked_id not in claimed_ids
