"""The dispatcher: claims due outbox rows, gates and composes them, sends them.

Rows go in batches of `DispatchLimits.batch_size`, through four steps:

1. claim the batch (queued -> sending, state-guarded), run the gate on it
   with set-based reads, compose each text and store it on its row. A
   deferral or suppression ends here. The rows to send go back to `queued`
   before the commit.
2. just before each send, claim the row again and re-check its facts in a
   transaction of its own, so an opt-out, payment or promise that lands
   after step 1 still stops it. On PostgreSQL the claim locks the customer
   rows that an opt-out locks, so an opt-out being written holds the row
   back until the next run (`outbox.claim`).
3. call the channel, outside any transaction.
4. record the result: `sent` with the provider message id (in the next
   re-check's transaction, or at the end of the batch), back to `queued`
   with a backoff after a transient error, or `failed` with the error code.

A crash between 2 and 4 leaves that row in `sending`, and the rest of the
batch queued. `reconcile` settles such rows at the start of each run by
asking the channel whether it has the message, and never sends one blindly.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel, Deferral, OutgoingMessage, SendResult
from cobranza.channels.compose import compose_row
from cobranza.channels.errors import (
    ChannelError,
    RateLimitedError,
    TemplateNotApprovedError,
)
from cobranza.channels.ratelimit import RateLimiter
from cobranza.compliance.gate import TEMPLATE_RECHECK
from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import rules_for_business
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    OutboxMessage,
    OutboxState,
)
from cobranza.dunning import gate, outbox
from cobranza.messages.errors import MissingVariableError
from cobranza.timeutil import local_date

logger = logging.getLogger(__name__)

# Returns the payment link a row's message carries, or None for none. It is
# injected (by `cobranza.jobs`) because payments sit below channels.
LinkBuilder = Callable[[Session, OutboxMessage, datetime], "str | None"]

ACTOR = "dispatcher"
UNKNOWN_DELIVERY_STATE = "unknown_delivery_state"
COMPOSE_FAILED = "compose_failed"
NO_CHANNEL = "channel_not_configured"

# Message variables that only the business can supply: a Brazilian
# message's CNPJ or CPF, and a way to pay when no payment link is offered.
# A row missing one waits for the business instead of failing, and
# `cobranza settings set` queues it again at once.
BUSINESS_DETAILS = frozenset(
    {"business_tax_id", "payment_link", "payment_instructions"}
)
BUSINESS_DETAILS_RECHECK = timedelta(hours=1)


@dataclass(frozen=True)
class DispatchLimits:
    """How much one run sends and how it retries."""

    batch_size: int = 100
    max_attempts: int = 5
    # The wait after the n-th failed attempt is backoff * 2 ** (n - 1).
    backoff: timedelta = timedelta(minutes=5)
    max_backoff: timedelta = timedelta(hours=6)
    # A row left in `sending` for longer than this is reconciled.
    stuck_after: timedelta = timedelta(minutes=10)


@dataclass
class DispatchReport:
    """Counts of one dispatch run, by outcome and reason."""

    sent: int = 0
    deferred: Counter[str] = field(default_factory=Counter)
    suppressed: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    reconciled: Counter[str] = field(default_factory=Counter)
    # Rows deferred for a business detail, by the variable they lacked.
    missing_details: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "deferred": sum(self.deferred.values()),
            "deferred_by_reason": dict(sorted(self.deferred.items())),
            "suppressed": dict(sorted(self.suppressed.items())),
            "failed": dict(sorted(self.failed.items())),
            "retried": dict(sorted(self.retried.items())),
            "reconciled": dict(sorted(self.reconciled.items())),
            "missing_details": dict(sorted(self.missing_details.items())),
        }


@dataclass(frozen=True)
class _Prepared:
    """A claimed row that passed the gate and its channel's check."""

    outbox_id: int
    channel: str
    message: OutgoingMessage
    # The row's variables the message was composed from.
    variables: dict[str, Any]


class Dispatcher:
    """Send a business's due outbox rows through the configured channels."""

    def __init__(
        self,
        engine: Engine,
        channels: Mapping[str, Channel],
        *,
        rate_limits: Mapping[str, RateLimiter] | None = None,
        limits: DispatchLimits | None = None,
        link_builder: LinkBuilder | None = None,
    ) -> None:
        self.engine = engine
        self.channels = dict(channels)
        self.rate_limits = dict(rate_limits or {})
        self.limits = limits or DispatchLimits()
        self.link_builder = link_builder

    def close(self) -> None:
        """Close every channel's connections."""
        for channel in self.channels.values():
            channel.close()

    def run(self, business_id: int, now: datetime) -> DispatchReport:
        """Reconcile stuck rows, then send every due row in capped batches."""
        report = DispatchReport()
        self.reconcile(business_id, now, report)

        # A row put back in the queue and due at `now` (after a zero
        # backoff) waits for the next run, so one run cannot loop on it. So
        # does a row passed over because another transaction locked it.
        excluded: set[int] = set()
        while True:
            with transaction(self.engine) as session:
                rows, passed_over = outbox.claim_due(
                    session, business_id, now, self.limits.batch_size, excluded
                )
                prepared = self._prepare_batch(session, rows, now, report)
                outbox.unclaim(session, [item.outbox_id for item in prepared])
            excluded.update(passed_over)
            if not rows and not passed_over:
                break
            self._send_batch(business_id, prepared, now, report, excluded)

        logger.info(
            "dispatch for business %s: %s sent, %s deferred, %s suppressed, %s failed",
            business_id,
            report.sent,
            sum(report.deferred.values()),
            sum(report.suppressed.values()),
            sum(report.failed.values()),
        )
        return report

    def evaluate(
        self, session: Session, business_id: int, now: datetime
    ) -> tuple[DispatchReport, list[OutboxMessage]]:
        """Claim, gate and compose every due row in `session` without sending.

        For dry runs: the caller rolls the session back afterwards, so the
        rows the gate would send are counted as `sent` and nothing changes.
        Returns the counts and the claimed rows in claim order. Until the
        rollback, each row's state records its outcome. A row that would be
        sent is `sending`, a deferred one is `queued` with its new
        `planned_for`, and a suppressed or failed one stores its reason.
        """
        report = DispatchReport()
        claimed: list[OutboxMessage] = []
        excluded: set[int] = set()
        while True:
            rows, passed_over = outbox.claim_due(
                session, business_id, now, self.limits.batch_size, excluded
            )
            excluded.update(passed_over)
            if not rows and not passed_over:
                break
            claimed.extend(rows)
            report.sent += len(self._prepare_batch(session, rows, now, report))
        return report, claimed

    def reconcile(
        self, business_id: int, now: datetime, report: DispatchReport
    ) -> None:
        """Settle rows left in `sending` by a crash, using `Channel.lookup`."""
        older_than = now - self.limits.stuck_after
        with transaction(self.engine) as session:
            stuck = [
                (row.id, row.channel)
                for row in outbox.stuck_sending(session, business_id, older_than)
            ]

        for outbox_id, channel_name in stuck:
            channel = self.channels.get(channel_name)
            if channel is None:
                logger.warning(
                    "outbox row %s stuck in sending on channel %s, which is not "
                    "configured: left as it is",
                    outbox_id,
                    channel_name,
                )
                continue
            receipt = channel.lookup(outbox_id)
            with transaction(self.engine) as session:
                row = _load(session, business_id, outbox_id)
                if row is None or row.state != OutboxState.SENDING:
                    continue
                outcome = self._settle(session, row, channel, receipt, now)
            report.reconciled[outcome] += 1

    def _settle(
        self,
        session: Session,
        row: OutboxMessage,
        channel: Channel,
        receipt: SendResult | None,
        now: datetime,
    ) -> str:
        if receipt is not None:
            outbox.mark_sent(session, row, receipt.provider_message_id, receipt.sent_at)
            _audit(session, row, now, "message_sent", "reconciled_found", receipt)
            return "sent"
        if channel.proves_absence:
            outbox.requeue(session, row, now, "reconciled_not_sent")
            _audit(session, row, now, "message_requeued", "reconciled_not_sent")
            return "requeued"
        outbox.mark_failed(
            session,
            row,
            now,
            UNKNOWN_DELIVERY_STATE,
            f"outbox row {row.id} was left in sending and channel "
            f"{channel.name} cannot tell whether it was sent: check with the "
            "customer before sending it again",
        )
        _audit(session, row, now, "message_failed", UNKNOWN_DELIVERY_STATE)
        logger.warning("outbox row %s flagged %s", row.id, UNKNOWN_DELIVERY_STATE)
        return "flagged"

    def _send_batch(
        self,
        business_id: int,
        prepared: list[_Prepared],
        now: datetime,
        report: DispatchReport,
        excluded: set[int],
    ) -> None:
        """Re-check and send each prepared row, pacing each channel."""
        receipts: list[tuple[int, SendResult]] = []
        try:
            for item in prepared:
                limiter = self.rate_limits.get(item.channel)
                if limiter is not None:
                    limiter.acquire()
                try:
                    self._send_one(business_id, item, now, report, excluded, receipts)
                finally:
                    if limiter is not None:
                        limiter.release()
        finally:
            if receipts:
                with transaction(self.engine) as session:
                    outbox_ids = [outbox_id for outbox_id, _ in receipts]
                    rows = _load_many(session, business_id, outbox_ids)
                    self._record_sent(session, rows, receipts, now)
                report.sent += len(receipts)

    def _send_one(
        self,
        business_id: int,
        item: _Prepared,
        now: datetime,
        report: DispatchReport,
        excluded: set[int],
        receipts: list[tuple[int, SendResult]],
    ) -> None:
        """Re-check one row, send it and keep its receipt in `receipts`.

        The receipts of earlier sends are recorded in the re-check's
        transaction, so the caps see them before this row is checked.
        """
        with transaction(self.engine) as session:
            outbox_ids = [outbox_id for outbox_id, _ in receipts] + [item.outbox_id]
            rows = _load_many(session, business_id, outbox_ids)
            self._record_sent(session, rows, receipts, now)
            row = rows.get(item.outbox_id)
            claimed = row is not None and outbox.claim(
                session, row, now, before_send=True
            )
            message = None
            if claimed:
                message = self._recheck(session, row, item, now, report)
        report.sent += len(receipts)
        receipts.clear()
        if not claimed:
            # Sent, deferred or suppressed since step 1, or claimed by
            # another dispatcher: this run leaves the row alone.
            excluded.add(item.outbox_id)
        if message is None:
            return

        # NOTE: an opt-out committed after the re-check's transaction and
        # before this call returns does not stop the message. The customer
        # lock would have to be held through the call to close that gap.
        try:
            receipt = self.channels[item.channel].send(message)
        except ChannelError as exc:
            self._record_error(business_id, item.outbox_id, now, exc, report, excluded)
            return
        receipts.append((item.outbox_id, receipt))

    def _recheck(
        self,
        session: Session,
        row: OutboxMessage | None,
        item: _Prepared,
        now: datetime,
        report: DispatchReport,
    ) -> OutgoingMessage | None:
        """Run the gate on a claimed row again; return the message to send, if any.

        The gate reads the WhatsApp template's status again too, so the
        rows of a template that Meta paused or disabled during the batch are
        deferred. The message is composed again when a payment or
        credit note since the claim changed the amounts it states.
        """
        if row is None or row.state != OutboxState.SENDING:
            return None
        decision = gate.check_batch(session, [row], now, lock=False)[row.id]
        if not self._count_gate(decision, report):
            return None
        if row.variables == item.variables:
            return item.message
        customer = session.get(Customer, row.customer_id)
        timezone = session.get_one(Business, row.business_id).timezone
        return self._compose(session, row, customer, timezone, now, report)

    def _record_sent(
        self,
        session: Session,
        rows: Mapping[int, OutboxMessage],
        receipts: list[tuple[int, SendResult]],
        now: datetime,
    ) -> None:
        for outbox_id, receipt in receipts:
            row = rows[outbox_id]  # claimed by this run, so it exists
            outbox.mark_sent(session, row, receipt.provider_message_id, receipt.sent_at)
            _audit(session, row, now, "message_sent", "gate_passed", receipt)

    def _prepare_batch(
        self,
        session: Session,
        rows: list[OutboxMessage],
        now: datetime,
        report: DispatchReport,
    ) -> list[_Prepared]:
        """Gate and compose claimed rows; return those to send, in claim order."""
        if not rows:
            return []
        timezone = session.get_one(Business, rows[0].business_id).timezone
        customers = _customers(session, rows)
        decisions = gate.check_batch(session, rows, now)
        composed: list[tuple[OutboxMessage, OutgoingMessage]] = []
        for row in rows:
            if not self._count_gate(decisions[row.id], report):
                continue
            customer = customers.get(row.customer_id)
            message = self._compose(session, row, customer, timezone, now, report)
            if message is not None:
                composed.append((row, message))

        # The channel may defer a row, such as Twilio while a template has no
        # Content SID. The gate has already deferred the WhatsApp rows whose
        # template Meta has not approved, and the WhatsApp channel checks again.
        deferrals: dict[int, Deferral] = {}
        for name in sorted({row.channel for row, _ in composed}):
            messages = [message for row, message in composed if row.channel == name]
            deferrals.update(
                self.channels[name].check_ready_batch(session, messages, now)
            )

        prepared = []
        for row, message in composed:
            deferral = deferrals.get(row.id)
            if deferral is not None:
                details = dict(deferral.details)
                outbox.defer(
                    session, row, deferral.until, deferral.reason, now, details
                )
                report.deferred[deferral.reason] += 1
                continue
            prepared.append(
                _Prepared(row.id, row.channel, message, dict(row.variables))
            )
        return prepared

    def _count_gate(self, decision: gate.GateDecision, report: DispatchReport) -> bool:
        """Count a deferral or suppression; return whether the row may go on."""
        if decision.action is gate.Action.DEFER:
            report.deferred[str(decision.reason)] += 1
            return False
        if decision.action is gate.Action.SUPPRESS:
            report.suppressed[str(decision.reason)] += 1
            return False
        return True

    def _compose(
        self,
        session: Session,
        row: OutboxMessage,
        customer: Customer | None,
        timezone: str,
        now: datetime,
        report: DispatchReport,
    ) -> OutgoingMessage | None:
        """Compose a row that passed the gate; return its message, if any.

        `timezone` is the business's, which sets the day the text counts to.
        """
        # NOTE: `claim_due` does not filter by channel, so a row for a
        # channel this process lacks fails here instead of waiting for a
        # process that has it.
        if row.channel not in self.channels:
            self._fail(session, row, now, NO_CHANNEL, _no_channel_detail(row), report)
            return None
        if customer is None or not customer.phone:
            # The gate suppresses customers without a phone; this guards a
            # phone removed by a concurrent import.
            self._fail(session, row, now, "phone_missing", None, report)
            return None
        # A detail set since planning replaces the stored one; a detail
        # removed since then keeps the value the row was planned with.
        business = session.get_one(Business, row.business_id)
        current = {
            key: value
            for key, value in outbox.business_variables(business).items()
            if value is not None and row.variables.get(key) != value
        }
        if current:
            row.variables = {**row.variables, **current}
        if self.link_builder is not None and not row.variables.get("payment_link"):
            link = self.link_builder(session, row, now)
            if link is not None:
                row.variables = {**row.variables, "payment_link": link}
        # The gate read the same rules for this row, so they are valid here.
        rules = rules_for_business(business.country, business.settings)
        try:
            today = local_date(now, timezone)
            composed = compose_row(row, today, rules)
        except MissingVariableError as exc:
            if exc.variable not in BUSINESS_DETAILS:
                self._fail(session, row, now, COMPOSE_FAILED, str(exc), report)
                return None
            reason = Reason.BUSINESS_DETAILS_MISSING
            until = now + BUSINESS_DETAILS_RECHECK
            outbox.defer(session, row, until, reason, now, {"variable": exc.variable})
            report.deferred[reason] += 1
            report.missing_details[exc.variable] += 1
            logger.warning(
                "outbox row %s deferred until %s: %s",
                row.id,
                until.isoformat(),
                exc,
            )
            return None
        except ValueError as exc:
            self._fail(session, row, now, COMPOSE_FAILED, str(exc), report)
            return None

        row.template_name = composed.template_name
        row.language_code = composed.language_code
        row.parameters = dict(composed.parameters)
        row.text = composed.text
        return OutgoingMessage(
            outbox_id=row.id,
            business_id=row.business_id,
            customer_id=row.customer_id,
            to_phone=customer.phone,
            text=composed.text,
            template_name=composed.template_name,
            language_code=composed.language_code,
            parameters=dict(composed.parameters),
            buttons=tuple(composed.buttons),
        )

    def _record_error(
        self,
        business_id: int,
        outbox_id: int,
        now: datetime,
        error: ChannelError,
        report: DispatchReport,
        excluded: set[int],
    ) -> None:
        with transaction(self.engine) as session:
            row = _load(session, business_id, outbox_id)
            assert row is not None  # the row was claimed by this run
            if row.state != OutboxState.SENDING:
                # A status webhook settled the row while the send call was
                # failing (a timeout after the provider had accepted it).
                logger.info(
                    "outbox row %s send error %s ignored: the row is %s",
                    outbox_id,
                    error.code,
                    row.state,
                )
                return
            if isinstance(error, TemplateNotApprovedError):
                self._hold_for_template(session, row, now, error, report)
                return
            if error.is_transient and row.attempts < self.limits.max_attempts:
                retry_at = now + self._backoff(row.attempts, error)
                outbox.requeue(session, row, retry_at, error.code, str(error))
                _audit(session, row, now, "message_retry", error.code)
                report.retried[error.code] += 1
                if retry_at <= now:
                    excluded.add(outbox_id)
                logger.warning(
                    "outbox row %s send failed (%s), retry %s at %s",
                    outbox_id,
                    error.code,
                    row.attempts,
                    retry_at.isoformat(),
                )
                return
            self._fail(session, row, now, error.code, str(error), report)

    def _hold_for_template(
        self,
        session: Session,
        row: OutboxMessage,
        now: datetime,
        error: TemplateNotApprovedError,
        report: DispatchReport,
    ) -> None:
        """Defer a row whose template the provider rejected as not usable now.

        The gate defers the row while the stored status is not approved, and
        an approval queues it again (`whatsapp.templates.set_template_status`).
        """
        reason = Reason.TEMPLATE_NOT_APPROVED
        until = now + TEMPLATE_RECHECK
        details = {
            "template_name": row.template_name,
            "language_code": row.language_code,
            "error_code": error.code,
        }
        outbox.defer(session, row, until, reason, now, details)
        report.deferred[reason] += 1
        logger.warning(
            "outbox row %s deferred until %s: %s", row.id, until.isoformat(), error.code
        )

    def _fail(
        self,
        session: Session,
        row: OutboxMessage,
        now: datetime,
        code: str,
        detail: str | None,
        report: DispatchReport,
    ) -> None:
        outbox.mark_failed(session, row, now, code, detail)
        _audit(session, row, now, "message_failed", code)
        report.failed[code] += 1
        logger.warning(
            "outbox row %s failed after %s attempts: %s", row.id, row.attempts, code
        )

    def _backoff(self, attempts: int, error: ChannelError) -> timedelta:
        doublings = max(0, attempts - 1)
        wait: timedelta = self.limits.backoff * (2**doublings)
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            wait = max(wait, timedelta(seconds=error.retry_after))
        return min(wait, self.limits.max_backoff)


_ROWS_BY_ID = select(OutboxMessage).where(
    OutboxMessage.business_id == bindparam("business_id"),
    OutboxMessage.id.in_(bindparam("outbox_ids", expanding=True)),
)


def _load_many(
    session: Session, business_id: int, outbox_ids: list[int]
) -> dict[int, OutboxMessage]:
    """Return the business's rows among `outbox_ids`, by id, in one query."""
    parameters = {"business_id": business_id, "outbox_ids": outbox_ids}
    return {row.id: row for row in session.scalars(_ROWS_BY_ID, parameters)}


def _load(session: Session, business_id: int, outbox_id: int) -> OutboxMessage | None:
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.business_id != business_id:
        return None
    return row


def _customers(session: Session, rows: list[OutboxMessage]) -> dict[int, Customer]:
    customer_ids = sorted({row.customer_id for row in rows})
    found = session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    return {customer.id: customer for customer in found}


def _no_channel_detail(row: OutboxMessage) -> str:
    return (
        f"outbox row {row.id} is for channel {row.channel!r}, which this "
        "process has not configured: configure it and queue the row again"
    )


# Each variable a sent message's audit event records, with the template
# parameters that show it. A row composed before parameters were stored
# (`parameters` is None) records them all.
STATED_FACTS = {
    "balance": frozenset({"monto"}),
    "currency": frozenset({"monto"}),
    # The amounts `monto` states after `balance`, in the other currencies.
    "other_balances": frozenset({"monto"}),
    "invoice_count": frozenset({"facturas"}),
    "days_past_due": frozenset({"atraso", "vencimiento"}),
}


def _audit(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    kind: str,
    reason: str,
    receipt: SendResult | None = None,
) -> None:
    details: dict[str, Any] = {
        "case_id": row.case_id,
        "customer_id": row.customer_id,
        "step": row.step,
        "step_kind": row.step_kind,
        "channel": row.channel,
        "attempts": row.attempts,
        "document_ids": list(row.document_ids),
    }
    # The facts the message states, as the gate last refreshed them. A
    # message whose text names no amount or due date, such as most replies,
    # records none, because its variables hold placeholders.
    for fact, parameters in STATED_FACTS.items():
        stated = row.parameters is None or not parameters.isdisjoint(row.parameters)
        if fact in row.variables and stated:
            details[fact] = row.variables[fact]
    if receipt is not None:
        details["provider_message_id"] = receipt.provider_message_id
    if row.template_name:
        details["template_name"] = row.template_name
    session.add(
        AuditEvent(
            business_id=row.business_id,
            at=now,
            actor=ACTOR,
            kind=kind,
            subject_type="outbox_message",
            subject_id=row.id,
            reason=reason,
            details=details,
        )
    )
