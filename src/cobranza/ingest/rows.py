"""Row validation: one source row becomes a parsed document or issues.

A problem that makes the document wrong (no number, an unreadable amount,
an impossible date) rejects the row. A problem that only limits what can be
done with the customer (an invalid phone, a wrong tax id check digit) flags
the row and the document is still imported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from cobranza.country_words import country_name
from cobranza.db.models import CustomerKind, DocumentKind
from cobranza.emails import check_email
from cobranza.ingest import mapping as m
from cobranza.ingest.amounts import (
    COMMA,
    MARK_NAMES,
    DecimalDecision,
    marked_currency,
    parse_body,
    split_amount,
)
from cobranza.ingest.dates import DateDecision, parse_date
from cobranza.ingest.hints import COMMAND_LINE, Hints
from cobranza.ingest.issue_texts import (
    DUE_DATE_FROM_ISSUE_DATE,
    DUE_DATE_UNKNOWN,
    LANDLINE_PROBLEM,
    SEPARATOR_NAMES,
    quoted,
    row_issue_text,
    spanish_number,
)
from cobranza.ingest.mapping import ColumnMapping, normalize_header
from cobranza.ingest.readers import SEPARATORS, SourceRow
from cobranza.ingest.report import RowIssue
from cobranza.ingest.taxids import (
    TaxIdCheck,
    check_tax_id,
    compact_tax_id,
    kind_from_name,
)
from cobranza.money import MAX_AMOUNT, quantize
from cobranza.phones import (
    PhoneResult,
    area_code_word,
    current_brazilian_mobile,
    normalize_phone,
)
from cobranza.terminal_text import BIDI_CONTROLS, visible

# Column sizes of the customer and document tables.
MAX_NUMBER_LENGTH = 64
MAX_EXTERNAL_ID_LENGTH = 120
MAX_NAME_LENGTH = 300
MAX_TAX_ID_LENGTH = 32
# A Colombian NIT written as digits alone may lack its check digit (DV), and
# a cédula has none, so a failed check may not mean a typo.
_MISSING_DV_HINT = (
    ", o no lo trae: si es una cédula o un NIT sin ese dígito, agregá una "
    "columna «DV» con el dígito, vacía para una cédula"
)

_TRUE = frozenset({"si", "s", "yes", "y", "x", "1", "true", "verdadero", "sim", "ok"})
_FALSE = frozenset({"no", "n", "0", "false", "falso", "nao"})
# Status words of a cancelled document, folded: "Cancelado" or "Cancelada"
# in Portuguese and Spanish, "Anulada" in Spanish, and "Estornado" for a
# reversed entry in Portuguese.
_CANCELLED_WORDS = frozenset(
    {
        "cancelado",
        "cancelada",
        "anulado",
        "anulada",
        "estornado",
        "estornada",
        "cancelled",
        "canceled",
        "void",
        "voided",
    }
)

# Document type codes: ARCA (Argentina) voucher codes, CFDI (Mexico) I/E, and
# the usual abbreviations. Letters A, B, C, M and E after a code are the
# Argentine invoice class and are ignored.
_KIND_WORDS = {
    DocumentKind.INVOICE: (
        "fc", "fa", "fac", "fact", "factura", "facturas", "invoice", "inv", "boleta",
        "boleta venta", "factura electronica", "boleta venta electronica",
        "e factura", "e ticket", "efactura", "eticket", "e factura exportacion",
        "nota fiscal", "nf", "nfe", "fatura", "cfdi", "ingreso", "i", "1", "6", "11",
        "19", "51", "201", "206", "211",
    ),
    DocumentKind.CREDIT_NOTE: (
        "nc", "nota credito", "nota credito electronica", "credit note", "credit",
        "nota credito e factura", "nota credito e ticket", "nc e factura",
        "nc e ticket", "cn", "egreso", "e", "3", "8", "13", "21", "53", "203", "208",
        "213",
    ),
    DocumentKind.DEBIT_NOTE: (
        "nd", "nota debito", "nota debito electronica", "debit note", "debit", "dn",
        "nota debito e factura", "nota debito e ticket", "nd e factura", "nd e ticket",
        "2", "7", "12", "20", "52", "202", "207", "212",
    ),
}  # fmt: skip
_KINDS = {word: kind for kind, words in _KIND_WORDS.items() for word in words}
# Chile's SII document type codes (Tipo DTE), which replace the ARCA codes
# above for a Chilean business because the two overlap (52 is an ARCA debit
# note but an SII dispatch guide, which charges nothing and is rejected).
_SII_KIND_CODES = {
    DocumentKind.INVOICE: (
        "29", "30", "32", "33", "34", "35", "38", "39", "40", "41", "43", "101",
        "110",
    ),
    DocumentKind.CREDIT_NOTE: ("60", "61", "106", "112"),
    DocumentKind.DEBIT_NOTE: ("55", "56", "104", "111"),
}  # fmt: skip
_SII_KINDS = {code: kind for kind, codes in _SII_KIND_CODES.items() for code in codes}
# The SII numbers folios per document type, so boleta 100 and factura 100
# are two documents. The electronic factura, credit note and debit note keep
# the bare folio, and every other type gets its code before it ("39-100").
_SII_BARE_FOLIO_CODES = frozenset({"33", "61", "56"})
# Chilean document names as SII exports spell them, compared in the form
# `normalize_header` gives a cell, with their SII codes.
_SII_NAME_CODES = {
    normalize_header(name): code
    for name, code in (
        ("Factura Electrónica", "33"),
        ("Factura Exenta", "34"),
        ("Factura Exenta Electrónica", "34"),
        ("Factura No Afecta o Exenta Electrónica", "34"),
        ("Boleta Electrónica", "39"),
        ("Boleta Exenta", "41"),
        ("Boleta Exenta Electrónica", "41"),
        ("Nota de Crédito Electrónica", "61"),
        ("Nota de Débito Electrónica", "56"),
    )
}
_KINDS.update({name: _SII_KINDS[code] for name, code in _SII_NAME_CODES.items()})
_SII_CODES_HINT = (
    ", o el código de documento del SII (33 factura, 39 boleta, 61 nota de "
    "crédito, 56 nota de débito)"
)
# SUNAT's document type codes (Peru's catalog 01): 01 factura, 03 boleta de
# venta, 07 nota de crédito, 08 nota de débito. In a Peruvian business they
# replace ARCA's codes, where 3 is a credit note and 7 a debit note.
_SUNAT_KINDS = {
    code: kind
    for digits, kind in (
        ("1", DocumentKind.INVOICE),
        ("3", DocumentKind.INVOICE),
        ("7", DocumentKind.CREDIT_NOTE),
        ("8", DocumentKind.DEBIT_NOTE),
    )
    for code in (digits, "0" + digits)
}
# Uruguay's CFE types (DGI). The last digit is 1 for an e-Ticket or
# e-Factura, 2 for its credit note and 3 for its debit note. The tens name
# the document: 10 e-Ticket, 11 e-Factura, 12 export, 13 and 14 sales on
# behalf of others. The 200s are the same documents issued in contingency.
# In a Uruguayan business they replace ARCA's codes, where 202 is a debit
# note.
_CFE_KINDS = {
    str(hundreds + tens + last): kind
    for hundreds in (100, 200)
    for tens in (0, 10, 20, 30, 40)
    for last, kind in (
        (1, DocumentKind.INVOICE),
        (2, DocumentKind.CREDIT_NOTE),
        (3, DocumentKind.DEBIT_NOTE),
    )
}
_COUNTRY_KINDS = {"PE": _SUNAT_KINDS, "UY": _CFE_KINDS}
_DNI_WITHOUT_ZERO = re.compile(r"[0-9]{7}\Z")
_INVOICE_CLASS = re.compile(r"^(.*\S)\s+[abcme]$")

_CURRENCY_WORDS = {
    "usd": "USD", "us$": "USD", "u$s": "USD", "u$d": "USD", "dolares": "USD",
    "dolar": "USD", "dollars": "USD", "r$": "BRL", "reais": "BRL", "real": "BRL",
    "eur": "EUR", "euros": "EUR", "€": "EUR", "soles": "PEN", "sol": "PEN",
    "nuevos soles": "PEN", "s/": "PEN", "s/.": "PEN", "$u": "UYU", "$ u": "UYU",
    "pesos uruguayos": "UYU", "peso uruguayo": "UYU",
}  # fmt: skip
# Mexican invoices write their own currency as "moneda nacional", or "MN" and
# "M.N.", which `_currency` matches without dots and spaces.
_PESO_WORDS = frozenset({"$", "pesos", "peso", "pes", "moneda nacional"})
# C0 and C1 control characters, DEL included; runs become one space.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass
class CustomerFields:
    """The customer fields of one row."""

    external_id: str
    name: str
    tax_id: str | None = None
    tax_id_valid: bool | None = None
    kind: CustomerKind | None = None
    email: str | None = None
    phone: PhoneResult | None = None
    consent: bool | None = None
    # False when the row has no name, so `name` repeats the external id.
    name_given: bool = True


@dataclass
class ParsedRow:
    """A valid document row with signed amounts and its customer."""

    line: int
    cells: tuple[Any, ...]
    customer: CustomerFields
    kind: DocumentKind
    number: str
    amount: Decimal
    open_amount: Decimal
    currency: str
    issued_on: date | None = None
    due_on: date | None = None
    paid_on: date | None = None
    disputed: bool = False
    flags: list[RowIssue] = field(default_factory=list)


@dataclass(frozen=True)
class RowContext:
    """Everything a row needs to be read: mapping, decisions and business."""

    mapping: ColumnMapping
    decimal: DecimalDecision
    dates: DateDecision
    country: str
    currency: str
    hints: Hints = COMMAND_LINE


def text_of(value: Any) -> str | None:
    """Return a cell as trimmed text; whole floats from XLSX lose the `.0`."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def amount_bodies(rows: Iterable[SourceRow], mapping: ColumnMapping) -> Iterator[str]:
    """Yield the body of every text amount cell, for the decimal decision."""
    indexes = [mapping.columns[f] for f in m.AMOUNT_FIELDS if f in mapping.columns]
    for row in rows:
        for index in indexes:
            value = row.cells[index] if index < len(row.cells) else None
            if isinstance(value, str) and value:
                split = split_amount(value)
                if split is not None:
                    yield split.body


def date_texts(rows: Iterable[SourceRow], mapping: ColumnMapping) -> Iterator[str]:
    """Yield every text date cell, for the day/month order decision."""
    indexes = [mapping.columns[f] for f in m.DATE_FIELDS if f in mapping.columns]
    for row in rows:
        for index in indexes:
            value = row.cells[index] if index < len(row.cells) else None
            if isinstance(value, str) and value:
                yield value


def _without_controls(text: str | None) -> str | None:
    """Replace control characters, such as terminal escapes, with spaces.

    Names and ids are printed to terminals and sent in messages, where an
    ESC sequence from a cell could recolour or rewrite the screen.
    """
    if text is None:
        return None
    cleaned = _CONTROL_CHARACTERS.sub(" ", text).strip()
    return cleaned or None


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """Return lower-case text without accents or punctuation ("Sí." -> "si")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", letters).strip()


def customer_id_from_name(name: str) -> str:
    """Return the external id of a customer that the file names but gives no code.

    A name without Latin letters or digits is the id as written, less the
    bidirectional controls that would make it look like another one.
    """
    return _fold(name) or BIDI_CONTROLS.sub("", name)


def customer_label(external_id: str, name: str) -> str:
    """Return how the owner knows a customer: "C-001 Ana Díaz", or the name alone.

    The name alone is for an id made from the name ("ana diaz"), which would
    only repeat it.
    """
    if customer_id_from_name(name) == external_id:
        return name
    return f"{external_id} {name}"


class RowReader:
    """Parse rows under one file's mapping and decisions."""

    def __init__(self, context: RowContext) -> None:
        self.context = context
        self.headers = context.mapping.headers
        self.columns = context.mapping.columns
        # Customers repeat over many rows, so each distinct phone and tax id
        # is checked once per file.
        self._phones: dict[tuple[object, bool], PhoneResult] = {}
        self._tax_ids: dict[str, TaxIdCheck] = {}

    def parse(self, row: SourceRow) -> tuple[ParsedRow | None, list[RowIssue]]:
        """Return the parsed row, or None and the issues that rejected it."""
        rejections: list[RowIssue] = []
        flags: list[RowIssue] = []
        if (wrong := self._separator_issue(row)) is not None:
            return None, [wrong]

        number = self._number(row)
        if number is None:
            rejections.append(self._issue(row, m.NUMBER, "missing_number"))
        elif len(number) > MAX_NUMBER_LENGTH:
            rejections.append(
                self._issue(
                    row,
                    m.NUMBER,
                    "number_too_long",
                    length=len(number),
                    limit=MAX_NUMBER_LENGTH,
                )
            )
            number = None
        elif (issue := self._bidi_issue(row, m.NUMBER, number)) is not None:
            rejections.append(issue)
            number = None
        amount = self._amount(row, m.AMOUNT, rejections)
        if amount is None and not any(
            i.column == self._header(m.AMOUNT) for i in rejections
        ):
            rejections.append(self._issue(row, m.AMOUNT, "missing_amount"))
        open_amount = self._amount(row, m.OPEN_AMOUNT, rejections)
        paid_amount = self._amount(row, m.PAID_AMOUNT, rejections)
        issued_on = self._date(row, m.ISSUED_ON, rejections)
        due_on = self._date(row, m.DUE_ON, rejections)
        paid_on = self._date(row, m.PAID_ON, rejections)
        kind = self._kind(row, amount, rejections)
        currency = self._amount_currency(
            row, self._currency(row, rejections), rejections
        )
        customer = self._customer(row, rejections, flags)
        disputed = self._flag_value(row, m.DISPUTED, flags) or False
        if (cancelled := self._cancelled_issue(row)) is not None:
            rejections.append(cancelled)

        if rejections or number is None or amount is None or kind is None:
            return None, rejections
        assert customer is not None and currency is not None

        amount = self._signed(amount, kind)
        open_value = self._open_amount(
            row, amount, kind, open_amount, paid_amount, paid_on, flags
        )
        if due_on is None:
            due_on = issued_on
            flags.append(
                self._issue(
                    row,
                    m.DUE_ON,
                    "missing_due_date",
                    effect=DUE_DATE_FROM_ISSUE_DATE if issued_on else DUE_DATE_UNKNOWN,
                )
            )

        rounded = quantize(amount, currency)
        if rounded != amount:
            flags.append(
                self._issue(
                    row,
                    m.AMOUNT,
                    "amount_rounded",
                    currency=currency,
                    rounded=self._decimal_text(rounded),
                )
            )

        parsed = ParsedRow(
            line=row.line,
            cells=row.cells,
            customer=customer,
            kind=kind,
            number=number,
            amount=rounded,
            open_amount=quantize(open_value, currency),
            currency=currency,
            issued_on=issued_on,
            due_on=due_on,
            paid_on=paid_on,
            disputed=disputed,
            flags=flags,
        )
        return parsed, flags

    def _separator_issue(self, row: SourceRow) -> RowIssue | None:
        """Reject a CSV line that reads as one cell split by another separator.

        Without this, a `;` line in a `,` file is reported as an empty invoice
        number and amount, which sends the owner looking at the wrong cells.
        """
        if len(row.cells) != 1 or len(self.headers) < 3:
            return None
        cell = row.cells[0]
        if not isinstance(cell, str):
            return None
        for separator in SEPARATORS:
            if cell.count(separator) >= len(self.headers) - 1:
                return RowIssue(
                    line=row.line,
                    column=None,
                    value=cell[:80],
                    message=row_issue_text(
                        "wrong_separator",
                        self.context.hints,
                        separator=SEPARATOR_NAMES[separator],
                        columns=len(self.headers),
                    ),
                    code="wrong_separator",
                )
        return None

    def _decimal_text(self, amount: Decimal) -> str:
        """Return an amount as message text, with the file's own decimal mark."""
        text = str(amount)
        if self.context.decimal.convention == COMMA:
            return text.replace(".", ",")
        return text

    def _bidi_issue(self, row: SourceRow, name: str, text: str) -> RowIssue | None:
        """Build the rejection of an id of field `name` that has a bidirectional
        control in it, or return None when it has none.

        The message shows the value with the control escaped (`\u202e`), so
        the message itself cannot be reordered.
        """
        found = BIDI_CONTROLS.search(text)
        if found is None:
            return None
        code = "bidi_in_number" if name == m.NUMBER else "bidi_in_customer_id"
        return self._issue(
            row,
            name,
            code,
            value=quoted(visible(text)),
            control=f"U+{ord(found.group()):04X}",
        )

    def _cell(self, row: SourceRow, name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(row.cells):
            return None
        value = row.cells[index]
        return None if value == "" else value

    def _header(self, name: str) -> str | None:
        index = self.columns.get(name)
        return None if index is None else self.headers[index]

    def _issue(self, row: SourceRow, name: str, code: str, **facts: object) -> RowIssue:
        """Build the issue of `code` for the cell of field `name`.

        The Spanish message gets the cell as `{value}` unless `facts` set it.
        """
        cell = self._cell(row, name)
        value = None if cell is None else str(cell)
        return RowIssue(
            line=row.line,
            column=self._header(name),
            value=value,
            message=row_issue_text(
                code, self.context.hints, **{"value": quoted(value), **facts}
            ),
            code=code,
        )

    def _amount(
        self, row: SourceRow, name: str, issues: list[RowIssue]
    ) -> Decimal | None:
        value = self._cell(row, name)
        if value is None:
            return None
        amount = self._read_amount(value)
        if amount is None:
            issues.append(
                self._issue(
                    row,
                    name,
                    "invalid_amount",
                    mark=MARK_NAMES[self.context.decimal.convention],
                )
            )
            return None
        if abs(amount) >= MAX_AMOUNT:
            issues.append(
                self._issue(
                    row,
                    name,
                    "amount_too_large",
                    limit=spanish_number(MAX_AMOUNT),
                )
            )
            return None
        return amount

    def _read_amount(self, value: Any) -> Decimal | None:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = Decimal(str(value))
            return number if number.is_finite() else None
        split = split_amount(str(value))
        if split is None:
            return None
        parsed = parse_body(split.body, self.context.decimal.convention)
        if parsed is None:
            return None
        return -parsed if split.negative else parsed

    def _date(self, row: SourceRow, name: str, issues: list[RowIssue]) -> date | None:
        value = self._cell(row, name)
        try:
            return parse_date(value, self.context.dates)
        except ValueError as exc:
            issues.append(
                self._issue(
                    row,
                    name,
                    "invalid_date",
                    reason=exc,
                    order=self.context.dates.note,
                )
            )
            return None

    def _kind(
        self, row: SourceRow, amount: Decimal | None, issues: list[RowIssue]
    ) -> DocumentKind | None:
        value = text_of(self._cell(row, m.KIND))
        if value is None:
            if amount is not None and amount < 0:
                return DocumentKind.CREDIT_NOTE
            return DocumentKind.INVOICE
        words = normalize_header(value)
        chilean = self.context.country == "CL"
        if chilean and words.isdigit():
            kind = _SII_KINDS.get(words.lstrip("0"))
        else:
            kind = _COUNTRY_KINDS.get(self.context.country, {}).get(words)
            if kind is None:
                kind = _KINDS.get(words)
        if kind is None and (match := _INVOICE_CLASS.match(words)):
            kind = _KINDS.get(match.group(1))
        if kind is None:
            issues.append(
                self._issue(
                    row,
                    m.KIND,
                    "invalid_kind",
                    codes=_SII_CODES_HINT if chilean else "",
                )
            )
            return None
        if kind == DocumentKind.INVOICE and amount is not None and amount < 0:
            return DocumentKind.CREDIT_NOTE
        return kind

    def _currency(self, row: SourceRow, issues: list[RowIssue]) -> str | None:
        value = text_of(self._cell(row, m.CURRENCY))
        if value is None:
            return self.context.currency
        # Accents are dropped, so "Dólares" is "dolares".
        word = unicodedata.normalize("NFKD", value.lower())
        word = "".join(char for char in word if not unicodedata.combining(char))
        if re.sub(r"[\s.]", "", word) == "mn" or word in _PESO_WORDS:
            return self.context.currency
        if word in _CURRENCY_WORDS:
            return _CURRENCY_WORDS[word]
        if re.fullmatch(r"[a-z]{3}", word):
            return word.upper()
        issues.append(
            self._issue(
                row, m.CURRENCY, "invalid_currency", currency=self.context.currency
            )
        )
        return None

    def _amount_currency(
        self, row: SourceRow, currency: str | None, issues: list[RowIssue]
    ) -> str | None:
        """Check a mark such as `USD 100` in an amount cell against the currency.

        A mark is taken as the currency when the row has no currency cell.
        A mark that contradicts the currency cell rejects the row, because
        storing `USD 100` as 100 pesos would be wrong money.
        """
        if currency is None:
            return None
        marks = {
            name: code
            for name in m.AMOUNT_FIELDS
            if isinstance(value := self._cell(row, name), str)
            and (code := marked_currency(value)) is not None
        }
        if not marks:
            return currency
        if len(set(marks.values())) == 1:
            marked = next(iter(marks.values()))
            if marked == currency or text_of(self._cell(row, m.CURRENCY)) is None:
                return marked
        name = next(n for n, code in marks.items() if code != currency)
        issues.append(
            self._issue(
                row, name, "currency_mismatch", marked=marks[name], currency=currency
            )
        )
        return None

    def _cancelled_issue(self, row: SourceRow) -> RowIssue | None:
        """Return the rejection of a row whose status marks it cancelled.

        A cancelled invoice is not owed, so collecting it would charge a
        debt that does not exist.
        """
        status = text_of(self._cell(row, m.STATUS))
        if status is None or not _CANCELLED_WORDS.intersection(_fold(status).split()):
            return None
        return self._issue(row, m.STATUS, "cancelled_document")

    def cancelled_key(self, row: SourceRow) -> tuple[str, str] | None:
        """Return the (kind, number) key of a row whose status marks it cancelled.

        Only the number and kind are read, so a cancelled row with another
        bad cell still names the document it cancels. Returns None for a row
        that is not cancelled or names no readable document.
        """
        if self._cancelled_issue(row) is None:
            return None
        number = self._number(row)
        if number is None or len(number) > MAX_NUMBER_LENGTH:
            return None
        issues: list[RowIssue] = []
        amount = self._amount(row, m.AMOUNT, issues)
        kind = self._kind(row, amount, issues)
        if kind is None:
            return None
        return kind.value, number

    def _flag_value(
        self, row: SourceRow, name: str, flags: list[RowIssue]
    ) -> bool | None:
        value = text_of(self._cell(row, name))
        if value is None:
            return None
        words = _fold(value)
        if words in _TRUE:
            return True
        if words in _FALSE:
            return False
        flags.append(self._issue(row, name, "invalid_yes_no"))
        return None

    def _signed(self, amount: Decimal, kind: DocumentKind) -> Decimal:
        if kind == DocumentKind.CREDIT_NOTE:
            return -abs(amount)
        return abs(amount)

    def _open_amount(
        self,
        row: SourceRow,
        amount: Decimal,
        kind: DocumentKind,
        open_amount: Decimal | None,
        paid_amount: Decimal | None,
        paid_on: date | None,
        flags: list[RowIssue],
    ) -> Decimal:
        if open_amount is not None:
            value = self._signed(open_amount, kind)
        elif paid_amount is not None:
            value = amount - self._signed(paid_amount, kind)
        elif paid_on is not None:
            value = Decimal(0)
        else:
            value = amount
        if abs(value) > abs(amount) or (value and (value < 0) != (amount < 0)):
            flags.append(
                self._issue(
                    row,
                    m.OPEN_AMOUNT if open_amount is not None else m.PAID_AMOUNT,
                    "balance_out_of_range",
                    balance=self._decimal_text(value),
                    amount=self._decimal_text(amount),
                )
            )
            value = amount if abs(value) > abs(amount) else Decimal(0)
        return value

    def _number(self, row: SourceRow) -> str | None:
        """Return the document number, with its series before it when apart.

        Serie "A" and folio "100" make "A-100", so that A-100 and B-100 stay
        two invoices. A folio that already starts with its series is kept. A
        Chilean boleta (SII type 39) gets its type as series: "39-100". The
        correlativo is not padded: a Peruvian F001 with the Excel number
        12400 is F001-12400, which `plan` matches to a stored F001-00012400.
        """
        number = text_of(self._cell(row, m.NUMBER))
        series = text_of(self._cell(row, m.SERIES))
        # NOTE: a file imported before the series column was read stored the
        # bare folio ("100"), so importing it again adds "A-100" as a new
        # invoice beside the old one. Only Chilean typed folios are matched
        # to their bare stored folio (see `plan._StoredNumbers`).
        if number is not None and series is None:
            series = self._sii_series(row)
        if number is None or series is None:
            return number
        if number.upper().startswith(series.upper()):
            return number
        return f"{series}-{number}"

    def _sii_series(self, row: SourceRow) -> str | None:
        """Return the SII code that goes before a Chilean folio, or None.

        See `_SII_BARE_FOLIO_CODES`. An unknown type gets None here and is
        rejected by `_kind`. Imports before the Tipo DTE column was read
        stored a boleta's bare folio ("100"), which `plan` matches.
        """
        if self.context.country != "CL":
            return None
        value = text_of(self._cell(row, m.KIND))
        if value is None:
            return None
        words = normalize_header(value)
        code = words.lstrip("0") if words.isdigit() else _SII_NAME_CODES.get(words)
        if code is None or code not in _SII_KINDS or code in _SII_BARE_FOLIO_CODES:
            return None
        return code

    def _customer(
        self, row: SourceRow, rejections: list[RowIssue], flags: list[RowIssue]
    ) -> CustomerFields | None:
        country = self.context.country
        external_id = _without_controls(text_of(self._cell(row, m.CUSTOMER_ID)))
        name = _without_controls(text_of(self._cell(row, m.CUSTOMER_NAME)))
        tax_text = text_of(self._cell(row, m.TAX_ID))
        if (
            country == "PE"
            and tax_text is not None
            and _DNI_WITHOUT_ZERO.match(tax_text)
        ):
            # Excel drops the leading zero of a DNI such as 07654321 when it
            # stores it as a number, and no Peruvian id has seven digits.
            tax_text = "0" + tax_text
        check_digit = text_of(self._cell(row, m.TAX_ID_CHECK_DIGIT))

        # Digits alone leave the check digit to a DV column, when there is one.
        without_digit = tax_text is not None and re.fullmatch(r"[0-9. ]+", tax_text)

        dv_column = m.TAX_ID_CHECK_DIGIT in self.columns
        tax = None
        if tax_text and without_digit and dv_column and not check_digit:
            # An empty DV cell marks an id without a check digit, such as a
            # Colombian cédula, so there is nothing to verify.
            tax = TaxIdCheck(compact_tax_id(tax_text), None, None)
        elif tax_text:
            if without_digit and check_digit:
                tax_text = f"{tax_text}-{check_digit}"
            tax = self._tax_ids.get(tax_text)
            if tax is None:
                tax = self._tax_ids[tax_text] = check_tax_id(tax_text, country)
        if tax is not None and tax.problem:
            problem = tax.problem
            if country == "CO" and without_digit and not dv_column:
                problem += _MISSING_DV_HINT
            flags.append(self._issue(row, m.TAX_ID, "invalid_tax_id", problem=problem))
        if external_id is not None:
            issue = self._bidi_issue(row, m.CUSTOMER_ID, external_id)
            if issue is not None:
                rejections.append(issue)
                return None
        elif tax is not None and tax.compact and not tax.generic:
            external_id = tax.compact
        elif name is not None:
            # Many customers share a generic tax id, so such a customer is
            # keyed by name instead.
            external_id = customer_id_from_name(name) or None
        if external_id is None and tax is not None and tax.generic:
            rejections.append(self._issue(row, m.TAX_ID, "generic_tax_id_only"))
            return None
        if external_id is None:
            rejections.append(
                self._issue(
                    row,
                    m.CUSTOMER_NAME
                    if m.CUSTOMER_NAME in self.columns
                    else m.CUSTOMER_ID,
                    "missing_customer",
                )
            )
            return None

        if len(external_id) > MAX_EXTERNAL_ID_LENGTH and m.CUSTOMER_ID in self.columns:
            rejections.append(
                self._issue(
                    row,
                    m.CUSTOMER_ID,
                    "customer_id_too_long",
                    limit=MAX_EXTERNAL_ID_LENGTH,
                )
            )
            return None
        if tax is not None and len(tax.compact) > MAX_TAX_ID_LENGTH:
            flags.append(
                self._issue(
                    row,
                    m.TAX_ID,
                    "tax_id_too_long",
                    limit=MAX_TAX_ID_LENGTH,
                )
            )
            tax = None

        kind = tax.kind if tax is not None else None
        if kind is None and name is not None:
            kind = kind_from_name(name)
        if name is not None and len(name) > MAX_NAME_LENGTH:
            flags.append(
                self._issue(
                    row,
                    m.CUSTOMER_NAME,
                    "name_too_long",
                    limit=MAX_NAME_LENGTH,
                )
            )
        email = self._email(row, flags)

        customer = CustomerFields(
            # An id derived from a long name is cut, which keeps it stable.
            external_id=external_id[:MAX_EXTERNAL_ID_LENGTH],
            name=(name or external_id)[:MAX_NAME_LENGTH],
            tax_id=tax.compact if tax is not None else None,
            tax_id_valid=tax.valid if tax is not None else None,
            kind=kind,
            email=email,
            consent=self._flag_value(row, m.CONSENT, flags),
            name_given=name is not None,
        )
        customer.phone = self._phone(row, flags)
        return customer

    def _email(self, row: SourceRow, flags: list[RowIssue]) -> str | None:
        """Return the row's email address; an invalid one flags the row.

        The row is kept, as with an invalid phone, and the address is left
        out, because a payment provider rejects a payer email it cannot parse.
        """
        text = text_of(self._cell(row, m.EMAIL))
        if text is None:
            return None
        result = check_email(text)
        if result.problem is not None:
            flags.append(
                self._issue(row, m.EMAIL, "invalid_email", problem=result.problem)
            )
            return None
        return result.address

    def _phone(self, row: SourceRow, flags: list[RowIssue]) -> PhoneResult | None:
        for name, mobile in ((m.MOBILE, True), (m.PHONE, False)):
            value = self._cell(row, name)
            if value is None:
                continue
            result = self._phones.get((value, mobile))
            if result is None:
                result = self._spanish_problem(
                    normalize_phone(value, self.context.country, mobile=mobile)
                )
                self._phones[(value, mobile)] = result
            if result.e164 is None and result.problem:
                flags.append(
                    self._issue(row, name, "invalid_phone", problem=result.problem)
                )
            return result
        return None

    def _spanish_problem(self, result: PhoneResult) -> PhoneResult:
        """Replace the English `PhoneResult.problem` with its Spanish reason.

        The problem is stored as the customer's phone problem, which the
        owner reads in the customer list. `normalize_phone` keeps English for
        its other callers, so the reason is restated from the cell.
        """
        if result.problem is None:
            return result
        if result.e164 is not None:
            return replace(result, problem=LANDLINE_PROBLEM)
        raw = result.raw or ""
        if not any(char.isdigit() for char in raw):
            problem = f"El teléfono {quoted(raw)} no tiene dígitos"
        else:
            problem = (
                f"El teléfono {quoted(raw)} no es un número válido para "
                f"{country_name(self.context.country)}. Revisá "
                f"{area_code_word(self.context.country)} y la cantidad de dígitos"
            )
            if self.context.country == "CO":
                problem += _old_colombian_landline_hint(raw)
            if self.context.country == "BR":
                problem += _old_brazilian_mobile_hint(raw)
        return replace(result, problem=problem)


def _old_colombian_landline_hint(raw: str) -> str:
    """Suggest the 2021 form of a Colombian landline written the old way.

    Since September 2021 a landline is 60, the city's digit and seven digits
    (601 7654321 in Bogotá). Before, it was the city's digit and the seven
    digits, dialled with a 0 or 03 prefix: (1) 7654321, 034 2345678.
    """
    digits = re.sub(r"[^0-9]", "", raw)
    for prefix in ("03", "0"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 8:
            digits = digits[len(prefix) :]
            break
    if len(digits) != 8 or digits[0] not in "124578":
        return ""
    return (
        ". Si es un fijo con el formato anterior a 2021, ahora es "
        f"60{digits[0]} {digits[1:]}"
    )


def _old_brazilian_mobile_hint(raw: str) -> str:
    """Suggest the nine-digit form of a Brazilian mobile written the old way."""
    current = current_brazilian_mobile(raw)
    if current is None:
        return ""
    return (
        ". Si es un celular escrito sin el 9 (el formato anterior a 2016), "
        f"ahora es {current}"
    )
