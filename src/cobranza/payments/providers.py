"""Build the configured payment providers and notification handlers from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from cobranza.config import Settings
from cobranza.payments.base import PaymentProvider
from cobranza.payments.inbox import NotificationHandler
from cobranza.payments.links import SANDBOX_ENVIRONMENTS, LinkContext
from cobranza.payments.mercadopago import MercadoPagoHandler, MercadoPagoProvider
from cobranza.payments.sandbox import SandboxHandler, SandboxProvider
from cobranza.payments.sandbox.provider import EVENT_PROVIDER
from cobranza.payments.stripe import StripeHandler, StripeProvider


@dataclass
class PaymentServices:
    """The providers that create checkouts and the handlers of their events."""

    providers: dict[str, PaymentProvider] = field(default_factory=dict)
    handlers: dict[str, NotificationHandler] = field(default_factory=dict)
    mercadopago: MercadoPagoProvider | None = None

    def link_context(self, settings: Settings) -> LinkContext:
        return LinkContext(
            public_base_url=settings.public_base_url,
            default_provider=settings.payment_provider,
            providers=self.providers,
            checkout_days=settings.payment_link_days,
        )


def sandbox_enabled(settings: Settings) -> bool:
    return settings.environment in SANDBOX_ENVIRONMENTS


def build_services(settings: Settings) -> PaymentServices:
    """Build a provider and a handler for each provider whose credentials are set."""
    services = PaymentServices()
    if sandbox_enabled(settings):
        services.providers["sandbox"] = SandboxProvider(settings.public_base_url)
        services.handlers[EVENT_PROVIDER] = SandboxHandler()
    if settings.mercadopago_access_token is not None:
        provider = MercadoPagoProvider(
            settings.mercadopago_access_token.get_secret_value(),
            settings.mercadopago_api_base_url,
            settings.mercadopago_timeout_seconds,
        )
        services.mercadopago = provider
        services.providers[provider.name] = provider
        services.handlers[provider.name] = MercadoPagoHandler(provider)
    if settings.stripe_secret_key is not None:
        stripe_provider = StripeProvider(
            settings.stripe_secret_key.get_secret_value(),
            settings.stripe_api_base_url,
            settings.stripe_timeout_seconds,
        )
        services.providers[stripe_provider.name] = stripe_provider
    # Stripe events need no API call, so the handler works without a key.
    services.handlers["stripe"] = StripeHandler()
    return services
