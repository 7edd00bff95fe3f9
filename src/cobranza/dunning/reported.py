"""The reminder sent while a payment that the customer reported is verified.

A customer who replies "ya pagué" (or sends a receipt) gets a short pause,
and the case keeps the hand-off reason `payment_to_verify` until a person
records the payment or clears the flag. When the pause ends first, the
policy's reminders resume. A reminder that offers «Ya pagué» would then ask
the customer to report the same payment again, so the gate sends it as
`reminder_reported`, which states that the payment is being verified and
offers no «Ya pagué» button. WhatsApp templates are approved text, so the
acknowledgement is a template of its own, not a variable in the others.

A business whose templates predate `reminder_reported` may not have it
approved. Once a channel defers such a row for that reason, the row goes
out as the policy's own reminder from then on, «Ya pagué» included. The
customer is then still reminded while the approval is pending.
"""

from __future__ import annotations

import logging

from cobranza.compliance.reasons import Reason
from cobranza.db.models import OutboxMessage

logger = logging.getLogger(__name__)

REMINDER_REPORTED = "reminder_reported"
# The overdue policy reminders that offer «Ya pagué» and «Pedir cuotas», as
# `reminder_reported` does without the first.
# NOTE: preventive, due_today, handoff_notice and early_discount still offer
# «Ya pagué» during a verification, because their texts (before the due
# date, the hand-off, the discounted link) have no acknowledging variant.
ACKNOWLEDGED_KINDS = frozenset(
    {
        "reminder_soft",
        "reminder_empathetic",
        "second_notice",
        "plan_offer",
        "final_notice",
    }
)
# The variables that keep the policy's own step kind and the flag, so the
# row goes back to it when the flag is cleared before the row is sent, and
# the dispatcher (which compares variables) composes the row again.
PLANNED_KIND_VARIABLE = "planned_step_kind"
REPORTED_VARIABLE = "payment_reported"
# Set once a channel deferred the row as `reminder_reported` because its
# template is not approved; the row keeps the policy's kind from then on.
TEMPLATE_MISSING_VARIABLE = "reported_template_missing"


def reminder_kind(planned_kind: str, payment_reported: bool) -> str:
    """Choose the step kind of a policy reminder for the case's current flag."""
    if payment_reported and planned_kind in ACKNOWLEDGED_KINDS:
        return REMINDER_REPORTED
    return planned_kind


def refresh_reported_reminder(row: OutboxMessage, payment_reported: bool) -> None:
    """Bring a policy reminder's step kind up to the case's reported payment.

    Rows of other kinds are left as they are.
    """
    variables = row.variables or {}
    planned = str(variables.get(PLANNED_KIND_VARIABLE) or row.step_kind)
    template_missing = bool(variables.get(TEMPLATE_MISSING_VARIABLE))
    if (
        row.step_kind == REMINDER_REPORTED
        and row.deferred_reason == Reason.TEMPLATE_NOT_APPROVED
    ):
        template_missing = True
        logger.info(
            "outbox row %s: template of %s not approved, sending %s instead",
            row.id,
            REMINDER_REPORTED,
            planned,
        )
    kind = reminder_kind(planned, payment_reported and not template_missing)
    if kind == row.step_kind and PLANNED_KIND_VARIABLE not in variables:
        return

    refreshed: dict[str, object] = {
        PLANNED_KIND_VARIABLE: planned,
        REPORTED_VARIABLE: payment_reported,
    }
    if template_missing:
        refreshed[TEMPLATE_MISSING_VARIABLE] = True
    if any(variables.get(name) != value for name, value in refreshed.items()):
        row.variables = {**variables, **refreshed}
    if row.step_kind != kind:
        row.step_kind = kind
