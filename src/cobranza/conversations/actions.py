"""What the robot does for each kind of reply, one function per intent.

Each action takes the `Reply` (the stored message, its customer, case and
meaning) and returns the name of the action taken, which is stored on the
inbound message. Actions change the case, the promise and the consent
ledger, and queue their reply message in the outbox. No action changes what is
owed: money only moves through `cobranza.payments`.

Every answer is queued under an idempotency key named by its cause (the
promise, the plan, the revocation, or the kind and the local day), so a
burst of replies that mean the same thing gets one answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.compliance import holiday_name, rules_for_business
from cobranza.compliance.consent import (
    current_consent,
    current_consent_state,
    record_consent,
)
from cobranza.conversations.amounts import (
    SEVERAL_CURRENCIES,
    find_amount,
    find_currency,
)
from cobranza.conversations.cases import open_case_for_reply
from cobranza.conversations.complaints import threatens_complaint
from cobranza.conversations.currency_days import currency_days
from cobranza.conversations.dates import payment_days
from cobranza.conversations.handoff import hand_off
from cobranza.conversations.installments import (
    named_count_outside,
    names_half,
    names_installment_amount,
    rest_start,
)
from cobranza.conversations.normalize import fold
from cobranza.conversations.optin import asks_only_to_opt_in
from cobranza.conversations.split_parts import SplitPart, split_parts
from cobranza.conversations.understand import Understanding
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    ConsentAction,
    Customer,
    Document,
    InboundMessage,
    Installment,
    InstallmentPlan,
    InstallmentStatus,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from cobranza.dunning import outbox
from cobranza.dunning.gate import OPTOUT_CONFIRMATION, REPLY_TO_VARIABLE
from cobranza.dunning.holds import customer_holds
from cobranza.dunning.other_currencies import OTHER_BALANCES_VARIABLE
from cobranza.dunning.owner_actions import set_disputed
from cobranza.dunning.promises import (
    PAYMENT_TO_VERIFY,
    PROMISE_PAUSE_PREFIX,
    OpenBalance,
    case_message,
    leading_currency,
    open_balance,
    open_balances,
    pause_end,
    pick_balance,
)
from cobranza.messages import LinkCovers, clean_parameter
from cobranza.messages.parameters import PAYMENT_TEXT_MAX
from cobranza.money import minor_units
from cobranza.payments.plans import limits_for
from cobranza.timeutil import start_of_day

logger = logging.getLogger(__name__)

ACTOR = "conversations"
CONSENT_SOURCE = "respuesta del cliente"
DEFAULT_PAID_PAUSE_DAYS = 3
# The minimum first installment a customer may name, in percent of the
# balance, on top of any minimum the business sets.
# Five percent is a product choice: below it the first payment defers
# nearly the whole debt to the later days, while "10.000 el viernes" of a
# 148.000 balance (6.8%) still makes the plan the customer named.
DEFAULT_FIRST_PERCENT = Decimal(5)
# The action and hand-off reason of a promise during a plan for a day after
# the next installment's grace, when the plan would break first.
PROMISE_PAST_INSTALLMENT = "promise_past_installment"
# The hand-off reason of a promised sum in a currency the customer does not
# owe ("US$ 300" owing only pesos). The second reason is for a sum whose
# currency is unclear, because the reply names two currencies or the sum
# fits several balances and none of them is in the business's currency.
PROMISE_CURRENCY_NOT_OWED = "promise_currency_not_owed"
PROMISE_CURRENCY_UNCLEAR = "promise_currency_unclear"
# The hand-off reason of a request for installments from a customer who owes
# in several currencies when the reply names a first installment without
# saying its currency ("10.000 el viernes y el resto a fin de mes"), or
# names a currency ("2 cuotas solo para los dólares").
PLAN_SEVERAL_CURRENCIES = "installments_several_currencies"
# The variable of a `plan_proposal` or `plan_offer_reply` for plans in several
# currencies: [currency, [[amount, due date], ...], fee, total] of each plan,
# which `detalle_cuotas`, `recargo` and `total` state.
PLAN_PARTS_VARIABLE = "plan_parts"
# The variable of a `promise_confirmation` whose promise is in several
# currencies, or in another currency than the message's balance: a list of
# [currency, amount] that `monto_promesa` states.
PROMISE_AMOUNTS_VARIABLE = "promise_amounts"
# The variable of a `promise_confirmation` whose currencies fall due on
# different days: [currency, amount, due date] of each part, earliest first,
# which `monto_promesa` and `fecha_promesa` state together.
PROMISE_SCHEDULE_VARIABLE = "promise_schedule"
# The variable of a `balance_reply` that lists each open invoice as
# [currency, open amount, ISO due date or None], which `estado_saldo` states.
BALANCE_DUES_VARIABLE = "balance_dues"
# The hand-off reason of a request to receive messages again from a customer
# whose consent the owner revoked.
OPT_IN_OWNER_REVOCATION = "opt_in_owner_revocation"
# The hand-off reason of a request for messages again that contains more, such
# as "pueden volver a escribirme, pero el monto está mal".
OPT_IN_WITH_MORE = "opt_in_with_more"
# The action taken on a request for messages from a customer who receives
# them already, and the kind of the message sent in reply.
ALREADY_OPTED_IN = "already_opted_in"
ALREADY_OPTED_IN_REPLY = "optin_already_active"
# The hand-off reason of a reply that threatens a complaint or legal action.
COMPLAINT_THREAT = "complaint_threat"
# Inbound types that carry a file, which counts as a payment receipt.
RECEIPT_TYPES = frozenset({"image", "document"})
WRONG_PERSON = PhoneStatus.WRONG_PERSON
PAYMENT_PAUSE_REASON = "pago informado, a verificar"
# The prefix of `Case.pending_question` while the customer has not yet
# accepted a proposed plan with a fee, followed by its count ("accept_plan:3").
PLAN_QUESTION = "accept_plan:"
# The variable of a `plan_proposal` row that stores the days the customer
# named (ISO dates), so that accepting it makes the same plan.
PLAN_DAYS_VARIABLE = "plan_days"
# The variable of a `plan_proposal` row that stores the first installment the
# customer named ("10.000 el viernes y el resto a fin de mes").
PLAN_FIRST_VARIABLE = "plan_first_amount"
# "acepto" or "aceito", unless "no" or "não" comes right before it.
ACCEPT_WORDS = re.compile(r"(?<!\bno )(?<!\bnão )\b(acepto|aceito)\b", re.IGNORECASE)
# A negation at most two words before "acepto" with no punctuation between
# them: "no lo acepto", "nunca acepto", but not "no hay problema, acepto".
REFUSE_WORDS = re.compile(
    r"\b(?:no|nunca|jam[aá]s|ni|n[aã]o|nem)(?:\s+\w+){0,2}?\s+(?:acepto|aceito)\b",
    re.IGNORECASE,
)
# A request for installments that turns them down in the same breath ("en
# cuotas no, pago todo", "sin cuotas"). A person reads it, because the intent
# reads as a request and the words decline it.
DECLINED_INSTALLMENTS_WORDS = re.compile(
    r"\b(?:cuotas?|parcelas?)\s+(?:no|n[aã]o)\b|\bsem\s+parcelas\b|\bsin\s+cuotas\b",
    re.IGNORECASE,
)
# The hand-off reason of such a request.
INSTALLMENTS_REFUSED = "installments_refused"
# The hand-off reason of a request for zero or fewer installments ("0
# cuotas", "-1 cuotas"). The second reason is for a request that names the
# amount of each installment ("cuotas de 1000"), which no plan takes over.
INSTALLMENTS_COUNT_INVALID = "installments_count_invalid"
INSTALLMENTS_AMOUNT_NAMED = "installments_amount_named"
# The hand-off reason of a reply that splits its payment over days or sums
# that no plan within the business's limits can keep ("el resto en 2030").
PLAN_SPLIT_OUTSIDE_LIMITS = "plan_split_outside_limits"
# The hand-off reason of a promise for a day later than the business's
# longest installment plan could reach (`promise_horizon_days`).
PROMISE_TOO_FAR = "promise_too_far"
# The entity that contains the parts of such a reply, [day, sum or None] each.
SPLIT_PARTS_ENTITY = "split_parts"
# The entity and the plan message variable set when the reply requests more
# installments than the business allows, so the plan's message states that
# the count offered is the maximum.
MAX_REACHED = "installments_max_reached"
# An acknowledgement accepts a fee only with an affirmative word or emoji
# ("ok", "dale", "sí", 👍). A bare "gracias" is courtesy, not consent to a fee.
AGREE_WORDS = re.compile(
    r"(?:\b(?:ok|oka|okey|okay|dale|s[ií]|sim|listo|perfecto|de acuerdo|va|vale|"
    r"bueno|beleza|certo|combinado|fechado|claro)\b|👍|👌|✅)",
    re.IGNORECASE,
)
# Intents that win over a pending plan: the customer leaves or is not the debtor.
NOT_ACCEPTING = frozenset({"opt_out", "wrong_person"})


@dataclass(frozen=True)
class ReplyServices:
    """Payment services the actions call, injected from above `payments`.

    `conversations` sits above `payments` in the layer order, so the wiring
    (`cobranza.jobs.replies`) passes these in. `payment_link` returns what
    the case's link charges now, with its URL when links are offered, or
    None when nothing is collectable. `max_installments`
    returns the business's limit. `propose_plan` returns the terms of a plan
    of the given count, due on the days the customer named where the
    business's limits allow, starting with the first installment the
    customer named when one is given, or None when the limits rule the plan
    out. `create_plan` splits the case's balance the same way and returns
    True, or False when the limits (a minimum installment, an active plan,
    a fee not accepted) rule it out. Its argument after the first amount is
    True once the customer accepted the plan's fee. The last argument of
    both is the plan's currency, or None for a customer who owes in one
    currency only. `plan_grace_days` returns the days
    after an installment's due date before an unpaid one breaks its plan.
    """

    payment_link: Callable[[Session, Business, Case, datetime], LinkCharge | None]
    max_installments: Callable[[Business], int]
    propose_plan: Callable[
        [Session, Case, int, datetime, tuple[date, ...], Decimal | None, str | None],
        PlanOffer | None,
    ]
    create_plan: Callable[
        [
            Session,
            Case,
            int,
            datetime,
            tuple[date, ...],
            Decimal | None,
            bool,
            str | None,
        ],
        bool,
    ]
    plan_grace_days: Callable[[Business], int]


@dataclass(frozen=True)
class LinkCharge:
    """The amount a payment link sent in a reply charges, as the reply states it.

    `covers` is a `cobranza.messages.LinkCovers` value: what is overdue, due
    by today, the whole balance or the next installment. `url` is None when
    the business's channel gets payment instructions instead of links.
    """

    amount: Decimal
    currency: str
    covers: str
    url: str | None = None
    installment_number: int | None = None
    installments: int | None = None
    # The links of the customer's other currencies, one per currency, since
    # a checkout charges one currency.
    others: tuple[LinkCharge, ...] = ()

    def variables(self) -> dict[str, Any]:
        """Return the message variables that state the charge and carry the link.

        With other currencies, `link_charges` lists every link, this one
        first, and `pago` states each link with its amount.
        """
        values: dict[str, Any] = {
            "link_amount": str(self.amount),
            "link_covers": str(self.covers),
            "currency": self.currency,
        }
        if self.url is not None:
            values["payment_link"] = self.url
        if self.installment_number is not None:
            values["installment_number"] = self.installment_number
            values["installments"] = self.installments
        if self.others:
            values["link_charges"] = [
                [charge.currency, str(charge.amount), str(charge.covers), charge.url]
                for charge in (self, *self.others)
            ]
        return values


@dataclass(frozen=True)
class PlanOffer:
    """The terms of an installment plan before it is created, as they are shown."""

    count: int
    principal: Decimal
    fee: Decimal
    total: Decimal
    currency: str
    # (amount, due date) of each installment, in order.
    schedule: tuple[tuple[Decimal, date], ...]

    @staticmethod
    def variable_names() -> tuple[str, ...]:
        return ("installments", "plan_fee", "plan_total", "plan_schedule")

    def part(self) -> list[Any]:
        """Return the plan's entry in `plan_parts`: currency, schedule, fee, total."""
        return [
            self.currency,
            [[str(amount), due_on.isoformat()] for amount, due_on in self.schedule],
            str(self.fee),
            str(self.total),
        ]

    def variables(self) -> dict[str, Any]:
        """Return the plan variables of `plan_proposal` and `plan_offer_reply`."""
        return {
            "installments": self.count,
            "plan_fee": str(self.fee),
            "plan_total": str(self.total),
            "plan_schedule": [
                [str(amount), due_on.isoformat()] for amount, due_on in self.schedule
            ],
        }


@dataclass
class Reply:
    """One inbound message being handled, with everything the actions read."""

    session: Session
    inbound: InboundMessage
    business: Business
    customer: Customer
    case: Case | None
    meaning: Understanding
    now: datetime
    today: date
    tz: str
    services: ReplyServices | None = None
    entities: dict[str, Any] = field(default_factory=dict)


Action = Callable[[Reply], str]


def queue_reply(
    reply: Reply,
    step_kind: str,
    scope: str,
    variables: dict[str, Any] | None = None,
    case: Case | None = None,
) -> bool:
    """Queue the reply message `step_kind` once per `scope`; True if new.

    The row goes out on the channel the customer wrote on, and the gate
    treats it as a reply. Under `cobranza serve` the scheduler dispatches it
    as soon as the transaction commits (see `cobranza.jobs.replies`).
    """
    target = case or reply.case
    if target is None:
        return False
    extra = {REPLY_TO_VARIABLE: reply.inbound.id, **(variables or {})}
    values = case_message(
        reply.session,
        target,
        f"{step_kind}:{scope}",
        step_kind,
        extra,
        reply.now,
        channel=reply.inbound.channel,
    )
    row_id = outbox.enqueue(reply.session, values)
    if row_id is None:
        logger.debug("reply %s for case %s already queued", step_kind, target.id)
        return False
    supersede_replies(reply, SUPERSEDES.get(step_kind, ()), step_kind, row_id)
    return True


# The queued replies that a newer reply makes obsolete, by the newer reply's
# step kind. A reply deferred outside the contact window would otherwise go
# out beside the newer one, and the customer's last word counts. A new
# promise cancels the earlier one, so its confirmation goes too. A question
# or a plan proposal is obsolete once the newer action cleared or replaced
# `Case.pending_question`, since no answer to it is awaited any more. A
# reported payment makes a promise's confirmation stale, and a link or an
# opt-in replaces an earlier link or opt-out confirmation. A newer answer
# about the balance replaces an older one, which may state an older balance.
# A dispute drops a promise's confirmation, a new plan's schedule, a link and
# an answer about the balance still queued: each states an amount the
# customer now contests, and a person replies instead.
_QUESTIONS = ("ask_promise_date", "clarify", "clarify_plan", "plan_proposal")
_BALANCE_REPLIES = ("balance_reply", "balance_reply_plan")
SUPERSEDES: dict[str, tuple[str, ...]] = {
    "promise_confirmation": ("promise_confirmation", *_QUESTIONS),
    "ask_promise_date": ("clarify", "clarify_plan", "plan_proposal"),
    "clarify": ("ask_promise_date", "plan_proposal"),
    "clarify_plan": ("ask_promise_date", "plan_proposal"),
    "plan_proposal": _QUESTIONS,
    "plan_offer_reply": _QUESTIONS,
    "ask_receipt": ("promise_confirmation", *_QUESTIONS),
    "receipt_ack": ("ask_receipt", "promise_confirmation", *_QUESTIONS),
    "handoff_ack": _QUESTIONS,
    "dispute_ack": (
        "promise_confirmation",
        "plan_offer_reply",
        "link_reply",
        "link_reply_instructions",
        *_BALANCE_REPLIES,
        *_QUESTIONS,
    ),
    "balance_reply": _BALANCE_REPLIES,
    "balance_reply_plan": _BALANCE_REPLIES,
    "link_reply": ("link_reply", "link_reply_instructions", "clarify", "clarify_plan"),
    "link_reply_instructions": (
        "link_reply",
        "link_reply_instructions",
        "clarify",
        "clarify_plan",
    ),
    "optin_confirmation": ("optout_confirmation",),
}
# The suppression reason of a reply made obsolete by a newer one.
REPLY_SUPERSEDED = "reply_superseded"


def supersede_replies(
    reply: Reply,
    step_kinds: Collection[str] | None,
    replaced_by: str,
    new_row_id: int | None = None,
) -> int:
    """Suppress the customer's queued replies of `step_kinds`; return how many.

    `step_kinds` None means every queued reply but an opt-out's
    confirmation, which only an opt-in replaces. `new_row_id` is the newer
    reply's own row, which is kept. On PostgreSQL a row that a dispatcher
    is claiming is locked and left to it, because it is already on its way.
    """
    if step_kinds is not None and not step_kinds:
        return 0
    statement = select(OutboxMessage).where(
        OutboxMessage.business_id == reply.business.id,
        OutboxMessage.customer_id == reply.customer.id,
        OutboxMessage.state == OutboxState.QUEUED,
    )
    if step_kinds is not None:
        statement = statement.where(OutboxMessage.step_kind.in_(sorted(step_kinds)))
    if new_row_id is not None:
        statement = statement.where(OutboxMessage.id != new_row_id)
    session = reply.session
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    rows = session.scalars(statement.order_by(OutboxMessage.id)).all()

    details: dict[str, Any] = {
        "replaced_by": replaced_by,
        "inbound_id": reply.inbound.id,
    }
    if new_row_id is not None:
        details["replaced_by_outbox_id"] = new_row_id
    suppressed = 0
    for row in rows:
        if (row.variables or {}).get(REPLY_TO_VARIABLE) is None:
            continue
        if step_kinds is None and row.step_kind == OPTOUT_CONFIRMATION:
            continue
        outbox.suppress(session, row, REPLY_SUPERSEDED, reply.now, details, actor=ACTOR)
        suppressed += 1
    return suppressed


# Requests for the payment link in the same window of this many minutes get
# one message.
LINK_REPEAT_MINUTES = 30


def _daily(reply: Reply) -> str:
    return reply.today.isoformat()


def _ask_once(
    reply: Reply,
    question: str,
    step_kind: str,
    reason: str,
    variables: dict[str, Any] | None = None,
) -> str:
    """Ask `question` once; a second reply that still misses it goes to a person."""
    case = reply.case
    assert case is not None
    if case.pending_question == question:
        hand_off(reply.session, case, reason, reply.now)
        queue_reply(reply, "handoff_ack", _daily(reply))
        return "handed_off"
    case.pending_question = question
    case.question_asked_at = reply.now
    queue_reply(reply, step_kind, f"{question}:{_daily(reply)}", variables)
    return f"asked_{question}"


def promise(reply: Reply) -> str:
    """Record a promise to pay, pause the reminders and confirm it.

    A promised sum above the balance is recorded as the balance, and the
    confirmation states that it is the whole balance. During an installment plan
    the promise is about the next unpaid installment: it covers that
    installment unless the reply names another sum, and the plan's
    reminders stay the only follow-ups (see `check_promises`). A customer
    who owes in several currencies gets one promise row per currency the
    promise covers (see `_promise_parts`), and the confirmation names each.
    A row is due on the day the reply gives its currency ("los dólares el
    viernes y los pesos a fin de mes"), and the case pauses until the last.
    """
    case = reply.case
    assert case is not None
    split = _split_reply(reply)
    if split is not None:
        return split
    due_on = reply.meaning.promised_date
    if due_on is None or due_on < reply.today:
        return _ask_once(reply, "promise_date", "ask_promise_date", "promise_no_date")

    if reply.services is not None:
        # "10.000 el viernes y el resto a fin de mes" is a plan of two
        # payments; when the limits rule it out, the first is still promised.
        days = _named_days(reply)
        first_amount = _first_installment(reply, days)
        if first_amount is not None and _below_first_floor(reply, first_amount):
            # "1 peso el viernes y el resto a fin de mes" defers the whole
            # debt, so the plan splits it evenly over the days named.
            reply.entities["plan_first_amount_too_low"] = str(first_amount)
            outcome = _make_plan(reply, len(days), days, None)
            if outcome is None:
                return _hand_off_with_ack(reply, "installments_requested")
            return outcome
        if first_amount is not None:
            outcome = _make_plan(reply, len(days), days, first_amount)
            if outcome is not None:
                return outcome
            for key in ("installments_offered", "plan_days_named", "plan_first_amount"):
                reply.entities.pop(key, None)

    session = reply.session
    balances = open_balances(session, reply.business, reply.customer.id, reply.today)
    installment = _next_installment(reply)
    parts = _promise_parts(reply, balances, due_on, installment)
    if isinstance(parts, str):
        return _hand_off_with_ack(reply, parts)
    last_day = max(part.due_on for part in parts)
    if last_day > reply.today + timedelta(days=promise_horizon_days(reply.business)):
        # "te pago el viernes 20" when no 20th is a Friday for months reads
        # as the month where they agree, perhaps next August. A person
        # agrees on the day instead of reminders pausing until then.
        reply.entities["promise_too_far"] = last_day.isoformat()
        return _hand_off_with_ack(reply, PROMISE_TOO_FAR)
    past_grace = _past_installment_grace(reply, installment, due_on)
    if installment is not None and not past_grace:
        [part] = parts
        if part.amount in (None, installment.amount):
            part.amount = installment.amount
            part.covers = LinkCovers.INSTALLMENT.value
            reply.entities["promise_installment"] = installment.number
    existing = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.business_id == reply.business.id,
            PromiseToPay.customer_id == reply.customer.id,
            PromiseToPay.status == PromiseStatus.OPEN,
        )
    ).all()
    if _already_promised(existing, parts):
        case.pending_question = None
        return "promise_already_recorded"
    for earlier in existing:
        earlier.status = PromiseStatus.CANCELLED

    records = []
    for part in parts:
        if part.amount is None:
            part.amount = _covered(part.owed, part.due_on)
        records.append(
            PromiseToPay(
                business_id=reply.business.id,
                case_id=case.id,
                customer_id=reply.customer.id,
                amount=part.amount,
                currency=part.owed.currency,
                due_on=part.due_on,
                status=PromiseStatus.OPEN,
                source_inbound_id=reply.inbound.id,
                created_at=reply.now,
            )
        )
    session.add_all(records)
    session.flush()

    case.pending_question = None
    case.question_asked_at = None
    record = records[0]
    reply.entities["promise_id"] = record.id
    if len(records) > 1:
        reply.entities["promise_ids"] = [each.id for each in records]
    if all(part.amount is None and part.owed.balance <= 0 for part in parts):
        # Everything owed is disputed or on hold, so there is no sum to
        # confirm: "$ 0,00" would only confuse. A person replies instead.
        hand_off(session, case, "promise_to_review", reply.now)
        queue_reply(reply, "handoff_ack", _daily(reply))
        return "promise_to_review"
    if past_grace:
        # The plan breaks once the installment's grace passes, before the
        # promised day, so confirming the day would mislead. Moving an
        # installment is a person's decision.
        hand_off(session, case, PROMISE_PAST_INSTALLMENT, reply.now)
        # The confirmation of an earlier promise, cancelled above, is stale.
        supersede_replies(reply, ("promise_confirmation",), "handoff_ack")
        queue_reply(reply, "handoff_ack", _daily(reply))
        return PROMISE_PAST_INSTALLMENT
    # A promise whose currencies fall on several days pauses until the last.
    _pause_case(case, pause_end(reply.business, reply.tz, last_day), record.id)
    first = parts[0]
    variables: dict[str, Any] = {
        "promise_amount": str(first.stated),
        "promise_due_on": due_on.isoformat(),
        "promise_covers": first.covers,
    }
    if len(parts) > 1 or first.owed.currency != leading_currency(
        balances, reply.business
    ):
        variables[PROMISE_AMOUNTS_VARIABLE] = [
            [part.owed.currency, str(part.stated)] for part in parts
        ]
    if len({part.due_on for part in parts}) > 1:
        variables[PROMISE_SCHEDULE_VARIABLE] = [
            [part.owed.currency, str(part.stated), part.due_on.isoformat()]
            for part in parts
        ]
    if first.covers == LinkCovers.INSTALLMENT and installment is not None:
        variables["installment_number"] = installment.number
        variables["installments"] = installment.count
    queue_reply(reply, "promise_confirmation", str(record.id), variables)
    return "promise_recorded"


def _split_reply(reply: Reply) -> str | None:
    """Act on a reply that splits its payment over days; None to go on as usual.

    The parts come from `split_parts`, in the order of their days:

    - a part whose day is past or does not exist ("el resto ayer", "el 31
      de noviembre") gets the question for a clear day, asked once;
    - a sum of zero ("hoy te paso 0 y el resto el viernes") is no part, so
      the rest is a promise of the whole balance on its day;
    - parts all due on one day ("la mitad el viernes y la otra mitad el
      viernes") are a promise of the whole balance that day;
    - parts each on a day of their own are a plan on exactly those days and
      sums (`_make_plan` checks that the plan keeps them).

    A reply whose currencies each have a day ("los dólares el viernes y los
    pesos a fin de mes") is left to `_dated_parts`, and one that names a
    count the parts do not match ("en 3 cuotas, la mitad hoy") to the count.
    """
    if {SPLIT_PARTS_ENTITY, "split_zero_part", "split_same_day"} & set(reply.entities):
        # Already read: `_whole_promise_on` comes back through `promise`.
        return None
    text = reply.inbound.text or ""
    locale = reply.customer.locale or reply.business.locale
    every = split_parts(text, reply.today, locale)
    parts = [part for part in every if not part.zero]
    if not parts:
        return None
    if any(part.unclear_day for part in parts) and (len(every) >= 2 or parts[0].rest):
        reply.entities["split_day_unclear"] = True
        return _ask_once(reply, "promise_date", "ask_promise_date", "promise_no_date")
    if len(every) > len(parts) and len(parts) == 1:
        # "hoy te paso 0 y el resto el viernes": only the rest is a payment.
        reply.entities["split_zero_part"] = True
        if parts[0].due_on is None:
            return _ask_once(
                reply, "promise_date", "ask_promise_date", "promise_no_date"
            )
        return _whole_promise_on(reply, parts[0])
    if any(part.due_on is None for part in parts):
        return None
    balances = open_balances(
        reply.session, reply.business, reply.customer.id, reply.today
    )
    owed = {balance.currency for balance in balances if balance.balance > 0}
    if currency_days(text, reply.today, locale, reply.business.currency, owed):
        # Each currency on its own day, "el resto" included: `_dated_parts`.
        return None
    days = tuple(sorted({part.due_on for part in parts if part.due_on is not None}))
    if len(parts) >= 2 and len(days) == 1 and all(p.amount is None for p in parts):
        reply.entities["split_same_day"] = True
        return _whole_promise_on(reply, parts[0])
    if len(parts) < 2 or len(days) != len(parts):
        return None
    if reply.meaning.installments not in (None, len(parts)):
        return None
    if reply.services is None:
        return None
    return _split_plan(reply, parts, days)


def _whole_promise_on(reply: Reply, part: SplitPart) -> str:
    """Record a promise of `part`'s sum, or of the whole balance, on its day."""
    reply.meaning = replace(
        reply.meaning,
        promised_date=part.due_on,
        amount=part.amount,
        installments=None,
    )
    return promise(reply)


def _split_plan(
    reply: Reply, parts: list[SplitPart], days: tuple[date, ...]
) -> str | None:
    """Make a plan of one installment per part, due on the parts' days.

    Returns the action, or None when the business's limits rule out any plan.
    """
    sums = [part.amount for part in parts]
    first_amount = parts[0].amount
    later = [part.amount for part in parts[1:]]
    if parts[0].rest and first_amount is None and None not in later:
        # "10.000 a fin de mes y el resto el viernes": the rest comes first,
        # so the first installment is what the later sums leave.
        owed = open_balance(
            reply.session, reply.business, reply.customer.id, reply.today
        )
        first_amount = owed.balance - sum(amount for amount in later if amount)
        if first_amount <= 0:
            return _hand_off_with_ack(reply, PLAN_SPLIT_OUTSIDE_LIMITS)
    if first_amount is not None and _below_first_floor(reply, first_amount):
        # "1 peso el viernes y el resto a fin de mes": equal installments.
        reply.entities["plan_first_amount_too_low"] = str(first_amount)
        first_amount = None
        sums[0] = None
    reply.entities[SPLIT_PARTS_ENTITY] = [
        [
            part.due_on.isoformat() if part.due_on else None,
            None if sum_ is None else str(sum_),
        ]
        for part, sum_ in zip(parts, sums, strict=True)
    ]
    # NOTE: a plan takes a named sum for its first installment only, so a
    # named sum on a middle installment ("hoy 10 lucas, el viernes 20 y el
    # resto el 15") fails `_keeps_parts` and goes to a person.
    outcome = _make_plan(reply, len(parts), days, first_amount)
    if outcome is None:
        # The limits rule the plan out: `promise` still records the first
        # sum, and `installments` hands the request to a person.
        for key in ("installments_offered", "plan_days_named", "plan_first_amount"):
            reply.entities.pop(key, None)
    return outcome


def _keeps_parts(reply: Reply, offer: PlanOffer) -> bool:
    """Tell whether a plan keeps the day and sum of every part the reply named.

    A day the business may not write on moves to its next contact day, as
    every due date does (`plan_due_dates`). Any other change, such as a day
    beyond the plan's length moved earlier, breaks what the customer asked.
    """
    named = reply.entities.get(SPLIT_PARTS_ENTITY)
    if named is None:
        return True
    if len(named) != len(offer.schedule):
        return False
    rules = rules_for_business(reply.business.country, reply.business.settings)
    for (day, amount), (planned, due_on) in zip(named, offer.schedule, strict=True):
        if amount is not None and Decimal(amount) != planned:
            return False
        moved = date.fromisoformat(day)
        while moved < due_on and (
            rules.window_for(moved.weekday()) is None
            or (rules.block_holidays and holiday_name(rules, moved) is not None)
        ):
            moved += timedelta(days=1)
        if moved != due_on:
            return False
    return True


@dataclass
class _PromisePart:
    """One currency's part of a promise: the balance there, the sum and its day.

    `amount` None covers what falls due by the promised day (`_covered`).
    `covers` is a `LinkCovers` value the confirmation states after the sum.
    """

    owed: OpenBalance
    due_on: date
    amount: Decimal | None = None
    covers: str | None = None

    @property
    def stated(self) -> Decimal:
        """Return the sum the confirmation states: the amount, else the balance."""
        return self.amount if self.amount is not None else self.owed.balance


def _promise_parts(
    reply: Reply,
    balances: list[OpenBalance],
    due_on: date,
    installment: _NextInstallment | None,
) -> list[_PromisePart] | str:
    """Split a promise into one part per currency it covers.

    A promise with no sum ("te pago todo el viernes") covers every currency
    with a balance, and "la mitad" half of each. A named sum goes to one
    currency (`promise_currency`), and during a plan to the plan's. Each
    currency named with a day of its own ("los dólares el viernes y los pesos
    a fin de mes") is a part due that day (`_dated_parts`). Returns a
    hand-off reason instead when no currency fits the named sum.
    """
    amount = reply.meaning.amount
    dated = None if installment is not None else _dated_parts(reply, balances)
    if isinstance(dated, str):
        return dated
    if installment is not None:
        owed = pick_balance(balances, installment.currency)
        parts = [_PromisePart(owed, due_on, amount)]
    elif dated is not None:
        return _within_balance(reply, dated)
    elif amount is not None:
        named = find_currency(reply.inbound.text or "", reply.business.currency)
        reply.entities["promise_currency_named"] = named
        currency = promise_currency(amount, named, balances, reply.business.currency)
        if currency is None:
            return (
                PROMISE_CURRENCY_NOT_OWED
                if named not in (None, SEVERAL_CURRENCIES)
                else PROMISE_CURRENCY_UNCLEAR
            )
        parts = [_PromisePart(pick_balance(balances, currency), due_on, amount)]
    else:
        owed = [balance for balance in balances if balance.balance > 0]
        if not owed:
            owed = [pick_balance(balances, leading_currency(balances, reply.business))]
        parts = [_PromisePart(balance, due_on) for balance in owed]

    if (
        amount is None
        and names_half(reply.inbound.text or "")
        and not reply.entities.get("split_same_day")
    ):
        # "te deposito la mitad": half of what the promise would cover.
        for part in parts:
            if part.owed.balance <= 0:
                continue
            covered = _covered(part.owed, due_on)
            if installment is not None:
                covered = installment.amount
            whole = part.owed.balance if covered is None else covered
            part.amount = _half(whole, part.owed.currency)
            reply.entities["promise_share"] = "half"
    return _within_balance(reply, parts)


def _within_balance(reply: Reply, parts: list[_PromisePart]) -> list[_PromisePart]:
    """Lower each part's sum above its balance to the balance, and return them."""
    for part in parts:
        if part.amount is not None and 0 < part.owed.balance < part.amount:
            # "te pago 500.000" owing 100.000: what is owed is what can be paid.
            reply.entities["promise_amount_said"] = str(part.amount)
            part.amount = part.owed.balance
            part.covers = LinkCovers.BALANCE.value
    return parts


def _dated_parts(
    reply: Reply, balances: list[OpenBalance]
) -> list[_PromisePart] | str | None:
    """Return a part per currency named with its own day, or None.

    "los dólares el viernes y los pesos a fin de mes" from a customer who
    owes both is a dollar part due Friday and a peso part due on the
    month's last day (`currency_days`), and so is "los dólares el viernes y
    el resto a fin de mes" from one who owes only those two. A currency
    named that the customer does not owe returns the hand-off reason instead.
    """
    locale = reply.customer.locale or reply.business.locale
    owed = {balance.currency for balance in balances if balance.balance > 0}
    named = currency_days(
        reply.inbound.text or "", reply.today, locale, reply.business.currency, owed
    )
    if named is None:
        return None
    if any(part.currency not in owed for part in named):
        return PROMISE_CURRENCY_NOT_OWED
    reply.entities["promise_days_by_currency"] = {
        part.currency: part.due_on.isoformat() for part in named
    }
    return [
        _PromisePart(pick_balance(balances, part.currency), part.due_on, part.amount)
        for part in named
    ]


def promise_currency(
    amount: Decimal,
    named: str | None,
    balances: list[OpenBalance],
    business_currency: str,
) -> str | None:
    """Return the currency a promised sum is in, or None when a person must decide.

    A currency the reply names ("US$ 300", "500 mil pesos") is the one,
    provided the customer owes in it. A sum with no currency is in the
    only currency the customer owes, else in the only one whose balance
    can hold it ("500 mil" owing US$ 1.000 and $ 800.000). When several
    balances can hold it, a bare sum is in the business's own currency,
    because that is the money people count in by default. Without that
    currency among them, the sum is unclear. A sum above every
    balance is the whole balance of the business's currency, else of the
    leading one.
    """
    owed = [balance for balance in balances if balance.balance > 0]
    if named is not None:
        found = any(balance.currency == named for balance in owed)
        return named if found else None
    if not owed:
        return business_currency
    if len(owed) == 1:
        return owed[0].currency
    fitting = [balance.currency for balance in owed if amount <= balance.balance]
    if len(fitting) == 1:
        return fitting[0]
    candidates = fitting or [balance.currency for balance in owed]
    if business_currency in candidates:
        return business_currency
    return None if fitting else owed[0].currency


def _already_promised(
    existing: Collection[PromiseToPay], parts: list[_PromisePart]
) -> bool:
    """Tell whether open promises already cover each part on the same day.

    A part without a sum matches any promise in its currency, as a repeated
    "te pago el viernes" repeats the promise.
    """
    if not existing or len(existing) != len(parts):
        return False
    return all(
        any(
            earlier.due_on == part.due_on
            and earlier.currency == part.owed.currency
            and part.amount in (None, earlier.amount)
            for earlier in existing
        )
        for part in parts
    )


def promise_horizon_days(business: Business) -> int:
    """Return how many days ahead a promise may fall before a person decides.

    That is as far as the business's longest installment plan reaches: its
    most installments times the days between them (180 by default).
    """
    limits = limits_for(business)
    return limits.max_count * limits.interval_days


def _past_installment_grace(
    reply: Reply, installment: _NextInstallment | None, due_on: date
) -> bool:
    """Tell whether a promised day falls after the next installment's grace."""
    if installment is None or reply.services is None:
        return False
    grace = reply.services.plan_grace_days(reply.business)
    return due_on > installment.due_on + timedelta(days=grace)


def _covered(owed: OpenBalance, due_on: date) -> Decimal | None:
    """Return what a promise without a sum covers, or None for the whole balance.

    It covers what falls due by the promised day, because that is what the
    reminders requested. When nothing falls due by then, or everything
    does, it covers the whole balance.
    """
    due = owed.due_by(due_on)
    return due if 0 < due < owed.balance else None


def _half(amount: Decimal, currency: str) -> Decimal:
    """Return half of `amount`, rounded down to the currency's minor unit.

    Rounded down, so a payment of half keeps the promise whichever way the
    customer rounds it.
    """
    step = Decimal(1).scaleb(-minor_units(currency))
    return (amount / 2).quantize(step, rounding=ROUND_DOWN)


def already_paid(reply: Reply) -> str:
    """Thank, ask for the receipt unless one came, pause and flag for a person.

    Nothing is marked paid here: a person checks the receipt and records
    the payment.
    """
    case = reply.case
    assert case is not None
    has_receipt = reply.inbound.type in RECEIPT_TYPES or _recent_receipt(reply)
    _pause_for_verification(reply, case)
    hand_off(reply.session, case, PAYMENT_TO_VERIFY, reply.now, stop_automation=False)
    if has_receipt:
        queue_reply(reply, "receipt_ack", _daily(reply))
        return "receipt_to_verify"
    queue_reply(reply, "ask_receipt", _daily(reply))
    return "asked_receipt"


def receipt(reply: Reply) -> str:
    """Treat a file (image or document) as the receipt of a reported payment."""
    return already_paid(reply)


def installments(reply: Reply) -> str:
    """Make a plan within the business's limits and send its link.

    The installments fall on the days the reply names ("la mitad el viernes
    y el resto a fin de mes") where the business's limits allow. A reply
    that names two or more days and no count requests one installment on
    each day. A plan with a fee is only proposed: the `plan_proposal` message
    states each installment, the fee and the total, and the plan is created
    when the customer accepts (`accept_plan`).

    A count outside 2..48 that the NLU does not read is taken from the text:
    one installment ("en 1 cuota") is answered as a request for the link,
    and zero or fewer go to a person. A count above the business's maximum
    gets the maximum, and the plan's message states it is the maximum. A reply
    that names the amount of each installment but no count ("cuotas de
    1000") goes to a person.
    """
    text = reply.inbound.text or ""
    if DECLINED_INSTALLMENTS_WORDS.search(text) is not None:
        return _hand_off_with_ack(reply, INSTALLMENTS_REFUSED)
    split = _split_reply(reply)
    if split is not None:
        return split
    requested = reply.meaning.installments
    if requested is None:
        requested = named_count_outside(text)
        if requested is not None:
            reply.entities["installments_named"] = requested
    if requested == 1:
        # "En 1 cuota", "en un solo pago": the whole balance at once.
        return payment_link(reply)
    if requested is not None and requested <= 0:
        return _hand_off_with_ack(reply, INSTALLMENTS_COUNT_INVALID)
    if reply.services is None:
        return _hand_off_with_ack(reply, "installments_requested")
    days = _named_days(reply)
    # NOTE: a reply that names a count too ("3 cuotas de 1000") gets a plan
    # of that count with equal installments, and its amount is not checked.
    if requested is None and names_installment_amount(text):
        return _hand_off_with_ack(reply, INSTALLMENTS_AMOUNT_NAMED)
    if requested is None and len(days) >= 2:
        requested = len(days)
    first_amount = _first_installment(reply, days)
    if first_amount is not None and _below_first_floor(reply, first_amount):
        reply.entities["plan_first_amount_too_low"] = str(first_amount)
        first_amount = None
    outcome = _make_plan(reply, requested, days, first_amount)
    if outcome is None:
        return _hand_off_with_ack(reply, "installments_requested")
    return outcome


def _below_first_floor(reply: Reply, first_amount: Decimal) -> bool:
    """Tell whether a named first installment is too small to start a plan.

    It is when it is below `DEFAULT_FIRST_PERCENT` of the balance, as in "1
    peso el viernes y el resto a fin de mes". The business's own
    `min_installment` and `min_down_payment_percent` are enforced by the
    plan itself, which then rules the plan out and the first sum is
    promised instead.
    """
    owed = open_balance(reply.session, reply.business, reply.customer.id, reply.today)
    return first_amount < owed.balance * DEFAULT_FIRST_PERCENT / 100


def _make_plan(
    reply: Reply,
    requested: int | None,
    days: tuple[date, ...],
    first_amount: Decimal | None,
) -> str | None:
    """Propose or create a plan; return the action, or None if the limits forbid it.

    `requested` is the count the reply requests (None: the business's
    maximum), kept within the business's limits.
    """
    case = reply.case
    services = reply.services
    assert case is not None and services is not None
    balances = open_balances(
        reply.session, reply.business, reply.customer.id, reply.today
    )
    owed = [balance.currency for balance in balances if balance.balance > 0]
    named = find_currency(reply.inbound.text or "", reply.business.currency)
    if len(owed) > 1 and (first_amount is not None or named is not None):
        # "10.000 el viernes y el resto a fin de mes" does not say which
        # currency the 10.000 is in, and "2 cuotas solo para los dólares" or
        # "los pesos en 3" ask for other terms than one equal plan per
        # currency. Either way a person agrees on the payments.
        reply.entities["plan_currencies"] = owed
        return _hand_off_with_ack(reply, PLAN_SEVERAL_CURRENCIES)
    limit = services.max_installments(reply.business)
    count = max(2, min(requested or limit, limit))
    reply.entities["installments_offered"] = count
    if requested is not None and requested > limit:
        reply.entities[MAX_REACHED] = True
    if days:
        reply.entities["plan_days_named"] = [day.isoformat() for day in days]
    if len(owed) > 1:
        return _make_plans(reply, owed, count, days)
    if first_amount is not None:
        reply.entities["plan_first_amount"] = str(first_amount)
    offer = services.propose_plan(
        reply.session, case, count, reply.now, days, first_amount, None
    )
    if offer is None:
        return None
    if not _keeps_parts(reply, offer):
        # "hoy 10 lucas y el resto en 2030": moving a day the customer named
        # would change the agreement without saying so, so a person agrees.
        reply.entities["plan_schedule_possible"] = [
            [str(amount), due_on.isoformat()] for amount, due_on in offer.schedule
        ]
        return _hand_off_with_ack(reply, PLAN_SPLIT_OUTSIDE_LIMITS)
    if offer.fee > 0:
        return _propose_plan(reply, case, offer, days, first_amount)
    if not services.create_plan(
        reply.session, case, count, reply.now, days, first_amount, False, None
    ):
        return None

    _send_plan_link(reply, case, offer)
    return "plan_created"


def _make_plans(
    reply: Reply, owed: list[str], count: int, days: tuple[date, ...]
) -> str | None:
    """Create or propose one plan per currency owed; return the action, or None.

    Every currency's plan has the same count and due dates, and each is
    checked against the business's limits on its own. Either every plan is
    created or none is. When one currency's balance cannot be split within
    the limits, this returns None and the caller hands the whole request to
    a person, so no currency is left on a plan while another is still
    reminded. Plans with a fee are only proposed, all in one `plan_proposal`
    message, and `accept_plan` creates them once the customer accepts.
    """
    case = reply.case
    services = reply.services
    assert case is not None and services is not None
    reply.entities["plan_currencies"] = owed

    # NOTE: a case that already has an active plan in one currency gets no
    # plan for a currency owed since: `create_plan` rejects the second plan
    # in the first currency, so the whole request goes to a person.
    offers = []
    for currency in owed:
        offer = services.propose_plan(
            reply.session, case, count, reply.now, days, None, currency
        )
        if offer is None:
            reply.entities["plan_currency_outside_limits"] = currency
            return None
        if not _keeps_parts(reply, offer):
            reply.entities["plan_currency_outside_limits"] = currency
            return _hand_off_with_ack(reply, PLAN_SPLIT_OUTSIDE_LIMITS)
        offers.append(offer)
    if any(offer.fee > 0 for offer in offers):
        return _propose_plans(reply, case, offers, days)
    if not _create_plans(reply, case, offers, days, fee_accepted=False):
        return None

    _send_plans_link(reply, case, offers)
    return "plan_created"


def _create_plans(
    reply: Reply,
    case: Case,
    offers: list[PlanOffer],
    days: tuple[date, ...],
    *,
    fee_accepted: bool,
) -> bool:
    """Create the plan of each offer in one savepoint; False if any is rejected.

    A rejected plan rolls back the ones created before it, so the case keeps
    either every plan or none.
    """
    services = reply.services
    assert services is not None
    savepoint = reply.session.begin_nested()
    for offer in offers:
        created = services.create_plan(
            reply.session,
            case,
            offer.count,
            reply.now,
            days,
            None,
            fee_accepted,
            offer.currency,
        )
        if not created:
            savepoint.rollback()
            reply.entities["plan_currency_outside_limits"] = offer.currency
            return False
    savepoint.commit()
    return True


def _propose_plans(
    reply: Reply, case: Case, offers: list[PlanOffer], days: tuple[date, ...]
) -> str:
    """Propose plans with a fee in several currencies, in one message.

    The `plan_proposal` row stores each plan's schedule, fee and total in
    `plan_parts`, which `accept_plan` compares with the terms it computes
    again before it creates the plans.
    """
    count = offers[0].count
    case.pending_question = f"{PLAN_QUESTION}{count}"
    case.question_asked_at = reply.now
    totals = "+".join(f"{offer.currency}{offer.total}" for offer in offers)
    scope = f"{count}:{totals}:{offers[0].schedule[0][1].isoformat()}"
    variables: dict[str, Any] = {
        "installments": count,
        PLAN_PARTS_VARIABLE: [offer.part() for offer in offers],
    }
    if days:
        named = [day.isoformat() for day in days]
        scope = f"{scope}:{','.join(named)}"
        variables[PLAN_DAYS_VARIABLE] = named
    if reply.entities.get(MAX_REACHED):
        variables[MAX_REACHED] = True
    queue_reply(reply, "plan_proposal", scope, variables)
    reply.entities["plan_fee_proposed"] = {
        offer.currency: str(offer.fee) for offer in offers
    }
    return "plan_proposed"


def _accept_plans(
    reply: Reply, case: Case, count: int, proposal: dict[str, Any]
) -> str:
    """Create the proposed plans in several currencies, once the customer accepted.

    The terms are computed again, currency by currency. When they changed
    (a payment, a new invoice, a currency paid off or newly owed), the
    request is handled again from the start, so a fee is never charged
    without being shown.
    """
    services = reply.services
    assert services is not None
    days = tuple(
        date.fromisoformat(day) for day in proposal.get(PLAN_DAYS_VARIABLE) or []
    )
    proposed = {str(part[0]): part for part in proposal[PLAN_PARTS_VARIABLE]}
    offers = [
        services.propose_plan(
            reply.session, case, count, reply.now, days, None, currency
        )
        for currency in proposed
    ]
    balances = open_balances(
        reply.session, reply.business, reply.customer.id, reply.today
    )
    owed = {balance.currency for balance in balances if balance.balance > 0}
    current = {offer.currency: offer.part() for offer in offers if offer is not None}
    if owed != set(proposed) or current != proposed:
        outcome = _make_plan(reply, count, days, None)
        return outcome or _hand_off_with_ack(reply, "installments_requested")

    accepted = [offer for offer in offers if offer is not None]
    if not _create_plans(reply, case, accepted, days, fee_accepted=True):
        return _hand_off_with_ack(reply, "installments_requested")
    reply.entities["plan_fee_accepted"] = {
        offer.currency: str(offer.fee) for offer in accepted
    }
    _send_plans_link(reply, case, accepted)
    return "plan_accepted"


def _first_installment(reply: Reply, days: tuple[date, ...]) -> Decimal | None:
    """Return the amount the reply offers first when it puts off the rest.

    "Te transfiero 10.000 el viernes y el resto a fin de mes" offers 10.000
    on the first day named and the rest on a later one. Without an amount,
    a rest and two days the reply names no first installment, and neither
    does a reply whose sum goes with a later day than the rest ("10.000 a
    fin de mes y el resto el viernes"), which no plan of ours can follow.
    """
    amount = reply.meaning.amount
    text = reply.inbound.text or ""
    start = rest_start(text)
    if amount is None or len(days) < 2 or start is None:
        return None
    before, after = fold(text)[:start], fold(text)[start:]
    locale = reply.customer.locale or reply.business.locale
    if find_amount(before) != amount:
        return None
    first_days = payment_days(before, reply.today, locale)
    if first_days:
        return amount if first_days[0] == days[0] else None
    # "R$ 500 agora e o resto semana que vem": cut from the rest, "agora"
    # names no payment, so the first day is the one the rest does not take.
    return amount if days[0] not in payment_days(after, reply.today, locale) else None


def accept_plan(reply: Reply) -> str:
    """Create the proposed plan with its fee, once the customer accepted it.

    The terms are computed again and must equal the last proposal sent. When
    they changed (a payment, a new invoice, another day), the new terms are
    proposed instead, so a fee is never charged without being shown.
    """
    case = reply.case
    assert case is not None
    count = proposed_installments(case)
    services = reply.services
    if count is None or services is None:
        # Nothing was proposed, so the button or "acepto" is a plain ok.
        return acknowledge(reply)
    if not accepts_plan(reply):
        # The intent reads as acceptance but the text refuses ("no lo
        # acepto"), so a person goes over the terms instead.
        case.pending_question = None
        return _hand_off_with_ack(reply, "plan_declined")

    case.pending_question = None
    proposal = _last_proposal(reply, case)
    if proposal.get(PLAN_PARTS_VARIABLE):
        return _accept_plans(reply, case, count, proposal)
    days = tuple(
        date.fromisoformat(day) for day in proposal.get(PLAN_DAYS_VARIABLE) or []
    )
    first_text = proposal.get(PLAN_FIRST_VARIABLE)
    first_amount = Decimal(first_text) if first_text is not None else None
    offer = services.propose_plan(
        reply.session, case, count, reply.now, days, first_amount, None
    )
    if offer is None:
        return _hand_off_with_ack(reply, "installments_requested")
    terms = {key: proposal.get(key) for key in PlanOffer.variable_names()}
    if terms != offer.variables():
        return _propose_plan(reply, case, offer, days, first_amount)
    if not services.create_plan(
        reply.session, case, count, reply.now, days, first_amount, True, None
    ):
        return _hand_off_with_ack(reply, "installments_requested")

    reply.entities["plan_fee_accepted"] = str(offer.fee)
    _send_plan_link(reply, case, offer)
    return "plan_accepted"


def proposed_installments(case: Case) -> int | None:
    """Return the installment count of the plan proposed to the case, if any."""
    question = case.pending_question or ""
    if not question.startswith(PLAN_QUESTION):
        return None
    count = question[len(PLAN_QUESTION) :]
    return int(count) if count.isdigit() else None


def accepts_plan(reply: Reply) -> bool:
    """Return whether the reply accepts a proposed plan.

    It does when a proposed plan is pending and the reply is the "Acepto el
    plan" button, an affirmative acknowledgement ("ok", "dale", not a bare
    "gracias") or says "acepto" or "aceito" without a negation before it. An
    opt-out or a wrong-person reply never accepts, so its own action runs,
    and neither does a reaction or a reply that names another count, even
    one outside 2..48.
    """
    if reply.case is None:
        return False
    proposed = proposed_installments(reply.case)
    if proposed is None:
        return False
    meaning = reply.meaning
    if meaning.opt_out or meaning.intent in NOT_ACCEPTING:
        return False
    # A reaction may point at any message, so it is no consent to a fee.
    if reply.inbound.type == "reaction":
        return False
    # "Acepto, pero en 4 cuotas" requests other terms than those proposed,
    # and so do "acepto, pero en 1 cuota" and "… en 60 cuotas".
    if meaning.installments is not None and meaning.installments != proposed:
        return False
    text = reply.inbound.text or ""
    if meaning.installments is None and named_count_outside(text) is not None:
        return False
    if REFUSE_WORDS.search(text) is not None:
        return False
    if meaning.intent == "accept_plan":
        return True
    if meaning.intent == "acknowledge" and AGREE_WORDS.search(text) is not None:
        return True
    return ACCEPT_WORDS.search(text) is not None


def _propose_plan(
    reply: Reply,
    case: Case,
    offer: PlanOffer,
    days: tuple[date, ...],
    first_amount: Decimal | None = None,
) -> str:
    case.pending_question = f"{PLAN_QUESTION}{offer.count}"
    case.question_asked_at = reply.now
    # One proposal per set of terms, so a repeated request gets one message.
    scope = f"{offer.count}:{offer.total}:{offer.schedule[0][1].isoformat()}"
    variables = offer.variables()
    if days:
        named = [day.isoformat() for day in days]
        scope = f"{scope}:{','.join(named)}"
        variables[PLAN_DAYS_VARIABLE] = named
    if first_amount is not None:
        scope = f"{scope}:{first_amount}"
        variables[PLAN_FIRST_VARIABLE] = str(first_amount)
    if reply.entities.get(MAX_REACHED):
        variables[MAX_REACHED] = True
    queue_reply(reply, "plan_proposal", scope, variables)
    reply.entities["plan_fee_proposed"] = str(offer.fee)
    return "plan_proposed"


def _send_plan_link(reply: Reply, case: Case, offer: PlanOffer) -> None:
    """Queue the plan's message: each installment's amount and date, and its link.

    The plan was created in this transaction from the same terms as `offer`,
    so the schedule shown is the one stored.
    """
    assert reply.services is not None
    charge = reply.services.payment_link(reply.session, reply.business, case, reply.now)
    variables = offer.variables()
    if charge is not None and charge.url is not None:
        variables["payment_link"] = charge.url
    scope = f"{offer.count}:{_daily(reply)}"
    if reply.entities.get(MAX_REACHED):
        variables[MAX_REACHED] = True
    queue_reply(reply, "plan_offer_reply", scope, variables)


def _send_plans_link(reply: Reply, case: Case, offers: list[PlanOffer]) -> None:
    """Queue the message of plans in several currencies, with one link per plan.

    The message's balance (`monto`) names every currency in the order of
    `offers`. `detalle_cuotas` lists each plan's installments, and `pago`
    the link of each plan's first installment.
    """
    assert reply.services is not None
    charge = reply.services.payment_link(reply.session, reply.business, case, reply.now)
    variables: dict[str, Any] = {
        "installments": offers[0].count,
        PLAN_PARTS_VARIABLE: [offer.part() for offer in offers],
    }
    if charge is not None and charge.url is not None:
        variables["payment_link"] = charge.url
        if charge.others:
            # The links follow the plans' order, so each sits where its
            # schedule does.
            order = [offer.currency for offer in offers]
            charges = charge.variables()["link_charges"]
            variables["link_charges"] = sorted(
                charges,
                key=lambda item: (
                    order.index(item[0]) if item[0] in order else len(order)
                ),
            )
    scope = f"{offers[0].count}:{_daily(reply)}"
    if reply.entities.get(MAX_REACHED):
        variables[MAX_REACHED] = True
    queue_reply(reply, "plan_offer_reply", scope, variables)


def _last_proposal(reply: Reply, case: Case) -> dict[str, Any]:
    """Return the variables of the last `plan_proposal` queued for the case.

    Returns an empty mapping when none was queued.
    """
    row = reply.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.step_kind == "plan_proposal",
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return {}
    return dict(row.variables or {})


def _named_days(reply: Reply) -> tuple[date, ...]:
    """Return the days the reply names to pay on, earliest first."""
    locale = reply.customer.locale or reply.business.locale
    return tuple(payment_days(reply.inbound.text or "", reply.today, locale))


def payment_link(reply: Reply) -> str:
    """Send what is due now with its link, and the business's payment instructions.

    The reply states the amount the link charges and what it covers (see
    `LinkCharge`). A business that set payment instructions gets them next
    to the link, because a customer who requests the alias may not want a
    link. Without a link the instructions take its place.
    """
    case = reply.case
    assert case is not None
    charge = None
    if reply.services is not None:
        charge = reply.services.payment_link(
            reply.session, reply.business, case, reply.now
        )
    variables = charge.variables() if charge is not None else {}
    step_kind = "link_reply"
    if charge is not None and charge.url is not None and _has_instructions(reply):
        step_kind = "link_reply_instructions"
    if charge is not None:
        reply.entities["link_amount"] = str(charge.amount)
        reply.entities["link_covers"] = str(charge.covers)
        if charge.others:
            reply.entities["link_currencies"] = [
                each.currency for each in (charge, *charge.others)
            ]

    # A burst of requests gets one link; asking again later ("no me
    # llegó") gets it again.
    moment = reply.inbound.received_at
    window = f"{moment:%Y-%m-%dT%H}:{moment.minute // LINK_REPEAT_MINUTES}"
    if not queue_reply(reply, step_kind, window, variables):
        return "link_already_sent"
    return "link_sent"


def _has_instructions(reply: Reply) -> bool:
    """Return whether the business's payment instructions can go beside a link.

    Instructions saved when the setting allowed more than the composer's
    `PAYMENT_TEXT_MAX` would make the message fail, so the link goes alone.
    """
    instructions = (reply.business.settings or {}).get("payment_instructions")
    if not instructions:
        return False
    return len(clean_parameter(str(instructions))) <= PAYMENT_TEXT_MAX


def dispute(reply: Reply) -> str:
    """Mark the invoices the reply is about disputed, acknowledge, hand off.

    See `disputed_invoices` for how the invoices are chosen.
    """
    case = reply.case
    assert case is not None
    documents, basis = disputed_invoices(reply)
    for document in documents:
        set_disputed(
            reply.session,
            reply.business.id,
            document.id,
            True,
            CONSENT_SOURCE,
            reply.now,
            ACTOR,
        )
    reply.entities["disputed_documents"] = [doc.number for doc in documents]
    reply.entities["disputed_by"] = basis
    hand_off(reply.session, case, "dispute", reply.now)
    queue_reply(reply, "dispute_ack", _daily(reply))
    return "dispute_recorded"


def disputed_invoices(reply: Reply) -> tuple[list[Document], str]:
    """Return the open invoices a dispute is about, and what singled them out.

    The first rule that picks an invoice wins. First come the invoice
    numbers the reply names ("number"). Next come the invoices of the
    message it quotes or replies to with a button ("quoted"). Last comes
    the one invoice whose amount it states ("amount"). When no rule picks
    one, every open invoice is disputed ("all"). Pausing too much is safer
    than writing again about a charge the customer contests, and a person
    reviews the case anyway.

    Invoices already disputed count when singling out, so a customer who
    insists about the same invoice does not pause the others; only those
    not yet disputed are returned.
    """
    documents = _open_invoices(reply)
    text = reply.inbound.text
    named = [doc for doc in documents if _names_invoice(text, doc.number)]
    if named:
        return _not_disputed(named), "number"
    quoted = _quoted_documents(reply)
    in_quoted = [doc for doc in documents if doc.id in quoted]
    if in_quoted:
        return _not_disputed(in_quoted), "quoted"
    amount = reply.meaning.amount
    if amount is not None:
        priced = [doc for doc in documents if amount in (doc.open_amount, doc.amount)]
        if len(priced) == 1:
            return _not_disputed(priced), "amount"
    return _not_disputed(documents), "all"


def _not_disputed(documents: list[Document]) -> list[Document]:
    return [doc for doc in documents if not doc.disputed]


# Words that may stand before an invoice's number when the customer leaves
# out its letters or its leading zeros: "la factura 2", "fc 0002", "nro 15".
_INVOICE_WORD = r"(?:factura|fact|fac|fc|fatura|nf|boleta|comprobante|nro|numero|num|#)"


def _names_invoice(text: str | None, number: str) -> bool:
    """Return whether `text` names invoice `number`.

    The number counts written as stored ("A-0002"), without its separators
    ("A0002", "a 0002"), or as its digits without leading zeros after an
    invoice word ("la factura 2", "fc a 0002"). A number of digits only
    counts after an invoice word, so "del 15/3" or "3 veces" does not name
    invoice "3" or "15".
    """
    if not text:
        return False
    folded = fold(text)
    compact = re.sub(r"[\W_]+", "", fold(number))
    # A number of digits alone ("3", "15", "1500") is also a day, a count,
    # an amount or part of a phone, so it needs an invoice word before it,
    # unless its leading zeros ("0001234") mark it as a document's number.
    bare = compact.isdigit() and not (compact.startswith("0") and len(compact) >= 4)
    if not bare and _mentions(text, number):
        return True
    if sum(char.isdigit() for char in compact) >= 3 and not compact.isdigit():
        spaced = r"[\W_]*".join(re.escape(char) for char in compact)
        if re.search(rf"(?<![a-z0-9]){spaced}(?![a-z0-9])", folded):
            return True
    parts = re.fullmatch(r"([a-z]*)[\W_]*.*?(\d+)", fold(number).strip())
    if parts is None:
        return False
    prefix, digits = parts.groups()
    series = rf"(?:{re.escape(prefix)}\W{{0,2}})?" if prefix else ""
    pattern = (
        rf"(?<![a-z0-9]){_INVOICE_WORD}\W{{0,3}}{series}"
        rf"0*{digits.lstrip('0') or '0'}(?![.,]?\d)"
    )
    return re.search(pattern, folded) is not None


def _quoted_documents(reply: Reply) -> set[int]:
    """Return the documents named by the message the reply quotes, if ours."""
    quoted_id = reply.inbound.reply_to
    if not quoted_id:
        return set()
    row = reply.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == reply.business.id,
            OutboxMessage.customer_id == reply.customer.id,
            OutboxMessage.provider_message_id == quoted_id,
        )
    ).first()
    if row is None:
        return set()
    return set(row.document_ids or ())


# Another way to reach the customer, in an opt-out: "mi número nuevo es
# 11 5555 1234", "escríbanme al otro número", "mándenlo por mail". Digits
# count only after a phone word or "al".
OTHER_CONTACT = re.compile(
    r"\b(?:otro|nuevo|outro|novo) (?:numero|celular|cel|telefono|whatsapp|wsp)\b"
    r"|\b(?:numero|celular|cel|telefono) (?:nuevo|correcto|novo)\b"
    r"|\b(?:mail|email|e mail|correo)\b|@"
    r"|\b(?:numero|celular|cel|telefono|tel|whatsapp|wsp|wpp|zap|al):?"
    r"(?: [a-z]+){0,3} +(?P<digits>\(?\d(?:[ .()-]{0,2}\d){7,})"
)
# Negations and stop verbs: in "ni al otro número", "no tengo otro número"
# and "dejen de escribirme por WhatsApp y por correo" the contact is
# negated, not given, unless a contrast follows ("no por acá sino por mail").
_NEGATION = re.compile(
    r"\b(?:ni|no|nunca|tampoco|ningun|ninguna|sin|nao|nem|nenhum|sem|dejen|"
    r"dejar|paren|parar|basta|parem|pare)\b"
)
# A contrast, or "y" before a request to write elsewhere or a possessive,
# ends the negation: "dejen de escribirme acá y escriban a ana@x.com",
# "no uso más este número y mi nuevo número es …".
_CONTRAST = re.compile(
    r"\b(?:sino|mejor|pero|solo|solamente|somente|mas sim)\b"
    r"|\b(?:y|e) (?:escrib|llam|mand|contact|habl|usen|us[ae]\b|mi\b|meu\b|"
    r"minha\b|me escrev|me liguem|liguem)"
)
_NEGATION_AFTER = frozenset({"ni", "no", "tampoco", "nao", "nem"})
# Digits after one of these words are an id, an account or an invoice.
_ID_WORDS = frozenset(
    {
        "factura",
        "fc",
        "boleta",
        "boleto",
        "fatura",
        "comprobante",
        "recibo",
        "cbu",
        "cvu",
        "alias",
        "cuenta",
        "conta",
        "cliente",
        "dni",
        "cuit",
        "cuil",
        "rut",
        "ruc",
        "cpf",
        "cnpj",
        "operacion",
        "transaccion",
        "referencia",
        "pedido",
        "orden",
        "contrato",
        "documento",
        "pix",
    }
)
_PAYMENT_VERB = re.compile(
    r"\b(?:pague|pagamos|transferi|transferimos|deposite|abone|paguei|"
    r"transferi|depositei)\b"
)
_SUM = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
# Clause ends; a dot between digits belongs to a number, and a colon
# introduces the contact ("Cel: 11 5555 6666").
_CLAUSE_END = re.compile(r"[,;!?]|\.(?!\d)")


def _gives_contact(text: str) -> bool:
    """Tell whether `text` names another contact that it does not negate."""
    for clause in _CLAUSE_END.split(fold(text)):
        for match in OTHER_CONTACT.finditer(clause):
            before = clause[: match.start()]
            negations = list(_NEGATION.finditer(before))
            if negations and not _CONTRAST.search(before[negations[-1].end() :]):
                continue
            if _NEGATION_AFTER.intersection(clause[match.end() :].split()[:3]):
                continue
            digits = match.group("digits")
            if digits is not None and (
                _SUM.fullmatch(digits)
                or _ID_WORDS.intersection([*before.split()[-1:], *match[0].split()])
                or _PAYMENT_VERB.search(clause)
            ):
                continue
            return True
    return False


def opt_out(reply: Reply) -> str:
    """Record the revocation at once and confirm it once.

    An opt-out that gives another contact also goes to a person, who
    updates the customer's phone or writes through the new channel. One
    that threatens a complaint (Procon, a lawyer, the courts) goes to a
    person too. Both open a case when there is none. Such an opt-out gets
    no message but the confirmation, because the person decides whether and
    how to reply.

    The confirmation is queued on the open case, else on the customer's
    latest closed one. A customer who never had a case (one who writes
    before the first reminder) gets a case opened for it, as the first
    reminder would have opened one. The gate lets only this message through
    after the revocation, so every reminder the planner queues for the case
    is suppressed as opted out.
    """
    session = reply.session
    text = reply.inbound.text or ""
    if reply.case is None:
        _lock_customer(reply)
    if threatens_complaint(text):
        _hand_off_complaint(reply)
    elif _gives_contact(text):
        case = _case_for_reply(reply)
        hand_off(session, case, "opt_out_new_contact", reply.now)
    if current_consent(session, reply.business.id, reply.customer.id) is False:
        return "already_opted_out"
    event = record_consent(
        session,
        reply.business.id,
        reply.customer.id,
        ConsentAction.REVOKE,
        CONSENT_SOURCE,
        str(reply.inbound.id),
        reply.now,
        actor=ACTOR,
    )
    case = _any_case(reply) or _case_for_reply(reply)
    queue_reply(reply, OPTOUT_CONFIRMATION, str(event.id), case=case)
    return "opted_out"


def _lock_customer(reply: Reply) -> None:
    """Lock the customer's row, so that its replies without a case act in turn.

    With an open case the dialogue locks the case. Without one, two "BAJA"
    handled at once by two workers would both read the consent as active,
    and each would queue a confirmation under its own revocation. SQLite
    serialises writers and needs no lock.
    """
    session = reply.session
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        select(Customer.id).where(Customer.id == reply.customer.id).with_for_update()
    )


def _case_for_reply(reply: Reply) -> Case:
    """Return the reply's open case, opening one when the customer has none."""
    if reply.case is None:
        reply.case = open_case_for_reply(
            reply.session, reply.business.id, reply.customer.id, reply.now
        )
    return reply.case


# Intents whose own action goes to a person. It still runs after a complaint
# threat hands the case off (a dispute still pauses its invoices), and runs
# for a customer without an open case whatever the customer owes.
PERSON_INTENTS = frozenset({"dispute", "request_human", "cannot_pay", "wrong_person"})


def complaint(reply: Reply) -> str:
    """Hand a reply that threatens a complaint to a person, whatever it requests.

    "Vou te denunciar no Procon" may read as a promise and "vou procurar
    meus direitos na justiça" as a payment report, so no promise, plan or
    link is made from it. A dispute, a request for a person, "I cannot pay"
    and a wrong number still run their own action after the hand-off.
    Opt-outs never come here: `opt_out` hands off its own threats.
    """
    _hand_off_complaint(reply, stop_replies=False)
    intent = reply.meaning.intent
    if intent in PERSON_INTENTS:
        return ACTIONS[intent](reply)
    queue_reply(reply, "handoff_ack", _daily(reply))
    return "handed_off"


def _hand_off_complaint(reply: Reply, *, stop_replies: bool = True) -> None:
    """Hand the customer's case to a person as `COMPLAINT_THREAT`, with no ack.

    A case is opened when the customer has none. With `stop_replies`, the
    replies still queued for the customer are suppressed as well.
    """
    case = reply.case or open_case_for_reply(
        reply.session, reply.business.id, reply.customer.id, reply.now
    )
    reply.case = case
    hand_off(reply.session, case, COMPLAINT_THREAT, reply.now)
    if not stop_replies:
        return
    # Replies to earlier messages still queued would write to someone who
    # requested no more messages and threatens a complaint.
    supersede_replies(reply, None, COMPLAINT_THREAT)


def opt_in(reply: Reply) -> str:
    """Record a new grant for a customer who opted out and requests messages again.

    Only a revocation the customer made can be lifted this way: a number
    flagged as the wrong person stays blocked until the owner corrects it.
    A customer whose consent is active is told that reminders already
    reach them, once a day, with no hand-off and no pause.
    """
    session = reply.session
    if reply.customer.phone_status == WRONG_PERSON:
        return "opt_in_ignored_wrong_person"
    state = current_consent_state(session, reply.business.id, reply.customer.id)
    if state.granted is not False:
        # A pending question stays pending: this answer asks nothing.
        queue_reply(reply, ALREADY_OPTED_IN_REPLY, _daily(reply), case=_any_case(reply))
        return ALREADY_OPTED_IN
    if state.event is None or state.event.source != CONSENT_SOURCE:
        # The owner (or a wrong-person report) revoked it, so only the owner
        # can grant it again. The case waits in the inbox so that the owner
        # sees the request, and the customer gets no message meanwhile.
        case = reply.case or open_case_for_reply(
            session, reply.business.id, reply.customer.id, reply.now
        )
        reply.case = case
        hand_off(session, case, OPT_IN_OWNER_REVOCATION, reply.now)
        return "opt_in_ignored_owner_revocation"
    event = record_consent(
        session,
        reply.business.id,
        reply.customer.id,
        ConsentAction.GRANT,
        f"{CONSENT_SOURCE}: pidió volver a recibir mensajes",
        str(reply.inbound.id),
        reply.now,
        actor=ACTOR,
    )
    queue_reply(reply, "optin_confirmation", str(event.id), case=_any_case(reply))
    inbound = reply.inbound
    if inbound.type != "text" or not asks_only_to_opt_in(inbound.text or ""):
        # The rest of the reply may be a dispute or a question that the
        # consent grant does not answer, so a person reads it.
        case = reply.case or open_case_for_reply(
            session, reply.business.id, reply.customer.id, reply.now
        )
        reply.case = case
        hand_off(session, case, OPT_IN_WITH_MORE, reply.now)
        return "opted_in_handed_off"
    return "opted_in"


def wrong_person(reply: Reply) -> str:
    """Stop writing to the number at once and flag the contact for correction."""
    session = reply.session
    customer = reply.customer
    customer.phone_status = WRONG_PERSON
    customer.phone_problem = (
        "Quien respondió dice no ser el cliente: corregí el teléfono y volvé a "
        "importarlo"
    )
    customer.updated_at = reply.now
    if current_consent(session, reply.business.id, customer.id) is not False:
        record_consent(
            session,
            reply.business.id,
            customer.id,
            ConsentAction.REVOKE,
            f"{CONSENT_SOURCE}: número equivocado",
            str(reply.inbound.id),
            reply.now,
            actor=ACTOR,
        )
    if reply.case is not None:
        hand_off(session, reply.case, WRONG_PERSON, reply.now)
    return "wrong_person_flagged"


def human(reply: Reply) -> str:
    """Hand the case to a person, who replies from the inbox.

    A reply the model read as an opt-out that the rules did not confirm is
    handed off as `possible_opt_out`, so the person checks for one first.
    It gets no acknowledgement, and the replies still queued for the
    customer are suppressed: the customer may have asked for no more
    messages, so only the person decides whether to write again.
    """
    meaning = reply.meaning
    if meaning.possible_opt_out:
        assert reply.case is not None
        hand_off(reply.session, reply.case, "possible_opt_out", reply.now)
        # Replies to earlier messages that still wait would write to someone
        # who may have asked for no more messages.
        supersede_replies(reply, None, "possible_opt_out")
        return "handed_off"
    return _hand_off_with_ack(reply, meaning.intent)


# Questions that an "ok" does not answer: after "¿qué día?" and "ok", a
# second promise without a day goes to a person instead of asking again.
_OPEN_AFTER_OK = frozenset({"promise_date", "clarify"})


def acknowledge(reply: Reply) -> str:
    """Send nothing, because an "ok" or a thank-you needs no reply."""
    case = reply.case
    if case is not None and case.pending_question not in _OPEN_AFTER_OK:
        case.pending_question = None
    return "none"


def other(reply: Reply) -> str:
    """Ask once what the customer meant; a second unclear reply goes to a person.

    A customer with an active installment plan is not offered another plan:
    the question (`clarify_plan`) names the next installment instead.
    """
    installment = _next_installment(reply)
    if installment is None:
        return _ask_once(reply, "clarify", "clarify", "unclear_reply")
    return _ask_once(
        reply, "clarify", "clarify_plan", "unclear_reply", installment.variables()
    )


# An identity question within this many hours of an answered one goes to a
# person: the customer read the answer, or will, and still asks.
IDENTITY_REPEAT_HOURS = 24
# The action taken on an identity question that got the answer, and the
# hand-off reason of one asked again.
IDENTIFIED = "identified"
IDENTITY_REPEATED = "identity_repeated"


def identify(reply: Reply) -> str:
    """Tell a customer who asks who is writing the business, its tax id and why.

    The answer is no clarification, so a pending question stays pending. A
    second identity question within `IDENTITY_REPEAT_HOURS` goes to a
    person instead of repeating the answer.
    """
    since = reply.inbound.received_at - timedelta(hours=IDENTITY_REPEAT_HOURS)
    if _answered_identity_since(reply, since):
        return _hand_off_with_ack(reply, IDENTITY_REPEATED)
    queue_reply(reply, "identity_reply", _daily(reply))
    return IDENTIFIED


def _answered_identity_since(reply: Reply, since: datetime) -> bool:
    """Tell whether another reply of the customer got the answer since `since`."""
    inbound = reply.inbound
    earlier = reply.session.scalar(
        select(InboundMessage.id)
        .where(
            InboundMessage.business_id == inbound.business_id,
            InboundMessage.customer_id == inbound.customer_id,
            InboundMessage.id != inbound.id,
            InboundMessage.action_taken == IDENTIFIED,
            InboundMessage.received_at >= since,
        )
        .limit(1)
    )
    return earlier is not None


# Balance questions within this many minutes get one answer while the
# balance stays the same, so a burst of "¿cuánto debo?" gets one message.
BALANCE_REPEAT_MINUTES = 30
# The action taken on a question about the balance that got the answer, and
# on one asked again within `BALANCE_REPEAT_MINUTES` with the same balance.
BALANCE_STATED = "balance_stated"
BALANCE_ALREADY_STATED = "balance_already_stated"


def state_balance(reply: Reply) -> str:
    """Tell a customer who asks how much they owe the balance in each currency.

    The answer says what is overdue and when the next invoice falls due,
    and offers to pay, to request installments or to report a payment.
    During an active plan it names the next installment instead, as
    `clarify_plan` does. A customer who owes nothing collectable gets the
    reply that no reminders are pending (`after_close`), unless what they
    owe is disputed, when a person replies (`disputed`).

    The answer is no clarification, so a pending question stays pending.
    A question asked again gets the answer again, because the balance may
    have changed and the question is clear, unlike a repeated "¿quién es?",
    which `identify` hands to a person. Only a burst of questions within
    `BALANCE_REPEAT_MINUTES` with an unchanged balance gets one message.
    """
    balances = open_balances(
        reply.session, reply.business, reply.customer.id, reply.today
    )
    owed = [balance for balance in balances if balance.balance > 0]
    if not owed and all_disputed(reply):
        return disputed(reply)
    if not owed:
        return after_close(reply)

    installment = _next_installment(reply)
    if installment is not None and installment.currency not in {
        balance.currency for balance in owed
    }:
        # The plan's currency has nothing collectable left to name.
        installment = None
    first = installment.currency if installment is not None else owed[0].currency
    owed.sort(key=lambda balance: balance.currency != first)
    variables: dict[str, Any] = {
        "balance": str(owed[0].balance),
        "currency": owed[0].currency,
        OTHER_BALANCES_VARIABLE: [
            [balance.currency, str(balance.balance)] for balance in owed[1:]
        ],
        BALANCE_DUES_VARIABLE: [
            [balance.currency, str(amount), None if due_on is None else str(due_on)]
            for balance in owed
            for due_on, amount in balance.dues
        ],
    }
    step_kind = "balance_reply"
    if installment is not None:
        step_kind = "balance_reply_plan"
        variables.update(installment.variables())
        reply.entities["balance_installment"] = installment.number
    reply.entities["balances_stated"] = {
        balance.currency: str(balance.balance) for balance in owed
    }

    stated = "+".join(f"{balance.currency}{balance.balance}" for balance in owed)
    if installment is not None:
        stated = f"{stated}:{installment.number}"
    if _balance_stated_since(reply, stated):
        return BALANCE_ALREADY_STATED
    moment = reply.inbound.received_at
    if not queue_reply(reply, step_kind, f"{moment:%Y%m%dT%H%M%S}:{stated}", variables):
        return BALANCE_ALREADY_STATED
    return BALANCE_STATED


def _balance_stated_since(reply: Reply, stated: str) -> bool:
    """Tell whether the same balance was answered in the last `BALANCE_REPEAT_MINUTES`.

    The window rolls back from this reply, so two questions a minute apart
    get one answer even across a full or half hour. `stated` is the end of
    the earlier answer's step: the balances and the installment number.
    """
    case = reply.case
    assert case is not None
    since = reply.now - timedelta(minutes=BALANCE_REPEAT_MINUTES)
    steps = reply.session.scalars(
        select(OutboxMessage.step).where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.step_kind.in_(_BALANCE_REPLIES),
            OutboxMessage.created_at >= since,
        )
    )
    return any(step.endswith(f":{stated}") for step in steps)


@dataclass(frozen=True)
class _NextInstallment:
    """The first unpaid installment of a case's active plan."""

    number: int
    count: int
    amount: Decimal
    currency: str
    due_on: date

    def variables(self) -> dict[str, Any]:
        """Return the variables that `clarify_plan` states the installment with."""
        return {
            "link_amount": str(self.amount),
            "link_covers": LinkCovers.INSTALLMENT.value,
            "installment_number": self.number,
            "installments": self.count,
            "currency": self.currency,
            "oldest_due_on": self.due_on.isoformat(),
        }


def _next_installment(reply: Reply) -> _NextInstallment | None:
    """Return the next unpaid installment of the case's active plan, if any."""
    assert reply.case is not None
    found = reply.session.execute(
        select(
            Installment.number,
            InstallmentPlan.installment_count,
            Installment.amount,
            InstallmentPlan.currency,
            Installment.due_on,
        )
        .join(InstallmentPlan, InstallmentPlan.id == Installment.plan_id)
        .where(
            InstallmentPlan.business_id == reply.business.id,
            InstallmentPlan.case_id == reply.case.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
        )
        .order_by(Installment.due_on, InstallmentPlan.currency, Installment.number)
        .limit(1)
    ).first()
    if found is None:
        return None
    return _NextInstallment(*found)


def after_close(reply: Reply) -> str:
    """Answer a reply that arrives after the case was paid or closed, once a day."""
    closed = _any_case(reply)
    if closed is None:
        return "no_case"
    queue_reply(reply, "closed_ack", _daily(reply), case=closed)
    return "closed_acknowledged"


ACTIONS: dict[str, Action] = {
    "promise_to_pay": promise,
    "already_paid": already_paid,
    "receipt": receipt,
    "request_installments": installments,
    "accept_plan": accept_plan,
    "request_payment_link": payment_link,
    "dispute": dispute,
    "opt_out": opt_out,
    "request_human": human,
    "cannot_pay": human,
    "wrong_person": wrong_person,
    "acknowledge": acknowledge,
    "other": other,
}


def paid_pause_days(business: Business) -> int:
    """Return the days reminders wait after a reported payment (default 3)."""
    value = (business.settings or {}).get("paid_pause_days", DEFAULT_PAID_PAUSE_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"invalid paid_pause_days {value!r} of business {business.id}: "
            "set a whole number of days, such as 3"
        ) from exc
    return max(days, 0)


def _pause_case(case: Case, until: datetime, promise_id: int) -> None:
    """Pause an open case until `until` for a promise.

    A new promise replaces the pause of an earlier one. A longer pause (an
    installment plan, an owner's pause without end) and a hand-off are left
    as they are, so a promise cannot shorten them.
    """
    replaces = case.state == CaseState.PAUSED and (case.pause_reason or "").startswith(
        PROMISE_PAUSE_PREFIX
    )
    if not replaces and _pause_covers(case, until):
        return
    case.state = CaseState.PAUSED
    case.paused_until = until
    case.pause_reason = f"{PROMISE_PAUSE_PREFIX} {promise_id}"


def _pause_for_verification(reply: Reply, case: Case) -> None:
    until = start_of_day(
        reply.today + timedelta(days=paid_pause_days(reply.business) + 1), reply.tz
    )
    if _pause_covers(case, until):
        return
    case.state = CaseState.PAUSED
    case.paused_until = until
    case.pause_reason = PAYMENT_PAUSE_REASON


def _pause_covers(case: Case, until: datetime) -> bool:
    """Return whether the case already waits at least until `until`."""
    if case.state == CaseState.HANDED_OFF:
        return True
    if case.state != CaseState.PAUSED:
        return False
    return case.paused_until is None or case.paused_until >= until


def _recent_receipt(reply: Reply) -> bool:
    since = reply.now - timedelta(days=paid_pause_days(reply.business) + 1)
    found = reply.session.scalar(
        select(InboundMessage.id)
        .where(
            InboundMessage.business_id == reply.business.id,
            InboundMessage.customer_id == reply.customer.id,
            InboundMessage.type.in_(RECEIPT_TYPES),
            InboundMessage.received_at >= since,
        )
        .limit(1)
    )
    return found is not None


# Intents whose action still applies while every invoice is on hold: a stop
# request, and those that reach a person anyway after recording something
# (a dispute marks the invoices, a wrong number revokes consent).
OWN_ACTION_WHEN_HELD = frozenset({"opt_out", *PERSON_INTENTS})


def all_held(reply: Reply) -> bool:
    """Return whether every invoice the customer owes is on hold today."""
    holds = customer_holds(
        reply.session,
        reply.business.id,
        [reply.customer.id],
        reply.now,
        reply.business.timezone,
    ).get(reply.customer.id)
    return holds is not None and holds.all_held


def held(reply: Reply) -> str:
    """Hand a reply to a person while every invoice owed is on hold.

    The owner held them to collect by other means, such as a lawsuit. The
    balance leaves held invoices out and would read $ 0, so the robot
    neither quotes it nor sends a link or records a promise. Nor does it
    claim that nothing is pending: the acknowledgement states only that a
    person will reply. The case must be open, as `act_without_case` opens
    it for a customer who has none.
    """
    return _hand_off_with_ack(reply, "invoices_held")


# Intents whose action still applies while every invoice owed is disputed:
# those of `OWN_ACTION_WHEN_HELD`, and a promise, which is recorded for the
# person to review (see `promise`).
OWN_ACTION_WHEN_DISPUTED = frozenset({*OWN_ACTION_WHEN_HELD, "promise_to_pay"})


def all_disputed(reply: Reply) -> bool:
    """Return whether the customer owes only invoices in dispute or on hold.

    At least one owed invoice must be disputed: a debt that is all on hold
    is `all_held`. Such a customer has no collectable balance, yet owes.
    """
    balances = open_balances(
        reply.session, reply.business, reply.customer.id, reply.today
    )
    if any(balance.balance > 0 for balance in balances):
        return False
    found = reply.session.scalar(
        select(Document.id)
        .where(
            Document.business_id == reply.business.id,
            Document.customer_id == reply.customer.id,
            Document.open_amount > Decimal(0),
            Document.missing_since.is_(None),
            Document.disputed.is_(True),
        )
        .limit(1)
    )
    return found is not None


def disputed(reply: Reply) -> str:
    """Hand a reply to a person while every invoice owed is disputed.

    The balance leaves disputed invoices out and would read $ 0, and the
    dispute is the person's to settle, so the robot neither quotes the
    balance nor states that nothing is pending. The case must be open.
    """
    return _hand_off_with_ack(reply, "invoices_disputed")


def _hand_off_with_ack(reply: Reply, reason: str) -> str:
    case = reply.case
    assert case is not None
    hand_off(reply.session, case, reason, reply.now)
    queue_reply(reply, "handoff_ack", _daily(reply))
    return "handed_off"


def _open_invoices(reply: Reply) -> list[Document]:
    return list(
        reply.session.scalars(
            select(Document)
            .where(
                Document.business_id == reply.business.id,
                Document.customer_id == reply.customer.id,
                Document.open_amount > Decimal(0),
                Document.missing_since.is_(None),
            )
            .order_by(Document.id)
        )
    )


def _mentions(text: str | None, number: str) -> bool:
    """Return whether `text` names invoice `number` as a whole token."""
    if not text or not number.strip():
        return False
    pattern = r"(?<![\w-])" + re.escape(number.strip()) + r"(?![\w-])"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def _any_case(reply: Reply) -> Case | None:
    """Return the open case, else the customer's latest closed one."""
    if reply.case is not None:
        return reply.case
    return reply.session.scalars(
        select(Case)
        .where(
            Case.business_id == reply.business.id,
            Case.customer_id == reply.customer.id,
        )
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(1)
    ).first()
