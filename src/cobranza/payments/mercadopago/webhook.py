"""Mercado Pago notifications: verify `x-signature`, then apply the payment read back.

The signed text is `id:{data.id};request-id:{x-request-id};ts:{ts};`, and a
part whose value is missing is left out, as Mercado Pago does. `data.id` is
used exactly as received (query string first, then body). The notification
only names the payment that changed, so processing reads the payment from
`GET /v1/payments/{id}` and trusts nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cobranza.db.models import WebhookEvent
from cobranza.payments.errors import InvalidPayloadError
from cobranza.payments.mercadopago.client import MercadoPagoProvider
from cobranza.payments.mercadopago.constants import (
    PAYMENT_TYPES,
    PROVIDER,
    REQUEST_ID_HEADER,
    SIGNATURE_HEADER,
)
from cobranza.payments.reconcile import apply_provider_payment
from cobranza.payments.signatures import (
    check_any,
    check_timestamp,
    hmac_sha256_hex,
    parse_signature_header,
)


def signed_manifest(data_id: str | None, request_id: str | None, ts: str) -> str:
    """Return the text Mercado Pago signs, leaving out the missing parts."""
    manifest = ""
    if data_id:
        manifest += f"id:{data_id};"
    if request_id:
        manifest += f"request-id:{request_id};"
    return manifest + f"ts:{ts};"


def verify_notification(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    now: datetime,
    tolerance_seconds: int,
) -> str:
    """Check a notification's signature and return its event key.

    Raises `SignatureMissingError`, `SignatureMismatchError` or
    `InvalidPayloadError` (not JSON). The key is the notification id, so a
    notification delivered twice is stored once.
    """
    parts = parse_signature_header(headers.get(SIGNATURE_HEADER), SIGNATURE_HEADER)
    payload = parse_body(body)
    ts = (parts.get("ts") or [""])[0]
    check_timestamp(ts, now, tolerance_seconds, SIGNATURE_HEADER)

    body_id = _data_id(payload)
    data_id = query.get("data.id") or body_id
    manifest = signed_manifest(data_id, headers.get(REQUEST_ID_HEADER), ts)
    check_any(hmac_sha256_hex(secret, manifest), parts.get("v1", []), SIGNATURE_HEADER)
    if body_id is not None and data_id != body_id:
        # The body's id is the one processed, so it must be the one signed.
        raise InvalidPayloadError(
            f"the notification's data.id differs between the query ({data_id!r}) "
            f"and the body ({body_id!r})"
        )

    notification_id = payload.get("id")
    if notification_id is not None:
        return f"notification:{notification_id}"
    return "sha256:" + hashlib.sha256(body).hexdigest()


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidPayloadError("the Mercado Pago notification is not JSON") from exc
    if not isinstance(payload, dict):
        raise InvalidPayloadError("the Mercado Pago notification is not an object")
    return payload


class MercadoPagoHandler:
    """Reads the notified payment from the API and applies it."""

    provider = PROVIDER

    def __init__(self, client: MercadoPagoProvider) -> None:
        self.client = client

    def process(self, session: Session, event: WebhookEvent, now: datetime) -> str:
        payload = parse_body(event.raw_body)
        kind = str(payload.get("type") or payload.get("topic") or "")
        if kind not in PAYMENT_TYPES:
            return f"ignored type {kind or 'missing'}"
        payment_id = _data_id(payload)
        if not payment_id:
            raise InvalidPayloadError(
                f"Mercado Pago notification {event.id} has no data.id"
            )
        # NOTE: the payment is read while this transaction locks the event
        # row, so a slow API keeps one database connection busy meanwhile.
        reported = self.client.fetch_payment(payment_id)
        result = apply_provider_payment(session, reported, now)
        if result.mismatch:
            return f"not applied: {result.mismatch}"
        return f"{reported.status} {'applied' if result.changed else 'unchanged'}"


def _data_id(payload: dict[str, Any]) -> str | None:
    data = payload.get("data")
    if isinstance(data, dict) and data.get("id") is not None:
        return str(data["id"])
    return None
