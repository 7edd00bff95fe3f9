"""A generated, fictitious portfolio for the demo and the tests.

`generate_portfolio(today, seed, country)` is deterministic: the same date,
seed and country give the same customers, invoices and payments. The
country (`simulate.countries`, Argentina by default) gives the names,
tax ids, phones, amounts and invoice numbers. It covers the 15 months
before `today` with the usual payment patterns (punctual, occasionally
late, chronically late, month-end payers, new customers), a few credit
notes, partial payments, a disputed invoice and open overdue invoices.
`write_csv` writes it the way an accounting system of the country exports
it (semicolons, the country's decimal mark, dd/mm/yyyy), so that the demo
loads it through the real importer.
"""

from __future__ import annotations

import calendar
import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from cobranza.ingest.amounts import POINT
from cobranza.money import minor_units
from cobranza.simulate.countries import ARGENTINA, DemoCountry, make_party_in
from cobranza.simulate.people import FictitiousParty

DEFAULT_SEED = 20260
HISTORY_MONTHS = 15
BUSINESS_NAME = ARGENTINA.business_name
PAYMENT_TERMS_DAYS = (15, 30, 30, 45)

CSV_HEADER = ARGENTINA.csv_header


class Profile(StrEnum):
    """The payment pattern of a generated customer, matching a segment name."""

    PUNCTUAL = "punctual"
    OCCASIONAL_LATE = "occasional_late"
    CHRONIC_LATE = "chronic_late"
    MONTH_END = "month_end"
    NEW = "new"


# How many customers of each profile the demo portfolio has.
PROFILE_COUNTS = {
    Profile.PUNCTUAL: 10,
    Profile.OCCASIONAL_LATE: 8,
    Profile.CHRONIC_LATE: 6,
    Profile.MONTH_END: 5,
    Profile.NEW: 4,
}


@dataclass(frozen=True)
class DemoDocument:
    """One row of the export: an invoice or credit note and its payment."""

    kind: str  # "FC" (factura) or "NC" (nota de crédito)
    number: str
    issued_on: date
    due_on: date
    amount: Decimal
    open_amount: Decimal
    paid_on: date | None
    disputed: bool = False


@dataclass
class DemoCustomer:
    """A generated customer with its profile and documents."""

    external_id: str
    party: FictitiousParty
    profile: Profile
    consent: str  # "sí", "no" or "" (not asked)
    documents: list[DemoDocument] = field(default_factory=list)


@dataclass(frozen=True)
class DemoPortfolio:
    """The generated business, its `today` and its customers."""

    business_name: str
    today: date
    seed: int
    customers: list[DemoCustomer]
    country: DemoCountry = ARGENTINA

    @property
    def documents(self) -> list[DemoDocument]:
        return [doc for customer in self.customers for doc in customer.documents]


def generate_portfolio(
    today: date, seed: int = DEFAULT_SEED, country: DemoCountry = ARGENTINA
) -> DemoPortfolio:
    """Generate the demo portfolio of a business in `country` as of `today`."""
    rng = random.Random(seed)
    numbers = _NumberSequence(country)
    customers = []
    used_names: set[str] = set()
    index = 0
    for profile, count in PROFILE_COUNTS.items():
        for _ in range(count):
            index += 1
            party = _unique_party(rng, index, used_names, country)
            consent = rng.choices(("sí", "no", ""), weights=(8, 1, 1))[0]
            customer = DemoCustomer(f"C-{index:03d}", party, profile, consent)
            _add_invoices(rng, customer, today, numbers)
            customers.append(customer)

    _add_credit_notes(rng, customers, today, numbers)
    _add_dispute(customers, today)
    return DemoPortfolio(country.business_name, today, seed, customers, country)


def _unique_party(
    rng: random.Random, index: int, used_names: set[str], country: DemoCountry
) -> FictitiousParty:
    while True:
        party = make_party_in(country, rng, index, is_company=rng.random() < 0.4)
        if party.name not in used_names:
            used_names.add(party.name)
            return party


class _NumberSequence:
    """The running numbers of invoices and credit notes, written as `country` does."""

    def __init__(self, country: DemoCountry) -> None:
        self.country = country
        self._next = {"FC": 1201, "NC": 41}

    def take(self, kind: str, is_company: bool) -> str:
        number = self._next[kind]
        self._next[kind] += 1
        return self.country.invoice_number(kind, is_company, number)


def _add_invoices(
    rng: random.Random, customer: DemoCustomer, today: date, numbers: _NumberSequence
) -> None:
    is_company = customer.party.is_company
    if customer.profile is Profile.NEW:
        first = today - timedelta(days=rng.randint(35, 75))
    else:
        first = today - timedelta(days=HISTORY_MONTHS * 30 + rng.randint(0, 20))
    issued_on = first
    while issued_on < today:
        terms = rng.choice(PAYMENT_TERMS_DAYS)
        due_on = issued_on + timedelta(days=terms)
        amount = _amount(rng, is_company, numbers.country)
        paid_on = _payment_date(rng, customer.profile, due_on, today)
        customer.documents.append(
            _settle(rng, "FC", numbers.take("FC", is_company), issued_on, due_on,
                    amount, paid_on, today)
        )  # fmt: skip
        issued_on += timedelta(days=rng.randint(18, 40))


def _amount(rng: random.Random, is_company: bool, country: DemoCountry) -> Decimal:
    low, high = country.company_amounts if is_company else country.person_amounts
    return Decimal(rng.randint(low, high)).scaleb(-minor_units(country.currency))


def _minor_unit(amount: Decimal) -> Decimal:
    """Return the smallest step of `amount`: 0.01 for 12.34, 1 for 1234."""
    exponent = amount.as_tuple().exponent
    return Decimal(1).scaleb(min(int(exponent), 0))


def _payment_date(
    rng: random.Random, profile: Profile, due_on: date, today: date
) -> date | None:
    """Draw when the customer pays, or None when it has not paid (yet)."""
    if profile is Profile.MONTH_END:
        month_end = _month_end(due_on if due_on.day <= 20 else _next_month(due_on))
        return month_end - timedelta(days=rng.randint(0, 3))
    if profile is Profile.CHRONIC_LATE:
        if rng.random() < 0.12:
            return None
        if rng.random() < 0.75:
            return due_on + timedelta(days=rng.randint(12, 75))
        return due_on - timedelta(days=rng.randint(0, 2))
    if profile is Profile.OCCASIONAL_LATE and rng.random() < 0.3:
        return due_on + timedelta(days=rng.randint(4, 28))
    return due_on - timedelta(days=rng.randint(0, 6))


def _settle(
    rng: random.Random,
    kind: str,
    number: str,
    issued_on: date,
    due_on: date,
    amount: Decimal,
    paid_on: date | None,
    today: date,
) -> DemoDocument:
    """Build the export row as seen on `today`: paid, partly paid or open."""
    if paid_on is None or paid_on >= today:
        return DemoDocument(kind, number, issued_on, due_on, amount, amount, None)
    recent = due_on >= today - timedelta(days=60)
    if recent and paid_on > issued_on + timedelta(days=1) and rng.random() < 0.3:
        # A partial payment on a recent invoice: half was paid on `paid_on`.
        rest = (amount / 2).quantize(_minor_unit(amount))
        return DemoDocument(kind, number, issued_on, due_on, amount, rest, paid_on)
    return DemoDocument(kind, number, issued_on, due_on, amount, Decimal(0), paid_on)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: date) -> date:
    return _month_end(day) + timedelta(days=1)


def _add_credit_notes(
    rng: random.Random,
    customers: list[DemoCustomer],
    today: date,
    numbers: _NumberSequence,
) -> None:
    """Give a few customers a credit note for part of a recent invoice."""
    for customer in rng.sample(customers, 4):
        invoice = customer.documents[-1]
        amount = (invoice.amount * Decimal(rng.choice((10, 15, 25))) / 100).quantize(
            _minor_unit(invoice.amount)
        )
        issued_on = min(invoice.issued_on + timedelta(days=5), today - timedelta(1))
        customer.documents.append(
            DemoDocument(
                "NC",
                numbers.take("NC", customer.party.is_company),
                issued_on,
                issued_on,
                amount,
                amount,
                None,
            )
        )


def _add_dispute(customers: list[DemoCustomer], today: date) -> None:
    """Mark the oldest open overdue invoice of a chronic late payer disputed."""
    for customer in customers:
        if customer.profile is not Profile.CHRONIC_LATE:
            continue
        for position, doc in enumerate(customer.documents):
            if doc.kind == "FC" and doc.open_amount > 0 and doc.due_on < today:
                customer.documents[position] = DemoDocument(
                    doc.kind,
                    doc.number,
                    doc.issued_on,
                    doc.due_on,
                    doc.amount,
                    doc.open_amount,
                    doc.paid_on,
                    disputed=True,
                )
                return


def write_csv(portfolio: DemoPortfolio, path: Path) -> Path:
    """Write the portfolio as an accounting export: `;`, the country's marks, BOM."""
    country = portfolio.country
    yes, no = country.yes_no
    consent_words = {"sí": yes, "no": no, "": ""}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(country.csv_header)
        for customer in portfolio.customers:
            party = customer.party
            for doc in customer.documents:
                writer.writerow(
                    (
                        customer.external_id,
                        party.name,
                        party.tax_id,
                        party.phone,
                        party.email,
                        consent_words[customer.consent],
                        doc.kind,
                        doc.number,
                        _date_text(doc.issued_on),
                        _date_text(doc.due_on),
                        _amount_text(doc.amount, country),
                        _amount_text(doc.open_amount, country),
                        _date_text(doc.paid_on),
                        yes if doc.disputed else no,
                        country.remark,
                    )
                )
    return path


def _date_text(day: date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def _amount_text(amount: Decimal, country: DemoCountry = ARGENTINA) -> str:
    """Format like an export of `country`: 1.234.567,89, or 1,234,567.89 in Mexico.

    Whole-unit currencies (CLP, COP) are written without decimals.
    """
    decimals = minor_units(country.currency)
    text = f"{amount:,.{decimals}f}"
    if country.decimal_mark == POINT:
        return text
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
