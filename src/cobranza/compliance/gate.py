"""The compliance gate: send, defer or suppress one message, from facts.

`evaluate` is pure. The dunning helper reads the facts from the database
inside the transaction that claims the outbox row, calls `evaluate`, and
records the decision's reason on the row and in the audit log.

Suppressions are checked first, because no later instant would fix them.
Deferrals follow: a hold or an open promise to pay moves the earliest
candidate instant, and then the contact window and the frequency caps move
it until one instant passes all of them. The decision carries the first
reason that blocked `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from cobranza.compliance.caps import check_caps
from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import ContactRules
from cobranza.compliance.window import first_block, next_allowed
from cobranza.db.models import PhoneStatus

# Each pass accepts the candidate or moves it to where the blocking rule
# clears. No rule blocks again once cleared, so a few passes settle it.
MAX_PASSES = 16

# How long a message whose template is not approved waits before the next try.
TEMPLATE_RECHECK = timedelta(hours=6)


class Action(StrEnum):
    SEND = "send"
    DEFER = "defer"
    SUPPRESS = "suppress"


@dataclass(frozen=True)
class GateDecision:
    """The gate's verdict on one message: send now, defer until an instant, or drop."""

    action: Action
    reason: Reason | None = None
    until: datetime | None = None

    @classmethod
    def send(cls) -> GateDecision:
        return cls(Action.SEND)

    @classmethod
    def defer(cls, until: datetime, reason: Reason) -> GateDecision:
        return cls(Action.DEFER, reason, until.astimezone(UTC))

    @classmethod
    def suppress(cls, reason: Reason) -> GateDecision:
        return cls(Action.SUPPRESS, reason)


@dataclass(frozen=True)
class GateFacts:
    """The current state of one customer, read in the claiming transaction.

    `consent` is `current_consent` (None: never recorded). `previous_sends`
    are the instants of messages actually sent (`caps.recent_sends_query`).
    `tz` is the customer's time zone, or the business's when the customer
    has none. `extra_zones` are other zones whose clocks the contact window
    must also allow, because the customer's area code spans them
    (`window.contact_zones`). NOTE: holidays come from the business's country (`rules`),
    so a customer abroad is still held to that country's holidays.
    `promise_until` is the instant an open promise to pay lapses and
    `hold_until` the end of a pause. Both defer the message, and so does a
    template that WhatsApp has not approved yet. `held_without_end` means
    that every invoice the message is about is on hold with no end date, so
    no later instant would let it out and it is suppressed.
    """

    consent: bool | None
    balance: Decimal
    phone_status: str
    tz: str
    extra_zones: tuple[str, ...] = ()
    previous_sends: Sequence[datetime] = ()
    disputed: bool = False
    pending_payment: bool = False
    promise_until: datetime | None = None
    hold_until: datetime | None = None
    template_approved: bool = True
    held_without_end: bool = False


def evaluate(facts: GateFacts, rules: ContactRules, now: datetime) -> GateDecision:
    """Decide whether a message to the customer may be sent at `now`."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now.isoformat()}: pass an aware `now`")

    suppression = _suppression(facts)
    if suppression is not None:
        return GateDecision.suppress(suppression)

    candidate, first_reason = _after_pauses(facts, now)
    zones = (facts.tz, *facts.extra_zones)
    for _ in range(MAX_PASSES):
        blocked = first_block(rules, candidate, zones)
        if blocked is not None:
            reason, zone = blocked
            first_reason = first_reason or reason
            candidate = next_allowed(rules, candidate, zone)
            continue
        caps = check_caps(rules, facts.previous_sends, candidate, facts.tz)
        if not caps.allowed:
            if caps.retry_at is None:
                raise RuntimeError(f"cap {caps.reason} gave no retry instant")
            first_reason = first_reason or caps.reason
            candidate = caps.retry_at
            continue
        break
    else:
        raise RuntimeError(
            f"compliance gate found no allowed instant after {now.isoformat()} "
            f"in {MAX_PASSES} passes: the rules of {rules.country} contradict "
            "each other"
        )

    if first_reason is None:
        return GateDecision.send()
    return GateDecision.defer(candidate, first_reason)


def _suppression(facts: GateFacts) -> Reason | None:
    if facts.balance <= 0:
        return Reason.ZERO_BALANCE
    if facts.consent is False:
        return Reason.OPTED_OUT
    if facts.consent is None:
        return Reason.NO_CONSENT
    if facts.phone_status == PhoneStatus.MISSING:
        return Reason.PHONE_MISSING
    if facts.phone_status == PhoneStatus.INVALID:
        return Reason.PHONE_INVALID
    if facts.phone_status == PhoneStatus.NOT_ON_WHATSAPP:
        return Reason.NOT_ON_WHATSAPP
    if facts.disputed:
        return Reason.OPEN_DISPUTE
    if facts.held_without_end:
        return Reason.ON_HOLD
    if facts.pending_payment:
        return Reason.PENDING_PAYMENT
    return None


def _after_pauses(facts: GateFacts, now: datetime) -> tuple[datetime, Reason | None]:
    candidate = now
    reason: Reason | None = None
    if not facts.template_approved:
        # Meta usually reviews a template within hours; the message waits for
        # it instead of being dropped.
        candidate, reason = now + TEMPLATE_RECHECK, Reason.TEMPLATE_NOT_APPROVED
    if facts.hold_until is not None and facts.hold_until > candidate:
        candidate, reason = facts.hold_until, Reason.ON_HOLD
    if facts.promise_until is not None and facts.promise_until > candidate:
        candidate, reason = facts.promise_until, reason or Reason.OPEN_PROMISE
    return candidate, reason
