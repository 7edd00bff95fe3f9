"""Bulk writes of a planning cycle: cases, outbox rows and audit events.

`PlanWriter` collects the planner's decisions and writes them in a few
statements per batch, in the lock order the dispatcher also uses: cases
first, then outbox rows. Outbox rows are inserted with ON CONFLICT DO
NOTHING on the idempotency key (the dialect's own `insert`), so a row that
already exists is never duplicated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    OutboxMessage,
    OutboxState,
)
from cobranza.dunning.balances import CustomerBalance
from cobranza.dunning.gate import REPLY_TO_VARIABLE
from cobranza.dunning.other_currencies import OTHER_BALANCES_VARIABLE, CurrencyDue
from cobranza.dunning.outbox import business_variables, idempotency_key
from cobranza.dunning.policy import Action, CustomerFacts, Step
from cobranza.dunning.promises import BROKEN_PROMISE_KINDS
from cobranza.timeutil import local_date

if TYPE_CHECKING:
    from cobranza.dunning.planner import PlanResult, StepDecision

logger = logging.getLogger(__name__)

ACTOR = "planner"
DEFAULT_CHANNEL = "sandbox"
SUPERSEDED = "superseded"

_CASES = cast(Table, Case.__table__)
_OUTBOX = cast(Table, OutboxMessage.__table__)
_AUDIT = cast(Table, AuditEvent.__table__)


@dataclass
class _Pending:
    case_id: int | None
    balance: CustomerBalance
    facts: CustomerFacts
    decision: StepDecision
    # The overdue amounts of the customer's other currencies.
    others: list[CurrencyDue]


class PlanWriter:
    """Collect decisions and write them in bulk on `flush`."""

    def __init__(
        self,
        session: Session,
        business: Business,
        now: datetime,
        dialect: str,
    ) -> None:
        self.session = session
        self.business = business
        self.now = now
        self.dialect = dialect
        self.channel = (business.settings or {}).get("channel") or DEFAULT_CHANNEL
        self.today = local_date(now, business.timezone)
        self._decisions: list[_Pending] = []
        self._closes: list[tuple[int, int, str, dict[str, Any]]] = []
        self._resumes: list[tuple[int, int]] = []

    @property
    def pending(self) -> int:
        return len(self._decisions) + len(self._closes) + len(self._resumes)

    def add(
        self,
        case_id: int | None,
        balance: CustomerBalance,
        facts: CustomerFacts,
        decision: StepDecision,
        others: list[CurrencyDue] | None = None,
    ) -> None:
        """Queue a decision. A `case_id` of None opens a case for the customer.

        `others` is what is overdue in the customer's other currencies, which
        the step's message states beside `balance`.
        """
        self._decisions.append(
            _Pending(case_id, balance, facts, decision, others or [])
        )

    def close_case(
        self, case_id: int, customer_id: int, reason: str, details: dict[str, Any]
    ) -> None:
        self._closes.append((case_id, customer_id, reason, details))

    def resume_case(self, case_id: int, customer_id: int) -> None:
        self._resumes.append((case_id, customer_id))

    def flush(self, result: PlanResult) -> None:
        """Write everything collected since the last flush."""
        audits: list[dict[str, Any]] = []
        outbox_rows: list[dict[str, Any]] = []
        case_values = [
            _case_values(pending.decision, self.now) for pending in self._decisions
        ]

        # Resumes go first, so a pause step decided in the same cycle wins.
        self._write_resumes(audits, result)
        opened = self._open_cases(case_values, result)
        updates = [
            {"b_id": pending.case_id, **values}
            for pending, values in zip(self._decisions, case_values, strict=True)
            if pending.case_id is not None
        ]
        self._update_cases(updates)
        for pending in self._decisions:
            case_id = pending.case_id or opened.get(pending.balance.customer_id)
            if case_id is not None:
                opened_now = pending.case_id is None
                self._record(case_id, opened_now, pending, audits, outbox_rows, result)

        closed = self._write_closes(audits, result)
        # A case that moves past its planned step makes a row of that step
        # still queued (deferred by the gate) stale. A broken-promise notice
        # stays: it takes the place of the new step (see the planner),
        # unless the case now waits for a person or is paused by the policy.
        moved = [update["b_id"] for update in updates]
        stopped = [
            update["b_id"] for update in updates if update["state"] != CaseState.OPEN
        ]
        self._supersede(moved, SUPERSEDED, audits, result, keep_notices=True)
        self._supersede(stopped, SUPERSEDED, audits, result)
        self._supersede(closed, "zero_balance", audits, result)
        result.messages_queued += self._insert_outbox(outbox_rows)
        if audits:
            self.session.connection().execute(_AUDIT.insert(), audits)

        self._decisions.clear()
        self._closes.clear()
        self._resumes.clear()

    def _open_cases(
        self, case_values: list[dict[str, Any]], result: PlanResult
    ) -> dict[int, int]:
        """Insert a case for each decision without one; return ids by customer."""
        rows = [
            {
                "business_id": self.business.id,
                "customer_id": pending.balance.customer_id,
                "opened_at": self.now,
                **values,
            }
            for pending, values in zip(self._decisions, case_values, strict=True)
            if pending.case_id is None
        ]
        if not rows:
            return {}

        statement = self._insert(_CASES).on_conflict_do_nothing(
            index_elements=["business_id", "customer_id"],
            index_where=_CASES.c.closed_at.is_(None),
        )
        connection = self.session.connection()
        connection.execute(statement, rows)
        # Read the new ids back instead of INSERT ... RETURNING, which is
        # several times slower through psycopg's batched executemany.
        opened_at_now = connection.execute(
            select(_CASES.c.id, _CASES.c.customer_id).where(
                _CASES.c.business_id == self.business.id,
                _CASES.c.customer_id.in_([row["customer_id"] for row in rows]),
                _CASES.c.closed_at.is_(None),
                _CASES.c.opened_at == self.now,
            )
        )
        opened = {customer_id: case_id for case_id, customer_id in opened_at_now}

        if len(opened) < len(rows):
            # Another planner opened these cases after this cycle started.
            # That planner plans them, so this cycle leaves them alone.
            logger.warning(
                "business %s: %s cases were opened concurrently and skipped",
                self.business.id,
                len(rows) - len(opened),
            )
        result.cases_opened += len(opened)
        return opened

    def _record(
        self,
        case_id: int,
        opened_now: bool,
        pending: _Pending,
        audits: list[dict[str, Any]],
        outbox_rows: list[dict[str, Any]],
        result: PlanResult,
    ) -> None:
        """Add the outbox row and the one audit event of a decision."""
        decision = pending.decision
        details = _audit_facts(pending.balance, pending.facts)
        details["case_opened"] = opened_now
        details["skipped_steps"] = [
            {"step": step.key, "reason": reason} for step, reason in decision.skipped
        ]
        result.steps_skipped += len(decision.skipped)

        step = decision.step
        if step is None:
            last_skipped, reason = decision.skipped[-1]
            details["step"] = last_skipped.key
            audits.append(self._audit("step_skipped", case_id, reason, details))
            return

        details["step"] = step.key
        details["action"] = str(step.action)
        if decision.replaced_by is not None:
            details["replaced_by"] = decision.replaced_by
        elif step.sends_message:
            row = self._outbox_row(case_id, step, pending)
            outbox_rows.append(row)
            details["idempotency_key"] = row["idempotency_key"]
            if OTHER_BALANCES_VARIABLE in row["variables"]:
                details[OTHER_BALANCES_VARIABLE] = row["variables"][
                    OTHER_BALANCES_VARIABLE
                ]
        if step.action is Action.HANDOFF:
            result.handoffs += 1
        elif step.action is Action.PAUSE:
            result.pauses += 1
        audits.append(self._audit("step_planned", case_id, step.key, details))

    def _outbox_row(
        self, case_id: int, step: Step, pending: _Pending
    ) -> dict[str, Any]:
        balance = pending.balance
        tone = step.resolve_tone(balance.kind)
        assert step.step_kind is not None
        return {
            "business_id": self.business.id,
            "case_id": case_id,
            "customer_id": balance.customer_id,
            "channel": self.channel,
            "step": step.key,
            "step_kind": step.step_kind,
            "tone": str(tone),
            "locale": balance.locale or self.business.locale,
            "variables": self._variables(step, pending),
            "document_ids": list(balance.document_ids),
            "idempotency_key": idempotency_key(
                self.business.id, case_id, step.key, balance.document_ids
            ),
            "state": OutboxState.QUEUED,
            "planned_for": self.now,
            "attempts": 0,
            "created_at": self.now,
        }

    def _variables(self, step: Step, pending: _Pending) -> dict[str, Any]:
        """Return the composer inputs: amounts as decimal text, dates in ISO."""
        balance = pending.balance
        assert balance.oldest_due_on is not None
        variables: dict[str, Any] = {
            "customer_name": balance.name,
            **business_variables(self.business),
            "currency": balance.currency,
            "balance": str(balance.balance),
            "overdue_amount": str(balance.overdue_amount),
            "invoice_count": len(balance.document_ids),
            "oldest_due_on": balance.oldest_due_on.isoformat(),
            "days_past_due": pending.facts.days_past_due,
            "today": self.today.isoformat(),
            "action": str(step.action),
        }
        if step.discount_percent is not None:
            variables["discount_percent"] = str(step.discount_percent)
        if step.max_installments is not None:
            variables["installments"] = step.max_installments
        if pending.others and step.discount_percent is None:
            # A discount and its link are in one currency, so a discount
            # message names no other. The gate brings these up to date
            # before the message goes out.
            variables[OTHER_BALANCES_VARIABLE] = [
                due.as_variable() for due in pending.others
            ]
            variables["invoice_count"] += sum(
                due.invoice_count for due in pending.others
            )
        return variables

    def _update_cases(self, updates: list[dict[str, Any]]) -> None:
        if not updates:
            return
        statement = (
            update(_CASES)
            .where(_CASES.c.id == bindparam("b_id"))
            .values(
                planned_step=bindparam("planned_step"),
                planned_at=bindparam("planned_at"),
                state=bindparam("state"),
                paused_until=bindparam("paused_until"),
                pause_reason=bindparam("pause_reason"),
            )
        )
        self.session.connection().execute(statement, updates)

    def _write_resumes(self, audits: list[dict[str, Any]], result: PlanResult) -> None:
        if not self._resumes:
            return
        statement = (
            update(_CASES)
            .where(_CASES.c.id == bindparam("b_id"))
            .values(state=CaseState.OPEN, paused_until=None, pause_reason=None)
        )
        self.session.connection().execute(
            statement, [{"b_id": case_id} for case_id, _ in self._resumes]
        )
        for case_id, customer_id in self._resumes:
            audits.append(
                self._audit("case_resumed", case_id, None, {"customer_id": customer_id})
            )
        result.cases_resumed += len(self._resumes)

    def _write_closes(
        self, audits: list[dict[str, Any]], result: PlanResult
    ) -> list[int]:
        if not self._closes:
            return []
        statement = (
            update(_CASES)
            .where(_CASES.c.id == bindparam("b_id"))
            .values(
                state=CaseState.CLOSED,
                closed_at=self.now,
                close_reason=bindparam("b_reason"),
            )
        )
        self.session.connection().execute(
            statement,
            [
                {"b_id": case_id, "b_reason": reason}
                for case_id, _, reason, _ in self._closes
            ],
        )
        for case_id, customer_id, reason, details in self._closes:
            audits.append(
                self._audit(
                    "case_closed",
                    case_id,
                    reason,
                    {"customer_id": customer_id, **details},
                )
            )
        result.cases_closed += len(self._closes)
        return [case_id for case_id, _, _, _ in self._closes]

    def _supersede(
        self,
        case_ids: list[int],
        reason: str,
        audits: list[dict[str, Any]],
        result: PlanResult,
        *,
        keep_notices: bool = False,
    ) -> None:
        """Suppress the queued policy rows of `case_ids`, so a case never has two.

        A reply to the customer's own message stays queued, as a hand-off
        leaves it (`suppress_reminders`): it answers what the customer asked
        (the link, a question) and no newer policy step answers that. With
        `keep_notices`, broken-promise notices stay queued too.
        """
        if not case_ids:
            return
        conditions = [
            _OUTBOX.c.case_id.in_(case_ids),
            _OUTBOX.c.state == OutboxState.QUEUED,
            _OUTBOX.c.variables[REPLY_TO_VARIABLE].as_string().is_(None),
        ]
        if keep_notices:
            conditions.append(_OUTBOX.c.step_kind.not_in(sorted(BROKEN_PROMISE_KINDS)))
        statement = (
            update(_OUTBOX)
            .where(*conditions)
            .values(state=OutboxState.SUPPRESSED, suppressed_reason=reason)
            .returning(_OUTBOX.c.id, _OUTBOX.c.case_id, _OUTBOX.c.step)
        )
        for outbox_id, case_id, step in self.session.connection().execute(statement):
            audits.append(
                {
                    "business_id": self.business.id,
                    "at": self.now,
                    "actor": ACTOR,
                    "kind": "message_suppressed",
                    "subject_type": "outbox_message",
                    "subject_id": outbox_id,
                    "reason": reason,
                    "details": {"case_id": case_id, "step": step},
                }
            )
            result.messages_superseded += 1

    def _insert_outbox(self, rows: list[dict[str, Any]]) -> int:
        """Insert the rows whose key is new; return how many were inserted."""
        if not rows:
            return 0
        statement = self._insert(_OUTBOX).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
        connection = self.session.connection()
        connection.execute(statement, rows)
        inserted = connection.scalar(
            select(func.count()).where(
                _OUTBOX.c.idempotency_key.in_([row["idempotency_key"] for row in rows]),
                _OUTBOX.c.created_at == self.now,
            )
        )
        return int(inserted or 0)

    def _insert(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _audit(
        self, kind: str, case_id: int, reason: str | None, details: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "business_id": self.business.id,
            "at": self.now,
            "actor": ACTOR,
            "kind": kind,
            "subject_type": "case",
            "subject_id": case_id,
            "reason": reason,
            "details": details,
        }


def _case_values(decision: StepDecision, now: datetime) -> dict[str, Any]:
    """Return the case columns a decision sets: its step, state and pause."""
    step = decision.step
    last = step if step is not None else decision.skipped[-1][0]
    values: dict[str, Any] = {
        "planned_step": last.key,
        "planned_at": decision.planned_at or now,
        "state": CaseState.OPEN,
        "paused_until": None,
        "pause_reason": None,
    }
    if step is not None and step.action is Action.HANDOFF:
        values["state"] = CaseState.HANDED_OFF
    if step is not None and step.action is Action.PAUSE:
        assert step.pause_days is not None
        values["state"] = CaseState.PAUSED
        values["paused_until"] = now + timedelta(days=step.pause_days)
        values["pause_reason"] = f"policy step {step.key}"
    return values


def _audit_facts(balance: CustomerBalance, facts: CustomerFacts) -> dict[str, Any]:
    """Return the facts behind a decision, as stored in its audit event."""
    oldest = balance.oldest_due_on
    return {
        "customer_id": balance.customer_id,
        "days_past_due": facts.days_past_due,
        "balance": str(balance.balance),
        "currency": balance.currency,
        "segment": facts.segment,
        "customer_kind": facts.customer_kind,
        "risk_score": facts.risk_score,
        "oldest_due_on": oldest.isoformat() if oldest is not None else None,
        "document_ids": list(balance.document_ids),
    }
