"""Find how many installments a reply asks for ("en 3 cuotas", "em 4 vezes").

"la mitad ahora y la mitad el mes que viene" counts as 2. "en cuotas"
without a number gives None: the reply asks for a plan but names no count.
`names_half` tells whether a reply offers half of the payment ("la mitad",
"metade"), and `rest_start` where it puts off the rest ("el resto").
"""

from __future__ import annotations

import re

from cobranza.conversations.normalize import NUMBER_WORDS, fold, tokenize, word_number

_PART_NOUNS = frozenset(
    {
        "cuotas",
        "pagos",
        "partes",
        "veces",
        "vezes",
        "parcelas",
        "x",
        "mensualidades",
        "quincenas",
        "pagamentos",
        "prestaciones",
    }
)
_SPLIT_VERBS = frozenset(
    {
        "parcelar",
        "parcelado",
        "parcelada",
        "parcela",
        "dividir",
        "dividirlo",
        "dividila",
        "dividilo",
        "dividirla",
        "partir",
        "partirlo",
        "fraccionar",
    }
)
_HALVES = frozenset({"mitad", "metade", "parte"})
_REST = frozenset({"mitad", "metade", "resto", "restante", "otra", "outra"})
_MAXIMUM = 48


def _count_at(tokens: list[str], index: int) -> tuple[int, int] | None:
    token = tokens[index]
    if token.isdigit() and len(token) <= 2:
        return int(token), 1
    return word_number(tuple(tokens[index : index + 4]))


def _may_count(token: str) -> bool:
    """Tell whether `token` may start a count or a half (see `_halves`)."""
    return (
        token.isdigit() or token in NUMBER_WORDS or token == "mil" or token in _HALVES
    )


def find_installments(text: str) -> int | None:
    """Return the number of installments named in `text`, or None."""
    tokens = tokenize(text)
    # Most replies contain no number and no half, so they need no scan.
    if not any(_may_count(token) for token in tokens):
        return None
    for index in range(len(tokens)):
        count = _count_at(tokens, index)
        if count is None:
            continue
        value, used = count
        following = tokens[index + used : index + used + 3]
        previous = tokens[max(0, index - 2) : index]
        if not 2 <= value <= _MAXIMUM:
            continue
        if following[:1] in (["veces"], ["vezes"]):
            # "em 4 vezes" splits a payment; "me cobraron dos veces" does not.
            if previous[-1:] in (["en"], ["em"]) or following[1:2] in (
                ["sin"],
                ["sem"],
            ):
                return value
            continue
        if following and following[0] in _PART_NOUNS:
            return value
        if following[:1] == ["meses"] and (
            following[1:3] == ["sin", "intereses"] or previous[-1:] == ["a"]
        ):
            return value
        if following[:1] == ["msi"]:
            return value
        if previous[-1:] in (["em"], ["en"]) and any(
            word in _SPLIT_VERBS for word in tokens[max(0, index - 4) : index]
        ):
            return value
    return _halves(tokens)


def _halves(tokens: list[str]) -> int | None:
    """Count "la mitad ahora y el resto después", "una parte y otra" as two."""
    for index, token in enumerate(tokens):
        if token in _HALVES and any(word in _REST for word in tokens[index + 1 :]):
            return 2
    return None


_HALF_WORDS = frozenset({"mitad", "metade"})
# "a mitad de mes", "na metade do mês": a time of the month, not half a sum.
_PERIODS = frozenset({"mes", "semana", "ano", "quincena", "quinzena"})
# "más de la mitad", "menos da metade": no exact half.
_NOT_EXACT = frozenset({"mas", "menos", "mais"})


def names_half(text: str) -> bool:
    """Tell whether `text` offers half of a payment: "te deposito la mitad".

    "la otra mitad" counts too. A half of a period ("a mitad de mes") and
    a share that is not exactly half ("más de la mitad") do not.
    """
    tokens = tokenize(text)
    for index, token in enumerate(tokens):
        if token not in _HALF_WORDS:
            continue
        following = tokens[index + 1 : index + 3]
        if following[:1] in (["de"], ["del"], ["do"], ["da"]) and (
            following[1:2] and following[1] in _PERIODS
        ):
            continue
        if _NOT_EXACT.intersection(tokens[max(0, index - 3) : index]):
            continue
        return True
    return False


# "el resto", "lo que falta", "o restante": what is left after a first payment.
REST_PUT_OFF = re.compile(
    r"\b(?:(?:el|lo|o) (?:resto|restante|demas|que falta|que queda|que me falta)"
    r"|(?:el|o) saldo(?: restante| que queda)?|la otra parte|a outra parte"
    r"|lo otro|o resto)\b"
)


def rest_start(text: str) -> int | None:
    """Return where `text` puts off what is left ("y el resto a fin de mes").

    The position is in the folded text; None when nothing is put off.
    """
    match = REST_PUT_OFF.search(fold(text))
    return match.start() if match else None


# Singular nouns of one payment: "en 1 cuota", "un solo pago", "uma parcela".
_ONE_NOUNS = frozenset({"cuota", "pago", "parcela", "pagamento", "vez"})
# "una sola cuota", "un único pago", "uma única parcela".
_ONLY_WORDS = frozenset({"sola", "solo", "unica", "unico"})
_NEGATIVE_SIGNS = frozenset({"-", "menos"})


def named_count_outside(text: str) -> int | None:
    """Return a count of installments outside 2..48 that `text` names, or None.

    `find_installments` reads only counts from 2 to 48, so "en 1 cuota",
    "una sola cuota", "en un pago", "0 cuotas", "-1 cuotas" and "60 cuotas"
    name no count there. This reads them: 1 for a single payment, 0 or a
    negative count as written, and the number above 48. A "1" counts only
    after "en" or "em" or before "sola" or "único", because "hice un pago"
    reports a payment and requests nothing.
    """
    tokens = tokenize(text)
    for index in range(len(tokens)):
        count = _count_at_any(tokens, index)
        if count is None:
            continue
        value, used = count
        if tokens[index - 1 : index] and tokens[index - 1] in _NEGATIVE_SIGNS:
            value = -value
        following = tokens[index + used : index + used + 2]
        previous = tokens[index - 1] if index > 0 else ""
        if value == 1:
            only = following[:1] and following[0] in _ONLY_WORDS
            noun = following[1:2] if only else following[:1]
            if noun and noun[0] in _ONE_NOUNS and (only or previous in ("en", "em")):
                return 1
            continue
        if 2 <= value <= _MAXIMUM:
            continue
        if following[:1] and following[0] in _PART_NOUNS | _ONE_NOUNS:
            return value
    return None


def _count_at_any(tokens: list[str], index: int) -> tuple[int, int] | None:
    """Read a count of any size at `index`: "0", "60", "cero", "sesenta"."""
    token = tokens[index]
    if token.isdigit():
        return int(token), 1
    return word_number(tuple(tokens[index : index + 4]))


# "cuotas de 1000", "cuotas de $ 5.000", "parcelas de R$ 300": the amount of
# each installment, which no plan of ours takes from the reply.
_INSTALLMENT_AMOUNT = re.compile(
    r"\b(?:cuotas?|parcelas?|pagos?)\s+(?:fijas?\s+|mensuales\s+|mensais\s+)?"
    r"de\s+(?:r?\$|us\$|u\$s)?\s*\d"
)


def names_installment_amount(text: str) -> bool:
    """Tell whether `text` names the amount of each installment ("cuotas de 1000")."""
    return _INSTALLMENT_AMOUNT.search(fold(text)) is not None
