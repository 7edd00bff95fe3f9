"""The catalog: step kinds, tones, locales and quick-reply buttons.

Adding a step kind is one `StepKind` entry in `STEP_KINDS` plus one template
file per template set and tone (`templates/<set>/<tone>/<step_kind>.j2`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Tone(StrEnum):
    FORMAL = "formal"
    FRIENDLY = "friendly"


class Category(StrEnum):
    """WhatsApp template categories that cobranza uses."""

    UTILITY = "UTILITY"
    MARKETING = "MARKETING"


@dataclass(frozen=True)
class StepKind:
    """One kind of message in a dunning policy.

    `reminder` marks the kinds that ask for a payment, so their text must name
    the amount, the due date and how to pay. `buttons` are ids from
    `BUTTON_TITLES`, in the order WhatsApp shows them.
    """

    name: str
    description: str
    reminder: bool
    buttons: tuple[str, ...]
    category: Category = Category.UTILITY
    # False only for the opt-out confirmation, which cannot offer an opt-out.
    opt_out_line: bool = True

    def template_name(self, tone: Tone) -> str:
        """Return the stable WhatsApp template name for this kind and tone."""
        return f"cobranza_{self.name}_{tone.value}"


_PAY_PAID = ("pay", "paid")
_PAY_SPLIT_PAID = ("pay", "installments", "paid")
_PAY_SPLIT = ("pay", "installments")

STEP_KINDS: MappingProxyType[str, StepKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            StepKind("preventive", "before the due date", True, _PAY_PAID),
            StepKind("due_today", "on the due date", True, _PAY_PAID),
            StepKind("reminder_soft", "the day after", True, _PAY_SPLIT_PAID),
            StepKind(
                "reminder_empathetic",
                "about a week late, offers to split the payment",
                True,
                _PAY_SPLIT_PAID,
            ),
            StepKind("second_notice", "about 15 days late", True, _PAY_SPLIT_PAID),
            StepKind(
                "plan_offer",
                "about 30 days late, offers an installment plan",
                True,
                ("installments", "pay", "paid"),
            ),
            StepKind("final_notice", "about 45 days late", True, _PAY_SPLIT_PAID),
            StepKind(
                "handoff_notice",
                "about 60 days late, a person will contact the customer",
                True,
                _PAY_PAID,
            ),
            # A discount is a promotional element, so WhatsApp classes the
            # template as MARKETING even though it is sent before a due date.
            StepKind(
                "early_discount",
                "before the due date, a percentage off when paid in time",
                True,
                _PAY_PAID,
                Category.MARKETING,
            ),
            StepKind(
                "promise_confirmation",
                "confirms a promise to pay",
                False,
                ("paid", "change_date"),
            ),
            StepKind("payment_thanks", "thanks for a payment", False, ()),
            StepKind(
                "broken_promise",
                "after a promised day passed unpaid, one step stronger",
                True,
                _PAY_SPLIT_PAID,
            ),
            # The same step when part of the promise arrived, or when the
            # customer reported a payment that a person has not verified.
            # Neither asks to report a payment again.
            StepKind(
                "broken_promise_partial",
                "after a promised day passed with part of the promise paid",
                True,
                _PAY_SPLIT,
            ),
            StepKind(
                "broken_promise_reported",
                "after a promised day passed, while a reported payment is verified",
                True,
                _PAY_SPLIT,
            ),
            # An overdue policy reminder, sent in place of one that offers
            # «Ya pagué» while a payment the customer reported is verified.
            StepKind(
                "reminder_reported",
                "an overdue reminder while a reported payment is verified",
                True,
                _PAY_SPLIT,
            ),
            # Replies to a customer's message, sent inside the 24-hour window.
            StepKind(
                "ask_promise_date",
                "asks for the day of a promise that named none",
                False,
                (),
            ),
            StepKind(
                "ask_receipt",
                "thanks for a reported payment and asks for the receipt",
                False,
                (),
            ),
            StepKind(
                "receipt_ack", "a person will check the receipt received", False, ()
            ),
            StepKind(
                "optout_confirmation",
                "confirms the opt-out, the last message sent",
                False,
                (),
                opt_out_line=False,
            ),
            StepKind(
                "optin_confirmation",
                "confirms that a customer who opted out receives messages again",
                False,
                (),
            ),
            StepKind(
                "optin_already_active",
                "tells a customer who requests messages that they receive them already",
                False,
                (),
            ),
            StepKind("handoff_ack", "a person will answer the customer", False, ()),
            StepKind(
                "dispute_ack",
                "the disputed invoices are paused and a person will review them",
                False,
                (),
            ),
            StepKind(
                "clarify", "asks once what the customer meant", False, _PAY_SPLIT_PAID
            ),
            # During an active plan another plan is no answer, so the question
            # names the next installment and offers no installments.
            StepKind(
                "clarify_plan",
                "asks once what the customer meant, naming the plan's next installment",
                False,
                _PAY_PAID,
            ),
            # A customer who asks who is writing learns the creditor, why it
            # writes and how to stop; no amount, in case the number changed
            # hands.
            StepKind(
                "identity_reply",
                "tells a customer who asked who is writing the creditor and why",
                False,
                (),
            ),
            # A customer who asks how much they owe learns the balance in each
            # currency and what is overdue. During an active plan the answer
            # names the next installment and offers no installments.
            StepKind(
                "balance_reply",
                "states the balance and what is overdue to a customer who asked",
                False,
                _PAY_SPLIT_PAID,
            ),
            StepKind(
                "balance_reply_plan",
                "states the balance and the plan's next installment on request",
                False,
                _PAY_PAID,
            ),
            StepKind(
                "plan_offer_reply",
                "the installment plan made on request, with its link",
                False,
                ("pay",),
            ),
            StepKind("link_reply", "the payment link on request", False, ("pay",)),
            StepKind(
                "link_reply_instructions",
                "the payment link on request, with the business's payment instructions",
                False,
                ("pay",),
            ),
            # A plan with a fee is created only after the customer accepts it.
            StepKind(
                "plan_proposal",
                "proposes an installment plan with its fee and asks to accept it",
                False,
                ("accept_plan",),
            ),
            StepKind(
                "installment_preventive",
                "before an installment's due date, names the installment",
                True,
                _PAY_PAID,
            ),
            StepKind(
                "installment_due_today",
                "on an installment's due date, names the installment",
                True,
                _PAY_PAID,
            ),
            StepKind(
                "installment_overdue",
                "the day after an unpaid installment's due date, within the grace",
                True,
                _PAY_PAID,
            ),
            StepKind(
                "closed_ack",
                "answers a message sent after the case was paid or closed",
                False,
                (),
            ),
        )
    }
)

# Quick-reply titles per language; WhatsApp allows at most 20 characters.
BUTTON_TITLES: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "pay": MappingProxyType({"es": "Pagar", "pt": "Pagar"}),
        "installments": MappingProxyType({"es": "Pedir cuotas", "pt": "Parcelar"}),
        "paid": MappingProxyType({"es": "Ya pagué", "pt": "Já paguei"}),
        "change_date": MappingProxyType({"es": "Cambiar fecha", "pt": "Alterar data"}),
        "accept_plan": MappingProxyType(
            {"es": "Acepto el plan", "pt": "Aceito o plano"}
        ),
    }
)


@dataclass(frozen=True)
class LocaleProfile:
    """How one locale is written and sent.

    `template_set` is the folder under `templates/`. `whatsapp_language` is
    the language code the template is registered under at Meta, and
    `required_parameters` the parameters that the country's law requires.
    """

    locale: str
    template_set: str
    language: str
    whatsapp_language: str
    opt_out: MappingProxyType[Tone, str]
    required_parameters: frozenset[str] = frozenset()


_OPT_OUT_ES_AR = MappingProxyType(
    {
        Tone.FRIENDLY: "Respondé BAJA si no querés recibir más recordatorios.",
        Tone.FORMAL: "Respondan BAJA si no desean recibir más recordatorios.",
    }
)
_OPT_OUT_ES = MappingProxyType(
    {
        Tone.FRIENDLY: "Responde BAJA si no quieres recibir más recordatorios.",
        Tone.FORMAL: "Responda BAJA si no desea recibir más recordatorios.",
    }
)
_OPT_OUT_PT = MappingProxyType(
    {
        Tone.FRIENDLY: "Responda SAIR se não quiser mais receber lembretes.",
        Tone.FORMAL: "Responda SAIR se não quiser mais receber lembretes.",
    }
)


def _neutral(locale: str, whatsapp_language: str) -> LocaleProfile:
    return LocaleProfile(locale, "es", "es", whatsapp_language, _OPT_OUT_ES)


# Meta's template languages include es, es_AR, es_ES and es_MX but no
# Colombian, Chilean, Peruvian or Uruguayan Spanish (list published by Wati,
# "Supported languages for template messages"), so those countries use "es".
LOCALES: MappingProxyType[str, LocaleProfile] = MappingProxyType(
    {
        "es_AR": LocaleProfile("es_AR", "es_AR", "es", "es_AR", _OPT_OUT_ES_AR),
        "es_MX": _neutral("es_MX", "es_MX"),
        "es_CO": _neutral("es_CO", "es"),
        "es_CL": _neutral("es_CL", "es"),
        "es_PE": _neutral("es_PE", "es"),
        "es_UY": _neutral("es_UY", "es"),
        "es": _neutral("es", "es"),
        # Brazil: the creditor's CNPJ or CPF in every collection message.
        "pt_BR": LocaleProfile(
            "pt_BR", "pt_BR", "pt", "pt_BR", _OPT_OUT_PT, frozenset({"dados_credor"})
        ),
    }
)

COUNTRY_LOCALES: MappingProxyType[str, str] = MappingProxyType(
    {
        "AR": "es_AR",
        "BR": "pt_BR",
        "CL": "es_CL",
        "CO": "es_CO",
        "MX": "es_MX",
        "PE": "es_PE",
        "UY": "es_UY",
    }
)

# Words whose plural the composer chooses, so templates need no conditionals.
COUNTED_WORDS: MappingProxyType[str, MappingProxyType[str, tuple[str, str]]] = (
    MappingProxyType(
        {
            "es": MappingProxyType(
                {
                    "invoice": ("factura", "facturas"),
                    "day": ("día", "días"),
                    "installment": ("cuota", "cuotas"),
                }
            ),
            "pt": MappingProxyType(
                {
                    "invoice": ("fatura", "faturas"),
                    "day": ("dia", "dias"),
                    "installment": ("parcela", "parcelas"),
                }
            ),
        }
    )
)
