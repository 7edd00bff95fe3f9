"""Stripe events: verified with `stripe.Webhook.construct_event`, then applied.

Signed events are trusted as sent, so processing reads the stored body and
calls no API. Each event type has one handler in `HANDLERS`. Other types
are stored and acknowledged with 200, without any effect.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import update
from sqlalchemy.orm import Session

from cobranza.db.models import Payment, PaymentLink, WebhookEvent
from cobranza.payments.base import ProviderPayment
from cobranza.payments.errors import (
    InvalidPayloadError,
    PaymentNotFoundError,
    SignatureMismatchError,
    SignatureMissingError,
)
from cobranza.payments.reconcile import (
    PaymentFacts,
    apply_partial_refund,
    apply_payment,
    apply_provider_payment,
    find_payment,
)
from cobranza.payments.status import PaymentStatus
from cobranza.payments.stripe.constants import PROVIDER, from_stripe_amount

logger = logging.getLogger(__name__)


# Stripe's event ids, such as evt_1NG8Du2eZvKYlo2CUI79vXWy, have about 30
# characters. The stored key ("event:" and the id) has room for 128.
MAX_EVENT_ID = 100


def verify_event(
    secret: str, body: bytes, signature: str | None, tolerance_seconds: int
) -> str:
    """Verify the `Stripe-Signature` of `body`; return the event id as its key.

    Any `v1` signature made with `secret` passes, so a rotated secret keeps
    working while Stripe signs with both.
    """
    if not signature or not signature.strip():
        raise SignatureMissingError("the Stripe-Signature header is missing")
    try:
        event = stripe.Webhook.construct_event(
            body, signature, secret, tolerance=tolerance_seconds
        )
    except stripe.SignatureVerificationError as exc:
        raise SignatureMismatchError(
            f"the Stripe-Signature does not match or is too old: {exc.user_message}"
        ) from exc
    except ValueError as exc:
        raise InvalidPayloadError("the Stripe event is not JSON") from exc
    except (AttributeError, RecursionError) as exc:
        # The stripe library builds the event from any JSON value, and fails
        # on one that is no object or has no id, or nests past the stack.
        raise InvalidPayloadError("the Stripe event is not an event object") from exc
    event_id = getattr(event, "id", None)
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_EVENT_ID:
        raise InvalidPayloadError(
            f"the Stripe event id must be text of 1 to {MAX_EVENT_ID} characters"
        )
    return f"event:{event_id}"


class StripeHandler:
    """Handler of stored Stripe events, one function per event type."""

    provider = PROVIDER

    def process(self, session: Session, event: WebhookEvent, now: datetime) -> str:
        try:
            payload = json.loads(event.raw_body)
            kind = str(payload["type"])
            data = payload["data"]["object"]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidPayloadError(
                f"Stripe event {event.id} has no type or data.object"
            ) from exc
        handler = HANDLERS.get(kind)
        if handler is None:
            return f"ignored type {kind}"
        return handler(session, data, now)


def session_payment(data: dict[str, Any], status: PaymentStatus) -> ProviderPayment:
    """Convert a Checkout Session object into a `ProviderPayment` with `status`."""
    try:
        currency = str(data["currency"]).upper()
        reference = data.get("client_reference_id") or (data.get("metadata") or {}).get(
            "link_id"
        )
        return ProviderPayment(
            provider=PROVIDER,
            # The payment intent id, so charge events can find the payment.
            payment_id=str(data.get("payment_intent") or data["id"]),
            status=status,
            amount=from_stripe_amount(int(data["amount_total"]), currency),
            currency=currency,
            link_id=int(reference) if reference and str(reference).isdigit() else None,
            paid_at=datetime.fromtimestamp(int(data["created"]), UTC)
            if data.get("created")
            else None,
            status_detail=str(data.get("payment_status") or ""),
            method="stripe_checkout",
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidPayloadError(
            f"Stripe checkout session lacks a valid field: {exc}"
        ) from exc


def _apply_session(
    session: Session, data: dict[str, Any], status: PaymentStatus, now: datetime
) -> str:
    result = apply_provider_payment(session, session_payment(data, status), now)
    if result.mismatch:
        return f"not applied: {result.mismatch}"
    return f"{status} {'applied' if result.changed else 'unchanged'}"


def handle_session_completed(
    session: Session, data: dict[str, Any], now: datetime
) -> str:
    # Delayed methods (boleto, OXXO) complete the session unpaid; their
    # outcome arrives as async_payment_succeeded or _failed.
    paid = data.get("payment_status") in ("paid", "no_payment_required")
    status = PaymentStatus.APPROVED if paid else PaymentStatus.PENDING
    return _apply_session(session, data, status, now)


def handle_async_succeeded(
    session: Session, data: dict[str, Any], now: datetime
) -> str:
    return _apply_session(session, data, PaymentStatus.APPROVED, now)


def handle_async_failed(session: Session, data: dict[str, Any], now: datetime) -> str:
    return _apply_session(session, data, PaymentStatus.REJECTED, now)


def handle_session_expired(
    session: Session, data: dict[str, Any], now: datetime
) -> str:
    """Forget the expired session, so the next opening of the link makes a new one."""
    cleared = session.execute(
        update(PaymentLink)
        .where(
            PaymentLink.provider == PROVIDER,
            PaymentLink.provider_reference == str(data.get("id")),
        )
        .values(provider_url=None, provider_expires_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return f"session expired, {cleared.rowcount} link cleared"  # type: ignore[attr-defined]


def _charge_status(
    session: Session,
    data: dict[str, Any],
    status: PaymentStatus,
    now: datetime,
) -> str:
    payment = _charge_payment(session, data, str(status))
    if payment is None:
        return f"{status} of a charge without a payment intent: ignored"
    facts = PaymentFacts(
        business_id=payment.business_id,
        customer_id=payment.customer_id,
        provider=PROVIDER,
        provider_payment_id=payment.provider_payment_id,
        status=status,
        amount=payment.amount,
        currency=payment.currency,
        paid_at=payment.paid_at,
        link_id=payment.link_id,
        case_id=_case_of_link(session, payment.link_id),
        status_detail=str(data.get("object") or ""),
    )
    result = apply_payment(session, facts, now)
    return f"{status} {'applied' if result.changed else 'unchanged'}"


def handle_charge_refunded(
    session: Session, data: dict[str, Any], now: datetime
) -> str:
    """Apply a refund: `refunded` is true once the whole charge went back.

    A partial refund releases the growth of the charge's cumulative
    `amount_refunded`, so a repeated or reordered event changes nothing.
    """
    if data.get("refunded"):
        return _charge_status(session, data, PaymentStatus.REFUNDED, now)

    payment = _charge_payment(session, data, "partial refund")
    if payment is None:
        return "partial refund of a charge without a payment intent: ignored"
    try:
        currency = str(data["currency"]).upper()
        refunded_total = from_stripe_amount(int(data["amount_refunded"]), currency)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidPayloadError(
            f"Stripe charge {data.get('id')!r} lacks a valid amount_refunded or "
            f"currency: {exc}"
        ) from exc
    if currency != payment.currency.upper():
        logger.warning(
            "Stripe charge %s refunded in %s, payment %s is in %s: not applied",
            data.get("id"),
            currency,
            payment.id,
            payment.currency,
        )
        return "partial refund: currency differs, not applied"
    reopened = apply_partial_refund(
        session,
        payment.business_id,
        PROVIDER,
        payment.provider_payment_id,
        refunded_total,
        now,
    )
    if reopened is None:
        return "partial refund unchanged"
    return f"partial refund applied, {len(reopened)} invoices reopened"


def handle_dispute_created(
    session: Session, data: dict[str, Any], now: datetime
) -> str:
    # Stripe takes the disputed amount back when the dispute opens.
    return _charge_status(session, data, PaymentStatus.CHARGED_BACK, now)


def _charge_payment(
    session: Session, data: dict[str, Any], change: str
) -> Payment | None:
    """Return the stored payment of a charge, or None for a charge without an intent.

    Stripe does not promise event order, so a refund or dispute can arrive
    before the checkout session that created the payment. Raises
    `PaymentNotFoundError` then, which keeps the event pending, and
    `process_pending` applies it once the payment is stored.
    """
    intent = data.get("payment_intent")
    if not intent:
        return None
    payment = find_payment(session, PROVIDER, str(intent))
    if payment is None:
        # NOTE: a charge made outside cobranza on the same Stripe account is
        # retried like this too, until its attempts run out.
        raise PaymentNotFoundError(
            f"Stripe {change} for payment intent {intent!r}, which is not stored "
            "yet: it is retried once the checkout session that paid it arrives"
        )
    return payment


def _case_of_link(session: Session, link_id: int | None) -> int | None:
    link = session.get(PaymentLink, link_id) if link_id is not None else None
    return link.case_id if link is not None else None


HANDLERS: dict[str, Callable[[Session, dict[str, Any], datetime], str]] = {
    "checkout.session.completed": handle_session_completed,
    "checkout.session.async_payment_succeeded": handle_async_succeeded,
    "checkout.session.async_payment_failed": handle_async_failed,
    "checkout.session.expired": handle_session_expired,
    "charge.refunded": handle_charge_refunded,
    "charge.dispute.created": handle_dispute_created,
}
