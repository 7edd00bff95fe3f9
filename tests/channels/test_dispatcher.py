from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel, OutgoingMessage, SendResult
from cobranza.channels.dispatcher import (
    UNKNOWN_DELIVERY_STATE,
    Dispatcher,
    DispatchLimits,
)
from cobranza.channels.errors import (
    ChannelError,
    ChannelUnavailableError,
    InvalidRecipientError,
    RateLimitedError,
)
from cobranza.channels.ratelimit import TokenBucket
from cobranza.channels.sandbox import SandboxChannel
from cobranza.compliance.consent import record_consent
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    ConsentAction,
    Customer,
    Document,
    OutboxMessage,
    OutboxState,
    PromiseStatus,
    PromiseToPay,
    SandboxMessage,
)
from cobranza.dunning import gate, outbox
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_outbox_row,
    revoke_consent,
)

# Tuesday 10 March 2026, 10:00 in Buenos Aires: inside Argentina's window.
NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
PHONE = "+5491155550101"
NAME = "Ana Prueba (ficticia)"


def _given_rows(
    engine: Engine,
    count: int = 1,
    *,
    step_kind: str = "reminder_soft",
    business_name: str = "Ejemplo SRL",
) -> tuple[int, list[int]]:
    """Add a business and `count` customers, each with one due outbox row."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=business_name)
        row_ids = []
        for index in range(count):
            phone = f"+54911555501{index:02d}"
            customer = make_customer(
                session, business, NOW, f"C{index}", phone, name=NAME
            )
            invoice = make_document(
                session, customer, NOW, f"A-{index}", "1500.00", date(2026, 3, 5)
            )
            key = f"{business.id}-{index}"
            row = make_outbox_row(session, customer, NOW, key=key)
            row.step_kind = step_kind
            row.document_ids = [invoice.id]
            row.variables = {
                "customer_name": customer.name,
                "business_name": business.name,
                "balance": "1500.00",
                "currency": "ARS",
                "invoice_count": 1,
                "oldest_due_on": "2026-03-05",
                "days_past_due": 5,
                "payment_instructions": "Transferí al alias EJEMPLO.SRL",
            }
            row_ids.append(row.id)
        return business.id, row_ids


def _row(engine: Engine, outbox_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        return session.get_one(OutboxMessage, outbox_id)


def _sandbox_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count(SandboxMessage.id))) or 0


def _dispatcher(engine: Engine, channel: Channel, **limits: object) -> Dispatcher:
    return Dispatcher(
        engine,
        {channel.name: channel},
        limits=DispatchLimits(**limits),  # type: ignore[arg-type]
    )


@dataclass
class ScriptedChannel(Channel):
    """The sandbox, but raising the scripted errors on the first sends."""

    inner: SandboxChannel
    errors: list[ChannelError] = field(default_factory=list)
    proves_absence: bool = True
    calls: int = 0
    name: str = "sandbox"

    def send(self, message: OutgoingMessage) -> SendResult:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.inner.send(message)

    def lookup(self, outbox_id: int) -> SendResult | None:
        if not self.proves_absence:
            return None
        return self.inner.lookup(outbox_id)


def test_due_row_sent_and_recorded(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    dispatcher = _dispatcher(engine, SandboxChannel(engine, clock=lambda: NOW))

    report = dispatcher.run(business_id, NOW)

    assert report.sent == 1
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.SENT
    assert row.provider_message_id == f"sandbox-{outbox_id}"
    assert row.sent_at == NOW
    assert row.attempts == 1
    assert row.template_name == "cobranza_reminder_soft_friendly"
    assert row.language_code == "es_AR"
    assert row.text is not None and "$ 1.500,00" in row.text
    assert row.parameters
    with transaction(engine) as session:
        stored = session.scalars(select(SandboxMessage)).one()
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_sent")
        ).one()
    assert stored.text == row.text
    assert stored.to_phone == "+5491155550100"
    assert audit.subject_id == outbox_id
    assert audit.details["step"] == "reminder_soft"
    assert audit.reason == "gate_passed"
    assert audit.details["provider_message_id"] == row.provider_message_id
    assert Decimal(audit.details["balance"]) == Decimal("1500.00")
    assert audit.details["days_past_due"] == 5


def test_reply_without_amount_records_none(engine: Engine) -> None:
    # Given a dispute acknowledgement, whose text names no amount or due date
    business_id, [outbox_id] = _given_rows(engine, step_kind="dispute_ack")
    dispatcher = _dispatcher(engine, SandboxChannel(engine, clock=lambda: NOW))

    dispatcher.run(business_id, NOW)

    with transaction(engine) as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_sent")
        ).one()
    assert audit.subject_id == outbox_id
    assert "balance" not in audit.details
    assert "days_past_due" not in audit.details
    assert "invoice_count" not in audit.details


def test_second_run_sends_nothing(engine: Engine) -> None:
    business_id, _ = _given_rows(engine, 3)
    dispatcher = _dispatcher(engine, SandboxChannel(engine, clock=lambda: NOW))
    dispatcher.run(business_id, NOW)

    again = dispatcher.run(business_id, NOW)

    assert again.sent == 0
    assert _sandbox_count(engine) == 3


def test_batches_cover_every_due_row(engine: Engine) -> None:
    business_id, row_ids = _given_rows(engine, 5)
    dispatcher = _dispatcher(
        engine, SandboxChannel(engine, clock=lambda: NOW), batch_size=2
    )

    report = dispatcher.run(business_id, NOW)

    assert report.sent == 5
    assert {_row(engine, i).state for i in row_ids} == {OutboxState.SENT}


def test_rows_of_other_business_untouched(engine: Engine) -> None:
    business_id, _ = _given_rows(engine)
    other_id, [other_row] = _given_rows(engine, business_name="Otra SA")
    dispatcher = _dispatcher(engine, SandboxChannel(engine, clock=lambda: NOW))

    dispatcher.run(business_id, NOW)

    assert other_id != business_id
    assert _row(engine, other_row).state == OutboxState.QUEUED


def test_transient_error_requeues_with_backoff(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    channel = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: NOW),
        [ChannelUnavailableError("provider timed out")],
    )
    dispatcher = _dispatcher(engine, channel, backoff=timedelta(minutes=5))

    report = dispatcher.run(business_id, NOW)

    assert report.sent == 0
    assert report.retried == {"channel_unavailable": 1}
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.QUEUED
    assert row.planned_for == NOW + timedelta(minutes=5)
    assert row.error_code == "channel_unavailable"
    assert row.attempts == 1


def test_retry_after_backoff_sends_once(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    channel = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: NOW + timedelta(minutes=5)),
        [ChannelUnavailableError("provider timed out")],
    )
    dispatcher = _dispatcher(engine, channel, backoff=timedelta(minutes=5))
    dispatcher.run(business_id, NOW)

    report = dispatcher.run(business_id, NOW + timedelta(minutes=5))

    assert report.sent == 1
    assert channel.calls == 2
    assert _row(engine, outbox_id).state == OutboxState.SENT
    assert _row(engine, outbox_id).attempts == 2
    assert _sandbox_count(engine) == 1


def test_rate_limited_waits_retry_after(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    channel = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: NOW),
        [RateLimitedError("throughput exceeded", retry_after=3600)],
    )
    dispatcher = _dispatcher(engine, channel, backoff=timedelta(minutes=5))

    dispatcher.run(business_id, NOW)

    assert _row(engine, outbox_id).planned_for == NOW + timedelta(hours=1)


def test_attempts_exhausted_marks_failed(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    channel = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: NOW),
        [ChannelUnavailableError("down") for _ in range(3)],
    )
    dispatcher = _dispatcher(
        engine, channel, max_attempts=3, backoff=timedelta(minutes=1)
    )

    at = NOW
    for _ in range(3):
        report = dispatcher.run(business_id, at)
        at += timedelta(hours=1)

    assert report.failed == {"channel_unavailable": 1}
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.FAILED
    assert row.attempts == 3
    assert row.error_code == "channel_unavailable"
    assert _sandbox_count(engine) == 0


def test_permanent_error_marks_failed(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    channel = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: NOW),
        [InvalidRecipientError("number is not on WhatsApp")],
    )
    dispatcher = _dispatcher(engine, channel)

    report = dispatcher.run(business_id, NOW)

    assert report.failed == {"invalid_recipient": 1}
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.FAILED
    assert row.error_detail == "number is not on WhatsApp"
    assert row.failed_at == NOW


def test_compose_error_marks_failed(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine, step_kind="no_such_kind")
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: NOW))
    dispatcher = _dispatcher(engine, channel)

    report = dispatcher.run(business_id, NOW)

    assert report.failed == {"compose_failed": 1}
    assert channel.calls == 0
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.FAILED
    assert row.error_detail is not None and "no_such_kind" in row.error_detail


def test_gate_suppression_counted(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        customer.phone = None
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: NOW))

    report = _dispatcher(engine, channel).run(business_id, NOW)

    assert report.suppressed == {"phone_missing": 1}
    assert channel.calls == 0
    assert _row(engine, outbox_id).state == OutboxState.SUPPRESSED


def test_gate_deferral_counted(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    evening = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 20:30 in Buenos Aires
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: evening))

    report = _dispatcher(engine, channel).run(business_id, evening)

    assert report.deferred == {"outside_contact_window": 1}
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.QUEUED
    assert row.planned_for == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    assert row.attempts == 0


def test_rate_limit_paces_sends(engine: Engine) -> None:
    business_id, _ = _given_rows(engine, 4)
    waits: list[float] = []
    bucket = TokenBucket(2, burst=1, clock=lambda: 0.0, sleep=waits.append)
    channel = SandboxChannel(engine, clock=lambda: NOW)
    dispatcher = Dispatcher(
        engine, {"sandbox": channel}, rate_limits={"sandbox": bucket}
    )

    report = dispatcher.run(business_id, NOW)

    assert report.sent == 4
    assert waits == [pytest.approx(0.5)] * 3


def _crash_after_claim(engine: Engine, business_id: int) -> None:
    class PowerCut(Exception):
        pass

    @dataclass
    class CrashingChannel(ScriptedChannel):
        def send(self, message: OutgoingMessage) -> SendResult:
            raise PowerCut("process killed before the provider call")

    crashing = CrashingChannel(SandboxChannel(engine, clock=lambda: NOW))
    with pytest.raises(PowerCut):
        _dispatcher(engine, crashing).run(business_id, NOW)


def test_stuck_row_not_sent_is_requeued(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    _crash_after_claim(engine, business_id)
    assert _row(engine, outbox_id).state == OutboxState.SENDING
    later = NOW + timedelta(minutes=30)
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: later))

    report = _dispatcher(engine, channel).run(business_id, later)

    assert report.reconciled == {"requeued": 1}
    assert report.sent == 1
    assert channel.calls == 1
    assert _row(engine, outbox_id).state == OutboxState.SENT
    assert _sandbox_count(engine) == 1


def test_stuck_row_already_sent_not_resent(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    sandbox = SandboxChannel(engine, clock=lambda: NOW)

    class SendThenCrash(Exception):
        pass

    @dataclass
    class CrashAfterSend(ScriptedChannel):
        def send(self, message: OutgoingMessage) -> SendResult:
            self.inner.send(message)
            raise SendThenCrash("process killed before recording the send")

    with pytest.raises(SendThenCrash):
        _dispatcher(engine, CrashAfterSend(sandbox)).run(business_id, NOW)
    later = NOW + timedelta(minutes=30)
    channel = ScriptedChannel(sandbox)

    report = _dispatcher(engine, channel).run(business_id, later)

    assert report.reconciled == {"sent": 1}
    assert channel.calls == 0
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.SENT
    assert row.provider_message_id == f"sandbox-{outbox_id}"
    assert row.sent_at == NOW
    assert _sandbox_count(engine) == 1


def test_stuck_row_unknown_state_flagged(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    _crash_after_claim(engine, business_id)
    later = NOW + timedelta(minutes=30)
    blind = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: later), proves_absence=False
    )

    report = _dispatcher(engine, blind).run(business_id, later)

    assert report.reconciled == {"flagged": 1}
    assert blind.calls == 0
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.FAILED
    assert row.error_code == UNKNOWN_DELIVERY_STATE


def test_recent_sending_row_left_alone(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    _crash_after_claim(engine, business_id)
    soon = NOW + timedelta(minutes=2)
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: soon))

    report = _dispatcher(engine, channel, stuck_after=timedelta(minutes=10)).run(
        business_id, soon
    )

    assert report.reconciled == {}
    assert channel.calls == 0
    assert _row(engine, outbox_id).state == OutboxState.SENDING


def test_logs_carry_no_personal_data(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    business_id, [outbox_id] = _given_rows(engine)
    channel = ScriptedChannel(
        SandboxChannel(engine, clock=lambda: NOW),
        [ChannelUnavailableError("provider timed out")],
    )
    caplog.set_level(logging.DEBUG, logger="cobranza")

    _dispatcher(engine, channel, backoff=timedelta(0)).run(business_id, NOW)
    _dispatcher(engine, channel).run(business_id, NOW)

    text = _row(engine, outbox_id).text
    assert text
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert loud
    for message in loud:
        assert "5491155550100" not in message
        assert "Ana" not in message
        assert text not in message


def test_days_past_due_counted_to_send_day(engine: Engine) -> None:
    business_id, [outbox_id] = _given_rows(engine, step_kind="second_notice")
    thursday = NOW + timedelta(days=2)
    channel = SandboxChannel(engine, clock=lambda: thursday)

    report = _dispatcher(engine, channel).run(business_id, thursday)

    assert report.sent == 1
    row = _row(engine, outbox_id)
    assert row.variables["days_past_due"] == 7
    assert row.variables["today"] == "2026-03-12"
    assert row.text is not None and "7 días" in row.text


def test_racing_dispatchers_send_once(engine: Engine) -> None:
    business_id, row_ids = _given_rows(engine, 12)
    channel = SandboxChannel(engine, clock=lambda: NOW)
    reports: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(
                _dispatcher(engine, channel, batch_size=3).run(business_id, NOW).sent
            )
        except BaseException as exc:  # surfaced by the asserts below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(reports) == 12
    assert _sandbox_count(engine) == 12
    assert {_row(engine, i).state for i in row_ids} == {OutboxState.SENT}


@dataclass
class MidBatchChannel(ScriptedChannel):
    """The sandbox, committing `change` in its own transaction during the first send."""

    change: Callable[[Session], None] | None = None
    engine: Engine | None = None

    def send(self, message: OutgoingMessage) -> SendResult:
        if self.change is not None and self.engine is not None:
            change, self.change = self.change, None
            with transaction(self.engine) as session:
                change(session)
        return super().send(message)


def _second_customer(session: Session) -> Customer:
    return session.scalars(select(Customer).order_by(Customer.id)).all()[1]


def _opt_out(session: Session) -> None:
    revoke_consent(session, _second_customer(session), NOW)


def _pay_in_full(session: Session) -> None:
    customer = _second_customer(session)
    for document in session.scalars(
        select(Document).where(Document.customer_id == customer.id)
    ):
        document.open_amount = Decimal(0)


def _promise(session: Session) -> None:
    customer = _second_customer(session)
    case = session.scalars(select(Case).where(Case.customer_id == customer.id)).one()
    session.add(
        PromiseToPay(
            business_id=customer.business_id,
            case_id=case.id,
            customer_id=customer.id,
            amount=None,
            currency="ARS",
            due_on=date(2026, 3, 13),
            status=PromiseStatus.OPEN,
            created_at=NOW,
        )
    )


@pytest.mark.parametrize(
    ("change", "state", "counted"),
    [
        (_opt_out, OutboxState.SUPPRESSED, ("suppressed", "opted_out")),
        (_pay_in_full, OutboxState.SUPPRESSED, ("suppressed", "zero_balance")),
        (_promise, OutboxState.QUEUED, ("deferred", "open_promise")),
    ],
    ids=["opt_out", "paid", "promise"],
)
def test_change_after_claim_stops_later_row(
    engine: Engine,
    change: Callable[[Session], None],
    state: OutboxState,
    counted: tuple[str, str],
) -> None:
    # Given two rows that one batch claims and gates together,
    business_id, [first_id, second_id] = _given_rows(engine, 2)
    channel = MidBatchChannel(
        SandboxChannel(engine, clock=lambda: NOW), change=change, engine=engine
    )

    # when the second customer's state changes while the first row is sent,
    report = _dispatcher(engine, channel).run(business_id, NOW)

    # then the second row is re-checked before its send and does not go out.
    assert channel.calls == 1
    assert report.sent == 1
    assert _row(engine, first_id).state == OutboxState.SENT
    second = _row(engine, second_id)
    assert second.state == state
    assert second.attempts == 0
    outcome, reason = counted
    assert getattr(report, outcome) == {reason: 1}
    assert _sandbox_count(engine) == 1


def test_partial_payment_after_claim_restates_balance(engine: Engine) -> None:
    business_id, [_, second_id] = _given_rows(engine, 2)

    def pay_part(session: Session) -> None:
        customer = _second_customer(session)
        document = session.scalars(
            select(Document).where(Document.customer_id == customer.id)
        ).one()
        document.open_amount = Decimal("1000.00")

    channel = MidBatchChannel(
        SandboxChannel(engine, clock=lambda: NOW), change=pay_part, engine=engine
    )

    report = _dispatcher(engine, channel).run(business_id, NOW)

    assert report.sent == 2
    second = _row(engine, second_id)
    assert Decimal(second.variables["balance"]) == Decimal("1000.00")
    assert second.text is not None
    assert "$ 1.000,00" in second.text
    assert "$ 1.500,00" not in second.text
    with transaction(engine) as session:
        stored = session.scalars(
            select(SandboxMessage).where(SandboxMessage.outbox_id == second_id)
        ).one()
    assert stored.text == second.text


def test_daily_cap_counts_same_batch_send(engine: Engine) -> None:
    # Given a Colombian business (one message a day) and two rows due for
    # one customer in the same batch,
    colombia_now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in Bogotá
    with transaction(engine) as session:
        business = make_business(session, colombia_now, country="CO")
        customer = make_customer(session, business, colombia_now, "C1", PHONE)
        invoice = make_document(
            session, customer, colombia_now, "A-1", "1500.00", date(2026, 3, 5)
        )
        first = make_outbox_row(session, customer, colombia_now, key="first")
        first.locale = "es_CO"
        first.document_ids = [invoice.id]
        first.variables = {
            "customer_name": customer.name,
            "business_name": business.name,
            "balance": "1500.00",
            "currency": "COP",
            "invoice_count": 1,
            "oldest_due_on": "2026-03-05",
            "days_past_due": 5,
            "payment_instructions": "Transferí al alias EJEMPLO.SRL",
        }
        # A second step of the same case, due at the same instant.
        second = OutboxMessage(
            business_id=business.id,
            case_id=first.case_id,
            customer_id=customer.id,
            channel="sandbox",
            step="second_notice",
            step_kind="second_notice",
            tone="friendly",
            locale="es_CO",
            variables=dict(first.variables),
            document_ids=[invoice.id],
            idempotency_key="second",
            state="queued",
            planned_for=colombia_now,
            attempts=0,
            created_at=colombia_now,
        )
        session.add(second)
        session.flush()
        row_ids = [first.id, second.id]
        business_id = business.id
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: colombia_now))

    # when one run sends the batch,
    report = _dispatcher(engine, channel).run(business_id, colombia_now)

    # then the first send counts against the cap before the second goes.
    assert report.sent == 1
    assert report.deferred == {"daily_cap": 1}
    assert channel.calls == 1
    states = [_row(engine, outbox_id).state for outbox_id in row_ids]
    assert states == [OutboxState.SENT, OutboxState.QUEUED]


@pytest.mark.parametrize("by_phone_sharer", [False, True], ids=["own", "shared"])
def test_opt_out_being_written_stops_send(
    engine: Engine, by_phone_sharer: bool
) -> None:
    # Given a due row, and an opt-out that another connection has written
    # but not yet committed, by its customer or by another customer with
    # the same phone.
    business_id, [outbox_id] = _given_rows(engine, 1)
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        opting_out = customer.id
        if by_phone_sharer:
            business = session.get_one(Business, business_id)
            sharer = make_customer(session, business, NOW, "C-shared", customer.phone)
            opting_out = sharer.id
    channel = ScriptedChannel(SandboxChannel(engine, clock=lambda: NOW))
    written = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def opt_out() -> None:
        try:
            with transaction(engine) as session:
                record_consent(
                    session,
                    business_id,
                    opting_out,
                    ConsentAction.REVOKE,
                    "respuesta por WhatsApp",
                    None,
                    NOW + timedelta(minutes=1),
                )
                written.set()
                release.wait(30)
        except BaseException as exc:  # surfaced by the asserts below
            errors.append(exc)
            written.set()

    def send() -> None:
        try:
            _dispatcher(engine, channel).run(business_id, NOW)
        except BaseException as exc:  # surfaced by the asserts below
            errors.append(exc)

    # When a dispatcher runs while the opt-out is open, and the opt-out
    # commits before the dispatcher's run ends, then a later run follows.
    writer = threading.Thread(target=opt_out)
    writer.start()
    assert written.wait(30)
    sender = threading.Thread(target=send)
    sender.start()
    sender.join(1.0)
    release.set()
    writer.join(30)
    sender.join(60)
    later = _dispatcher(engine, channel).run(business_id, NOW)

    # Then nothing went out, and the row is suppressed for the opt-out.
    assert errors == []
    assert not sender.is_alive()
    assert channel.calls == 0
    assert _sandbox_count(engine) == 0
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.SUPPRESSED
    assert row.suppressed_reason == "opted_out"
    assert later.sent == 0


def test_opt_out_waits_for_send_claim(engine: Engine) -> None:
    # Given a row claimed for its send, in a transaction still open.
    business_id, [outbox_id] = _given_rows(engine, 1)
    committed = threading.Event()
    errors: list[BaseException] = []

    def opt_out(customer_id: int) -> None:
        try:
            with transaction(engine) as session:
                record_consent(
                    session,
                    business_id,
                    customer_id,
                    ConsentAction.REVOKE,
                    "respuesta por WhatsApp",
                    None,
                    NOW,
                )
            committed.set()
        except BaseException as exc:  # surfaced by the asserts below
            errors.append(exc)

    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert outbox.claim(session, row, NOW, before_send=True)

        # When another connection records an opt-out meanwhile.
        writer = threading.Thread(target=opt_out, args=(row.customer_id,))
        writer.start()
        waited = not committed.wait(1.0)
        decision = gate.check(session, row, NOW)

    # Then the opt-out waits for the claim's transaction to end, so the
    # send's check and the opt-out never overlap.
    writer.join(60)
    assert errors == []
    assert waited
    assert committed.is_set()
    assert decision.action is gate.Action.SEND
