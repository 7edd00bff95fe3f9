"""Pydantic schemas of the REST API: `XPublic` out, `XCreate` in.

Amounts travel as decimal strings so no client parses money as a float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from cobranza.db.models import MAX_ID
from cobranza.money import quantize

T = TypeVar("T")


def money_text(amount: Decimal, currency: str) -> str:
    """Return an amount with its currency's decimals ("1234.50" in ARS).

    The database keeps four decimals, so without this a stored invoice
    would read "1234.5000" where the POST that created it returned
    "1234.50". An amount with more decimals than its currency keeps them.
    """
    rounded = quantize(amount, currency)
    return str(rounded if rounded == amount else amount)


# An invoice number as a hold or release names it, as long as the column.
HoldNumber = Annotated[str, Field(max_length=64)]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next one."""

    data: list[T]
    next_cursor: str | None = None


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CustomerPublic(_Public):
    id: int
    external_id: str
    name: str
    kind: str
    tax_id: str | None
    tax_id_valid: bool | None = Field(
        default=None,
        description="whether the tax id passes its country's check digit "
        "test; null when there is none or the country has no such test",
    )
    email: str | None
    phone: str | None
    phone_status: str
    locale: str | None
    segment: str | None
    created_at: datetime


class CustomerCreate(BaseModel):
    external_id: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=300)
    kind: Literal["person", "company"] = "person"
    tax_id: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=16)


class HoldPublic(BaseModel):
    """The hold an invoice is under today: reminders and links leave it out."""

    until: date | None = Field(
        description="last day of the hold, in the business's time zone; null "
        "for a hold with no end, which lasts until it is released"
    )
    held_at: datetime | None
    reason: str | None


class InvoicePublic(_Public):
    id: int
    customer_id: int
    kind: str
    number: str
    issued_on: date | None
    due_on: date | None
    amount: Decimal
    currency: str
    open_amount: Decimal
    disputed: bool
    hold: HoldPublic | None = Field(
        default=None, description="the hold in force today; null when not held"
    )

    @field_serializer("amount", "open_amount")
    def _money(self, value: Decimal) -> str:
        return money_text(value, self.currency)


class InvoiceCreate(BaseModel):
    customer_id: int = Field(le=MAX_ID)
    kind: Literal["invoice", "credit_note", "debit_note"] = "invoice"
    number: str = Field(min_length=1, max_length=64)
    issued_on: date | None = None
    due_on: date
    amount: Decimal = Field(description="decimal string; negative for a credit note")
    currency: str | None = Field(default=None, min_length=3, max_length=3)


class PaymentPublic(_Public):
    id: int
    customer_id: int
    amount: Decimal
    currency: str
    paid_at: datetime
    # True for a payment imported without a date: `paid_at` is then the
    # instant of the import, not of the payment.
    paid_at_unknown: bool
    method: str | None
    provider: str
    provider_payment_id: str
    status: str

    @field_serializer("amount")
    def _money(self, value: Decimal) -> str:
        return money_text(value, self.currency)


class HeldInvoicePublic(HoldPublic):
    """An invoice with a balance that is on hold today."""

    invoice_id: int
    number: str


class CasePublic(_Public):
    id: int
    customer_id: int
    state: str
    step: str | None
    step_sent_at: datetime | None
    paused_until: datetime | None
    pause_reason: str | None
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    held_invoices: list[HeldInvoicePublic] = Field(
        default_factory=list,
        description="the customer's invoices with a balance on hold today, "
        "oldest due date first",
    )
    all_invoices_held: bool = Field(
        default=False,
        description="true when every invoice the customer owes is on hold, so "
        "no reminder goes out",
    )


class HoldCreate(BaseModel):
    """Stop collecting invoices through `until`, or with no end."""

    until: str | None = Field(
        default=None,
        max_length=32,
        description="last day of the hold, YYYY-MM-DD; give this or no_end",
    )
    no_end: bool = Field(
        default=False, description="hold until released; give this or until"
    )
    # Missing reads as empty, so the hold check rejects it in Spanish.
    reason: str = Field(
        default="", max_length=500, description="why, up to 200 characters"
    )


class CustomerHoldCreate(HoldCreate):
    numbers: list[HoldNumber] = Field(
        default_factory=list,
        max_length=500,
        description="invoice numbers as imported; empty holds every invoice "
        "with a balance",
    )


class CustomerRelease(BaseModel):
    numbers: list[HoldNumber] = Field(
        default_factory=list,
        max_length=500,
        description="held invoice numbers; empty releases every held invoice",
    )


class HoldResult(BaseModel):
    """The invoices that a hold or release changed, as they are now."""

    invoices: list[InvoicePublic]


class MessagePublic(_Public):
    id: int
    case_id: int
    customer_id: int
    channel: str
    step: str
    state: str
    text: str | None
    suppressed_reason: str | None
    deferred_reason: str | None
    provider_message_id: str | None
    planned_for: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None


class ConsentPublic(_Public):
    id: int
    customer_id: int
    channel: str
    action: str
    source: str
    evidence: str | None
    at: datetime


class ConsentCreate(BaseModel):
    customer_id: int = Field(le=MAX_ID)
    action: Literal["grant", "revoke"]
    source: str = Field(min_length=1, max_length=200)
    evidence: str | None = Field(default=None, max_length=2000)


class ImportPublic(_Public):
    id: int
    file_name: str
    sha256: str
    at: datetime
    report: dict[str, Any]


class WebhookPublic(_Public):
    id: int
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class WebhookCreate(BaseModel):
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="http(s) URL on a public address; loopback and private "
        "addresses need COBRANZA_WEBHOOKS_ALLOW_PRIVATE=true, and link-local "
        "and cloud metadata addresses are always rejected",
    )
    event_types: list[str] = Field(
        default_factory=list, description="event types to send; empty means all"
    )


class WebhookCreated(WebhookPublic):
    """The new endpoint with its signing secret, shown only in this response."""

    secret: str
