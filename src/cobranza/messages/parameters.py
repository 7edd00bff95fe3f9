"""Template parameters: the named values a template body may use.

Each builder turns `MessageVariables` into one display string for the
message's locale. Builders run only for the parameters a template uses, so a
step kind that never mentions a discount never needs one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_percent
from stdnum.br import cnpj, cpf
from stdnum.mx import rfc

from cobranza.messages.catalog import COUNTED_WORDS, LocaleProfile, StepKind, Tone
from cobranza.messages.errors import InvalidVariableError, MissingVariableError
from cobranza.messages.variables import (
    LinkCovers,
    MessageVariables,
    clean_parameter,
    require_text,
)
from cobranza.money import format_money
from cobranza.tax_ids import TAX_ID_SCHEMES

# Lengths chosen so that the longest values still fit every template body in
# WhatsApp's 1,024 characters (a test renders all templates with them).
CUSTOMER_NAME_MAX = 60
BUSINESS_NAME_MAX = 60
PAYMENT_TEXT_MAX = 200
BUSINESS_ADDRESS_MAX = 100


@dataclass(frozen=True)
class ParameterContext:
    """The step kind, locale and tone a parameter is built for."""

    step_kind: StepKind
    profile: LocaleProfile
    tone: Tone = Tone.FRIENDLY

    def missing(self, variable: str, fix: str) -> MissingVariableError:
        return MissingVariableError(
            variable, self.step_kind.name, self.profile.locale, fix
        )


ParameterBuilder = Callable[[MessageVariables, ParameterContext], str]


def _amount(variable: str, value: Decimal, currency: str, locale: str) -> str:
    if not isinstance(value, Decimal):
        raise InvalidVariableError(variable, value, "pass a Decimal, never a float")
    return format_money(value, currency, locale)


def _date(value: date, variables: MessageVariables, locale: str) -> str:
    if variables.today is not None and value.year != variables.today.year:
        return format_date(value, "d 'de' MMMM 'de' y", locale=locale)
    return format_date(value, "d 'de' MMMM", locale=locale)


def _counted(count: int, word: str, context: ParameterContext) -> str:
    singular, plural = COUNTED_WORDS[context.profile.language][word]
    return f"{count} {singular if count == 1 else plural}"


def _customer_name(variables: MessageVariables, context: ParameterContext) -> str:
    return require_text("customer_name", variables.customer_name, CUSTOMER_NAME_MAX)


def _business_name(variables: MessageVariables, context: ParameterContext) -> str:
    return require_text("business_name", variables.business_name, BUSINESS_NAME_MAX)


def _balance(variables: MessageVariables, context: ParameterContext) -> str:
    if context.step_kind.reminder and variables.balance <= 0:
        raise InvalidVariableError(
            "balance",
            variables.balance,
            f"step kind {context.step_kind.name!r} asks for a payment, so the "
            "balance must be positive",
        )
    # NOTE: the longest values fit every policy reminder with one other
    # currency. With two or more, pt_BR's formal reminder_reported can pass
    # 1,024 characters, and its row then fails as too long.
    locale = context.profile.locale
    amounts = [_amount("balance", variables.balance, variables.currency, locale)]
    for currency, amount in _other_balance_items(variables):
        amounts.append(_amount("other_balances", amount, currency, locale))
    return _joined(amounts, context)


def _other_balance_items(variables: MessageVariables) -> list[tuple[str, Decimal]]:
    """Read `other_balances` as given, or as stored in JSON (code, decimal string)."""
    items = []
    for item in variables.other_balances or ():
        try:
            currency, amount = item
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                "other_balances",
                item,
                'pass each currency as (code, amount), such as ("USD", "800.00")',
            ) from exc
        if not isinstance(currency, str) or currency == variables.currency:
            raise InvalidVariableError(
                "other_balances",
                item,
                f"pass a currency code other than the message's {variables.currency}",
            )
        if not amount.is_finite() or amount <= 0:
            raise InvalidVariableError("other_balances", item, "pass a positive amount")
        items.append((currency, amount))
    return items


def _joined(parts: Sequence[str], context: ParameterContext) -> str:
    """Join parts as a sentence does: "A", "A y B", "A, B y C"."""
    if len(parts) == 1:
        return parts[0]
    _, last_joiner = _SCHEDULE_WORDS[context.profile.language]
    return ", ".join(parts[:-1]) + f" {last_joiner} " + parts[-1]


def _invoice_count(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.invoice_count < 1:
        raise InvalidVariableError(
            "invoice_count", variables.invoice_count, "pass at least 1 open invoice"
        )
    return _counted(variables.invoice_count, "invoice", context)


def _oldest_due_on(variables: MessageVariables, context: ParameterContext) -> str:
    return _date(variables.oldest_due_on, variables, context.profile.locale)


def _days_past_due(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.days_past_due < 1:
        raise InvalidVariableError(
            "days_past_due",
            variables.days_past_due,
            f"step kind {context.step_kind.name!r} says how late the payment is, "
            "so pass 1 or more days past due",
        )
    return _counted(variables.days_past_due, "day", context)


def _payment_link(link: str) -> str:
    cleaned = clean_parameter(link)
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in cleaned:
        raise InvalidVariableError(
            "payment_link", link, "pass an absolute http or https URL"
        )
    return cleaned


# Said after a link when the message states other currencies too, because a
# link charges one currency: that of `balance`.
_LINK_COVERS_ONE_CURRENCY = MappingProxyType(
    {
        "es": "(solo los {amount}; el resto se paga por separado)",
        "pt": "(somente os {amount}; o restante é pago separadamente)",
    }
)


def _how_to_pay(variables: MessageVariables, context: ParameterContext) -> str:
    """Return the payment link, else the business's payment instructions.

    When the message states other currencies too, the link is followed by
    the amount it charges and a note that the rest is paid separately.
    """
    charges = _link_charge_items(variables)
    if len(charges) > 1 and all(url is not None for *_, url in charges):
        return _several_links(charges, context)
    if variables.payment_link:
        text = _payment_link(variables.payment_link)
        variable = "payment_link"
    elif variables.payment_instructions:
        text = require_text(
            "payment_instructions", variables.payment_instructions, None
        )
        variable = "payment_instructions"
    else:
        raise context.missing(
            "payment_link",
            "pass a payment link or set the business's payment instructions",
        )

    if len(text) > PAYMENT_TEXT_MAX:
        raise InvalidVariableError(
            variable,
            text,
            f"it has {len(text)} characters; shorten it to {PAYMENT_TEXT_MAX}",
        )
    if variable == "payment_link" and _other_balance_items(variables):
        charged = _amount(
            "balance", variables.balance, variables.currency, context.profile.locale
        )
        note = _LINK_COVERS_ONE_CURRENCY[context.profile.language]
        text += " " + note.format(amount=charged)
    return text


def _several_links(
    charges: list[tuple[str, Decimal, LinkCovers, str | None]],
    context: ParameterContext,
) -> str:
    """List one link per currency, each followed by what it charges.

    "https://…/pagar/a (US$ 1.000,00) y https://…/pagar/b ($ 500,00)": a
    checkout charges one currency, so a debt in two needs two links.
    """
    parts = []
    for currency, amount, _, url in charges:
        assert url is not None
        link = _payment_link(url)
        if len(link) > PAYMENT_TEXT_MAX:
            raise InvalidVariableError(
                "link_charges",
                link,
                f"it has {len(link)} characters; shorten it to {PAYMENT_TEXT_MAX}",
            )
        money = _amount("link_charges", amount, currency, context.profile.locale)
        parts.append(f"{link} ({money})")
    return _joined(parts, context)


def _link_charge_items(
    variables: MessageVariables,
) -> list[tuple[str, Decimal, LinkCovers, str | None]]:
    """Read `link_charges` as given, or as stored in JSON."""
    items = []
    for item in variables.link_charges or ():
        try:
            currency, amount, covers, url = item
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
            covered = LinkCovers(str(covers))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                "link_charges",
                item,
                "pass each link as (currency, amount, covers, URL or None), such "
                'as ("USD", "800.00", "overdue", None)',
            ) from exc
        if not isinstance(currency, str) or not amount.is_finite() or amount <= 0:
            raise InvalidVariableError(
                "link_charges", item, "pass a currency code and a positive amount"
            )
        items.append((currency, amount, covered, None if url is None else str(url)))
    return items


def _instructions(variables: MessageVariables, context: ParameterContext) -> str:
    """Return the business's payment instructions, sent beside a link."""
    if not variables.payment_instructions:
        raise context.missing(
            "payment_instructions", "set the business's payment instructions"
        )
    text = require_text("payment_instructions", variables.payment_instructions, None)
    if len(text) > PAYMENT_TEXT_MAX:
        raise InvalidVariableError(
            "payment_instructions",
            text,
            f"it has {len(text)} characters; shorten it to {PAYMENT_TEXT_MAX}",
        )
    return text


# The wording of the charge of a link sent on request, by language, with
# "{amount}" and, for an installment, "{installment}" ("cuota 2 de 3").
_LINK_CHARGES = MappingProxyType(
    {
        "es": MappingProxyType(
            {
                LinkCovers.OVERDUE: "los {amount} vencidos",
                LinkCovers.DUE_TODAY: "los {amount} que vencen hasta hoy",
                LinkCovers.INSTALLMENT: "los {amount} de la {installment}",
                LinkCovers.BALANCE: "tu saldo de {amount}",
            }
        ),
        "pt": MappingProxyType(
            {
                LinkCovers.OVERDUE: "os {amount} vencidos",
                LinkCovers.DUE_TODAY: "os {amount} que vencem até hoje",
                LinkCovers.INSTALLMENT: "os {amount} da {installment}",
                LinkCovers.BALANCE: "seu saldo de {amount}",
            }
        ),
    }
)
# The formal tone names the balance without "tu" or "seu".
_FORMAL_BALANCE = MappingProxyType(
    {"es": "el saldo de {amount}", "pt": "o saldo de {amount}"}
)


def _charge_wording(covers: LinkCovers, context: ParameterContext) -> str:
    """Return the wording of a charge, with "{amount}" and "{installment}"."""
    language = context.profile.language
    if covers == LinkCovers.BALANCE and context.tone == Tone.FORMAL:
        return _FORMAL_BALANCE[language]
    return _LINK_CHARGES[language][covers]


# The next installments of plans in several currencies, one link each. Their
# numbers may differ, so the wording names none.
_NEXT_INSTALLMENTS = MappingProxyType(
    {
        "es": "los {amount} de las próximas cuotas",
        "pt": "os {amount} das próximas parcelas",
    }
)
# A balance beside other currencies' charges: "los $ 500,00 de tu saldo".
_BALANCE_PART = MappingProxyType(
    {
        Tone.FRIENDLY: MappingProxyType(
            {"es": "los {amount} de tu saldo", "pt": "os {amount} do seu saldo"}
        ),
        Tone.FORMAL: MappingProxyType(
            {"es": "los {amount} del saldo", "pt": "os {amount} do saldo"}
        ),
    }
)


def _link_charge(variables: MessageVariables, context: ParameterContext) -> str:
    """Format the charge of a link sent on request: "los $ 20.319,32 vencidos".

    Without `link_amount` the message states the balance, as for a reply
    that has no link target.
    """
    charges = _link_charge_items(variables)
    if len(charges) > 1 and len({covers for _, _, covers, _ in charges}) == 1:
        # "tu saldo de US$ 1.000,00 y $ 500,00", "los ... y ... vencidos".
        locale = context.profile.locale
        money = _joined(
            [_amount("link_charges", a, code, locale) for code, a, _, _ in charges],
            context,
        )
        covers = charges[0][2]
        wording = _charge_wording(covers, context)
        if covers == LinkCovers.INSTALLMENT:
            wording = _NEXT_INSTALLMENTS[context.profile.language]
        return wording.format(amount=money, installment="")
    if len(charges) > 1:
        return _joined(
            [
                _one_charge(amount, currency, covers, variables, context, several=True)
                for currency, amount, covers, _ in charges
            ],
            context,
        )
    covers = LinkCovers(variables.link_covers or LinkCovers.BALANCE)
    amount = variables.link_amount
    if amount is None:
        amount = variables.balance
    return _one_charge(amount, variables.currency, covers, variables, context)


def _one_charge(
    amount: Decimal,
    currency: str,
    covers: LinkCovers,
    variables: MessageVariables,
    context: ParameterContext,
    *,
    several: bool = False,
) -> str:
    """Word what one link charges; `several` when it is listed beside others."""
    money = _amount("link_amount", amount, currency, context.profile.locale)
    wording = _charge_wording(covers, context)
    if covers == LinkCovers.BALANCE and several:
        wording = _BALANCE_PART[context.tone][context.profile.language]
    installment = ""
    if covers == LinkCovers.INSTALLMENT:
        installment = _installment(variables, context)
    return wording.format(amount=money, installment=installment)


def _installments(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.installments is None:
        raise context.missing("installments", "pass the maximum number of installments")
    if variables.installments < 2:
        raise InvalidVariableError(
            "installments",
            variables.installments,
            "an installment plan needs 2 or more",
        )
    counted = _counted(variables.installments, "installment", context)
    if variables.installments_max_reached:
        return f"{counted} {_MAXIMUM_WORDS[context.profile.language]}"
    return counted


# Follows the count of a plan when the customer requested more installments
# than the business allows: "6 cuotas (el máximo que ofrecemos)".
_MAXIMUM_WORDS = MappingProxyType(
    {"es": "(el máximo que ofrecemos)", "pt": "(o máximo que oferecemos)"}
)


def _installment(variables: MessageVariables, context: ParameterContext) -> str:
    """Name one installment of a plan: "cuota 2 de 3"."""
    number, count = variables.installment_number, variables.installments
    if number is None or count is None:
        raise context.missing(
            "installment_number", "pass the installment's number and the plan's count"
        )
    if not 1 <= number <= count:
        raise InvalidVariableError(
            "installment_number",
            number,
            f"pass a number from 1 to the plan's {count} installments",
        )
    singular, _ = COUNTED_WORDS[context.profile.language]["installment"]
    return f"{singular} {number} de {count}"


def _plan_schedule(variables: MessageVariables, context: ParameterContext) -> str:
    """List each installment's amount and date: "$ 500,00 el 10 de marzo, ...".

    Plans in several currencies (`plan_parts`) are listed one after the
    other, separated by semicolons: "US$ 500,00 el 10 de marzo y US$ 500,00
    el 9 de abril; $ 75.000,00 el 10 de marzo y $ 75.000,00 el 9 de abril".
    """
    if variables.plan_parts:
        return "; ".join(
            _one_schedule(schedule, currency, variables, context)
            for currency, schedule in _plan_part_items(variables.plan_parts)
        )
    if not variables.plan_schedule:
        raise context.missing(
            "plan_schedule", "pass the (amount, due date) of each installment"
        )
    return _one_schedule(
        variables.plan_schedule, variables.currency, variables, context
    )


def _one_schedule(
    schedule: Sequence[Sequence[object]],
    currency: str,
    variables: MessageVariables,
    context: ParameterContext,
) -> str:
    locale = context.profile.locale
    on, _ = _SCHEDULE_WORDS[context.profile.language]
    parts = []
    for amount, due_on in _schedule_items(schedule):
        money = _amount("plan_schedule", amount, currency, locale)
        parts.append(f"{money} {on} {_date(due_on, variables, locale)}")
    return _joined(parts, context)


def _plan_part_items(
    plan_parts: Sequence[Sequence[object]],
) -> list[tuple[str, Sequence[Sequence[object]]]]:
    """Read `plan_parts` as given, or as stored in JSON."""
    items = []
    for item in plan_parts:
        try:
            currency, schedule, *_ = item
        except (TypeError, ValueError) as exc:
            raise InvalidVariableError(
                "plan_parts",
                item,
                "pass each plan as (currency, schedule, fee, total), such as "
                '("USD", [("500.00", "2026-03-10"), ("500.00", "2026-04-09")], '
                '"0.00", "1000.00"); the fee and total may be left out',
            ) from exc
        listed = isinstance(schedule, Sequence) and not isinstance(schedule, str)
        if not isinstance(currency, str) or not listed:
            raise InvalidVariableError(
                "plan_parts",
                item,
                "pass a currency code and a list of (amount, due date)",
            )
        if not schedule:
            raise InvalidVariableError(
                "plan_parts", item, "pass at least one installment per currency"
            )
        items.append((currency, schedule))
    return items


def _schedule_items(
    schedule: Sequence[Sequence[object]],
) -> list[tuple[Decimal, date]]:
    """Read the schedule as given, or as stored in JSON (decimal and ISO strings)."""
    items = []
    for item in schedule:
        try:
            amount, due_on = item
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
            if not isinstance(due_on, date):
                due_on = date.fromisoformat(str(due_on))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                "plan_schedule",
                item,
                "pass each installment as (amount, due date), such as "
                '("500.00", "2026-03-10")',
            ) from exc
        items.append((amount, due_on))
    return items


def _plan_fee(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.plan_parts:
        return _part_amounts(variables.plan_parts, 2, "plan_parts", context)
    if variables.plan_fee is None:
        raise context.missing("plan_fee", "pass the fee the plan adds")
    return _amount(
        "plan_fee", variables.plan_fee, variables.currency, context.profile.locale
    )


def _plan_total(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.plan_parts:
        return _part_amounts(variables.plan_parts, 3, "plan_parts", context)
    if variables.plan_total is None:
        raise context.missing("plan_total", "pass the plan's total with the fee")
    return _amount(
        "plan_total", variables.plan_total, variables.currency, context.profile.locale
    )


def _part_amounts(
    plan_parts: Sequence[Sequence[object]],
    index: int,
    variable: str,
    context: ParameterContext,
) -> str:
    """Join one amount of each plan in `plan_parts`: "US$ 10,00 y $ 1.500,00".

    `index` picks the amount: 2 for the fee, 3 for the total.
    """
    amounts = []
    for item in plan_parts:
        try:
            currency = str(item[0])
            amount = Decimal(str(item[index]))
        except (TypeError, IndexError, ArithmeticError) as exc:
            raise InvalidVariableError(
                variable,
                item,
                "pass each plan as (currency, schedule, fee, total), such as "
                '("USD", [("550.00", "2026-03-10")], "50.00", "550.00")',
            ) from exc
        amounts.append(_amount(variable, amount, currency, context.profile.locale))
    return _joined(amounts, context)


def _discount_fraction(
    variables: MessageVariables, context: ParameterContext
) -> Decimal:
    percent = variables.discount_percent
    if percent is None:
        raise context.missing("discount_percent", "pass the discount, such as 10")
    if not isinstance(percent, Decimal) or not 0 < percent < 100:
        raise InvalidVariableError(
            "discount_percent", percent, "pass a Decimal between 0 and 100, such as 10"
        )
    return percent / 100


def _discount(variables: MessageVariables, context: ParameterContext) -> str:
    fraction = _discount_fraction(variables, context)
    pattern = Locale.parse(context.profile.locale).percent_formats[None].pattern
    pattern = pattern.replace("#,##0", "#,##0.##", 1)
    return format_percent(fraction, format=pattern, locale=context.profile.locale)


def _discounted_balance(variables: MessageVariables, context: ParameterContext) -> str:
    fraction = _discount_fraction(variables, context)
    discounted = variables.balance * (1 - fraction)
    return _amount("balance", discounted, variables.currency, context.profile.locale)


def _discount_deadline(variables: MessageVariables, context: ParameterContext) -> str:
    deadline = variables.discount_deadline or variables.oldest_due_on
    return _date(deadline, variables, context.profile.locale)


# The wording of what a promise covers, after its amount: "$ 500,00 de la cuota 2 de 3",
# "$ 100.000,00 (el total de tu saldo)". The formal tone uses "su".
_PROMISE_COVERS = MappingProxyType(
    {
        "es": MappingProxyType(
            {
                LinkCovers.INSTALLMENT: "{amount} de la {installment}",
                LinkCovers.BALANCE: "{amount} (el total de tu saldo)",
            }
        ),
        "pt": MappingProxyType(
            {
                LinkCovers.INSTALLMENT: "{amount} da {installment}",
                LinkCovers.BALANCE: "{amount} (o total do seu saldo)",
            }
        ),
    }
)
_FORMAL_PROMISE_BALANCE = MappingProxyType(
    {"es": "{amount} (el total de su saldo)", "pt": "{amount} (o total do saldo)"}
)


def _promise_amount(variables: MessageVariables, context: ParameterContext) -> str:
    """Format a promised amount, with what it covers when the reply set it."""
    if variables.promise_schedule:
        return _promise_schedule(variables, context)
    amounts = _currency_amounts("promise_amounts", variables.promise_amounts)
    locale = context.profile.locale
    if len(amounts) > 1:
        # "US$ 1.000,00 y $ 500,00": the promise covers each currency.
        return _joined(
            [_amount("promise_amounts", a, code, locale) for code, a in amounts],
            context,
        )
    if amounts:
        [(currency, promised)] = amounts
    elif variables.promise_amount is None:
        raise context.missing("promise_amount", "pass the promised amount")
    else:
        currency, promised = variables.currency, variables.promise_amount
    money = _amount("promise_amount", promised, currency, locale)
    if variables.promise_covers is None:
        return money
    try:
        covers = LinkCovers(variables.promise_covers)
    except ValueError as exc:
        raise InvalidVariableError(
            "promise_covers",
            variables.promise_covers,
            "pass installment, balance or nothing",
        ) from exc
    language = context.profile.language
    wording = _PROMISE_COVERS[language].get(covers)
    if wording is None:
        raise InvalidVariableError(
            "promise_covers", covers.value, "pass installment, balance or nothing"
        )
    if covers == LinkCovers.BALANCE and context.tone == Tone.FORMAL:
        wording = _FORMAL_PROMISE_BALANCE[language]
    installment = ""
    if covers == LinkCovers.INSTALLMENT:
        installment = _installment(variables, context)
    return wording.format(amount=money, installment=installment)


def _promise_schedule(variables: MessageVariables, context: ParameterContext) -> str:
    """Format the parts of a promise due on different days, each with its day.

    One part's day is left out because `fecha_promesa` states it (see
    `_scheduled_day`). Spanish templates state that day after this value,
    so it is the last part's: "US$ 300,00 el viernes 11 de diciembre y $
    100.000,00" + " para el jueves 31 de diciembre". Portuguese templates
    state it before, so it is the first part's: "na sexta-feira, 11 de
    dezembro, " + "US$ 300,00 e, na quinta-feira, 31 de dezembro, R$ 500,00".
    """
    parts = _schedule_parts(variables)
    locale = context.profile.locale
    if context.profile.language == "pt":
        currency, amount, _ = parts[0]
        stated = _amount("promise_schedule", amount, currency, locale)
        later = [
            f"{_weekday_date(due_on, variables, context)}, "
            f"{_amount('promise_schedule', amount, currency, locale)}"
            for currency, amount, due_on in parts[1:]
        ]
        return stated + "".join(f", {part}" for part in later[:-1]) + f" e, {later[-1]}"
    stated_parts = [
        f"{_amount('promise_schedule', amount, currency, locale)} "
        f"el {_weekday_date(due_on, variables, context)}"
        for currency, amount, due_on in parts[:-1]
    ]
    currency, amount, _ = parts[-1]
    stated_parts.append(_amount("promise_schedule", amount, currency, locale))
    return _joined(stated_parts, context)


def _scheduled_day(variables: MessageVariables, context: ParameterContext) -> date:
    """Return the day of a scheduled promise that `fecha_promesa` states.

    The first part's in Portuguese, the last part's in Spanish, as
    `_promise_schedule` explains.
    """
    parts = _schedule_parts(variables)
    return parts[0][2] if context.profile.language == "pt" else parts[-1][2]


def _schedule_parts(variables: MessageVariables) -> list[tuple[str, Decimal, date]]:
    """Read (currency, amount, due date) of each part, earliest first."""
    parts = []
    for item in variables.promise_schedule or ():
        try:
            currency, amount, due_on = item
            amount = Decimal(str(amount))
            if not isinstance(due_on, date):
                due_on = date.fromisoformat(str(due_on))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                "promise_schedule",
                item,
                'pass each part as (code, amount, ISO date), such as ("USD", '
                '"800.00", "2026-12-11")',
            ) from exc
        if not isinstance(currency, str) or not amount.is_finite() or amount < 0:
            raise InvalidVariableError(
                "promise_schedule",
                item,
                "pass a currency code and an amount of 0 or more",
            )
        parts.append((currency, amount, due_on))
    if len(parts) < 2:
        raise InvalidVariableError(
            "promise_schedule", variables.promise_schedule, "pass two or more parts"
        )
    return sorted(parts, key=lambda part: part[2])


def _currency_amounts(
    variable: str, stored: Sequence[Sequence[object]] | None
) -> list[tuple[str, Decimal]]:
    """Read (currency, amount) pairs as given, or as stored in JSON."""
    items = []
    for item in stored or ():
        try:
            currency, amount = item
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                variable,
                item,
                'pass each currency as (code, amount), such as ("USD", "800.00")',
            ) from exc
        if not isinstance(currency, str) or not amount.is_finite() or amount < 0:
            raise InvalidVariableError(
                variable, item, "pass a currency code and an amount of 0 or more"
            )
        items.append((currency, amount))
    return items


def _promise_due_on(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.promise_due_on is None:
        raise context.missing("promise_due_on", "pass the promised payment date")
    # Customers promise by weekday ("te pago el viernes"), so the message
    # names it too: "el viernes 20 de marzo". Portuguese needs the
    # preposition that agrees with the weekday, so its value carries it:
    # "na sexta-feira, 11 de dezembro", "no sábado, 12 de dezembro".
    due_on = variables.promise_due_on
    if variables.promise_schedule:
        due_on = _scheduled_day(variables, context)
    return _weekday_date(due_on, variables, context)


def _weekday_date(
    due_on: date, variables: MessageVariables, context: ParameterContext
) -> str:
    """Format a day with its weekday: "viernes 11 de diciembre", "na sexta-feira, …"."""
    locale = context.profile.locale
    weekday = format_date(due_on, "EEEE", locale=locale)
    day = _date(due_on, variables, locale)
    if context.profile.language == "pt":
        # Saturday (5) and Sunday (6) are masculine, the "-feira" days feminine.
        preposition = "no" if due_on.weekday() >= 5 else "na"
        return f"{preposition} {weekday}, {day}"
    return f"{weekday} {day}"


def _promise_shortfall(variables: MessageVariables, context: ParameterContext) -> str:
    """Format what is left of a promise after the payments received since it.

    A promise without a sum covers the whole balance, so what is left is the
    balance. What is left is never more than the balance either, because a
    credit note may have lowered it since the promise.
    """
    if variables.promise_parts:
        return _parts_shortfall(variables, context)
    if variables.paid_amount is None:
        raise context.missing("paid_amount", "pass the amount paid since the promise")
    left = variables.balance
    if variables.promise_amount is not None:
        left = min(variables.promise_amount - variables.paid_amount, left)
    if left <= 0:
        raise InvalidVariableError(
            "paid_amount",
            variables.paid_amount,
            "nothing of the promise is left to pay, so send no broken-promise "
            "message; pass a paid amount below the promised amount and the balance",
        )
    return _amount("balance", left, variables.currency, context.profile.locale)


def _parts_shortfall(variables: MessageVariables, context: ParameterContext) -> str:
    """Format what is left of a promise in each of its currencies.

    Each part is capped at its currency's balance, as `_promise_shortfall`
    caps one currency, and a part paid in full is left out.
    """
    balances = {variables.currency: variables.balance}
    balances.update((code, amount) for code, amount in _other_balance_items(variables))
    locale = context.profile.locale
    missing = []
    for currency, promised, paid in _promise_part_items(variables):
        left = balances.get(currency, Decimal(0))
        if promised is not None:
            left = min(promised - paid, left)
        if left > 0:
            missing.append(_amount("promise_parts", left, currency, locale))
    if not missing:
        raise InvalidVariableError(
            "promise_parts",
            variables.promise_parts,
            "nothing of the promise is left to pay in any currency, so send no "
            "broken-promise message",
        )
    return _joined(missing, context)


def _promise_part_items(
    variables: MessageVariables,
) -> list[tuple[str, Decimal | None, Decimal]]:
    """Read `promise_parts` as stored: (id, currency, amount or None, paid)."""
    items = []
    for item in variables.promise_parts or ():
        try:
            _, currency, promised, paid = item
            amount = None if promised is None else Decimal(str(promised))
            paid_amount = Decimal(str(paid))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                "promise_parts",
                item,
                "pass each part as (promise id, currency, amount or None, paid), "
                'such as [7, "USD", "300.00", "0"]',
            ) from exc
        items.append((str(currency), amount, paid_amount))
    return items


def _paid_amount(variables: MessageVariables, context: ParameterContext) -> str:
    if variables.promise_parts:
        locale = context.profile.locale
        paid = [
            _amount("promise_parts", amount, currency, locale)
            for currency, _, amount in _promise_part_items(variables)
            if amount > 0
        ]
        if not paid:
            raise context.missing(
                "promise_parts", "pass a part with an amount paid since the promise"
            )
        return _joined(paid, context)
    if variables.paid_amount is None:
        raise context.missing("paid_amount", "pass the amount of the payment received")
    return _amount(
        "paid_amount", variables.paid_amount, variables.currency, context.profile.locale
    )


def _creditor_details(variables: MessageVariables, context: ParameterContext) -> str:
    """Format the creditor's name, CNPJ or CPF and address, as Brazilian law requires.

    Código de Defesa do Consumidor art. 42-A: every collection notice shows
    the supplier's name, address and CPF or CNPJ.
    """
    tax_id = variables.business_tax_id
    if not tax_id:
        raise context.missing(
            "business_tax_id",
            "set the business's CNPJ or CPF, which Brazilian law (CDC art. 42-A) "
            "requires in every collection message",
        )
    name = _business_name(variables, context)
    if cnpj.is_valid(tax_id):
        details = f"{name}, CNPJ {cnpj.format(tax_id)}"
    elif cpf.is_valid(tax_id):
        details = f"{name}, CPF {cpf.format(tax_id)}"
    else:
        raise InvalidVariableError(
            "business_tax_id", tax_id, "pass a valid CNPJ (14 digits) or CPF (11)"
        )

    # NOTE: art. 42-A also requires the address, but a message whose business
    # has not set one (`cobranza settings set address`) still goes without it.
    if variables.business_address:
        address = require_text("business_address", variables.business_address, None)
        if len(address) > BUSINESS_ADDRESS_MAX:
            raise InvalidVariableError(
                "business_address",
                address,
                f"it has {len(address)} characters; shorten it to "
                f"{BUSINESS_ADDRESS_MAX}",
            )
        details += ", " + address
    return details


# The name of a tax id of another country, or one that its scheme rejects.
_TAX_ID_WORDS = MappingProxyType({"es": "identificación fiscal", "pt": "CPF/CNPJ"})


def _business_details(variables: MessageVariables, context: ParameterContext) -> str:
    """Format the business's name with its tax id when one is set.

    "Ferretería Sur, CUIT 30-71234567-1", or the name alone. Unlike
    `dados_credor`, a business without a tax id is no error: outside Brazil
    no law this project follows requires one in a reply.
    """
    name = _business_name(variables, context)
    tax_id = (variables.business_tax_id or "").strip()
    if not tax_id:
        return name
    country = (variables.business_country or "").upper()
    for label, module in TAX_ID_SCHEMES.get(country, ()):
        if module.is_valid(tax_id):
            # An RFC is written without the separators that its format adds.
            written = tax_id if module is rfc else module.format(tax_id)
            return f"{name}, {label} {written}"
    return f"{name}, {_TAX_ID_WORDS[context.profile.language]} {tax_id}"


# The wording of what is overdue in a balance stated on request, by language.
# "{amount}" is what is overdue, "{since}" the oldest overdue due date and
# "{next}" the next due date ("el 20 de marzo" or "hoy").
_BALANCE_STATUS = MappingProxyType(
    {
        "es": MappingProxyType(
            {
                "all_overdue": "está todo vencido desde el {since}",
                "all_due": "ya está todo para pagar",
                "part_overdue": (
                    "de eso, {amount} está vencido desde el {since} y el próximo "
                    "vencimiento es {next}"
                ),
                "part_due": (
                    "de eso, {amount} ya está para pagar y el próximo vencimiento "
                    "es {next}"
                ),
                "next": "el próximo vencimiento es {next}",
                "on": "el {date}",
                "today": "hoy",
            }
        ),
        "pt": MappingProxyType(
            {
                "all_overdue": "está tudo vencido desde {since}",
                "all_due": "já está tudo disponível para pagamento",
                "part_overdue": (
                    "desse total, {amount} está vencido desde {since} e o próximo "
                    "vencimento é {next}"
                ),
                "part_due": (
                    "desse total, {amount} já está disponível para pagamento e o "
                    "próximo vencimento é {next}"
                ),
                "next": "o próximo vencimento é {next}",
                "on": "em {date}",
                "today": "hoje",
            }
        ),
    }
)


def _balance_status(variables: MessageVariables, context: ParameterContext) -> str:
    """Say what part of the balance is overdue and when the next part falls due.

    "está todo vencido desde el 3 de marzo", "de eso, $ 50.000,00 está
    vencido desde el 3 de marzo y el próximo vencimiento es el 20 de marzo",
    "el próximo vencimiento es hoy": the end of a sentence that states the
    balance first. An invoice without a due date counts as due, as
    for reminders. What is overdue in a currency is capped at its balance,
    so a credit note nets against the overdue invoices first.
    """
    if variables.today is None:
        raise context.missing("today", "pass the business's local date")
    balances = {variables.currency: variables.balance}
    balances.update(_other_balance_items(variables))
    overdue: dict[str, Decimal] = {}
    overdue_since: list[date] = []
    upcoming: list[date] = []
    for currency, amount, due_on in _balance_due_items(variables, context):
        if balances.get(currency, Decimal(0)) <= 0:
            continue
        if due_on is not None and due_on >= variables.today:
            upcoming.append(due_on)
            continue
        overdue[currency] = overdue.get(currency, Decimal(0)) + amount
        if due_on is not None:
            overdue_since.append(due_on)

    words = _BALANCE_STATUS[context.profile.language]
    locale = context.profile.locale
    parts = [
        _amount("balance_dues", min(amount, balances[currency]), currency, locale)
        for currency, amount in overdue.items()
    ]
    since = _date(min(overdue_since), variables, locale) if overdue_since else None
    whole = all(
        overdue.get(currency, Decimal(0)) >= balance
        for currency, balance in balances.items()
        if balance > 0
    )
    if overdue and (whole or not upcoming):
        return (
            words["all_due"]
            if since is None
            else words["all_overdue"].format(since=since)
        )
    if not upcoming:
        raise InvalidVariableError(
            "balance_dues",
            variables.balance_dues,
            "pass the open invoices of each currency with a balance",
        )
    next_due = min(upcoming)
    if next_due == variables.today:
        next_words = words["today"]
    else:
        next_words = words["on"].format(date=_date(next_due, variables, locale))
    if not overdue:
        return words["next"].format(next=next_words)
    key = "part_due" if since is None else "part_overdue"
    return words[key].format(
        amount=_joined(parts, context), since=since, next=next_words
    )


def _balance_due_items(
    variables: MessageVariables, context: ParameterContext
) -> list[tuple[str, Decimal, date | None]]:
    """Read `balance_dues` as given, or as stored in JSON."""
    if not variables.balance_dues:
        raise context.missing(
            "balance_dues", "pass (currency, open amount, due date) of each invoice"
        )
    items = []
    for item in variables.balance_dues:
        try:
            currency, amount, due_on = item
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
            if due_on is not None and not isinstance(due_on, date):
                due_on = date.fromisoformat(str(due_on))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidVariableError(
                "balance_dues",
                item,
                "pass each invoice as (currency, open amount, due date or None), "
                'such as ("ARS", "15000.00", "2026-03-03")',
            ) from exc
        if not isinstance(currency, str) or not amount.is_finite() or amount <= 0:
            raise InvalidVariableError(
                "balance_dues", item, "pass a currency code and a positive amount"
            )
        items.append((currency, amount, due_on))
    return items


PARAMETERS: MappingProxyType[str, ParameterBuilder] = MappingProxyType(
    {
        "nombre": _customer_name,
        "negocio": _business_name,
        "monto": _balance,
        "facturas": _invoice_count,
        "vencimiento": _oldest_due_on,
        "atraso": _days_past_due,
        "pago": _how_to_pay,
        "datos_pago": _instructions,
        "cobro": _link_charge,
        "cuotas": _installments,
        "cuota": _installment,
        "detalle_cuotas": _plan_schedule,
        "recargo": _plan_fee,
        "total": _plan_total,
        "descuento": _discount,
        "monto_con_descuento": _discounted_balance,
        "fecha_descuento": _discount_deadline,
        "monto_promesa": _promise_amount,
        "fecha_promesa": _promise_due_on,
        "monto_pagado": _paid_amount,
        "monto_faltante": _promise_shortfall,
        "dados_credor": _creditor_details,
        "datos_acreedor": _business_details,
        "estado_saldo": _balance_status,
    }
)

# The word before an installment's date and the one before the last item.
_SCHEDULE_WORDS = MappingProxyType({"es": ("el", "y"), "pt": ("em", "e")})

# Parameters every reminder must use: the business, the amount, the due date
# and how to pay.
REMINDER_PARAMETERS = frozenset({"negocio", "monto", "vencimiento", "pago"})


def build_parameters(
    names: Sequence[str],
    variables: MessageVariables,
    step_kind: StepKind,
    profile: LocaleProfile,
    tone: Tone = Tone.FRIENDLY,
) -> dict[str, str]:
    """Build the value of each named parameter, in the order given."""
    context = ParameterContext(step_kind, profile, tone)
    return {
        name: clean_parameter(PARAMETERS[name](variables, context)) for name in names
    }
