"""The sandbox provider's checkout, its signed notifications and their handling."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from cobranza.db.models import PaymentLink, WebhookEvent
from cobranza.payments.base import (
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    ProviderPayment,
)
from cobranza.payments.errors import InvalidPayloadError
from cobranza.payments.reconcile import apply_provider_payment
from cobranza.payments.signatures import (
    check_any,
    check_timestamp,
    hmac_sha256_hex,
    parse_signature_header,
)
from cobranza.payments.status import parse_status

logger = logging.getLogger(__name__)

PROVIDER = "sandbox"
# The webhook_event provider name; distinct from the sandbox message channel.
EVENT_PROVIDER = "sandbox_payments"
SIGNATURE_HEADER = "x-cobranza-signature"


class SandboxProvider(PaymentProvider):
    """Checkouts are pages of this server: `/pagar/sandbox/{token}`.

    The checkout URL is a path without scheme or host, so the redirect from
    `/pagar/{token}` stays on the address the debtor opened. An absolute URL
    would keep the COBRANZA_PUBLIC_BASE_URL of the day the checkout was made,
    and break once that setting changes.
    """

    name = PROVIDER

    def __init__(self, public_base_url: str) -> None:
        # Kept for the provider registry, which passes every provider its
        # base URL. The sandbox's own URLs need none (see above).
        self.public_base_url = public_base_url.rstrip("/")

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        # NOTE: a checkout stored by an older release keeps its absolute URL
        # until it expires (COBRANZA_PAYMENT_LINK_DAYS), and then a new checkout
        # gets this relative one.
        return Checkout(
            reference=f"sbx_{request.link_id}_{int(request.expires_at.timestamp())}",
            url=f"/pagar/sandbox/{request.token}",
            expires_at=request.expires_at,
        )


def notification_body(
    link_id: int, payment_id: str, status: str, amount: Decimal, currency: str
) -> bytes:
    """Return the JSON body the pay page posts for one payment status."""
    body = {
        "id": f"{payment_id}:{status}",
        "type": "payment",
        "payment": {
            "id": payment_id,
            "status": status,
            "amount": str(amount),
            "currency": currency,
            "link_id": link_id,
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def sign_notification(secret: str, body: bytes, timestamp: int) -> str:
    """Return the signature header value for `body`, signed at `timestamp`."""
    digest = hmac_sha256_hex(secret, f"{timestamp}.{body.decode()}")
    return f"ts={timestamp},v1={digest}"


def verify_notification(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    tolerance_seconds: int,
) -> str:
    """Check the signature of a sandbox notification; return its event key."""
    parts = parse_signature_header(headers.get(SIGNATURE_HEADER), SIGNATURE_HEADER)
    ts = (parts.get("ts") or [""])[0]
    check_timestamp(ts, now, tolerance_seconds, SIGNATURE_HEADER)
    expected = hmac_sha256_hex(secret, f"{ts}.{body.decode('utf-8', 'replace')}")
    check_any(expected, parts.get("v1", []), SIGNATURE_HEADER)
    payload = _parse(body)
    return f"notification:{payload['id']}"


class SandboxHandler:
    """Handler of stored sandbox notifications."""

    provider = EVENT_PROVIDER

    def process(self, session: Session, event: WebhookEvent, now: datetime) -> str:
        payment = _parse(event.raw_body)["payment"]
        try:
            reported = ProviderPayment(
                provider=PROVIDER,
                payment_id=str(payment["id"]),
                status=parse_status(str(payment["status"])),
                amount=Decimal(str(payment["amount"])),
                currency=str(payment["currency"]).upper(),
                link_id=int(payment["link_id"]),
                paid_at=now,
                method="sandbox",
            )
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise InvalidPayloadError(
                f"sandbox notification {event.id} lacks a valid payment field: {exc}"
            ) from exc
        link = session.get(PaymentLink, reported.link_id)
        if link is not None and link.provider != PROVIDER:
            # The sandbox secret may be the well-known development default,
            # so a sandbox notification never pays a Mercado Pago or Stripe
            # link.
            logger.warning(
                "sandbox notification %s names %s link %s: ignored",
                event.id,
                link.provider,
                link.id,
            )
            return "not_a_sandbox_link"
        result = apply_provider_payment(session, reported, now)
        return result.mismatch or ("applied" if result.changed else "unchanged")


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidPayloadError("the sandbox notification is not JSON") from exc
    if not isinstance(payload, dict) or "id" not in payload:
        raise InvalidPayloadError("the sandbox notification has no id")
    return payload
