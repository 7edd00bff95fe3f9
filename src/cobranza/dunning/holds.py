"""Invoices a person stopped collecting: the hold rule, hold and release.

A document is on hold on a day when its `hold_until` is that day or later,
or when `held_at` is set and `hold_until` is not: a hold with no end, which
lasts until a person releases it. The planner's balances, the gate, payment
links, plan offers and promises all filter documents with `held_on`,
`not_held_on` or `is_held`, so a held invoice drops out of reminders and
amounts the way a disputed one does.

The gate reads a hold on the customer's local day (their own time zone when
set, else the business's), and so do the dashboard and the API through
`hold_day`, `hold_days` and `customer_holds`. Near midnight a hold through
the 30th is over for a customer in Madrid while the business in Buenos Aires
is still on the 30th.

A hold with no end is a state of its own rather than a far `hold_until`, so
no reader compares against a date that looks real, and `case show` and the
dashboard can show that the hold has no end.

Holding and releasing change the documents in the caller's transaction and
write one audit event per document, naming the actor. Both lock the document
rows first (SELECT ... FOR UPDATE on PostgreSQL, which SQLite does without)
and check them as reloaded under the lock, so of two simultaneous releases of
one invoice exactly one succeeds and writes an audit event.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from cobranza.db.models import AuditEvent, Customer, Document
from cobranza.dunning.errors import HoldError
from cobranza.timeutil import local_date

# The maximum length of a hold reason, the size of `Document.hold_reason`.
MAX_REASON_LENGTH = 200
# Customer ids looked up in one statement by `customer_holds`.
CUSTOMER_CHUNK = 500
# The furthest end a dated hold may have, about ten years. Readers add days
# to `hold_until`, so an end near 9999-12-31 would overflow `date`, and a
# debt held that long is a hold with no end.
MAX_HOLD_DAYS = 3653
# Characters that reorder the text around them (Unicode bidirectional
# controls). In a reason they would scramble the state line it is shown in.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
BIDI_CONTROLS |= frozenset("\u2066\u2067\u2068\u2069")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CustomerHolds:
    """A customer's invoices on hold, and whether every invoice owed is one."""

    held: tuple[Document, ...]
    # No invoice with a balance is left for reminders to collect.
    all_held: bool


def held_on(today: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """Return the SQL condition of a document on hold on `today`."""
    return or_(
        Document.hold_until >= today,
        and_(Document.hold_until.is_(None), Document.held_at.is_not(None)),
    )


def not_held_on(today: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """Return the SQL condition of a document not on hold on `today`.

    It is written out instead of negating `held_on`, because NOT of a
    comparison with NULL is NULL, which would drop every document that was
    never held.
    """
    return or_(
        Document.hold_until < today,
        and_(Document.hold_until.is_(None), Document.held_at.is_(None)),
    )


def is_held(hold_until: date | None, held_at: datetime | None, today: date) -> bool:
    """Return whether a document with these hold columns is on hold on `today`."""
    if hold_until is not None:
        return hold_until >= today
    return held_at is not None


def hold_day(
    now: datetime, customer_timezone: str | None, business_timezone: str
) -> date:
    """Return the day a customer's holds are read on, as the gate reads them."""
    return local_date(now, customer_timezone or business_timezone)


def hold_days(
    session: Session,
    business_id: int,
    customer_ids: Iterable[int],
    now: datetime,
    business_timezone: str,
) -> dict[int, date]:
    """Return `hold_day` of each customer, reading their zones in one statement."""
    ids = sorted(set(customer_ids))
    zones: dict[int, str | None] = {}
    for start in range(0, len(ids), CUSTOMER_CHUNK):
        for customer_id, zone in session.execute(
            select(Customer.id, Customer.timezone).where(
                Customer.business_id == business_id,
                Customer.id.in_(ids[start : start + CUSTOMER_CHUNK]),
            )
        ):
            zones[customer_id] = zone
    return {
        customer_id: hold_day(now, zones.get(customer_id), business_timezone)
        for customer_id in ids
    }


def on_customer_day(
    session: Session,
    business_id: int,
    now: datetime,
    business_timezone: str,
    condition: Callable[[date], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """Return `condition` (`held_on` or `not_held_on`) on each customer's day.

    Documents of customers whose zone is on another day than the business's
    get `condition` of that day. The distinct zones of the business's
    customers are read once, so the SQL has one branch per other day.
    """
    business_day = local_date(now, business_timezone)
    other_days: dict[date, list[str]] = {}
    for zone in session.scalars(
        select(Customer.timezone)
        .where(Customer.business_id == business_id, Customer.timezone.is_not(None))
        .distinct()
    ):
        day = local_date(now, zone)
        if day != business_day:
            other_days.setdefault(day, []).append(zone)
    if not other_days:
        return condition(business_day)

    def customers_in(zones: list[str]) -> Any:
        return select(Customer.id).where(
            Customer.business_id == business_id, Customer.timezone.in_(zones)
        )

    moved = [zone for zones in other_days.values() for zone in zones]
    branches = [
        and_(Document.customer_id.in_(customers_in(zones)), condition(day))
        for day, zones in other_days.items()
    ]
    branches.append(
        and_(Document.customer_id.not_in(customers_in(moved)), condition(business_day))
    )
    return or_(*branches)


def held_invoices(
    session: Session, business_id: int, customer_id: int, today: date
) -> list[Document]:
    """Return the customer's invoices with a balance on hold on `today`.

    They come oldest due date first, as the reminders would list them.
    """
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.business_id == business_id,
                Document.customer_id == customer_id,
                Document.open_amount > 0,
                Document.missing_since.is_(None),
                held_on(today),
            )
            .order_by(Document.due_on.is_(None), Document.due_on, Document.id)
        )
    )


def customer_holds(
    session: Session,
    business_id: int,
    customer_ids: Iterable[int],
    now: datetime,
    business_timezone: str,
) -> dict[int, CustomerHolds]:
    """Return the holds of the customers with an invoice on hold at `now`.

    Each customer's holds are read on their `hold_day`. Invoices count as in
    `held_invoices` and `open_invoices`, oldest due date first. Customers
    with no invoice on hold are left out of the result.
    """
    ids = sorted(set(customer_ids))
    held_now = on_customer_day(session, business_id, now, business_timezone, held_on)
    free_now = on_customer_day(
        session, business_id, now, business_timezone, not_held_on
    )
    held: dict[int, list[Document]] = {}
    collectable: set[int] = set()
    for start in range(0, len(ids), CUSTOMER_CHUNK):
        owed = and_(
            Document.business_id == business_id,
            Document.customer_id.in_(ids[start : start + CUSTOMER_CHUNK]),
            Document.open_amount > 0,
            Document.missing_since.is_(None),
        )
        for document in session.scalars(
            select(Document)
            .where(owed, held_now)
            .order_by(Document.due_on.is_(None), Document.due_on, Document.id)
        ):
            held.setdefault(document.customer_id, []).append(document)
        collectable.update(
            session.scalars(
                select(Document.customer_id).where(owed, free_now).distinct()
            )
        )
    return {
        customer_id: CustomerHolds(tuple(documents), customer_id not in collectable)
        for customer_id, documents in held.items()
    }


def open_invoices(session: Session, customer: Customer) -> list[Document]:
    """Return the customer's invoices with a balance, oldest due date first.

    Credit notes and documents a full-snapshot import no longer lists are
    left out: these are the invoices a hold of "all" applies to.
    """
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.business_id == customer.business_id,
                Document.customer_id == customer.id,
                Document.open_amount > 0,
                Document.missing_since.is_(None),
            )
            .order_by(Document.due_on.is_(None), Document.due_on, Document.id)
        )
    )


def hold_invoices(
    session: Session,
    customer: Customer,
    numbers: Sequence[str],
    until: date | None,
    reason: str,
    today: date,
    now: datetime,
    actor: str,
) -> list[Document]:
    """Put the customer's invoices on hold through `until`, or with no end.

    With no `numbers`, every invoice with a balance is held. An invoice
    already on hold gets the new end and reason. An active installment plan
    that covers a held invoice is cancelled (`cancel_plans_covering`).
    Raises `HoldError`, with nothing changed, for an unknown or settled
    number, an `until` before `today`, an empty or too long reason, or a
    customer who owes nothing.
    """
    reason = _checked_reason(reason)
    _check_until(until, today)

    if numbers:
        named = _named_documents(session, customer, numbers)
        _lock_documents(session, [document for _, document in named])
        _check_open(customer, named)
        documents = [document for _, document in named]
    else:
        documents = _still_open(
            _lock_documents(session, open_invoices(session, customer))
        )
        if not documents:
            raise HoldError(
                f"el cliente {customer.external_id} no tiene facturas con saldo "
                "pendiente, así que no hay nada que retener"
            )

    _hold(session, customer, documents, until, reason, now, actor)
    return documents


def hold_document(
    session: Session,
    document: Document,
    until: date | None,
    reason: str,
    today: date,
    now: datetime,
    actor: str,
) -> Document:
    """Put one document on hold, named by row rather than by number.

    An invoice and a credit or debit note may share a number, so a caller
    that holds a document by id must not resolve it by number. Raises
    `HoldError`, with nothing changed, as `hold_invoices` does.
    """
    reason = _checked_reason(reason)
    _check_until(until, today)
    customer = session.get_one(Customer, document.customer_id)
    _lock_documents(session, [document])
    _check_open(customer, [(document.number, document)])

    _hold(session, customer, [document], until, reason, now, actor)
    return document


def hold_open_invoices(
    session: Session, customer: Customer, reason: str, now: datetime, actor: str
) -> list[Document]:
    """Hold every invoice of the customer with a balance, with no end.

    Returns the invoices held, none when the customer owes nothing.
    """
    reason = _checked_reason(reason)
    documents = _still_open(_lock_documents(session, open_invoices(session, customer)))
    _hold(session, customer, documents, None, reason, now, actor)
    return documents


def release_invoices(
    session: Session,
    customer: Customer,
    numbers: Sequence[str],
    today: date,
    now: datetime,
    actor: str,
) -> list[Document]:
    """Release the customer's held invoices, every one or the `numbers` named.

    Their reminders resume with the next planning cycle. Raises `HoldError`,
    with nothing changed, for an unknown number, an invoice that is not on
    hold, or a customer with no held invoice.
    """
    if numbers:
        named = _named_documents(session, customer, numbers)
        _lock_documents(session, [document for _, document in named])
        _check_held(customer, named, today)
        documents = [document for _, document in named]
    else:
        held = held_invoices(session, customer.business_id, customer.id, today)
        documents = [
            document
            for document in _lock_documents(session, held)
            if is_held(document.hold_until, document.held_at, today)
        ]
        if not documents:
            raise HoldError(
                f"el cliente {customer.external_id} no tiene facturas retenidas, "
                "así que no hay nada que liberar"
            )

    _release(session, customer, documents, now, actor)
    return documents


def release_document(
    session: Session, document: Document, today: date, now: datetime, actor: str
) -> Document:
    """Release one held document, named by row rather than by number.

    Raises `HoldError`, with nothing changed, when it is not on hold.
    """
    customer = session.get_one(Customer, document.customer_id)
    _lock_documents(session, [document])
    _check_held(customer, [(document.number, document)], today)

    _release(session, customer, [document], now, actor)
    return document


def _release(
    session: Session,
    customer: Customer,
    documents: Sequence[Document],
    now: datetime,
    actor: str,
) -> None:
    for document in documents:
        details = {
            "customer_id": customer.id,
            "number": document.number,
            "until": _iso(document.hold_until),
            "hold_reason": document.hold_reason,
        }
        document.hold_until = None
        document.held_at = None
        document.hold_reason = None
        _audit(session, document, now, actor, "invoice_released", None, details)
    session.flush()


def _hold(
    session: Session,
    customer: Customer,
    documents: Sequence[Document],
    until: date | None,
    reason: str,
    now: datetime,
    actor: str,
) -> None:
    for document in documents:
        document.hold_until = until
        document.held_at = now
        document.hold_reason = reason
        details = {
            "customer_id": customer.id,
            "number": document.number,
            "until": _iso(until),
        }
        _audit(session, document, now, actor, "invoice_held", reason, details)
    session.flush()

    # Imported here because the payments package reads holds too.
    from cobranza.payments.plans import cancel_plans_covering

    document_ids = [document.id for document in documents]
    cancel_plans_covering(session, customer.id, document_ids, now, actor)


def _lock_documents(
    session: Session, documents: Sequence[Document]
) -> Sequence[Document]:
    """Lock the documents' rows in id order and reload them; return `documents`.

    Another session may have changed a row between the caller's read and
    the lock, so every check of the hold must read the reloaded columns.
    Every hold and release locks in id order, so two of them cannot
    deadlock on each other's rows.
    """
    if documents:
        # The rows are fetched (`all`) so that `populate_existing` reloads
        # the objects in the session.
        session.scalars(
            select(Document)
            .where(Document.id.in_(sorted({document.id for document in documents})))
            .order_by(Document.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    return documents


def _still_open(documents: Sequence[Document]) -> list[Document]:
    """Keep the documents that still have a balance, as `open_invoices` reads."""
    return [
        document
        for document in documents
        if document.open_amount > 0 and document.missing_since is None
    ]


def _check_open(customer: Customer, named: Sequence[tuple[str, Document]]) -> None:
    """Raise `HoldError` unless every named document has a balance to collect."""
    settled = [number for number, document in named if document.open_amount <= 0]
    if settled:
        single = len(settled) == 1
        raise HoldError(
            f"{_invoices_phrase(settled)} del cliente {customer.external_id} no "
            f"{'tiene' if single else 'tienen'} saldo pendiente, así que no hay nada "
            f"que retener. {'Sacala' if single else 'Sacalas'} de la lista"
        )
    unlisted = [number for number, document in named if document.missing_since]
    if unlisted:
        single = len(unlisted) == 1
        raise HoldError(
            f"{_invoices_phrase(unlisted)} del cliente {customer.external_id} ya no "
            f"{'figura' if single else 'figuran'} en la última importación completa, "
            f"así que el robot no {'la' if single else 'las'} cobra. "
            f"{'Sacala' if single else 'Sacalas'} de la lista"
        )


def _check_held(
    customer: Customer, named: Sequence[tuple[str, Document]], today: date
) -> None:
    """Raise `HoldError` unless every named document is on hold on `today`."""
    free = [
        number
        for number, document in named
        if not is_held(document.hold_until, document.held_at, today)
    ]
    if free:
        single = len(free) == 1
        raise HoldError(
            f"{_invoices_phrase(free)} del cliente {customer.external_id} no "
            f"{'está retenida' if single else 'están retenidas'}, así que no hay "
            f"nada que liberar. {'Sacala' if single else 'Sacalas'} de la lista"
        )


def _check_until(until: date | None, today: date) -> None:
    """Raise `HoldError` for a hold end in the past or over `MAX_HOLD_DAYS` ahead."""
    if until is None:
        return
    if until < today:
        raise HoldError(
            f"la fecha de fin {until:%d/%m/%Y} ya pasó (hoy es {today:%d/%m/%Y}). "
            "Elegí hoy o un día futuro, o retené las facturas sin fecha de fin"
        )
    latest = today + timedelta(days=MAX_HOLD_DAYS)
    if until > latest:
        raise HoldError(
            f"la fecha de fin {until:%d/%m/%Y} está a más de diez años. Elegí un "
            f"día hasta el {latest:%d/%m/%Y}, o retené las facturas sin fecha de fin"
        )


def _named_documents(
    session: Session, customer: Customer, numbers: Sequence[str]
) -> list[tuple[str, Document]]:
    """Return (number, document) for each distinct number, in the order given.

    A number shared by an invoice and a credit note names the one with a
    balance. Raises `HoldError` for an empty or unknown number.
    """
    requested = list(dict.fromkeys(number.strip() for number in numbers))
    if "" in requested:
        raise HoldError(
            "un número de factura está vacío. Escribí el número tal como figura "
            "en la importación, como A-0001"
        )
    found: dict[str, Document] = {}
    for document in session.scalars(
        select(Document)
        .where(
            Document.business_id == customer.business_id,
            Document.customer_id == customer.id,
            Document.number.in_(requested),
        )
        .order_by(Document.open_amount.desc(), Document.id)
    ):
        found.setdefault(document.number, document)
    unknown = [number for number in requested if number not in found]
    if unknown:
        checked = "el número" if len(unknown) == 1 else "los números"
        raise HoldError(
            f"el cliente {customer.external_id} no tiene "
            f"{_invoices_phrase(unknown)}. Revisá {checked} en su lista de "
            f"facturas (cobranza case show {shlex.quote(customer.external_id)}, "
            "o su ficha en el panel)"
        )
    return [(number, found[number]) for number in requested]


def _checked_reason(reason: str) -> str:
    """Return the reason on one line, or raise `HoldError` for a bad one.

    Line breaks and tabs become spaces, because the reason is shown inside a
    one-line state. Other control characters (NUL, which PostgreSQL cannot
    store, escape codes) and bidirectional controls are rejected.
    """
    text = _WHITESPACE.sub(" ", reason).strip()
    for position, character in enumerate(text, start=1):
        if character in BIDI_CONTROLS or unicodedata.category(character) == "Cc":
            raise HoldError(
                f"el motivo tiene un carácter de control (U+{ord(character):04X}) "
                f"en la posición {position}. Borralo y escribí el motivo como "
                "texto común"
            )
    if not text:
        raise HoldError(
            "falta el motivo. Escribí por qué dejás de cobrar estas facturas, "
            "como «arreglamos por teléfono» o «pasó al abogado»"
        )
    if len(text) > MAX_REASON_LENGTH:
        raise HoldError(
            f"el motivo tiene {len(text)} caracteres. Acortalo a "
            f"{MAX_REASON_LENGTH} como máximo"
        )
    return text


def _invoices_phrase(numbers: Sequence[str]) -> str:
    """Word invoice numbers as «la factura A-1» or «las facturas A-1, A-2»."""
    if len(numbers) == 1:
        return f"la factura {numbers[0]}"
    return "las facturas " + ", ".join(numbers)


def _audit(
    session: Session,
    document: Document,
    now: datetime,
    actor: str,
    kind: str,
    reason: str | None,
    details: dict[str, object],
) -> None:
    session.add(
        AuditEvent(
            business_id=document.business_id,
            at=now,
            actor=actor,
            kind=kind,
            subject_type="document",
            subject_id=document.id,
            reason=reason,
            details=details,
        )
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
