"""The reminder sent while a payment that the customer reported is verified.

A customer who replies "ya pagué" (or sends a receipt) gets a short pause,
and the case keeps the hand-off reason `payment_to_verify` until a person
records the payment or clears the flag. When the pause ends first, the
policy's reminders resume. A reminder that offers «Ya pagué» would then ask
the customer to report the same payment again, so the gate sends it as
`reminder_reported`, which states that the payment is being verified and
offers no «Ya pagué» button. WhatsApp templates are approved text, so the
acknowledgement is a template of its own, not a variable in the others.
"""

from __future__ import annotations

from cobranza.db.models import OutboxMessage

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
    kind = reminder_kind(planned, payment_reported)
    if kind == row.step_kind and PLANNED_KIND_VARIABLE not in variables:
        return

    refreshed = {PLANNED_KIND_VARIABLE: planned, REPORTED_VARIABLE: payment_reported}
    if any(variables.get(name) != value for name, value in refreshed.items()):
        row.variables = {**variables, **refreshed}
    if row.step_kind != kind:
        row.step_kind = kind
