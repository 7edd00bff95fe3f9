"""Pair each currency a reply names with its own day and sum.

"los dólares el viernes y los pesos a fin de mes" pays dollars on Friday
and pesos on the month's last day, so a customer who owes in both makes one
promise with a part per currency, each due on its own day. The reply is cut
into segments at "y", "e", commas and semicolons, and every segment that
names money must name one currency and one day. A segment that names
neither ("dale") is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cobranza.conversations.amounts import (
    SEVERAL_CURRENCIES,
    find_amount,
    find_currency,
)
from cobranza.conversations.dates import payment_days
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
    text: str, today: date, locale: str | None, local_currency: str
) -> list[CurrencyDay] | None:
    """Return each currency's day and sum, earliest first, or None.

    None unless two or more currencies are each named with one day, the
    days differ, and no segment leaves a currency or a day unpaired. So
    "pago los dólares y los pesos el viernes" is one promise for Friday.
    "los dólares el viernes y el resto a fin de mes" gives None too, because
    it does not say which currency the rest is in. `local_currency` is what
    "$" and "pesos" name (see `find_currency`).
    """
    parts: dict[str, CurrencyDay] = {}
    for segment in split_segments(text):
        currency = find_currency(segment, local_currency)
        days = payment_days(segment, today, locale)
        if currency is None and not days:
            continue
        if currency in (None, SEVERAL_CURRENCIES) or len(days) != 1:
            return None
        if currency in parts:
            return None
        parts[currency] = CurrencyDay(currency, days[0], find_amount(segment))

    if len(parts) < 2 or len({part.due_on for part in parts.values()}) < 2:
        return None
    return sorted(parts.values(), key=lambda part: (part.due_on, part.currency))


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
