"""Payments: provider links, signed notifications, reconciliation, plans and offers.

Other packages call:

- `payment_link_for_case(session, business, case, now) -> str`: the URL a
  message carries; the provider checkout is created when it is opened.
- `link_for_outbox_row(session, row, now) -> str | None`: the same for a
  dispatcher about to compose a row (a discount link for discount steps).
- `apply_payment(session, facts, now)` and `apply_provider_payment(...)`:
  the one place where a payment's status changes.
- `record_payment`, `import_payments`, `claim_receipt`, `accept_receipt`,
  `reject_receipt`: payments recorded by a person.
- `propose_plan(session, case, n, now)` (the terms, nothing stored),
  `create_plan(session, case, n, now)`, `check_plans(session, business, now)`
  and `queue_installment_reminders(session, business, now)`.
- `apply_credits(session, business_id, now)` in `payments.credits`: customer
  credits applied to open invoices.
"""

from cobranza.payments.links import (
    LinkContext,
    LinkOutcome,
    LinkState,
    NothingOwedError,
    link_for_outbox_row,
    link_url,
    open_link,
    payment_link_for_case,
)
from cobranza.payments.manual import (
    accept_receipt,
    claim_receipt,
    import_payments,
    record_payment,
    reject_receipt,
)
from cobranza.payments.offers import discount_link_for_case, discounted_amount
from cobranza.payments.plans import (
    check_plans,
    create_plan,
    plan_terms,
    propose_plan,
    queue_installment_reminders,
)
from cobranza.payments.reconcile import (
    ApplyResult,
    PaymentFacts,
    apply_payment,
    apply_provider_payment,
)
from cobranza.payments.status import PaymentStatus

__all__ = [
    "ApplyResult",
    "LinkContext",
    "LinkOutcome",
    "LinkState",
    "NothingOwedError",
    "PaymentFacts",
    "PaymentStatus",
    "accept_receipt",
    "apply_payment",
    "apply_provider_payment",
    "check_plans",
    "claim_receipt",
    "create_plan",
    "discount_link_for_case",
    "discounted_amount",
    "import_payments",
    "link_for_outbox_row",
    "link_url",
    "open_link",
    "payment_link_for_case",
    "plan_terms",
    "propose_plan",
    "queue_installment_reminders",
    "record_payment",
    "reject_receipt",
]
