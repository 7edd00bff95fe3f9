"""Outbound calls to Stripe: a Checkout Session per opening of a payment link.

Why sessions and not Payment Links: Stripe Payment Links are reusable and
cannot expire (only be deactivated), while a Checkout Session is single-use,
carries our link id (`client_reference_id`, `metadata`) and ends within 24
hours. A reminder may be opened days after it was sent, so the session is
created when the customer opens our `/pagar/{token}` link, and created
again if the previous one expired.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import requests
import stripe

from cobranza.payments.base import Checkout, CheckoutRequest, PaymentProvider
from cobranza.payments.errors import ProviderRejectedError, ProviderUnavailableError
from cobranza.payments.stripe.constants import (
    PROVIDER,
    SESSION_MAX_LIFETIME,
    SESSION_MIN_LIFETIME,
    to_stripe_amount,
)

logger = logging.getLogger(__name__)

BASE_URL_SETTING = "COBRANZA_STRIPE_API_BASE_URL"


class RedirectRejected(requests.RequestException):
    """Stripe's API responded with a redirect, which is not followed."""

    def __init__(self, response: requests.Response) -> None:
        self.location = response.headers.get("location")
        self.status = response.status_code
        super().__init__(f"HTTP {self.status} redirect to {self.location}")


class NoRedirectSession(requests.Session):
    """A requests session that raises RedirectRejected instead of following.

    requests follows a 307 or 308 by sending the same POST body to the host
    in Location, and a Checkout Session body carries the customer's email
    and invoice titles. Stripe's API does not redirect. The stripe library
    wraps the exception in an APIConnectionError, raised `from` it.
    """

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        response = super().request(*args, **kwargs)
        if response.is_redirect:
            response.close()
            raise RedirectRejected(response)
        return response


class NoRedirectRequestsClient(stripe.RequestsClient):
    """stripe's requests client with one NoRedirectSession per thread.

    A session given to `RequestsClient` is shared by every thread, and the
    provider serves requests from many. stripe 16.1 keeps its per-thread
    session in `_thread_local.session`, so it is set here before the first
    request. The redirect tests fail if a later stripe moves it.
    """

    def _request_internal(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self._thread_local, "session", None) is None:
            self._thread_local.session = NoRedirectSession()
        return super()._request_internal(*args, **kwargs)


class StripeProvider(PaymentProvider):
    """Checkout Sessions in payment mode, one per opening of our link."""

    name = PROVIDER
    max_checkout_lifetime = SESSION_MAX_LIFETIME

    def __init__(self, secret_key: str, api_base_url: str, timeout_seconds: float):
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base_url.rstrip("/")},
            http_client=NoRedirectRequestsClient(timeout=timeout_seconds),
            max_network_retries=0,
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        expires_at = max(request.expires_at, request.starts_at + SESSION_MIN_LIFETIME)
        key = f"cobranza-link-{request.link_id}-{int(expires_at.timestamp())}"
        try:
            session = self.client.v1.checkout.sessions.create(
                params=session_params(request, expires_at),  # type: ignore[arg-type]
                options={"idempotency_key": key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            if isinstance(exc.__cause__, RedirectRejected):
                rejected = exc.__cause__
                raise ProviderUnavailableError(
                    f"Stripe redirected the Checkout Session create to "
                    f"{rejected.location} (HTTP {rejected.status}), so it was not "
                    f"sent again. Check {BASE_URL_SETTING}",
                    code="stripe_redirect",
                ) from exc
            raise ProviderUnavailableError(
                f"Stripe could not create a Checkout Session: {exc.user_message}"
            ) from exc
        except stripe.StripeError as exc:
            if exc.http_status is not None and exc.http_status >= 500:
                raise ProviderUnavailableError(
                    f"Stripe returned HTTP {exc.http_status} to a session create"
                ) from exc
            raise ProviderRejectedError(
                f"Stripe rejected the Checkout Session: {exc.user_message}. Check "
                "the secret key and the currency"
            ) from exc
        if not session.url:
            raise ProviderRejectedError(f"Stripe session {session.id} has no url")
        ends = datetime.fromtimestamp(session.expires_at, UTC)
        return Checkout(session.id, session.url, ends)


def session_params(request: CheckoutRequest, expires_at: datetime) -> dict[str, object]:
    """Return the Checkout Session parameters for a payment link."""
    currency = request.currency.lower()
    link_id = str(request.link_id)
    params: dict[str, object] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": to_stripe_amount(item.amount, request.currency),
                    "product_data": {"name": item.title},
                },
            }
            for item in request.items
        ],
        "client_reference_id": link_id,
        "metadata": {"link_id": link_id},
        "payment_intent_data": {"metadata": {"link_id": link_id}},
        "success_url": request.return_url,
        "cancel_url": request.return_url,
        "expires_at": int(expires_at.timestamp()),
    }
    if request.payer_email:
        params["customer_email"] = request.payer_email
    return params
