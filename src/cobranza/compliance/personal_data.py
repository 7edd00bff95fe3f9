"""Where a customer's personal data is stored, and the rows that belong to it.

Inventory of the tables and columns that can hold a customer's personal
data, and what an erasure (`cobranza.compliance.erasure`) does with each:

- `customer`: `name` becomes "Cliente borrado" and `external_id`
  becomes "borrado-<id>", unique per row. `tax_id`, `tax_id_valid`,
  `email`, `phone_raw`, `phone`, `phone_problem`, `wa_id` and `wa_user_id`
  are cleared, and `phone_status` becomes "missing". `erased_at` and
  `erased_id_hash` are set.
- `inbound_message` (the customer's, and those from its phone or wa_id
  that matched no customer): `text` becomes the redaction marker and
  `sender` becomes "borrado". `sender_user_id` and `details` (a caption, a
  button payload, a contact card) are cleared, and `entities` (amounts,
  dates, names read from the text) becomes empty.
- `inbound_media`: `file_name` (the name the customer gave the file) and
  `path` are cleared, and the stored file is deleted after the commit. A
  download still pending gets the marker as its `error`, so it never runs.
- `outbox_message`: `text` becomes the marker; in `variables` and
  `parameters`, `customer_name` and every string that contains a personal
  value becomes the marker; `error_detail` is cleared when it contains one.
- `sandbox_message`: `text` becomes the marker and `to_phone` is cleared.
- `message_status_event` of the customer's messages: `error_detail` and
  `pricing` are cleared when they contain a personal value.
- `webhook_event`: a processed `raw_body` that contains the customer's
  phone or wa_id digits is replaced by a redacted JSON stub; `event_key` (the
  provider's event id) stays, so deduplication still works, and `error` is
  cleared when it contains a personal value.
- `consent_event`: `source` and `evidence` become the marker when they
  contain a personal value.
- `audit_event` (every event of the business): `reason` and each string in
  `details` that contains a personal value, or is the old external id,
  become the marker.
- `import_run`: each string in `report` (rejected and flagged rows quote
  the cell values) that contains a personal value becomes the marker.
- `webhook_delivery`: a `body` (an audit event sent to an outgoing webhook)
  that contains a personal value is replaced by a redacted JSON stub.
- `dunning_case.pause_reason` and `document.hold_reason`: free text an
  owner typed; it becomes the marker when it contains a personal value.
- `payment.provider_payment_id`: the reference an owner typed for a
  payment received by hand ("transferencia de Ana") becomes
  "borrado-<payment id>" when it contains a personal value, so it stays
  unique; `payment.method`, which the owner types too, becomes the marker.

- `erased_sender`: written by the erasure, never read back as a number:
  an HMAC-SHA256 under the business's `erasure_key` of each form of the
  customer's WhatsApp number and of its user id, with the erasure time, so
  a message the customer wrote before the erasure and that is processed
  after it is dropped (`cobranza.compliance.erased_senders`).

Kept, because they carry no personal data or because the business must
keep them: `document` (numbers, dates, amounts: tax law makes a business
keep its invoices), `payment`, `allocation`, `promise_to_pay`,
`installment_plan`, `installment`, `payment_link` (amounts, dates, states,
provider ids), the states and times of every message, and the customer's
`kind`, `locale`, `timezone`, `segment` and `risk_score`, which name no one.

Tables that never hold a customer's data: `business`, `whatsapp_template`,
`web_user`, `web_session`, `login_failure`, `api_token`, `outgoing_webhook`
(the owner's accounts and settings) and `alembic_version`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Case,
    Customer,
    Document,
    InboundMessage,
    InstallmentPlan,
    OutboxMessage,
    PaymentLink,
    PromiseToPay,
)
from cobranza.phones import wa_id_variants

# The text an erasure writes in place of a personal text.
REDACTED = "[borrado a pedido del cliente]"
ERASED_NAME = "Cliente borrado"
ERASED_SENDER = "borrado"

# The columns of each table that can hold a customer's personal data, as the
# module docstring describes. `tests/compliance/test_personal_data.py` checks
# that every table of the schema is here or in `TABLES_WITHOUT_CUSTOMER_DATA`.
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": (
        "external_id",
        "name",
        "tax_id",
        "tax_id_valid",
        "email",
        "phone_raw",
        "phone",
        "phone_problem",
        "wa_id",
        "wa_user_id",
    ),
    "inbound_message": ("sender", "text", "entities", "sender_user_id", "details"),
    "inbound_media": ("file_name", "path"),
    "outbox_message": ("text", "variables", "parameters", "error_detail"),
    "sandbox_message": ("text", "to_phone"),
    "message_status_event": ("error_detail", "pricing"),
    "webhook_event": ("raw_body", "error"),
    "consent_event": ("source", "evidence"),
    "audit_event": ("reason", "details"),
    "import_run": ("report",),
    "webhook_delivery": ("body",),
    "dunning_case": ("pause_reason",),
    "document": ("hold_reason",),
    "payment": ("provider_payment_id", "method"),
    "erased_sender": ("sender_hash",),
    "allocation": (),
    "promise_to_pay": (),
    "installment_plan": (),
    "installment": (),
    "payment_link": (),
}
TABLES_WITHOUT_CUSTOMER_DATA = frozenset(
    {
        "business",
        "whatsapp_template",
        "web_user",
        "web_session",
        "login_failure",
        "api_token",
        "outgoing_webhook",
    }
)

# Values shorter than this are not searched for in the business's shared
# tables (audit events, import reports, webhook bodies), because a short
# name such as "Ana" is also part of other customers' texts.
MIN_SEARCHED_LENGTH = 4


def redacted_webhook_body(event_key: str) -> bytes:
    """Return the stub that replaces a stored webhook body naming an erased customer.

    The event key stays, so a redelivery of the body is still recognised.
    """
    return json.dumps({"redacted": REDACTED, "event_key": event_key}).encode()


@dataclass(frozen=True)
class PersonalValues:
    """The texts that identify one customer, as they may appear elsewhere."""

    # Searched inside longer texts: the name, phone forms, e-mail, tax id.
    values: tuple[str, ...]
    # Matched only as a whole text, because codes such as "C-1" are also
    # part of other customers' codes ("C-10"): the external id.
    exact: tuple[str, ...]
    # The phone and wa_id digits, as webhook bodies carry them.
    phone_digits: tuple[str, ...]
    # Tax id and phone digits, searched in texts without their separators,
    # so "20-12345678-6" and "011 15 4567-8901" are found too.
    compact: tuple[str, ...] = ()
    # Searched as whole words, in the customer's own rows only: the name
    # however short, each longer word of it, and an external id with letters.
    words: tuple[str, ...] = ()

    def found_in(self, text: str) -> bool:
        """Return True when `text` contains a value or is an exact one."""
        folded = text.casefold()
        if folded.strip() in {value.casefold() for value in self.exact}:
            return True
        if any(value.casefold() in folded for value in self.values):
            return True
        if any(
            re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", folded)
            for word in self.words
        ):
            return True
        squeezed = compact_text(text)
        return any(value in squeezed for value in self.compact)

    def body_matches(self, body: bytes) -> bool:
        """Return True when a raw webhook body names the customer's phone."""
        return any(digits.encode() in body for digits in self.phone_digits)


def personal_values(customer: Customer, *, own_rows: bool = False) -> PersonalValues:
    """Collect the customer's name, ids, phone forms, e-mail and tax id.

    With `own_rows`, for the rows that belong to the customer alone, the
    name, its words and the external id are also searched as whole words.

    NOTE: a name is searched inside longer texts, so scrubbing the name
    "Ana Pérez" also redacts a text about another customer "Ana Pérez Gómez".
    """
    phones = {customer.phone, customer.phone_raw, customer.wa_id}
    digits: set[str] = set()
    for phone in phones:
        if not phone:
            continue
        plain = "".join(char for char in phone if char.isdigit())
        if plain:
            digits.add(plain)
        if phone.startswith("+"):
            digits.update(wa_id_variants(phone))
    texts = {
        customer.name,
        customer.email,
        customer.tax_id,
        customer.phone_raw,
        customer.wa_user_id,
        *digits,
        *(f"+{value}" for value in digits),
    }
    values = tuple(
        sorted(
            value.strip()
            for value in texts
            if value and len(value.strip()) >= MIN_SEARCHED_LENGTH
        )
    )
    long_digits = tuple(sorted(value for value in digits if len(value) >= 6))
    squeezed = {
        compact_text(value)
        for value in (customer.tax_id, customer.phone_raw, *digits)
        if value
    }
    words: set[str] = set()
    if own_rows:
        name = (customer.name or "").strip()
        words = {name}
        words.update(part for part in name.split() if len(part) >= MIN_SEARCHED_LENGTH)
        # A code of digits alone is also part of amounts and dates ("1500.00").
        external_id = customer.external_id.strip()
        if any(char.isalpha() for char in external_id):
            words.add(external_id)
    return PersonalValues(
        values,
        (customer.external_id.strip(),),
        long_digits,
        tuple(sorted(value for value in squeezed if len(value) >= 8)),
        tuple(sorted(word for word in words if word)),
    )


def compact_text(text: str) -> str:
    """Return `text` lower-cased with everything but letters and digits removed."""
    return "".join(char for char in text.casefold() if char.isalnum())


def scrub(value: Any, found: PersonalValues) -> tuple[Any, int]:
    """Return `value` with each string that contains a personal value redacted.

    Walks dicts and lists; also returns how many strings were replaced.
    """
    if isinstance(value, str):
        return (REDACTED, 1) if found.found_in(value) else (value, 0)
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        count = 0
        for key, item in value.items():
            result[key], replaced = scrub(item, found)
            count += replaced
        return result, count
    if isinstance(value, list):
        items = []
        count = 0
        for item in value:
            cleaned, replaced = scrub(item, found)
            items.append(cleaned)
            count += replaced
        return items, count
    return value, 0


@dataclass(frozen=True)
class CustomerRows:
    """The ids of the rows that belong to one customer, by table."""

    case_ids: list[int]
    document_ids: list[int]
    outbox_ids: list[int]
    inbound_ids: list[int]
    promise_ids: list[int]
    plan_ids: list[int]
    link_ids: list[int]


def customer_rows(session: Session, customer: Customer) -> CustomerRows:
    """Return the ids of the customer's cases, documents, messages and plans."""

    def ids(model: Any) -> list[int]:
        return list(
            session.scalars(
                select(model.id)
                .where(
                    model.business_id == customer.business_id,
                    model.customer_id == customer.id,
                )
                .order_by(model.id)
            )
        )

    return CustomerRows(
        case_ids=ids(Case),
        document_ids=ids(Document),
        outbox_ids=ids(OutboxMessage),
        inbound_ids=ids(InboundMessage),
        promise_ids=ids(PromiseToPay),
        plan_ids=ids(InstallmentPlan),
        link_ids=ids(PaymentLink),
    )


def customer_inbound_ids(
    session: Session, customer: Customer, found: PersonalValues
) -> list[int]:
    """Return the customer's messages, and the unmatched ones from its phone.

    A message from a number that matched no customer (`customer_id` NULL)
    was written by the customer when its sender is the customer's phone or
    wa_id.
    """
    senders = sorted(
        {*found.phone_digits, *(f"+{digits}" for digits in found.phone_digits)}
    )
    conditions = [InboundMessage.customer_id == customer.id]
    if senders:
        conditions.append(
            InboundMessage.customer_id.is_(None) & InboundMessage.sender.in_(senders)
        )
    return list(
        session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.business_id == customer.business_id, or_(*conditions))
            .order_by(InboundMessage.id)
        )
    )


def customer_audit_events(
    session: Session, customer: Customer, rows: CustomerRows
) -> list[AuditEvent]:
    """Return the audit events about the customer or its rows, oldest first.

    An event is about the customer when its subject is the customer or one
    of its rows, or when its details name the customer's id.
    """
    subjects = {
        "case": rows.case_ids,
        "document": rows.document_ids,
        "outbox_message": rows.outbox_ids,
        "inbound_message": rows.inbound_ids,
        "promise_to_pay": rows.promise_ids,
        "installment_plan": rows.plan_ids,
        "payment_link": rows.link_ids,
    }
    conditions = [
        and_(
            AuditEvent.subject_type == "customer", AuditEvent.subject_id == customer.id
        ),
        AuditEvent.details["customer_id"].as_integer() == customer.id,
    ]
    conditions.extend(
        and_(AuditEvent.subject_type == subject_type, AuditEvent.subject_id.in_(ids))
        for subject_type, ids in subjects.items()
        if ids
    )
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.business_id == customer.business_id, or_(*conditions))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
