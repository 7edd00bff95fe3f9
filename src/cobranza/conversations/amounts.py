"""Find the amount of money a reply names ("15.000", "20 lucas", "R$ 300,00").

Decisions:
- Separators: when a number has both "." and ",", the last one is the decimal
  mark ("12.500,50", "1,500.50"). With only one kind, groups of exactly three
  digits are thousands ("15.000", "1,500") and anything else is a decimal
  ("1,5", "300,00", "2.5").
- Slang multipliers: "mil" and "k" are thousands, "luca"/"lucas" (AR, CL,
  UY) a thousand pesos each, "palo"/"palos" (AR, UY) a million each, so
  "1,5 palos" is 1,500,000 and "medio palo" 500,000. "mangos", "pesos",
  "soles", "reais" and "$"/"R$" mark money without changing the value.
- A bare number counts as money only from 100 upwards, and never when it is
  a date ("el 15", "10/4", "15.04"), a year ("desde 2023"), a count ("3
  cuotas", "10 días"), a phone number or an id ("11 4567 8901", "n° de
  operación 458812"), or after "ni" ("ni una luca").
- The amount is the first one named, unless a reply names several and some
  of them are what is owed ("debo 20.000 pero puedo 5.000"): then it is the
  first one that is not, because the debtor's offer is what matters. An
  amount is what is owed when a debt word ("debo", "deuda", "saldo", "devo")
  sits within three words before or after it and no other amount is nearer
  to that word.
- The currency is found apart (`find_currency`): a sign or word in
  the reply ("US$ 300", "300 dólares", "R$ 300") names it, "$" and "pesos"
  name the business's peso, and a reply without one leaves the choice to
  the caller.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from cobranza.conversations.normalize import (
    MONTHS,
    NUMBER_WORDS,
    tokenize,
    word_number,
)

_MULTIPLIERS = {
    "mil": Decimal(1000),
    "k": Decimal(1000),
    "luca": Decimal(1000),
    "lucas": Decimal(1000),
    "lukas": Decimal(1000),
    "palo": Decimal(1_000_000),
    "palos": Decimal(1_000_000),
    "millon": Decimal(1_000_000),
    "millones": Decimal(1_000_000),
    "milhao": Decimal(1_000_000),
    "milhoes": Decimal(1_000_000),
}
_CURRENCY_WORDS = frozenset(
    {
        "pesos",
        "peso",
        "mangos",
        "mango",
        "soles",
        "sol",
        "reais",
        "real",
        "reales",
        "dolares",
        "dolar",
        "usd",
        "ars",
        "mxn",
        "cop",
        "clp",
        "pen",
        "uyu",
        "brl",
        "plata",
    }
)
_CURRENCY_SIGNS = frozenset({"$", "r$", "usd", "ars", "mxn", "brl"})
_COUNT_NOUNS = frozenset(
    {
        "cuotas",
        "cuota",
        "pagos",
        "pago",
        "partes",
        "veces",
        "vezes",
        "parcelas",
        "x",
        "dias",
        "dia",
        "semanas",
        "meses",
        "mes",
        "anos",
        "horas",
        "hs",
        "hrs",
        "minutos",
        "%",
        "mensualidades",
        "facturas",
        "de",
    }
)
_DATE_WORDS = frozenset({"el", "del", "al", "dia", "las", "los", "hasta", "para"})
# Words that name a number as an id: "código de pago 789012", "dni".
_ID_WORDS = frozenset(
    {
        "operacion",
        "codigo",
        "folio",
        "cbu",
        "cvu",
        "clabe",
        "dni",
        "cuit",
        "cuil",
        "rut",
        "cedula",
        "cpf",
        "cnpj",
        "referencia",
        "comprobante",
        "transaccion",
        "telefono",
        "celular",
        "tel",
        "av",
        "avenida",
        "calle",
        "rua",
        "nro",
        "numero",
        "pedido",
        "orden",
        "ticket",
        "id",
    }
)
# Nouns after which a bare "mil" means "many", not a thousand.
_MANY_NOUNS = frozenset(
    {
        "disculpas",
        "gracias",
        "perdones",
        "veces",
        "desculpas",
        "obrigados",
        "besos",
        "abrazos",
        "bendiciones",
        "cosas",
        "problemas",
        "grax",
    }
)
# Words before a year: "desde 2023", "en 2024", "del 2025", "abril 2026".
_YEAR_BEFORE = frozenset({"desde", "en", "del", "ano", "anos", "em", "do", *MONTHS})
# Words before "de" and a year: "abril de 2026", "la factura de 2024".
_YEAR_BEFORE_DE = frozenset({"factura", "facturas", "ano", "anos", "mes", *MONTHS})


def parse_number(text: str) -> Decimal | None:
    """Read "12.500,50", "15.000", "1,5" or "300" as a Decimal."""
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        cleaned = text.replace(thousands, "").replace(decimal_mark, ".")
    elif dots or commas:
        mark = "." if dots else ","
        groups = text.split(mark)
        if len(groups) > 1 and all(len(group) == 3 for group in groups[1:]):
            cleaned = "".join(groups)
        elif len(groups) == 2:
            cleaned = ".".join(groups)
        else:
            return None
    else:
        cleaned = text
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _tidy(value: Decimal) -> Decimal:
    """Drop the ".0" that a multiplied decimal keeps ("1,5 palos")."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


def _is_numeric_token(token: str) -> bool:
    return token[:1].isdigit() and "/" not in token and "-" not in token


# Words that mark an amount as the debt rather than the debtor's offer.
_DEBT_WORDS = frozenset(
    {
        "debo",
        "debia",
        "deuda",
        "deudas",
        "saldo",
        "adeudo",
        "adeudado",
        "devo",
        "divida",
        "debito",
        "total",
    }
)
# Verbs that open a clause to name the sum due: "son 350", "eran 5.000".
_TOTAL_VERBS = frozenset({"son", "eran", "era", "serian", "sao", "seriam"})
# Words before "son" that keep it naming the total: "ya son 7 mil", "me
# dicen que son 3500".
_BEFORE_TOTAL = frozenset({"ya", "ahora", "que", "si", "pero"})
# "me cobran 350", "me están cobrando 3500", "cobro 8000 y te paso 3000":
# what the business charges, or what the debtor earns, not what is offered.
# "Cobrame 5000" is an offer and stays out.
_CHARGED = frozenset(
    {
        "cobran",
        "cobraron",
        "cobro",
        "cobras",
        "cobrais",
        "cobrando",
        "cobram",
        "cobraram",
        "cobrou",
    }
)
_NUMBER_TAIL = NUMBER_WORDS | frozenset(_MULTIPLIERS) | {"y", "e"}


def find_amount(text: str) -> Decimal | None:
    """Return the amount of money `text` offers or names, or None.

    The first amount wins, except that an amount marked as the debt gives
    way to a later one that is not (see the module docstring).
    """
    tokens = tokenize(text)
    # Most replies contain no number, and `_amount_at` starts only at one.
    if not any(_may_start(token) for token in tokens):
        return None
    found = list(_amounts(tokens))
    if not found:
        return None
    starts = [index for index, _ in found]
    offers = [value for index, value in found if not _is_debt(tokens, index, starts)]
    if len(found) > 1 and offers:
        return offers[0]
    return found[0][1]


def _may_start(token: str) -> bool:
    """Tell whether an amount may start at `token` (see `_amount_at`)."""
    return token[:1].isdigit() or token in NUMBER_WORDS or token in _AMOUNT_WORDS


_AMOUNT_WORDS = frozenset({"mil", "medio", "media", "meio", "meia"})


def _amounts(tokens: list[str]) -> list[tuple[int, Decimal]]:
    """Return each amount in `tokens` with the index of its first token."""
    found = []
    index = 0
    while index < len(tokens):
        value = _amount_at(tokens, index)
        if value is None:
            index += 1
            continue
        found.append((index, value))
        index += 1
        # Skip the rest of "dos mil quinientos" so "mil quinientos" is not
        # read again as a second amount.
        while index < len(tokens) and tokens[index] in _NUMBER_TAIL:
            index += 1
    return found


def _is_year(tokens: list[str], index: int, value: Decimal, separated: bool) -> bool:
    """Tell whether a bare four-digit number is a year ("15 de abril de 2026")."""
    if separated or not 1900 <= value <= 2100 or index == 0:
        return False
    previous = tokens[index - 1]
    if previous in _YEAR_BEFORE:
        return True
    return previous == "de" and index > 1 and tokens[index - 2] in _YEAR_BEFORE_DE


def _is_debt(tokens: list[str], index: int, starts: list[int]) -> bool:
    """Tell whether a debt word within three tokens belongs to this amount.

    A debt word belongs to the amount nearest to it, so in "de los 20.000
    que debo te paso 5.000" it marks the 20.000 and not the 5.000.
    """
    for position in range(max(0, index - 3), min(len(tokens), index + 4)):
        if position == index or not _marks_debt(tokens, position):
            continue
        # On a tie the later amount takes the word: "5.000 del total de
        # 20.000".
        nearest = min(starts, key=lambda start: (abs(start - position), -start))
        if nearest == index:
            return True
    return False


def _marks_debt(tokens: list[str], position: int) -> bool:
    """Tell whether the token at `position` is a debt word in this use.

    "debo pagarte" is "I must pay you", and a "total" that does not name a
    sum ("total te pago 8 mil hoy") is the filler "anyway".
    """
    word = tokens[position]
    following = tokens[position + 1] if position + 1 < len(tokens) else ""
    previous = tokens[position - 1] if position > 0 else ""
    # "Son 350 soles, le yapeo 100", "ya son 7 mil" and "me cobran 350": the
    # sum asked for.
    if word in _TOTAL_VERBS and (
        position == 0 or not previous.isalnum() or previous in _BEFORE_TOTAL
    ):
        soles = following == "s" and tokens[position + 2 : position + 3] == ["/"]
        return following[:1].isdigit() or following in _CURRENCY_SIGNS or soles
    if word in _CHARGED:
        return True
    # "cobrá 5000 ahora" is the voseo imperative, an offer.
    if word == "cobra":
        return previous in ("me", "nos", "le", "les")
    if word == "cobrar":
        return previous in ("quieren", "quiere", "van", "va", "pretenden")
    if word not in _DEBT_WORDS:
        return False
    if word == "debo" and following.startswith("pag"):
        return False
    if word == "total":
        return (
            following in ("de", "es", "son", "a", "adeudado") or following[:1].isdigit()
        )
    return True


def _amount_at(tokens: list[str], index: int) -> Decimal | None:
    token = tokens[index]
    previous = tokens[index - 1] if index > 0 else ""
    # "no tengo ni una luca", "no llego ni siquiera a 5 mil": having no
    # money at all.
    if "ni" in tokens[max(0, index - 3) : index]:
        return None
    # The "mil" of "5 mil" was read with its number.
    if token == "mil" and (previous[:1].isdigit() or previous in NUMBER_WORDS):
        return None
    # "S/ 150" is how Peru writes soles.
    soles = index > 1 and tokens[index - 2] == "s" and previous == "/"
    signed = previous in _CURRENCY_SIGNS or soles
    half = token in ("medio", "media", "meio", "meia")
    if _is_numeric_token(token):
        value = parse_number(token)
        used = 1
        separated = "." in token or "," in token
        if value is None or (len(token) > 9 and not separated):
            return None
    elif half:
        value, used, separated = Decimal("0.5"), 1, False
    elif token in NUMBER_WORDS or token == "mil":
        read = word_number(tuple(tokens[index : index + 6]))
        if read is None:
            return None
        value, used = Decimal(read[0]), read[1]
        separated = False
    else:
        return None

    following = tokens[index + used] if index + used < len(tokens) else ""
    multiplier = _MULTIPLIERS.get(following)
    if multiplier is not None:
        return _tidy(value * multiplier)
    if half:
        return None
    if following == "por" and index + used + 1 < len(tokens):
        if tokens[index + used + 1] in ("ciento", "cento"):
            return None
    words = token in NUMBER_WORDS or token == "mil"
    # "no tengo un peso" is an idiom for having no money, not an amount.
    if words and value < 10:
        return None
    if signed or following in _CURRENCY_WORDS:
        return value
    # "mil disculpas", "mil gracias": a bare "mil" before these means "many".
    if token == "mil" and used == 1 and following in _MANY_NOUNS:
        return None
    if _is_year(tokens, index, value, separated):
        return None
    # A day is at most 31: "el 15" and "15 de abril" are days, "los 800" and
    # "500 de adelanto" are sums.
    day_like = value <= 31
    if following in _COUNT_NOUNS and (following != "de" or day_like):
        return None
    if previous in _DATE_WORDS and day_like:
        return None
    if words:
        return value if value >= 1000 else None
    if _is_reference(tokens, index):
        return None
    if value >= 100:
        return value
    # "50,00" is a sum; "15.04" is a date.
    if separated:
        whole, _, fraction = token.replace(",", ".").partition(".")
        date_like = int(whole) <= 31 and fraction.isdigit() and int(fraction) <= 12
        return None if date_like else value
    return None


def _is_reference(tokens: list[str], index: int) -> bool:
    """Tell whether a bare number is a phone, an id or a reference.

    Bare digit runs next to each other ("11 4567 8901"), a leading zero
    ("00012345") and numbers after an id word ("n° de operación 458812")
    are never what the debtor offers.
    """
    token = tokens[index]
    if token.isdigit() and token.startswith("0"):
        return True
    neighbours = tokens[max(0, index - 1) : index] + tokens[index + 1 : index + 2]
    if token.isdigit() and any(word.isdigit() for word in neighbours):
        return True
    return not _ID_WORDS.isdisjoint(tokens[max(0, index - 4) : index])


# Words and signs that name a currency, folded. "u$s" and "us$" are how
# Argentina and Uruguay write dollars, and "verdes" is dollar slang there.
# "real" and "sol" are left out because they are everyday words too, and
# "reales" counts only after a number or a determiner (`_names_reales`).
_NAMED_CURRENCIES = {
    "usd": "USD",
    "us$": "USD",
    "u$s": "USD",
    "dolar": "USD",
    "dolares": "USD",
    "verdes": "USD",
    "r$": "BRL",
    "brl": "BRL",
    "reais": "BRL",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "soles": "PEN",
    "pen": "PEN",
    "ars": "ARS",
    "mxn": "MXN",
    "cop": "COP",
    "clp": "CLP",
    "uyu": "UYU",
}
# Words and the bare "$" that name the local peso without its country.
_PESO_WORDS = frozenset(
    {"$", "peso", "pesos", "mango", "mangos", "luca", "lucas", "palo", "palos"}
)
# "reales" is Spanish for reais, but also the plural of the adjective
# "real" ("los montos reales"), so it names the currency only right after
# one of these words or a number: "los reales", "en reales", "500 reales".
_BEFORE_REALES = frozenset(
    {"los", "en", "de", "mis", "tus", "sus", "unos", "esos", "estos", "mil"}
)
# Currencies that "$" and "pesos" name when the business charges in them.
PESO_CURRENCIES = frozenset({"ARS", "CLP", "COP", "MXN", "UYU"})
# `find_currency` returns this when a reply names two or more currencies.
SEVERAL_CURRENCIES = "several"


def find_currency(text: str, local_currency: str) -> str | None:
    """Return the currency code `text` names for its money, or None.

    "US$", "u$s", "USD", "dólares" and "verdes" name dollars, "R$",
    "reais" and "los reales" (see `_BEFORE_REALES`) reals, "soles" and "S/"
    soles, and an ISO code itself. "$",
    "pesos", "lucas" and "palos" name the peso, which is `local_currency`
    when that is a peso, and no currency otherwise. A reply that names two
    or more currencies returns `SEVERAL_CURRENCIES`.
    """
    tokens = tokenize(text)
    named: set[str] = set()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1 : index + 3]
        if token == "us" and following[:1] == ["$"]:
            named.add("USD")
            index += 2
            continue
        if token == "u" and following == ["$", "s"]:
            named.add("USD")
            index += 3
            continue
        if token == "s" and following[:1] == ["/"]:
            named.add("PEN")
            index += 2
            continue
        code = _NAMED_CURRENCIES.get(token)
        if token == "reales" and _names_reales(tokens[index - 1] if index else ""):
            code = "BRL"
        if code is not None:
            named.add(code)
        elif token in _PESO_WORDS and local_currency in PESO_CURRENCIES:
            named.add(local_currency)
        index += 1
    if len(named) > 1:
        return SEVERAL_CURRENCIES
    return next(iter(named), None)


def _names_reales(previous: str) -> bool:
    """Tell whether "reales" after the token `previous` names the currency."""
    return (
        previous == ""
        or previous in _BEFORE_REALES
        or previous.isdigit()
        or previous in NUMBER_WORDS
    )
