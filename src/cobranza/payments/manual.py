"""Payments recorded by a person: typed in, imported from a file, or a receipt.

A receipt a customer sends over WhatsApp is a claim ("ya pagué"): it is
stored as a pending payment, which pauses reminders, until a person
accepts it with the amount it shows (the payment is applied) or rejects it
(reminders resume).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import is_currency
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.compliance.customers import resolve_customer
from cobranza.compliance.erasure import erased_external_ids
from cobranza.compliance.errors import AmbiguousCustomerError, CustomerNotFoundError
from cobranza.db.models import Business, Customer, InboundMedia
from cobranza.ingest.amounts import marked_currency
from cobranza.ingest.readers import decode
from cobranza.money import MAX_AMOUNT, parse_amount_input, quantize
from cobranza.payments import cases
from cobranza.payments.errors import PaymentError
from cobranza.payments.reconcile import ApplyResult, PaymentFacts, apply_payment
from cobranza.payments.status import PaymentStatus
from cobranza.timeutil import local_date, parse_instant

# A payment date written day first: 9/3/2026, 09-03-2026.
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})")

MANUAL_PROVIDER = "manual"
RECEIPT_PROVIDER = "receipt"
# Column names accepted in a payments file, Spanish, English or Portuguese.
# The first name of each is the field's Spanish name, which messages show. A
# tax id column names the customer too, because `resolve_customer` finds a
# customer by tax id.
COLUMNS = {
    "customer": (
        "cliente",
        "customer",
        "customer_id",
        "id_cliente",
        "rut",
        "rut cliente",
        "cuit",
        "nit",
        "rfc",
        "ruc",
        "código do cliente",
        "cpf/cnpj",
        "cnpj/cpf",
    ),
    "amount": ("monto", "importe", "valor", "amount", "valor pago", "valor recebido"),
    "date": (
        "fecha",
        "date",
        "paid_at",
        "data",
        "data do pagamento",
        "data de pagamento",
        "data do recebimento",
        "data de recebimento",
    ),
    "method": (
        "medio",
        "metodo",
        "método",
        "method",
        "forma de pagamento",
        "meio de pagamento",
    ),
    "reference": (
        "referencia",
        "comprobante",
        "reference",
        "n° operación",
        "nº operación",
        "número de operación",
        "nro. operación",
        "referência",
        "id da transação",
    ),
    "currency": ("moneda", "currency", "moeda"),
}


@dataclass
class PaymentImportReport:
    """Counts of an import of a payments file, with each rejected line."""

    applied: int = 0
    unchanged: int = 0
    # The amount recorded per currency code.
    totals: dict[str, Decimal] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def record_payment(
    session: Session,
    business: Business,
    customer: Customer,
    amount: Decimal,
    paid_at: datetime,
    now: datetime,
    *,
    currency: str | None = None,
    method: str | None = None,
    reference: str | None = None,
) -> ApplyResult:
    """Record a payment received outside the providers and allocate it.

    The same `reference` given twice records one payment. Without a
    reference every call records a new payment. A payment dated after `now`
    is rejected, as the dashboard's form rejects one: `cobranza audit` counts
    a payment only from its date on, so a future one would make the audit
    disagree with every balance shown today.
    """
    code = (currency or business.currency).strip().upper()
    if len(code) != 3 or not code.isalpha() or not is_currency(code):
        raise PaymentError(
            f"moneda inválida {currency!r}: escribí un código ISO 4217 de tres "
            f"letras, como {business.currency}"
        )
    if paid_at > now:
        raise PaymentError(_future_date_problem(paid_at, now, business.timezone))
    # NaN would raise InvalidOperation in the comparisons below.
    if not amount.is_finite():
        raise PaymentError(f"monto inválido {amount}: escribí un número, como 12500.50")
    if amount <= 0:
        raise PaymentError(
            f"monto inválido {amount}: un pago tiene que ser mayor que 0"
        )
    if amount >= MAX_AMOUNT:
        limit = f"{MAX_AMOUNT:,.0f}".replace(",", ".")
        raise PaymentError(
            f"monto inválido {amount}: un pago tiene que ser menor que {limit}. "
            "Revisá el monto"
        )
    if quantize(amount, code) != amount:
        raise PaymentError(
            f"el monto {amount} tiene más decimales de los que admite {code}: "
            "redondealo"
        )
    case = cases.open_case_of(session, business.id, customer.id)
    facts = PaymentFacts(
        business_id=business.id,
        customer_id=customer.id,
        provider=MANUAL_PROVIDER,
        provider_payment_id=reference or f"manual-{uuid.uuid4().hex}",
        status=PaymentStatus.APPROVED,
        amount=amount,
        currency=code,
        paid_at=paid_at,
        case_id=case.id if case is not None else None,
        method=method,
    )
    return apply_payment(session, facts, now)


def _future_date_problem(paid_at: datetime, now: datetime, timezone: str) -> str:
    paid_on = local_date(paid_at, timezone)
    today = local_date(now, timezone)
    if paid_on == today:
        at = paid_at.astimezone(ZoneInfo(timezone))
        return (
            f"la hora del pago, {at:%H:%M} del {paid_on:%d/%m/%Y}, todavía no "
            "llegó: escribí solo la fecha, o la hora en que lo recibiste"
        )
    return (
        f"la fecha del pago, {paid_on:%d/%m/%Y}, es futura (hoy es "
        f"{today:%d/%m/%Y}): usá el día en que recibiste el pago, hoy o antes"
    )


def parse_column_map(pairs: list[str]) -> dict[str, str]:
    """Parse `COLUMNA=CAMPO` options into {file column: field key}.

    A field is named by any of its `COLUMNS` aliases, such as «monto» or
    «amount». Raises `PaymentError` for a pair without «=» or an unknown field.
    """
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, separator, field_name = pair.rpartition("=")
        column, field_name = column.strip(), field_name.strip().lower()
        if not separator or not column:
            raise PaymentError(
                f"--map {pair!r} no tiene la forma COLUMNA=CAMPO: escribí, por "
                'ejemplo, --map "Importe cobrado=monto"'
            )
        key = _field_key(field_name)
        if key is None:
            fields = ", ".join(aliases[0] for aliases in COLUMNS.values())
            raise PaymentError(
                f"--map {pair!r}: el campo {field_name!r} no existe. Los campos "
                f"son {fields}"
            )
        if key in mapping.values():
            raise PaymentError(
                f"--map {pair!r}: otra columna ya se lee como {COLUMNS[key][0]}. "
                "Indicá una sola columna por campo"
            )
        mapping[column] = key
    return mapping


def _field_key(name: str) -> str | None:
    for key, aliases in COLUMNS.items():
        if name in aliases:
            return key
    return None


def import_payments(
    session: Session,
    business: Business,
    path: Path,
    now: datetime,
    column_map: dict[str, str] | None = None,
    sheet: str | None = None,
) -> PaymentImportReport:
    """Record every valid line of a CSV or Excel payments file; report the others.

    Columns: cliente (the customer's external id), monto, fecha, and
    optionally medio, referencia and moneda. `column_map` ({file column:
    field key}, from `parse_column_map`) reads columns with other names.
    `sheet` is the exact title of the worksheet to read, the first one by
    default. A line without a reference gets one from its content, so
    importing the same file twice records each payment once.
    """
    fieldnames, rows = _read_rows(path, sheet)
    columns = _columns(fieldnames, path, column_map or {})
    report = PaymentImportReport()
    for line, row in enumerate(rows, start=2):
        try:
            result = _import_row(session, business, row, columns, line, now)
        except PaymentError as exc:
            report.errors.append(f"línea {line}: {exc}")
            continue
        if result.changed:
            report.applied += 1
            raw_amount = row[columns["amount"]] or ""
            line_currency = _line_currency(
                raw_amount, _optional(row, columns, "currency")
            )
            code = (line_currency or business.currency).upper()
            amount = parse_amount_input(row[columns["amount"]], business.locale, code)
            report.totals[code] = report.totals.get(code, Decimal(0)) + amount
        else:
            report.unchanged += 1
    return report


def claim_receipt(
    session: Session, business_id: int, media_id: int, now: datetime
) -> ApplyResult:
    """Store a receipt the customer sent as a pending payment (reminders pause)."""
    media, customer_id = _media(session, business_id, media_id)
    business = session.get_one(Business, business_id)
    case = cases.open_case_of(session, business_id, customer_id)
    facts = PaymentFacts(
        business_id=business_id,
        customer_id=customer_id,
        provider=RECEIPT_PROVIDER,
        provider_payment_id=f"media-{media.id}",
        status=PaymentStatus.PENDING,
        amount=Decimal(0),
        currency=business.currency,
        paid_at=now,
        case_id=case.id if case is not None else None,
        method="receipt",
    )
    return apply_payment(session, facts, now)


def accept_receipt(
    session: Session,
    business_id: int,
    media_id: int,
    amount: Decimal,
    now: datetime,
    actor: str,
    *,
    currency: str | None = None,
) -> ApplyResult:
    """Accept a claimed receipt for `amount`: the payment is applied.

    Raises `PaymentError` when the receipt was never claimed or was already
    decided.
    """
    result = _decide(
        session, business_id, media_id, PaymentStatus.APPROVED, amount, now, currency
    )
    cases.audit(
        session, business_id, now, "receipt_accepted", "inbound_media", media_id,
        None, {"amount": str(amount), "payment_id": result.payment_id}, actor=actor,
    )  # fmt: skip
    return result


def reject_receipt(
    session: Session,
    business_id: int,
    media_id: int,
    reason: str,
    now: datetime,
    actor: str,
) -> ApplyResult:
    """Reject a claimed receipt: the pending payment ends and reminders resume."""
    result = _decide(
        session, business_id, media_id, PaymentStatus.REJECTED, Decimal(0), now, None
    )
    cases.audit(
        session, business_id, now, "receipt_rejected", "inbound_media", media_id,
        reason, {"payment_id": result.payment_id}, actor=actor,
    )  # fmt: skip
    return result


def _decide(
    session: Session,
    business_id: int,
    media_id: int,
    status: PaymentStatus,
    amount: Decimal,
    now: datetime,
    currency: str | None,
) -> ApplyResult:
    _, customer_id = _media(session, business_id, media_id)
    business = session.get_one(Business, business_id)
    case = cases.open_case_of(session, business_id, customer_id)
    facts = PaymentFacts(
        business_id=business_id,
        customer_id=customer_id,
        provider=RECEIPT_PROVIDER,
        provider_payment_id=f"media-{media_id}",
        status=status,
        amount=amount,
        currency=(currency or business.currency).upper(),
        paid_at=now,
        case_id=case.id if case is not None else None,
        method="receipt",
    )
    if status == PaymentStatus.APPROVED and amount <= 0:
        raise PaymentError(f"invalid amount {amount}: accept a receipt for its amount")
    result = apply_payment(session, facts, now)
    if not result.changed:
        raise PaymentError(
            f"receipt {media_id} is not waiting for a decision: claim it first, "
            "or it was already accepted or rejected"
        )
    return result


def _media(
    session: Session, business_id: int, media_id: int
) -> tuple[InboundMedia, int]:
    from cobranza.db.models import InboundMessage

    found = session.execute(
        select(InboundMedia, InboundMessage.customer_id)
        .join(InboundMessage, InboundMessage.id == InboundMedia.inbound_message_id)
        .where(InboundMedia.id == media_id, InboundMedia.business_id == business_id)
    ).first()
    if found is None or found[1] is None:
        raise PaymentError(
            f"receipt {media_id} not found, or its sender matches no customer"
        )
    return found[0], found[1]


def _import_row(
    session: Session,
    business: Business,
    row: dict[str, str],
    columns: dict[str, str],
    line: int,
    now: datetime,
) -> ApplyResult:
    external_id = (row.get(columns["customer"]) or "").strip()
    customer = session.scalars(
        select(Customer).where(
            Customer.business_id == business.id, Customer.external_id == external_id
        )
    ).first()
    if customer is None:
        # An erased customer's row keeps only a hash of its old code.
        erased = erased_external_ids(session, business, [external_id])
        if external_id in erased:
            raise PaymentError(
                _erased_problem(external_id, erased[external_id], business.timezone)
            )
        customer = _customer_by_name_or_phone(session, business, external_id)
    raw_amount = (row.get(columns["amount"]) or "").strip()
    currency = _line_currency(raw_amount, _optional(row, columns, "currency"))
    try:
        # A statement may write the sign and spaces: "$ 374.620".
        amount = parse_amount_input(
            raw_amount, business.locale, currency or business.currency
        )
    except ValueError as exc:
        raise PaymentError(str(exc)) from exc
    paid_at = _paid_at((row.get(columns["date"]) or "").strip(), business.timezone)
    reference = _optional(row, columns, "reference")
    if reference is None:
        material = "|".join(f"{key}={row.get(key)}" for key in sorted(row))
        reference = "import-" + hashlib.sha256(material.encode()).hexdigest()[:32]
    return record_payment(
        session,
        business,
        customer,
        amount,
        paid_at,
        now,
        currency=currency,
        method=_optional(row, columns, "method"),
        reference=reference,
    )


def _line_currency(raw_amount: str, column: str | None) -> str | None:
    """Return the currency of a line: its moneda cell, else the amount's sign.

    The amount is parsed without its sign, so "U$S 500" would otherwise be
    500 in the business's currency. A sign that contradicts the moneda cell
    rejects the line.
    """
    marked = marked_currency(raw_amount)
    if marked is None:
        return column
    if column is not None and column.strip().upper() != marked:
        raise PaymentError(
            f"el monto {raw_amount!r} está en {marked} y la moneda de la línea es "
            f"{column.strip()!r}: corregí una de las dos"
        )
    return marked


def _customer_by_name_or_phone(
    session: Session, business: Business, text: str
) -> Customer:
    """Find the customer that a payments file names by name or phone, not code.

    A bank statement lists the payer's phone or name, and a customer imported
    without a code has no code for the owner to write.
    """
    try:
        return resolve_customer(session, business.id, text)
    except AmbiguousCustomerError as exc:
        raise PaymentError(str(exc)) from exc
    except CustomerNotFoundError as exc:
        raise PaymentError(
            f"no se encontró el cliente {text!r}: revisá su código, su nombre o "
            "su teléfono, o importá antes al cliente"
        ) from exc


def _paid_at(text: str, timezone: str) -> datetime:
    """Read a payment date as day/month/year (09/03/2026) or ISO 8601.

    Statements in every supported country write the day first. A bare day
    is its start in `timezone`, as an ISO date is.
    """
    written = _DAY_MONTH_YEAR.fullmatch(text)
    if written is None:
        try:
            return parse_instant(text, timezone)
        except ValueError as exc:
            raise PaymentError(f"{exc}, o día/mes/año, como 20/03/2026") from exc
    day, month, year = (int(part) for part in written.groups())
    try:
        return datetime(year, month, day, tzinfo=ZoneInfo(timezone))
    except ValueError as exc:
        raise PaymentError(
            f"fecha inválida {text!r}: ese día no existe. Usá día/mes/año, como "
            "20/03/2026, o ISO 8601, como 2026-03-20"
        ) from exc


def _erased_problem(external_id: str, erased_at: datetime, timezone: str) -> str:
    day = local_date(erased_at, timezone)
    return (
        f"los datos del cliente {external_id!r} se borraron el {day:%d/%m/%Y} "
        "a su pedido, así que el pago no se puede asociar a ese código. Si el "
        "pago es de ese cliente, registralo con su código nuevo (borrado-…) y "
        "si es de otro cliente, usá el código de ese otro cliente"
    )


def _columns(
    fieldnames: list[str], path: Path, column_map: dict[str, str]
) -> dict[str, str]:
    """Return {field key: file column}, from `column_map` first, then the aliases."""
    normalised = {name.strip().lower(): name for name in fieldnames}
    found: dict[str, str] = {}
    for column, key in column_map.items():
        name = normalised.get(column.strip().lower())
        if name is None:
            raise PaymentError(
                f"--map {column}={COLUMNS[key][0]}: {path.name} no tiene la "
                f"columna {column!r}. {_found_columns(fieldnames)}"
            )
        found[key] = name
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            # A column that --map already assigned is not read twice.
            mapped = alias in normalised and normalised[alias] in found.values()
            if key not in found and alias in normalised and not mapped:
                found[key] = normalised[alias]
                break
    missing = [key for key in ("customer", "amount", "date") if key not in found]
    if missing:
        raise PaymentError(_missing_columns_problem(path, fieldnames, missing, found))
    return found


def _missing_columns_problem(
    path: Path, fieldnames: list[str], missing: list[str], found: dict[str, str]
) -> str:
    """Name the missing columns and the found ones, and show the --map fix."""
    # The first alias of each column is its Spanish name.
    names = [COLUMNS[key][0] for key in missing]
    if len(names) == 1:
        problem = f"le falta la columna {names[0]}"
    else:
        problem = "le faltan las columnas " + ", ".join(names[:-1]) + f" y {names[-1]}"
    used = set(found.values())
    spare = [name for name in fieldnames if name.strip() and name not in used]
    example = f"{spare[0]}={names[0]}" if spare else f"NOMBRE={names[0]}"
    return (
        f"a {path.name} {problem}. {_found_columns(fieldnames)} Si una de ellas "
        f'es {names[0]}, indicalo con --map, por ejemplo --map "{example}", o '
        "cambiá su nombre en el archivo por cliente, monto o fecha"
    )


def _found_columns(fieldnames: list[str]) -> str:
    names = [name for name in fieldnames if name.strip()]
    if not names:
        return "El archivo no tiene fila de encabezado con nombres de columna."
    return "Columnas encontradas: " + ", ".join(names) + "."


def _optional(row: dict[str, str], columns: dict[str, str], column: str) -> str | None:
    name = columns.get(column)
    value = (row.get(name) or "").strip() if name else ""
    return value or None


def _read_rows(
    path: Path, sheet: str | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """Return the header and the rows of a CSV or Excel file, as text.

    The text of each cell goes into the reference of a line without one, so
    a change here, such as another reader, would record again the lines of
    a file imported before it.
    """
    if path.suffix.lower() in (".xlsx", ".xls"):
        # Imported here: pandas takes a third of a second to import.
        import pandas

        sheet_name: str | int = 0 if sheet is None else sheet
        frame = pandas.read_excel(path, sheet_name=sheet_name, dtype=str).fillna("")
        records = [
            {str(key): str(value) for key, value in record.items()}
            for record in frame.to_dict(orient="records")
        ]
        return [str(name) for name in frame.columns], records
    # Excel on Windows saves CSV in Windows-1252, as the invoice import reads.
    # A UTF-8 file decodes as before, so its references stay.
    text, _encoding = decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _dialect(text: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel
