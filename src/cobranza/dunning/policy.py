"""Dunning policies: ordered steps, their conditions, actions and tones.

A policy is read from YAML by `cobranza.dunning.policy_loader`. The planner
calls `Step.applies_to` to check a step against a customer's facts and
`Step.resolve_tone` to pick the tone of its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from cobranza.db.models import CustomerKind


class Action(StrEnum):
    SEND = "send"
    OFFER_DISCOUNT = "offer_discount"
    OFFER_INSTALLMENTS = "offer_installments"
    HANDOFF = "handoff"
    PAUSE = "pause"


class Tone(StrEnum):
    FORMAL = "formal"
    FRIENDLY = "friendly"
    # Formal for companies, friendly for people.
    AUTO = "auto"


class CatchUp(StrEnum):
    SEND_LATE = "send_late"
    SKIP = "skip"


# The segments that `cobranza.portfolio.segments` assigns to customers.
SEGMENTS = ("punctual", "new", "occasional_late", "chronic_late", "month_end")


@dataclass(frozen=True)
class CustomerFacts:
    """The facts of one customer on one day that step conditions are checked on."""

    segment: str | None
    customer_kind: str
    balance: Decimal
    days_past_due: int
    risk_score: float | None
    # A plan of this customer broke lately, so offering another is pointless.
    broke_plan_recently: bool = False


@dataclass(frozen=True)
class Conditions:
    """Limits on the customers a step applies to. None means no limit."""

    segments: frozenset[str] | None = None
    excluded_segments: frozenset[str] = frozenset()
    customer_kinds: frozenset[str] | None = None
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    days_past_due_min: int | None = None
    days_past_due_max: int | None = None
    risk_score_min: float | None = None
    risk_score_max: float | None = None

    def matches(self, facts: CustomerFacts) -> bool:
        """Return whether every condition holds for `facts`.

        A customer without a segment matches no `segments` list, and one
        without a risk score matches no risk score range.
        """
        if self.segments is not None and facts.segment not in self.segments:
            return False
        if facts.segment in self.excluded_segments:
            return False
        if (
            self.customer_kinds is not None
            and facts.customer_kind not in self.customer_kinds
        ):
            return False
        if not _within(facts.balance, self.balance_min, self.balance_max):
            return False
        if not _within(
            facts.days_past_due, self.days_past_due_min, self.days_past_due_max
        ):
            return False
        if self.risk_score_min is not None or self.risk_score_max is not None:
            if facts.risk_score is None:
                return False
            return _within(facts.risk_score, self.risk_score_min, self.risk_score_max)
        return True


_Number = TypeVar("_Number", Decimal, int, float)


def _within(value: _Number, low: _Number | None, high: _Number | None) -> bool:
    if low is not None and value < low:
        return False
    return high is None or value <= high


@dataclass(frozen=True)
class Step:
    """One step of a policy: when it is due, to whom, and what it does."""

    key: str
    # Days from the oldest open invoice's due date; negative means before it.
    # A positive offset counts from the effective due date, the next
    # business day when the due date falls on a weekend or holiday.
    offset_days: int
    action: Action
    # The composer's message kind, such as "reminder_soft". None for a
    # hand-off or pause that sends nothing.
    step_kind: str | None
    tone: Tone = Tone.AUTO
    catch_up: CatchUp = CatchUp.SEND_LATE
    conditions: Conditions = field(default_factory=Conditions)
    discount_percent: Decimal | None = None
    max_installments: int | None = None
    pause_days: int | None = None
    # The line of the step in its YAML file (1-based), for error messages.
    line: int = 0

    @property
    def sends_message(self) -> bool:
        return self.step_kind is not None

    def applies_to(self, facts: CustomerFacts) -> bool:
        """Return whether the step is due by offset and its conditions hold.

        An installment offer never applies to a customer who broke a plan
        lately.
        """
        if self.action is Action.OFFER_INSTALLMENTS and facts.broke_plan_recently:
            return False
        return self.offset_days <= facts.days_past_due and self.conditions.matches(
            facts
        )

    def concrete_tones(self) -> tuple[Tone, ...]:
        """Return the tones the step's message can go out in."""
        if self.tone is Tone.AUTO:
            return (Tone.FORMAL, Tone.FRIENDLY)
        return (self.tone,)

    def resolve_tone(self, customer_kind: str) -> Tone:
        """Return the tone for a customer, turning `auto` into formal or friendly."""
        if self.tone is not Tone.AUTO:
            return self.tone
        if customer_kind == CustomerKind.COMPANY:
            return Tone.FORMAL
        return Tone.FRIENDLY


@dataclass(frozen=True)
class Policy:
    """An ordered list of steps with strictly increasing offsets."""

    name: str
    steps: tuple[Step, ...]
    source: str
    description: str = ""

    def index_of(self, key: str | None) -> int:
        """Return the position of step `key`, or -1 for None or an unknown key."""
        if key is None:
            return -1
        for index, step in enumerate(self.steps):
            if step.key == key:
                return index
        return -1
