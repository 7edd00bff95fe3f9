"""Export everything stored about one customer, for a data-subject request.

`customer_export` returns one JSON-ready document: the customer row and
every row about it (see `cobranza.compliance.personal_data` for the
inventory), including messages from its phone that matched no customer.
Amounts are decimal strings, instants ISO 8601 in UTC, days ISO dates.
Media files are named, not included: the business sends them apart when
the customer requests the files themselves.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from cobranza.compliance.personal_data import (
    customer_audit_events,
    customer_inbound_ids,
    customer_rows,
    personal_values,
)
from cobranza.db.models import (
    Allocation,
    Business,
    Case,
    ConsentEvent,
    Customer,
    Document,
    InboundMedia,
    InboundMessage,
    Installment,
    InstallmentPlan,
    OutboxMessage,
    Payment,
    PaymentLink,
    PromiseToPay,
    SandboxMessage,
)
from cobranza.money import quantize

FORMAT = "cobranza.datos_de_cliente"
FORMAT_VERSION = 1

# Columns left out of the export: internal keys that mean nothing to the
# customer. The business and customer ids stay, so rows can be joined.
_LEFT_OUT = {"erased_id_hash"}


def customer_export(
    session: Session, business: Business, customer: Customer, now: datetime
) -> dict[str, Any]:
    """Return every stored row about `customer` as one JSON-ready dict."""
    rows = customer_rows(session, customer)
    business_id = business.id

    def owned(model: Any) -> list[Any]:
        return list(
            session.scalars(
                select(model)
                .where(
                    model.business_id == business_id, model.customer_id == customer.id
                )
                .order_by(model.id)
            )
        )

    payments = owned(Payment)
    plans = owned(InstallmentPlan)
    inbound_ids = customer_inbound_ids(session, customer, personal_values(customer))
    inbound = _in(session, InboundMessage, InboundMessage.id, inbound_ids)
    outbox = owned(OutboxMessage)
    allocations = _in(
        session, Allocation, Allocation.payment_id, [p.id for p in payments]
    )
    installments = _in(session, Installment, Installment.plan_id, [p.id for p in plans])
    sandbox = _in(
        session, SandboxMessage, SandboxMessage.outbox_id, [r.id for r in outbox]
    )
    media = _in(session, InboundMedia, InboundMedia.inbound_message_id, inbound_ids)

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": _instant(now),
        "business": {"name": business.name, "tax_id": business.tax_id},
        "customer": row_dict(customer),
        "documents": [row_dict(row) for row in owned(Document)],
        "payments": [row_dict(row) for row in payments],
        "allocations": [row_dict(row) for row in allocations],
        "consent_events": [row_dict(row) for row in owned(ConsentEvent)],
        "cases": [row_dict(row) for row in owned(Case)],
        "promises": [row_dict(row) for row in owned(PromiseToPay)],
        "installment_plans": [
            {
                **row_dict(plan),
                "installments": [
                    row_dict(item, plan.currency)
                    for item in installments
                    if item.plan_id == plan.id
                ],
            }
            for plan in plans
        ],
        "payment_links": [row_dict(row) for row in owned(PaymentLink)],
        "outbox_messages": [row_dict(row) for row in outbox],
        "sandbox_messages": [row_dict(row) for row in sandbox],
        "inbound_messages": [row_dict(row) for row in inbound],
        "inbound_media": [row_dict(row) for row in media],
        "audit_events": [
            row_dict(event) for event in customer_audit_events(session, customer, rows)
        ],
    }


def export_json(document: dict[str, Any]) -> str:
    """Return the export as indented UTF-8 JSON text."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def row_dict(row: Any, currency: str | None = None) -> dict[str, Any]:
    """Return a mapped row's columns as JSON-ready values.

    Amounts are rounded to the minor units of the row's currency, or of
    `currency` for rows without one (installments).
    """
    mapper = inspect(row).mapper
    currency = getattr(row, "currency", currency)
    return {
        column.key: _plain(getattr(row, column.key), currency)
        for column in mapper.column_attrs
        if column.key not in _LEFT_OUT
    }


def _plain(value: Any, currency: str | None = None) -> Any:
    if isinstance(value, Decimal) and currency:
        return str(quantize(value, currency))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _in(session: Session, model: Any, column: Any, ids: list[int]) -> list[Any]:
    """Return the rows of `model` whose `column` is one of `ids`."""
    if not ids:
        return []
    return list(
        session.scalars(select(model).where(column.in_(ids)).order_by(model.id))
    )
