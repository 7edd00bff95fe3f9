"""A customer's dunning history, for `cobranza case show`.

The timeline merges, in time order, the audit events of the customer
(pauses, consent grants and revocations) and of its cases, invoices
(disputes and holds), installment plans and outbox rows, the consent
events an import stored, the outbox rows themselves (state and reason)
and the replies the customer sent. `cobranza case show` and the
dashboard's customer page both show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from cobranza.compliance.consent import consent_history
from cobranza.compliance.customers import resolve_customer
from cobranza.db.models import (
    AuditEvent,
    Case,
    ConsentEvent,
    Customer,
    Document,
    InboundMessage,
    InstallmentPlan,
    OutboxMessage,
)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a timeline: when, from where, what, and why."""

    at: datetime
    source: str
    kind: str
    detail: str
    # The values behind `detail` and `source` (reason, step, state, intent,
    # actor, ids…), so that the dashboard and the CLI can word them in Spanish.
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseTimeline:
    """A customer, its cases (newest first) and their merged history."""

    customer: Customer
    cases: list[Case]
    outbox: list[OutboxMessage]
    entries: list[TimelineEntry]


def case_timeline(
    session: Session, business_id: int, customer_ref: str
) -> CaseTimeline:
    """Build the timeline of the customer named by external id or phone.

    Raises `cobranza.compliance.errors.CustomerNotFoundError` when no
    customer matches `customer_ref`.
    """
    customer = resolve_customer(session, business_id, customer_ref)
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.business_id == business_id, Case.customer_id == customer.id)
            .order_by(Case.opened_at.desc(), Case.id.desc())
        )
    )
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.business_id == business_id,
                OutboxMessage.customer_id == customer.id,
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )
    replies = list(
        session.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.business_id == business_id,
                InboundMessage.customer_id == customer.id,
            )
            .order_by(InboundMessage.received_at, InboundMessage.id)
        )
    )
    plan_ids = list(
        session.scalars(
            select(InstallmentPlan.id).where(
                InstallmentPlan.business_id == business_id,
                InstallmentPlan.customer_id == customer.id,
            )
        )
    )
    document_ids = list(
        session.scalars(
            select(Document.id).where(
                Document.business_id == business_id,
                Document.customer_id == customer.id,
            )
        )
    )
    events = _audit_events(
        session,
        business_id,
        {
            "customer": [customer.id],
            "case": [case.id for case in cases],
            "document": document_ids,
            "installment_plan": plan_ids,
            "outbox_message": [row.id for row in rows],
        },
    )

    entries = [_audit_entry(event) for event in events]
    entries.extend(_imported_consent_entries(session, business_id, customer, events))
    entries.extend(_outbox_entry(row) for row in rows)
    entries.extend(_reply_entry(reply) for reply in replies)
    entries.sort(key=lambda entry: entry.at)
    return CaseTimeline(customer, cases, rows, entries)


def _audit_events(
    session: Session, business_id: int, subject_ids: dict[str, list[int]]
) -> list[AuditEvent]:
    """Return the events about the subjects (ids by subject type), oldest first."""
    subjects = [
        and_(AuditEvent.subject_type == subject_type, AuditEvent.subject_id.in_(ids))
        for subject_type, ids in subject_ids.items()
        if ids
    ]
    if not subjects:
        return []
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.business_id == business_id, or_(*subjects))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def _imported_consent_entries(
    session: Session,
    business_id: int,
    customer: Customer,
    events: list[AuditEvent],
) -> list[TimelineEntry]:
    """Return the customer's consent events that have no audit event.

    `record_consent` writes an audit event with each consent event, which
    `_audit_entry` already words. The import inserts its consent events in
    bulk without one, so they are read from the consent ledger here.
    """
    audited = {
        event.details.get("consent_event_id")
        for event in events
        if event.kind.startswith("consent.") and event.details
    }
    return [
        _consent_entry(consent)
        for consent in consent_history(session, business_id, customer.id)
        if consent.id not in audited
    ]


def _consent_entry(consent: ConsentEvent) -> TimelineEntry:
    facts = {
        "reason": consent.source,
        "actor": "import",
        "subject_type": "customer",
        "subject_id": consent.customer_id,
        "channel": consent.channel,
    }
    detail = consent.source
    if consent.evidence:
        detail += f", {consent.evidence}"
    return TimelineEntry(
        consent.at,
        f"import (customer {consent.customer_id})",
        f"consent.{consent.action}",
        detail,
        facts,
    )


def _audit_entry(event: AuditEvent) -> TimelineEntry:
    details = event.details or {}
    parts = []
    if event.reason:
        parts.append(event.reason)
    if "step" in details and details["step"] != event.reason:
        parts.append(f"step {details['step']}")
    if "days_past_due" in details:
        parts.append(f"DPD {details['days_past_due']}")
    if "balance" in details:
        parts.append(f"balance {details['balance']}")
    if details.get("other_balances"):
        others = ", ".join(
            f"{currency} {amount}" for currency, amount in details["other_balances"]
        )
        parts.append(f"also {others}")
    if "until" in details:
        parts.append(f"until {details['until']}")
    if "template_status" in details:
        parts.append(
            f"template {details.get('template_name')} "
            f"{details.get('language_code')} {details['template_status']}"
        )
    source = f"{event.actor} ({event.subject_type} {event.subject_id})"
    facts = {
        key: details[key]
        for key in (
            "step",
            "days_past_due",
            "balance",
            "currency",
            "other_balances",
            "until",
            "number",
            "handoff_reason",
            "template_name",
            "language_code",
            "template_status",
        )
        if key in details
    }
    facts.update(
        reason=event.reason,
        actor=event.actor,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
    )
    return TimelineEntry(event.at, source, event.kind, ", ".join(parts), facts)


def _outbox_entry(row: OutboxMessage) -> TimelineEntry:
    reason = row.suppressed_reason or row.deferred_reason or row.error_code or ""
    detail = f"{row.step} ({row.step_kind}, {row.tone}) → {row.state}"
    if reason:
        detail += f": {reason}"
    at = row.sent_at or row.failed_at or row.created_at
    facts = {
        "step": row.step,
        "tone": row.tone,
        "state": row.state,
        "reason": reason,
        "outbox_id": row.id,
    }
    return TimelineEntry(at, f"outbox {row.id}", "message", detail, facts)


def _reply_entry(reply: InboundMessage) -> TimelineEntry:
    parts = [reply.text or f"[{reply.type}]"]
    if reply.intent:
        parts.append(f"intent {reply.intent}")
    if reply.action_taken:
        parts.append(f"action {reply.action_taken}")
    facts = {
        "text": parts[0],
        "intent": reply.intent,
        "action": reply.action_taken,
        "channel": reply.channel,
    }
    return TimelineEntry(
        reply.received_at, reply.channel, "reply", " · ".join(parts), facts
    )
