"""Offers: an early-payment discount carried by its own payment link.

A discount link collects the balance less the percentage, rounded to the
currency's minor unit exactly as the message shows it, and its offer ends
at the end of the deadline day in the business's time zone. Opened after
that, or after the invoices changed, the link leads to the full balance.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cobranza.db.models import Business, Case, PaymentLink, PaymentLinkPurpose
from cobranza.money import quantize
from cobranza.payments.base import CheckoutItem
from cobranza.payments.errors import PaymentError
from cobranza.timeutil import end_of_day

_TITLES = {
    "es": "Saldo de {name} con {percent}% de descuento",
    "pt": "Saldo de {name} com {percent}% de desconto",
}


def discounted_amount(balance: Decimal, percent: Decimal, currency: str) -> Decimal:
    """Return `balance` less `percent`, rounded as the message composer rounds it."""
    if not 0 < percent < 100:
        raise PaymentError(
            f"invalid discount {percent}%: use a percentage between 0 and 100"
        )
    return quantize(balance * (1 - percent / 100), currency)


def discount_link_for_case(
    session: Session,
    business: Business,
    case: Case,
    percent: Decimal,
    deadline: date,
    now: datetime,
    *,
    public_base_url: str | None = None,
    provider: str | None = None,
) -> str:
    """Return a link that collects the discounted balance until `deadline`.

    After the deadline has passed the offer is gone, so the regular balance
    link is returned instead.
    """
    from cobranza.config import get_settings
    from cobranza.payments.links import (
        NothingOwedError,
        current_target,
        ensure_link,
        link_url,
        payment_link_for_case,
        provider_for,
    )

    settings = get_settings()
    ends = end_of_day(deadline, business.timezone)
    if ends <= now:
        return payment_link_for_case(
            session, business, case, now, public_base_url=public_base_url
        )
    target = current_target(session, business, case, now)
    if target is None or target.purpose != PaymentLinkPurpose.BALANCE:
        raise NothingOwedError(
            f"case {case.id} has no balance to discount: check its invoices"
        )
    offer = replace(
        target,
        purpose=PaymentLinkPurpose.DISCOUNT,
        amount=discounted_amount(target.amount, percent, target.currency),
        expires_at=ends,
        items=(),
    )
    chosen = provider or provider_for(business, settings.payment_provider)
    link = ensure_link(session, business, case, offer, chosen, now)
    if link.discount_percent is None:
        link.discount_percent = percent
        session.flush()
    return link_url(public_base_url or settings.public_base_url, link.token)


def discount_still_valid(
    session: Session, business: Business, case: Case, link: PaymentLink, now: datetime
) -> bool:
    """Return whether the discount still applies to what the case owes now."""
    from cobranza.payments.links import current_target

    if link.discount_percent is None:
        return False
    target = current_target(session, business, case, now)
    if target is None or target.purpose != PaymentLinkPurpose.BALANCE:
        return False
    same_invoices = list(target.document_ids) == sorted(link.document_ids)
    expected = discounted_amount(target.amount, link.discount_percent, link.currency)
    return same_invoices and expected == link.amount


def discount_items(
    link: PaymentLink, language: str, customer_name: str
) -> tuple[CheckoutItem, ...]:
    """Return the single checkout item of a discount link."""
    percent = link.discount_percent or Decimal(0)
    title = _TITLES.get(language, _TITLES["es"]).format(
        name=customer_name, percent=f"{percent.normalize():f}"
    )
    return (CheckoutItem(title, link.amount),)
