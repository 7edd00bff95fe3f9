"""Errors of the payments package.

    PaymentError                      base class; `code`, `is_transient`
    ├── ProviderError                 a provider call failed
    │   ├── ProviderUnavailableError  timeout, connection error, 429 or 5xx (retry)
    │   └── ProviderRejectedError     the provider rejected the request (4xx)
    ├── ProviderNotConfiguredError    credentials for a provider are missing
    ├── WebhookError                  a notification was rejected before storing
    │   ├── SignatureMissingError     no signature header (HTTP 401)
    │   ├── SignatureMismatchError    wrong or stale signature (HTTP 403)
    │   └── InvalidPayloadError       the body is not the expected JSON (HTTP 400)
    ├── LinkNotFoundError             no payment link has that token or id
    ├── PaymentNotFoundError          a notification names a payment not stored yet
    ├── PaymentMismatchError          a provider payment disagrees with its link
    └── PlanError                     an installment plan breaks the business's limits

Messages name what failed, the value and what to do. They may reach a
business owner, so they never contain a secret or a customer's phone number.
"""

from __future__ import annotations


class PaymentError(Exception):
    """A payments operation failed."""

    code = "payment_error"
    is_transient = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class ProviderError(PaymentError):
    """A call to a payment provider failed."""

    code = "provider_error"


class ProviderUnavailableError(ProviderError):
    """The provider timed out, could not be reached or returned 429 or 5xx."""

    code = "provider_unavailable"
    is_transient = True


class ProviderRejectedError(ProviderError):
    """The provider rejected the request, so sending it again fails again."""

    code = "provider_rejected"


class ProviderNotConfiguredError(PaymentError):
    """The provider's credentials are not set."""

    code = "provider_not_configured"


class WebhookError(PaymentError):
    """An incoming notification was rejected with the HTTP `status_code`."""

    code = "webhook_rejected"
    status_code = 400


class SignatureMissingError(WebhookError):
    code = "signature_missing"
    status_code = 401


class SignatureMismatchError(WebhookError):
    code = "signature_mismatch"
    status_code = 403


class InvalidPayloadError(WebhookError):
    code = "invalid_payload"
    status_code = 400


class LinkNotFoundError(PaymentError):
    code = "link_not_found"


class PaymentNotFoundError(PaymentError):
    """A notification is about a payment that is not stored yet.

    Providers do not promise the order of their notifications, so the
    notification stays pending and is processed again once the payment
    arrives.
    """

    code = "payment_not_found"
    is_transient = True


class PaymentMismatchError(PaymentError):
    """A provider payment's amount, currency or reference differs from its link."""

    code = "payment_mismatch"


class PlanError(PaymentError):
    """An installment plan request is outside the business's limits."""

    code = "plan_invalid"
