"""Outbound calls to Mercado Pago through its SDK: preferences and payments.

SDK 3.6.0 has no base URL setting, so `MercadoPagoHttpClient` (a subclass
of the SDK's `HttpClient`) rewrites the SDK's fixed base to the configured
one and sends the request with httpx and a timeout. Tests point it at a
fake server on 127.0.0.1.
"""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import mercadopago
from mercadopago.config import RequestOptions
from mercadopago.http import HttpClient

from cobranza.money import minor_units, quantize
from cobranza.payments.base import (
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    ProviderPayment,
)
from cobranza.payments.errors import (
    InvalidPayloadError,
    ProviderRejectedError,
    ProviderUnavailableError,
)
from cobranza.payments.mercadopago.constants import (
    PROVIDER,
    SDK_API_BASE_URL,
    map_status,
)

logger = logging.getLogger(__name__)

BASE_URL_SETTING = "COBRANZA_MERCADOPAGO_API_BASE_URL"


class MercadoPagoHttpClient(HttpClient):  # type: ignore[misc]
    """The SDK's transport, sent to `api_base_url` through httpx."""

    def __init__(self, api_base_url: str, timeout_seconds: float) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    def request(
        self,
        method: str,
        url: str,
        maxretries: int | None = None,
        retry_on: Any = None,
        backoff_factor: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if url.startswith(SDK_API_BASE_URL):
            url = self.api_base_url + url[len(SDK_API_BASE_URL) :]
        kwargs.pop("timeout", None)
        try:
            response = httpx.request(
                method,
                url,
                headers=kwargs.get("headers"),
                params=kwargs.get("params"),
                content=kwargs.get("data"),
                timeout=self.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailableError(
                f"Mercado Pago {method} {url} failed: {type(exc).__name__}"
            ) from exc
        if response.is_redirect:
            # httpx did not follow it. Mercado Pago's API does not redirect, so
            # a redirect means a wrong base URL, not a moved resource.
            raise ProviderUnavailableError(
                f"Mercado Pago redirected {method} {url} to "
                f"{response.headers.get('location')} (HTTP {response.status_code}), "
                f"so it was not sent again. Check {BASE_URL_SETTING}",
                code="mercadopago_redirect",
            )
        body = None
        if response.status_code != 204 and response.content:
            try:
                body = response.json()
            except ValueError as exc:
                raise ProviderUnavailableError(
                    f"Mercado Pago {method} {url} returned HTTP "
                    f"{response.status_code} with a body that is not JSON"
                ) from exc
        return {"status": response.status_code, "response": body}


class MercadoPagoProvider(PaymentProvider):
    """Checkout Pro preferences, and payments read back by id."""

    name = PROVIDER

    def __init__(
        self, access_token: str, api_base_url: str, timeout_seconds: float
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.sdk = mercadopago.SDK(
            access_token,
            http_client=MercadoPagoHttpClient(api_base_url, timeout_seconds),
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        body = preference_body(request)
        # Our own idempotency key, so a retried create returns the same
        # preference instead of a second one.
        key = f"cobranza-link-{request.link_id}-{int(request.expires_at.timestamp())}"
        with warnings.catch_warnings():
            # SDK 3.6.0 warns that `notification_url` is deprecated in favour
            # of the Webhooks set in the Mercado Pago dashboard. It still
            # works, and it sends each link's notifications to this server.
            # NOTE: drop it once Mercado Pago stops honouring it.
            warnings.filterwarnings(
                "ignore", "notification_url is deprecated", DeprecationWarning
            )
            answer = self.sdk.preference().create(body, self._options(key))
        preference = _checked(answer, "create a preference")
        url = preference.get("init_point")
        if not preference.get("id") or not url:
            raise ProviderRejectedError(
                "Mercado Pago created a preference without id or init_point"
            )
        return Checkout(str(preference["id"]), str(url), request.expires_at)

    def fetch_payment(self, payment_id: str) -> ProviderPayment:
        """Read a payment by id: the only source trusted after a notification."""
        answer = self.sdk.payment().get(payment_id, self._options())
        return parse_payment(_checked(answer, f"read payment {payment_id}"))

    def _options(self, idempotency_key: str | None = None) -> RequestOptions:
        headers = {"x-idempotency-key": idempotency_key} if idempotency_key else None
        return RequestOptions(
            connection_timeout=self.timeout_seconds,
            custom_headers=headers,
            max_retries=0,
        )


def preference_body(request: CheckoutRequest) -> dict[str, Any]:
    """Return the Checkout Pro preference for a payment link."""
    return {
        "items": [
            {
                "id": f"{request.link_id}-{index}",
                "title": item.title,
                "quantity": 1,
                "currency_id": request.currency,
                "unit_price": wire_amount(item.amount, request.currency),
            }
            for index, item in enumerate(request.items, start=1)
        ],
        "external_reference": str(request.link_id),
        "statement_descriptor": request.statement_descriptor,
        "notification_url": request.notification_url,
        "back_urls": {
            "success": request.return_url,
            "pending": request.return_url,
            "failure": request.return_url,
        },
        "auto_return": "approved",
        "expires": True,
        "expiration_date_from": _iso(request.starts_at),
        "expiration_date_to": _iso(request.expires_at),
        **({"payer": {"email": request.payer_email}} if request.payer_email else {}),
    }


def wire_amount(amount: Decimal, currency: str) -> int | float:
    """Return an amount as the JSON number Mercado Pago expects.

    CLP and COP (and other whole-unit currencies) must be whole numbers. The
    SDK encodes with the standard JSON encoder, which rejects Decimal, so
    the amount is rounded to the minor unit first and then converted. A
    float of a two-decimal value prints back as the same digits.
    """
    rounded = quantize(amount, currency)
    if minor_units(currency) == 0:
        return int(rounded)
    return float(rounded)


def parse_payment(payment: dict[str, Any]) -> ProviderPayment:
    """Convert a `/v1/payments/{id}` response into a `ProviderPayment`."""
    try:
        currency = str(payment["currency_id"]).upper()
        amount = quantize(Decimal(str(payment["transaction_amount"])), currency)
        reference = payment.get("external_reference")
        approved = payment.get("date_approved")
        # A partial refund keeps the status approved and raises this total.
        refunded = payment.get("transaction_amount_refunded") or 0
        return ProviderPayment(
            provider=PROVIDER,
            payment_id=str(payment["id"]),
            status=map_status(str(payment["status"])),
            amount=amount,
            currency=currency,
            link_id=int(reference) if reference and str(reference).isdigit() else None,
            paid_at=datetime.fromisoformat(approved).astimezone(UTC)
            if approved
            else None,
            status_detail=payment.get("status_detail"),
            method=payment.get("payment_method_id"),
            amount_refunded=quantize(Decimal(str(refunded)), currency),
        )
    except (KeyError, ValueError, ArithmeticError) as exc:
        raise InvalidPayloadError(
            f"Mercado Pago payment {payment.get('id')!r} lacks a valid field: {exc}"
        ) from exc


def _checked(answer: dict[str, Any], action: str) -> dict[str, Any]:
    status = int(answer.get("status") or 0)
    body = answer.get("response")
    if status == 429 or status >= 500:
        raise ProviderUnavailableError(
            f"Mercado Pago could not {action}: HTTP {status}; it is retried later"
        )
    if status >= 300 or not isinstance(body, dict):
        message = body.get("message") if isinstance(body, dict) else None
        raise ProviderRejectedError(
            f"Mercado Pago rejected the request to {action}: HTTP {status} "
            f"{message or ''}".strip()
            + "; check the access token and the request"
        )
    return body


def _iso(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds")
