"""Pair each currency a reply names with its own day and sum.

"los dólares el viernes y los pesos a fin de mes" pays dollars on Friday
and pesos on the month's last day, so a customer who owes in both makes one
promise with a part per currency, each due on its own day. The reply is cut
into segments at "y", "e", commas and semicolons, and every segment that
names money must name one currency and one day. A segment that names
neither ("dale") is skipped.

A customer who owes exactly two currencies may name one and put off "el
resto" ("lo demás", "o resto") to another day: "los dólares el viernes y el
resto a fin de mes" pays the pesos at the month's end. Owing one currency,
the rest is what is left of it, a plan of two payments that this module
leaves to the installment rules.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cobranza.conversations.amounts import (
    SEVERAL_CURRENCIES,
    find_amount,
    find_currency,
)
from cobranza.conversations.dates import payment_days
from cobranza.conversations.installments import REST_PUT_OFF
from cobranza.conversations.normalize import NUMBER_WORDS, tokenize

_SEGMENT_BREAKS = frozenset({"y", "e", ",", ";"})
_NUMBER_WORDS = NUMBER_WORDS | {"mil"}


@dataclass(frozen=True)
class CurrencyDay:
    """One currency's part of a reply: the day it is paid and the sum, if named."""

    currency: str
    due_on: date
    amount: Decimal | None


def currency_days(
    text: str,
    today: date,
    locale: str | None,
    local_currency: str,
    owed: Collection[str] = (),
) -> list[CurrencyDay] | None:
    """Return each currency's day and sum, earliest first, or None.

    None unless two or more currencies are each named with one day, the
    days differ, and no segment leaves a currency or a day unpaired. So
    "pago los dólares y los pesos el viernes" is one promise for Friday.
    A segment that puts off the rest with one day and no currency ("y el
    resto a fin de mes") is in the other currency when `owed`, the
    currencies the customer owes, has exactly two and the reply names the
    other one with no sum. Otherwise it gives None, because the rest's
    currency is unknown. `local_currency` is what "$" and "pesos" name (see
    `find_currency`).
    """
    parts: dict[str, CurrencyDay] = {}
    rest_days = []
    for segment in split_segments(text):
        currency = find_currency(segment, local_currency)
        days = payment_days(segment, today, locale)
        if currency is None and not days:
            continue
        if currency is None and len(days) == 1 and REST_PUT_OFF.search(segment):
            rest_days.append(days[0])
            continue
        if currency in (None, SEVERAL_CURRENCIES) or len(days) != 1:
            return None
        if currency in parts:
            return None
        parts[currency] = CurrencyDay(currency, days[0], find_amount(segment))

    if rest_days:
        rest = _rest_part(parts, rest_days, owed)
        if rest is None:
            return None
        parts[rest.currency] = rest
    if len(parts) < 2 or len({part.due_on for part in parts.values()}) < 2:
        return None
    return sorted(parts.values(), key=lambda part: (part.due_on, part.currency))


def _rest_part(
    parts: dict[str, CurrencyDay], rest_days: list[date], owed: Collection[str]
) -> CurrencyDay | None:
    """Return the part of the currency left unnamed, when only one can be.

    A sum with the named currency ("US$ 300 el viernes y el resto a fin de
    mes") may leave a rest in that same currency, so it gives None.
    """
    if len(rest_days) != 1 or len(set(owed)) != 2 or len(parts) != 1:
        return None
    [named] = parts.values()
    others = set(owed) - {named.currency}
    if named.amount is not None or len(others) != 1:
        return None
    return CurrencyDay(others.pop(), rest_days[0], None)


def split_segments(text: str) -> list[str]:
    """Split the folded tokens of `text` at "y", "e", commas and semicolons.

    A "y" or "e" between number words ("treinta y cinco dólares") is part
    of the number, so it does not split.
    """
    tokens = tokenize(text)
    segments: list[list[str]] = [[]]
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index > 0 else ""
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        in_number = previous in _NUMBER_WORDS and following in _NUMBER_WORDS
        if token in _SEGMENT_BREAKS and not in_number:
            segments.append([])
        else:
            segments[-1].append(token)
    return [" ".join(segment) for segment in segments if segment]
