"""Read the parts of a reply that splits one payment over several days.

"hoy 10 lucas, el viernes 20 y el resto el 15" pays three parts: 10.000
today, 20.000 on Friday and what is left on the 15th. The reply is cut
into segments at "y", "e", commas and semicolons (as in `currency_days`),
and a segment is a part when it names a sum, a half, the rest or a payment
day. The parts come back in the order of their days, whatever the order of
the words: "el resto el viernes y hoy te paso 10 lucas" pays today first.

A segment that reports a payment made ("te pagué 10 lucas ayer") is no
part. A part may name a day that no payment can fall on: a day that does not
exist ("el 31 de noviembre") or one already gone ("ayer"). Such a part has
no day and `unclear_day` set, so the caller asks for a clear day instead
of dropping the part. A sum of zero ("hoy te paso 0") is flagged `zero`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cobranza.conversations.amounts import find_amount
from cobranza.conversations.currency_days import split_segments
from cobranza.conversations.dates import (
    find_dates,
    payment_days,
    reports_past_payment,
)
from cobranza.conversations.installments import names_half, rest_start
from cobranza.conversations.normalize import MONTHS, tokenize

# "la otra mitad", "a outra metade": the second half is what is left.
_OTHER_HALF = re.compile(r"\b(?:la otra|a outra) (?:mitad|metade)\b")
# A day number with a month ("31 de noviembre", "31/11") or after "el" or
# "dia" ("el 31"): it names a day even when no such day exists.
_DAY_NUMBER = re.compile(
    r"\b(?:\d{1,2} de (?:" + "|".join(MONTHS) + r")|\d{1,2}/\d{1,2}"
    r"|(?:el|dia|no dia) \d{1,2})\b"
)
_ZERO_WORDS = frozenset({"0", "cero", "zero", "nada"})
_PAY_WORDS = frozenset({"paso", "pago", "deposito", "transfiero", "mando", "pagar"})
# A weekday whose day number falls on it this far off is a sum instead:
# "hoy 10 lucas, el viernes 20" pays 20 on Friday, not in August.
_WEEKDAY_NUMBER_DAYS = 31


@dataclass(frozen=True)
class SplitPart:
    """One part of a split payment: its day, its sum and what kind of share it is.

    `due_on` None with `unclear_day` set is a day that no payment can fall
    on; None without it is a part with no day named. `amount` None is a
    share that is not a sum: the rest or a half.
    """

    due_on: date | None
    amount: Decimal | None
    rest: bool
    half: bool
    unclear_day: bool
    zero: bool = False


def split_parts(text: str, today: date, locale: str | None) -> list[SplitPart]:
    """Return the parts of a split payment in the order of their days.

        Parts without a day keep their place after the dated ones. A segment
        that names a sum of zero ("hoy te paso 0") is a part with `zero` set,
    which the caller drops.
    """
    parts: list[SplitPart] = []
    previous_scale: Decimal | None = None
    for segment in split_segments(text):
        if reports_past_payment(segment):
            # "te pagué 10 lucas ayer": a payment made, not a part to come.
            continue
        days = payment_days(segment, today, locale)
        amount = find_amount(segment)
        if amount is None and previous_scale is not None:
            # "hoy 10 lucas, el viernes 20": the 20 is in the same scale.
            days, amount = _weekday_sum(segment, days, today, locale, previous_scale)
        if amount is not None:
            previous_scale = _scale(segment, amount)
        rest = (
            rest_start(segment) is not None or _OTHER_HALF.search(segment) is not None
        )
        half = names_half(segment)
        if amount is None and _names_zero(segment):
            parts.append(
                SplitPart(days[0] if days else None, None, False, False, False, True)
            )
            continue
        if amount is None and not (rest or half or days):
            continue
        unclear = not days and _names_a_day(segment, today, locale)
        parts.append(SplitPart(days[0] if days else None, amount, rest, half, unclear))
    return sorted(parts, key=lambda part: (part.due_on is None, part.due_on or today))


def _names_zero(segment: str) -> bool:
    """Tell whether a segment pays a sum of zero: "hoy te paso 0"."""
    tokens = tokenize(segment)
    return any(
        token in _ZERO_WORDS and _PAY_WORDS.intersection(tokens[:index])
        for index, token in enumerate(tokens)
    )


def _names_a_day(segment: str, today: date, locale: str | None) -> bool:
    """Tell whether a segment names a day that is past or does not exist."""
    if any(mention.end < today for mention in find_dates(segment, today, locale)):
        return True
    return _DAY_NUMBER.search(" ".join(tokenize(segment))) is not None


def _scale(segment: str, amount: Decimal) -> Decimal | None:
    """Return what the first number of `segment` is multiplied by in `amount`."""
    for token in tokenize(segment):
        if token.isdigit() and int(token) > 0:
            return amount / int(token)
    return None


def _weekday_sum(
    segment: str,
    days: list[date],
    today: date,
    locale: str | None,
    scale: Decimal,
) -> tuple[list[date], Decimal | None]:
    """Reread "el viernes 20" as a sum on Friday when Friday is not the 20th soon.

    Returns the segment's days and sum, unchanged unless the only day is
    further than `_WEEKDAY_NUMBER_DAYS` and dropping the number leaves a
    nearer day.
    """
    tokens = tokenize(segment)
    numbers = [token for token in tokens if token.isdigit()]
    if len(days) != 1 or len(numbers) != 1:
        return days, None
    if days[0] - today <= timedelta(days=_WEEKDAY_NUMBER_DAYS):
        return days, None
    without = " ".join(token for token in tokens if token != numbers[0])
    nearer = payment_days(without, today, locale)
    if len(nearer) != 1 or nearer[0] >= days[0]:
        return days, None
    return nearer, int(numbers[0]) * scale
