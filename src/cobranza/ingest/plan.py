"""Plan an import against the stored state, without writing anything.

The stored customers, documents, import payments and consent states of the
business are loaded in one query each, then the parsed rows are compared with
them in memory. The result is a `Plan` of inserts and updates that
`store.apply_plan` writes in bulk, or that a dry run only reports.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Business,
    ConsentAction,
    ConsentEvent,
    Customer,
    CustomerKind,
    Document,
    DocumentKind,
    Payment,
    PhoneStatus,
)
from cobranza.ingest.rows import CustomerFields, ParsedRow, customer_id_from_name
from cobranza.money import quantize
from cobranza.phones import phone_timezone

IMPORT_PROVIDER = "import"
# The audit event that marks a document as cancelled by an import. The
# document table has no status column, so these events are the record of
# which documents are cancelled: imports and the portfolio audit read them.
CANCELLED_EVENT = "document_cancelled"
# Payment statuses: an import records approved payments, and cancelling a
# document marks the payment that settled it as missing as cancelled.
APPROVED = "approved"
CANCELLED = "cancelled"

# Payments read from a file carry a day, not an instant: they are stored at
# noon in the business's time zone, which keeps the UTC instant on the same
# calendar day anywhere between UTC-12 and UTC+11.
PAYMENT_LOCAL_TIME = time(12, 0)

DocumentKey = tuple[str, str]

# A SUNAT (Peru) series and correlativo: four letters or digits, a hyphen
# and up to eight digits. Exports write the correlativo padded to eight
# digits (F001-00000123) or as it is (F001-123), so both are one document.
_SUNAT_NUMBER = re.compile(r"([A-Z0-9]{4})-0*([0-9]{1,8})", re.IGNORECASE)
# A Chilean folio with its SII type before it ("39-100"), as `rows` writes
# every type other than the factura and its notes.
_SII_TYPED_FOLIO = re.compile(r"([0-9]{2,3})-([0-9]+)")

_CUSTOMER_COLUMNS = (
    "name",
    "kind",
    "tax_id",
    "tax_id_valid",
    "email",
    "phone_raw",
    "phone",
    "phone_status",
    "phone_problem",
    "timezone",
)
_DOCUMENT_COLUMNS = (
    "customer_id",
    "issued_on",
    "due_on",
    "amount",
    "currency",
    "open_amount",
    "disputed",
    "missing_since",
)


@dataclass
class PlannedPayment:
    """A payment to record against one document."""

    provider_payment_id: str
    customer_key: str | int  # external id of a new customer, or a stored id
    document_key: DocumentKey
    amount: Decimal
    currency: str
    paid_at: datetime
    recorded_at: datetime
    # The file gave no payment date for a document it brought in settled, so
    # `paid_at` is only the import's instant (see `Payment.paid_at_unknown`).
    paid_at_unknown: bool = False


@dataclass
class Plan:
    """Inserts and updates that bring the store in line with the file."""

    new_customers: list[dict[str, Any]] = field(default_factory=list)
    customer_updates: list[dict[str, Any]] = field(default_factory=list)
    new_documents: list[dict[str, Any]] = field(default_factory=list)
    document_updates: list[dict[str, Any]] = field(default_factory=list)
    payments: list[PlannedPayment] = field(default_factory=list)
    # Stored import payments without a date that this file dates: `id`,
    # `paid_at` and `paid_at_unknown` (False) for a bulk update.
    payment_dates: list[dict[str, Any]] = field(default_factory=list)
    consent_events: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    # Stored documents that this file marks as cancelled: `kind`, `number`,
    # `line`, the `open_amount` they stop owing and the `voided_payment`
    # amount ("" for none), for the report.
    cancelled: list[dict[str, str]] = field(default_factory=list)
    # Import payments to mark cancelled (`id`, `status`) for a bulk update.
    voided_payments: list[dict[str, Any]] = field(default_factory=list)
    # One `CANCELLED_EVENT` audit event per document in `cancelled`.
    cancellation_events: list[dict[str, Any]] = field(default_factory=list)
    # Rows of documents cancelled by an earlier import, left unchanged:
    # (line, number).
    kept_cancelled: list[tuple[int, str]] = field(default_factory=list)
    # Rows matched to a stored document written another way: `line`, the
    # file's `number` and the `stored` number the document keeps.
    renumbered: list[dict[str, str]] = field(default_factory=list)
    balances_increased: list[dict[str, str]] = field(default_factory=list)
    customers: dict[str, MergedCustomer] = field(default_factory=dict)
    open_balance_by_currency: dict[str, Decimal] = field(default_factory=dict)

    def size(self) -> int:
        """Return the number of rows to insert or update."""
        return (
            len(self.new_customers)
            + len(self.customer_updates)
            + len(self.new_documents)
            + len(self.document_updates)
            + len(self.consent_events)
            + len(self.payment_dates)
            + len(self.cancellation_events)
            + len(self.voided_payments)
            + 2 * len(self.payments)  # a payment and its allocation
        )


@dataclass
class StoredState:
    """The business's stored rows, keyed the way the file is."""

    customers: dict[str, dict[str, Any]]
    documents: dict[DocumentKey, dict[str, Any]]
    import_payment_ids: set[str]
    consent: dict[int, str]
    # The stored import payments without a date: provider payment id to id.
    undated_import_payments: dict[str, int] = field(default_factory=dict)
    # Ids of the documents that an import recorded as cancelled.
    cancelled_ids: set[int] = field(default_factory=set)
    # The approved import payments: provider payment id to (id, amount).
    approved_import_payments: dict[str, tuple[int, Decimal]] = field(
        default_factory=dict
    )


def load_state(session: Session, business_id: int) -> StoredState:
    """Load the business's rows that an import compares against."""
    customer_rows = session.execute(
        select(
            Customer.id, Customer.external_id, *_columns(Customer, _CUSTOMER_COLUMNS)
        ).where(Customer.business_id == business_id)
    ).mappings()
    customers = {row["external_id"]: dict(row) for row in customer_rows}

    document_rows = session.execute(
        select(
            Document.id,
            Document.kind,
            Document.number,
            *_columns(Document, _DOCUMENT_COLUMNS),
        ).where(Document.business_id == business_id)
    ).mappings()
    documents = {(row["kind"], row["number"]): dict(row) for row in document_rows}

    payment_rows = session.execute(
        select(
            Payment.provider_payment_id,
            Payment.id,
            Payment.paid_at_unknown,
            Payment.amount,
            Payment.status,
        ).where(
            Payment.business_id == business_id,
            Payment.provider == IMPORT_PROVIDER,
        )
    ).all()
    payment_ids = {row.provider_payment_id for row in payment_rows}
    undated = {
        row.provider_payment_id: row.id for row in payment_rows if row.paid_at_unknown
    }

    consent: dict[int, str] = {}
    consent_rows = session.execute(
        select(ConsentEvent.customer_id, ConsentEvent.action)
        .where(
            ConsentEvent.business_id == business_id,
            ConsentEvent.channel == "whatsapp",
        )
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    for customer_id, action in consent_rows:
        consent[customer_id] = action
    return StoredState(
        customers,
        documents,
        payment_ids,
        consent,
        undated,
        set(session.scalars(cancelled_document_ids(business_id))),
        {
            row.provider_payment_id: (row.id, row.amount)
            for row in payment_rows
            if row.status == APPROVED
        },
    )


def cancelled_document_ids(business_id: int) -> Any:
    """Return the SELECT of the ids of the business's cancelled documents."""
    return select(AuditEvent.subject_id).where(
        AuditEvent.business_id == business_id,
        AuditEvent.kind == CANCELLED_EVENT,
        AuditEvent.subject_type == "document",
        # NOT IN over a NULL would leave every document out.
        AuditEvent.subject_id.is_not(None),
    )


def shared_phones(state: StoredState, plan: Plan) -> list[list[str]]:
    """Return the customers that share one phone after `plan`, by label.

    A customer's label is its external id, or its name when the id was made
    from the name. Each group is sorted, and the groups are sorted by their
    first label.
    """
    phones = {external_id: row["phone"] for external_id, row in state.customers.items()}
    names = {external_id: row["name"] for external_id, row in state.customers.items()}
    external_ids = {
        row["id"]: external_id for external_id, row in state.customers.items()
    }
    for row in plan.customer_updates:
        phones[external_ids[row["id"]]] = row.get("phone")
        if "name" in row:
            names[external_ids[row["id"]]] = row["name"]
    for row in plan.new_customers:
        phones[row["external_id"]] = row.get("phone")
        names[row["external_id"]] = row.get("name")

    by_phone: dict[str, list[str]] = {}
    for external_id, phone in phones.items():
        if phone:
            by_phone.setdefault(phone, []).append(_label(external_id, names))
    return sorted(sorted(labels) for labels in by_phone.values() if len(labels) > 1)


def _label(external_id: str, names: dict[str, str | None]) -> str:
    name = names.get(external_id)
    if name and customer_id_from_name(name) == external_id:
        return name
    return external_id


def _columns(model: type[Any], names: Sequence[str]) -> list[Any]:
    return [getattr(model, name) for name in names]


def build_plan(
    state: StoredState,
    business: Business,
    rows: Sequence[ParsedRow],
    *,
    now: datetime,
    today: date,
    full_snapshot: bool,
    evidence: str,
    source: str,
    listed_elsewhere: Collection[DocumentKey] = (),
    cancelled: Mapping[DocumentKey, int] | None = None,
) -> Plan:
    """Compare parsed rows with the stored state and plan the changes.

    `listed_elsewhere` names documents that the file lists in rows left out
    of `rows` (an erased customer's), which a full snapshot must not settle.
    `cancelled` maps the documents of the rows marked as cancelled to their
    line. A stored one stops being owed, with no payment recorded, and rows
    that list one of them as owed are left out.
    """
    plan = Plan()
    customers = merge_customers(rows)
    plan.customers = customers
    _plan_customers(plan, state, customers, business, now)
    _plan_consent(plan, state, customers, business, now, evidence, source)

    matcher = _StoredNumbers(state, business.country)
    rows = matcher.match_rows(rows)
    # NOTE: a cancelled row carries no customer or amount here, so only
    # SUNAT numbers are matched. A cancelled Chilean boleta stored with its
    # bare folio ("100") is not found, so it stays owed, and a full snapshot
    # settles it as missing with an import payment.
    cancelled = {
        matcher.match_key(key): line for key, line in (cancelled or {}).items()
    }
    listed_elsewhere = [matcher.match_key(key) for key in listed_elsewhere]
    plan.renumbered = matcher.renumbered

    in_file: set[DocumentKey] = set(listed_elsewhere)
    for row in rows:
        key = (row.kind.value, row.number)
        in_file.add(key)
        stored = state.documents.get(key)
        # A row that lists as owed a document that another row cancels is
        # left out even when the document is new, so that importing the
        # same file twice stores the same: nothing, not a debt to collect.
        if key in cancelled or (
            stored is not None and stored["id"] in state.cancelled_ids
        ):
            plan.kept_cancelled.append((row.line, row.number))
            continue
        _plan_document(plan, state, row, business, now)
    for key, line in cancelled.items():
        in_file.add(key)
        _plan_cancellation(plan, state, key, line, business, now, source)

    _plan_missing(plan, state, in_file, business, now, today, full_snapshot)
    plan.payments = [
        payment
        for payment in plan.payments
        if payment.provider_payment_id not in state.import_payment_ids
    ]
    return plan


def same_document_key(key: DocumentKey, country: str) -> DocumentKey:
    """Return one spelling of `key` for every way `country` writes that number.

    A Peruvian series and correlativo are one document padded or not
    ("F001-00000123" and "F001-123"), so both give ("invoice", "F001-123").
    Any other number is returned as it is.
    """
    kind, number = key
    match = _SUNAT_NUMBER.fullmatch(number) if country.upper() == "PE" else None
    if match is None:
        return key
    series, correlativo = match.groups()
    return kind, f"{series.upper()}-{int(correlativo)}"


class _StoredNumbers:
    """Match document numbers to stored documents written another way.

    A Peruvian number matches a stored one with the same series and
    correlativo, padded or not. A Chilean typed folio ("39-100") matches a
    stored bare folio ("100") of the same customer, amount, currency and
    due date, which an import stored before the SII type column was read.
    The stored number is kept, so nothing is duplicated and no migration
    renames numbers.
    """

    def __init__(self, state: StoredState, country: str) -> None:
        self.state = state
        self.country = country.upper()
        self.renumbered: list[dict[str, str]] = []
        self._sunat: dict[tuple[str, str, int], DocumentKey] = {}
        if self.country == "PE":
            for kind, number in state.documents:
                if match := _SUNAT_NUMBER.fullmatch(number):
                    series, correlativo = match.groups()
                    self._sunat[(kind, series.upper(), int(correlativo))] = (
                        kind,
                        number,
                    )

    def match_key(self, key: DocumentKey) -> DocumentKey:
        """Return the stored key that `key` is written another way, or `key`."""
        if key in self.state.documents or self.country != "PE":
            return key
        kind, number = key
        match = _SUNAT_NUMBER.fullmatch(number)
        if match is None:
            return key
        series, correlativo = match.groups()
        return self._sunat.get((kind, series.upper(), int(correlativo)), key)

    def match_rows(self, rows: Sequence[ParsedRow]) -> list[ParsedRow]:
        """Return `rows` with each number written as its stored document's.

        A stored document that a row of the file names as written keeps
        that row, and no two rows are matched to one document.
        """
        claimed_keys = {(row.kind.value, row.number) for row in rows}
        matched: list[ParsedRow] = []
        for row in rows:
            key = (row.kind.value, row.number)
            stored_key = self.match_key(key)
            if stored_key == key:
                stored_key = self._bare_folio(row)
            if stored_key == key or stored_key in claimed_keys:
                matched.append(row)
                continue
            claimed_keys.add(stored_key)
            self.renumbered.append(
                {"line": str(row.line), "number": row.number, "stored": stored_key[1]}
            )
            matched.append(replace(row, number=stored_key[1]))
        return matched

    # NOTE: the matched boleta keeps its bare folio, so a later factura (SII
    # type 33) with that folio is read as the same invoice as the boleta.
    def _bare_folio(self, row: ParsedRow) -> DocumentKey:
        key = (row.kind.value, row.number)
        if self.country != "CL" or key in self.state.documents:
            return key
        match = _SII_TYPED_FOLIO.fullmatch(row.number)
        if match is None:
            return key
        bare = (row.kind.value, match.group(2))
        stored = self.state.documents.get(bare)
        customer = self.state.customers.get(row.customer.external_id)
        if (
            stored is None
            or customer is None
            or stored["customer_id"] != customer["id"]
            or stored["amount"] != row.amount
            # A factura keeps its bare folio too, and facturas and boletas
            # are numbered apart, so a factura of this customer and amount
            # may have the same folio. Their due dates differ.
            or stored["due_on"] != row.due_on
            or stored["currency"] != row.currency
        ):
            return key
        return bare


@dataclass
class MergedCustomer:
    """One customer's fields gathered over all of its rows.

    `lines` maps a field of `CustomerFields` to the line its kept value
    came from.
    """

    fields: CustomerFields
    consent_line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)


def merge_customers(rows: Sequence[ParsedRow]) -> dict[str, MergedCustomer]:
    """Merge rows per customer: the first non-empty value of each field wins.

    The phone is the first valid one, else the first given. A customer
    whose rows have no name keeps its external id as the name. Consent is
    the value on the customer's last row that has one. Rows that disagree
    are reported by `conflicts.conflict_issues`, not here.
    """
    merged: dict[str, MergedCustomer] = {}
    for row in rows:
        fields = row.customer
        current = merged.get(fields.external_id)
        if current is None:
            current = MergedCustomer(
                CustomerFields(
                    external_id=fields.external_id, name=fields.name, name_given=False
                )
            )
            merged[fields.external_id] = current
        target = current.fields
        if fields.name_given and not target.name_given:
            target.name, target.name_given = fields.name, True
            current.lines["name"] = row.line
        for name in ("tax_id", "tax_id_valid", "kind", "email"):
            if getattr(target, name) is None and getattr(fields, name) is not None:
                setattr(target, name, getattr(fields, name))
                current.lines[name] = row.line
        if target.tax_id is not None and target.tax_id_valid is None:
            target.tax_id_valid = fields.tax_id_valid
        if fields.phone is not None and (
            target.phone is None
            or (target.phone.e164 is None and fields.phone.e164 is not None)
        ):
            target.phone = fields.phone
            current.lines["phone"] = row.line
        if fields.consent is not None:
            target.consent = fields.consent
            current.consent_line = row.line
    return merged


def _customer_values(fields: CustomerFields, country: str) -> dict[str, Any]:
    values: dict[str, Any] = {"name": fields.name}
    for name in ("tax_id", "tax_id_valid", "email"):
        if getattr(fields, name) is not None:
            values[name] = getattr(fields, name)
    if fields.kind is not None:
        values["kind"] = fields.kind.value
    if fields.phone is not None:
        values["phone_raw"] = fields.phone.raw[:64] if fields.phone.raw else None
        values["phone"] = fields.phone.e164
        values["phone_status"] = fields.phone.status.value
        values["phone_problem"] = fields.phone.problem
        if country == "BR":
            # Contact hours follow the customer's clock, which the DDD sets.
            values["timezone"] = phone_timezone(fields.phone.e164)
    return values


def _plan_customers(
    plan: Plan,
    state: StoredState,
    customers: dict[str, MergedCustomer],
    business: Business,
    now: datetime,
) -> None:
    for external_id, merged in customers.items():
        values = _customer_values(merged.fields, business.country)
        stored = state.customers.get(external_id)
        if stored is None:
            plan.new_customers.append(
                {
                    "kind": CustomerKind.PERSON.value,
                    "phone_status": PhoneStatus.MISSING.value,
                    **values,
                    "business_id": business.id,
                    "external_id": external_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            continue
        if stored["phone"] is not None and stored["phone"] == values.get("phone"):
            # The same number keeps what was learnt about it since, such as
            # not_on_whatsapp from a failed send.
            values["phone_status"] = stored["phone_status"]
        changed = {k: v for k, v in values.items() if stored.get(k) != v}
        if changed:
            update = {name: stored[name] for name in _CUSTOMER_COLUMNS}
            update.update(changed, id=stored["id"], updated_at=now)
            plan.customer_updates.append(update)


def _plan_consent(
    plan: Plan,
    state: StoredState,
    customers: dict[str, MergedCustomer],
    business: Business,
    now: datetime,
    evidence: str,
    source: str,
) -> None:
    for external_id, merged in customers.items():
        wanted = merged.fields.consent
        if wanted is None:
            continue
        stored = state.customers.get(external_id)
        current = state.consent.get(stored["id"]) if stored is not None else None
        if wanted and current != ConsentAction.GRANT:
            action = ConsentAction.GRANT
        elif not wanted and current == ConsentAction.GRANT:
            action = ConsentAction.REVOKE
        else:
            continue
        plan.consent_events.append(
            {
                "business_id": business.id,
                "customer_key": stored["id"] if stored is not None else external_id,
                "channel": "whatsapp",
                "action": action.value,
                "source": source,
                "evidence": f"{evidence} line:{merged.consent_line}",
                "at": now,
            }
        )


def _plan_document(
    plan: Plan, state: StoredState, row: ParsedRow, business: Business, now: datetime
) -> None:
    key = (row.kind.value, row.number)
    stored_customer = state.customers.get(row.customer.external_id)
    customer_key: str | int = (
        stored_customer["id"] if stored_customer else row.customer.external_id
    )
    values: dict[str, Any] = {
        "issued_on": row.issued_on,
        "due_on": row.due_on,
        "amount": row.amount,
        "currency": row.currency,
        "open_amount": row.open_amount,
        "disputed": row.disputed,
        "missing_since": None,
    }
    stored = state.documents.get(key)
    open_amount = row.open_amount
    if (
        stored is not None
        and row.kind != DocumentKind.CREDIT_NOTE
        and row.open_amount > stored["open_amount"]
        and row.amount == stored["amount"]
    ):
        # An export older than a payment recorded since (by a provider or an
        # earlier import) shows a higher balance. Dunning for money already
        # paid is worse than a stale balance, so the stored one is kept and
        # the difference is reported for the owner to check.
        open_amount = stored["open_amount"]
        values["open_amount"] = open_amount
        plan.balances_increased.append(
            {
                "number": row.number,
                "kind": row.kind.value,
                "line": str(row.line),
                "stored_open_amount": str(quantize(open_amount, row.currency)),
                "file_open_amount": str(row.open_amount),
                "currency": row.currency,
            }
        )
    _add_balance(plan, row.currency, open_amount)

    if stored is None:
        plan.new_documents.append(
            {
                **values,
                "business_id": business.id,
                "customer_key": customer_key,
                "kind": row.kind.value,
                "number": row.number,
                "created_at": now,
                "updated_at": now,
            }
        )
    else:
        changed = {k: v for k, v in values.items() if stored[k] != v}
        if stored_customer is None or stored["customer_id"] != stored_customer["id"]:
            changed["customer_key"] = customer_key
        if changed:
            update = {name: stored[name] for name in _DOCUMENT_COLUMNS}
            update.update(changed, id=stored["id"], updated_at=now)
            update.setdefault("customer_key", stored["customer_id"])
            plan.document_updates.append(update)

    if row.kind == DocumentKind.CREDIT_NOTE:
        return
    # The payment is what the file shows as settled beyond what was settled
    # before. A corrected amount (a lower total with the same balance
    # unpaid) is no payment, so it is measured as settled, not as balance.
    settled_now = row.amount - open_amount
    if stored is None:
        paid = settled_now
    else:
        paid = settled_now - (stored["amount"] - stored["open_amount"])
    if paid <= 0:
        _plan_payment_date(plan, state, key, settled_now, row, business.timezone)
        return
    plan.payments.append(
        PlannedPayment(
            provider_payment_id=_payment_id(key, settled_now, row.currency),
            customer_key=customer_key,
            document_key=key,
            amount=paid,
            currency=row.currency,
            paid_at=_paid_at(row.paid_on, business.timezone, now),
            recorded_at=now,
            # A later file that lowers a stored balance dates the payment at
            # the import, which bounds it between two imports.
            paid_at_unknown=row.paid_on is None and stored is None,
        )
    )


def _plan_payment_date(
    plan: Plan,
    state: StoredState,
    key: DocumentKey,
    settled: Decimal,
    row: ParsedRow,
    timezone: str,
) -> None:
    """Date a stored payment without a date when the file now gives its date.

    The payment is found by its id, which an import derives from the
    document and its settled total, so only a file that shows the same
    settled total dates it.
    """
    if row.paid_on is None:
        return
    payment_id = state.undated_import_payments.get(
        _payment_id(key, settled, row.currency)
    )
    if payment_id is None:
        return
    plan.payment_dates.append(
        {
            "id": payment_id,
            "paid_at": datetime.combine(
                row.paid_on, PAYMENT_LOCAL_TIME, tzinfo=ZoneInfo(timezone)
            ),
            "paid_at_unknown": False,
        }
    )


def _plan_cancellation(
    plan: Plan,
    state: StoredState,
    key: DocumentKey,
    line: int,
    business: Business,
    now: datetime,
    source: str,
) -> None:
    """Plan the cancellation of a stored document that a row marks cancelled.

    The balance drops to zero without a payment, because a cancelled
    invoice was never paid and must not count as money collected. The
    amount is kept as it was issued. A document that an earlier full
    snapshot settled because the file no longer listed it got an import
    payment for its balance, which is marked cancelled, so it no longer
    counts as collected.
    """
    stored = state.documents.get(key)
    if stored is None or stored["id"] in state.cancelled_ids:
        return
    open_amount = quantize(stored["open_amount"], stored["currency"])
    voided = ""
    if stored["missing_since"] is not None:
        payment_id = _payment_id(key, stored["amount"], stored["currency"])
        payment = state.approved_import_payments.get(payment_id)
        if payment is not None:
            plan.voided_payments.append({"id": payment[0], "status": CANCELLED})
            voided = str(quantize(payment[1], stored["currency"]))
    if stored["open_amount"] != 0:
        update = {name: stored[name] for name in _DOCUMENT_COLUMNS}
        update.update(
            id=stored["id"],
            customer_key=stored["customer_id"],
            open_amount=Decimal(0),
            updated_at=now,
        )
        plan.document_updates.append(update)
    plan.cancelled.append(
        {
            "kind": key[0],
            "number": key[1],
            "line": str(line),
            "open_amount": str(open_amount),
            "voided_payment": voided,
        }
    )
    plan.cancellation_events.append(
        {
            "business_id": business.id,
            "at": now,
            "actor": "import",
            "kind": CANCELLED_EVENT,
            "subject_type": "document",
            "subject_id": stored["id"],
            "reason": None,
            "details": {
                "source": source,
                "line": line,
                "kind": key[0],
                "number": key[1],
                "amount": str(quantize(stored["amount"], stored["currency"])),
                "open_amount": str(open_amount),
                "voided_payment": voided,
                "currency": stored["currency"],
            },
        }
    )


def _plan_missing(
    plan: Plan,
    state: StoredState,
    in_file: set[DocumentKey],
    business: Business,
    now: datetime,
    today: date,
    full_snapshot: bool,
) -> None:
    for key, stored in state.documents.items():
        if key in in_file:
            continue
        open_amount = stored["open_amount"]
        if open_amount == 0 or stored["missing_since"] is not None:
            _add_balance(plan, stored["currency"], open_amount)
            continue
        plan.missing.append(
            {
                "kind": key[0],
                "number": key[1],
                "open_amount": str(quantize(open_amount, stored["currency"])),
            }
        )
        if not full_snapshot:
            _add_balance(plan, stored["currency"], open_amount)
            continue
        update = {name: stored[name] for name in _DOCUMENT_COLUMNS}
        update.update(
            id=stored["id"],
            customer_key=stored["customer_id"],
            open_amount=Decimal(0),
            missing_since=today,
            updated_at=now,
        )
        plan.document_updates.append(update)
        if open_amount > 0:
            plan.payments.append(
                PlannedPayment(
                    provider_payment_id=_payment_id(
                        key, stored["amount"], stored["currency"]
                    ),
                    customer_key=stored["customer_id"],
                    document_key=key,
                    amount=open_amount,
                    currency=stored["currency"],
                    paid_at=now,
                    recorded_at=now,
                )
            )


def _add_balance(plan: Plan, currency: str, amount: Decimal) -> None:
    totals = plan.open_balance_by_currency
    totals[currency] = totals.get(currency, Decimal(0)) + amount


def _payment_id(key: DocumentKey, settled_total: Decimal, currency: str) -> str:
    """Return the id of the payment that brings a document's settled total to
    `settled_total`, so the same file always yields the same ids."""
    kind, number = key
    return f"{kind}:{number}:{quantize(settled_total, currency)}"


def _paid_at(paid_on: date | None, timezone: str, now: datetime) -> datetime:
    if paid_on is None:
        return now
    return datetime.combine(paid_on, PAYMENT_LOCAL_TIME, tzinfo=ZoneInfo(timezone))
