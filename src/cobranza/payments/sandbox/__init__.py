"""The sandbox payment provider: a local pay page for demos and tests.

It never moves money. The pay page posts a notification signed with
`COBRANZA_SANDBOX_PAYMENT_SECRET`, which goes through the same
verify-store-process path as a real provider's.
"""

from cobranza.payments.sandbox.provider import (
    PROVIDER,
    SandboxHandler,
    SandboxProvider,
    sign_notification,
    verify_notification,
)

__all__ = [
    "PROVIDER",
    "SandboxHandler",
    "SandboxProvider",
    "sign_notification",
    "verify_notification",
]
