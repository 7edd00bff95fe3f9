"""Find the days that a reply names ("el viernes", "a fin de mes", "amanhã").

Rules over folded tokens (see `normalize`), resolved against "today" in the
customer's time zone. Semantics, chosen once and tested:

- A bare weekday ("el viernes", "sexta") is the next such day strictly after
  today, so "el viernes" said on a Friday means the Friday a week later: a
  debtor paying today says "hoy".
- "el viernes que viene", "el próximo viernes" and "el viernes de la semana
  que viene" are the Friday of next week (weeks start on Monday), as in
  Duckling's Spanish corpus. "el viernes de esta semana" may lie in the past.
- A span resolves to its first day and keeps its last one in `end`: "la
  semana que viene" is next Monday to Sunday, "el mes que viene" the 1st to
  the last day of next month, "el finde" Saturday and Sunday (this weekend
  when said on one of them), "a principios de mes" the 1st to the 5th of next
  month (of this month up to the 5th).
- "a fin de mes" is the last day of this month; "a mediados de mes" the 15th,
  or next month's when the 15th has passed; "la quincena" the next payday of a
  twice-monthly salary: the 15th or the last day of the month, whichever
  comes first from today. "la otra quincena" is the payday after that one.
- A day number without a month ("el 5") is in this month, or next month when
  it has passed, clipped to the month's length ("el 31" in April is the 30th).
  A day and month without a year that has passed this year is next year's.
  Numeric dates are day first ("10/4" is the 10th of April).
- A weekday with a day number and no month ("el jueves 15") is the first such
  day number, from this month on, that falls on that weekday, as Duckling
  reads it. So a weekday that does not match this month's day moves the date
  to a later month. NOTE: for a promise that reading can be far off: on
  Monday 7 December 2026 "te pago el lunes 15" is 15 February 2027. A
  promise past the business's longest plan goes to a person
  (`actions.promise_horizon_days`), but a nearer one is recorded; asking
  once for the day would suit a debtor who mixed up the weekday better.
- Two-letter weekday abbreviations ("lu", "ma", "mi", "mx", "ju", "vi") count
  only before a day number or as the whole reply, because they are also words.
- Nothing is found in "cuando cobre": no expression, no date.
- A mention of the present ("ahora", "altiro", "agora") followed by a rest
  put off ("y el resto el viernes") is the day of the first part, today,
  even in a wish ("quiero pagarte altiro la mitad, y el resto el viernes").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from cobranza.conversations.installments import REST_PUT_OFF
from cobranza.conversations.normalize import (
    MONTHS,
    NUMBER_WORDS,
    edit_distance,
    tokenize,
    word_number,
)


@dataclass(frozen=True)
class DateMention:
    """A day or span named in a reply, with the tokens that named it."""

    start: date
    end: date
    text: str
    negated: bool = False
    # The folded tokens of the clause that contains the mention.
    clause: str = ""


_WEEKDAYS_ES = {
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
}
_WEEKDAYS_PT = {
    "segunda": 0,
    "terca": 1,
    "quarta": 2,
    "quinta": 3,
    "sexta": 4,
}
# Abbreviations count only before "." or a number ("lun.", "jue 15").
_WEEKDAY_ABBREVIATIONS = {
    "lun": 0,
    "ma": 1,
    "mar": 1,
    "mie": 2,
    "mier": 2,
    "jue": 3,
    "vie": 4,
    "sab": 5,
    "dom": 6,
}
# Two-letter abbreviations are other words too ("mi", "ma", "do"), so they
# count only before a day number ("ju 15") or as a whole reply ("lu").
_WEEKDAY_SHORT = {"lu": 0, "ma": 1, "mi": 2, "mx": 2, "ju": 3, "vi": 4}
# Words after a number that make it a sum or a count, not a day ("mi 20 lucas").
_NOT_A_DAY_AFTER = frozenset(
    {"lucas", "luca", "mil", "k", "pesos", "soles", "reais", "mangos", "%"}
    | {"cuotas", "pagos", "dias", "meses", "semanas", "anos", "x", "vezes"}
)
# Words one typo away from a weekday that are ordinary words.
_NOT_WEEKDAYS = frozenset(
    {"vienes", "viene", "mates", "lunas", "marte", "dominio", "juegos", "jueces"}
)
# Nouns that make "segunda", "quinta" or "sexta" an ordinal ("sexta cuota").
_ORDINAL_NOUNS = frozenset(
    {"cuota", "cuotas", "parcela", "parte", "vez", "semana", "factura", "fatura"}
)
_MONTH_ABBREVIATIONS = {
    "ene": 1,
    "feb": 2,
    "mar": 3,
    "abr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "ago": 8,
    "sep": 9,
    "sept": 9,
    "set": 9,
    "oct": 10,
    "nov": 11,
    "dic": 12,
    "dez": 12,
}
_UNIT_DAYS = {
    "dia": 1,
    "dias": 1,
    "semana": 7,
    "semanas": 7,
}
_UNIT_MONTHS = frozenset({"mes", "meses", "mese"})
_NEXT_WORDS = frozenset({"proximo", "proxima", "siguiente", "proximos", "proximas"})
_THIS_WORDS = frozenset({"este", "esta", "neste", "nesta", "essa", "esse"})
# "la otra semana", "el otro viernes": in Colombia and much of Latin America
# the next one, as "la próxima semana" and "el próximo viernes" are read.
_OTHER_WORDS = frozenset({"otra", "otro"})
_NEGATIONS = frozenset({"no", "nao", "tampoco", "nunca", "ni", "nem"})
# In Portuguese "no" is "in the" ("no churrasco"), never a negation.
_PORTUGUESE_NEGATIONS = frozenset({"nao", "tampouco", "nunca", "nem"})
# Words after "no" that make it the Spanish negation under a Portuguese
# locale: "hoy no puedo" is a no, "no sábado" is "on Saturday".
_SPANISH_AFTER_NO = frozenset(
    {
        "me",
        "te",
        "le",
        "les",
        "lo",
        "la",
        "se",
        "nos",
        "puedo",
        "podre",
        "podemos",
        "tengo",
        "tenemos",
        "voy",
        "vamos",
        "llego",
        "alcanza",
        "pago",
        "creo",
        "hay",
        "es",
        "estoy",
        "cobro",
        "cobre",
        "va",
        "sera",
        "quiero",
        "cuento",
        "puede",
        "podria",
        "alcanzo",
        "alcanzamos",
        "consigo",
        "llegamos",
    }
)
# "el viernes no falla", "de mañana no pasa": a "no" that promises.
_NOT_FAILING = frozenset({"falla", "fallo", "falta", "pasa", "falha", "passa"})
# Words after a day that rule it out, like a "no": "el viernes imposible".
_RULED_OUT = frozenset({"imposible", "impossivel"})
# Week offset meaning "the last such weekday before today" ("el martes pasado").
_LAST_SUCH_DAY = -2
# "no puedo hasta el 15" names the day it becomes possible.
_UNTIL = frozenset({"hasta", "ate", "antes"})
_CLAUSE_BREAKS = frozenset({",", ".", ";", "!", "?", "pero", "mas", "porque"})
# "ahora no, peero el viernes sí": "pero" typed with one slip still ends a clause.
_PERO_SLIPS = frozenset({"peero", "peroo", "preo", "epro"})
# Mentions of the present moment. One gives way to another named day when
# its clause states hardship or has no word of paying (see `_passing_now`).
_NOW_MENTIONS = frozenset(
    {
        "ahora",
        "ahorita",
        "agora",
        "en este momento",
        "al tiro",
        "altiro",
        "ya mismo",
        "de una",
        "neste momento",
        "nesse momento",
        "este mes",
        "esse mes",
    }
)
# Regional words for "right away": "al tiro"/"altiro" (Chile), "ya mismo",
# "de una". Before "que" or "cuando" they mean "as soon as" ("al tiro que me
# paguen"), which names no day.
_RIGHT_AWAY = (("al", "tiro"), ("altiro",), ("ya", "mismo"), ("de", "una"))
_AS_SOON_AS = frozenset({"que", "q", "cuando", "apenas"})
# "de una" means "right away" only before a pronoun or at a clause's end:
# "de una te pago", "te pago de una" but not "de una vez" or "de una cuota".
# After "todo" it means "in one payment" ("te pago todo de una").
_RIGHT_AWAY_DE_UNA_BEFORE = frozenset(
    {"", "te", "le", "les", "lo", "los", "se", "me", "y", "po", "nomas"}
)
RIGHT_AWAY_TEXTS = frozenset(" ".join(words) for words in _RIGHT_AWAY)
# A wish to pay right away may give way to a day named elsewhere, see
# `_passing_now`.
_WISH = re.compile(r"\b(?:quiero|quisiera|queria|me gustaria|quero)\b")
_HARDSHIP = re.compile(
    r"\b(?:cort[oa]s?|lis[oa]|apretad[oa]s?|apertad[oa]s?|complicad[oa]|complico|"
    r"misio|pelad[oa]|quebrad[oa]|bruj[oa]|sin (?:plata|dinero|un peso|trabajo|"
    r"laburo|chamba|lana|guita|ingresos|nada|un mango)|sem (?:grana|dinheiro|"
    r"condicoes|trabalho|nada)|(?:no|nao|n) (?:me )?(?:tengo|tenho|puedo|posso|"
    r"llego|alcanza|da|consigo|cuento|hay|tenemos|podemos)|cero ingresos|"
    r"imposible|impossivel)\b"
)
_PAYING = re.compile(
    r"\b(?:pag\w*|pgo|pao|abon\w*|transfi\w*|transfer\w*|deposit\w*|"
    r"consign\w*|yape\w*|pix|cancel\w*|cubr\w*|sald\w*|liquid\w*|giro|"
    r"mando|envio|quito|mitad|metade|parte|adelanto|cuota)\b"
)
# A weekday with no word that places it ("que viene", "próximo").
_BARE_WEEKDAY = re.compile(
    r"^(?:el |este |esta |na |no |nesta |neste )?(?:lunes|martes|miercoles|"
    r"jueves|viernes|sabado|domingo|segunda|terca|quarta|quinta|sexta)"
    r"(?:-feira| feira)?$"
)
# A payment verb in the past. Unaccented "pague" is read as "pagué"
# unless one of `_SUBORDINATORS` comes just before it.
_PAST_PAYMENT = re.compile(
    r"\b(?:pague|transferi|deposite|consigne|yapee|abone|mande|envie|hice|"
    r"realice|efectue|paguei|depositei|mandei|enviei|fiz|paguee|pagamos ya|"
    r"pagaron|depositaron|transfirieron|cobre)\b"
)
# Words that make an unaccented "pague" a subjunctive, a payment to come:
# "cuando te pague el lunes", "apenas le pague", "querés que te pague".
_SUBORDINATORS = frozenset(
    {"que", "cuando", "apenas", "cuanto", "ojala", "si", "hasta", "quando", "se"}
)
# "El lunes te pagué la mitad": the past verb right after the day.
_PAST_PAYMENT_AFTER = re.compile(
    r"^ (?:(?:ya|yo|eu|te|le|les|se|lo|la|los|las|me) )*"
    r"(?:pague|transferi|deposite|consigne|yapee|abone|hice|paguei|depositei|"
    r"transfiri|fiz|mande|envie|mandei|enviei|transferi)\b"
)
# "ya hice el trámite, el lunes te pago": a present payment after the day.
_PAYS_AFTER = re.compile(
    r"^ (?:(?:ya|yo|eu|te|le|les|se|lo|la) )*"
    r"(?:pago|deposito|transfiero|faco|pagamos|pagaremos|mando)\b"
)
# "no sé si el viernes pueda": a day in doubt is no promise.
_DOUBT_BEFORE = re.compile(r"\bno se si(?: \w+)?$")
# Words after a day number that make it something other than a day.
_NOT_DAY_AFTER = frozenset(
    {
        "cuotas",
        "cuota",
        "pagos",
        "veces",
        "vezes",
        "x",
        "mil",
        "lucas",
        "luca",
        "pesos",
        "reais",
        "soles",
        "%",
        "dias",
        "semanas",
        "meses",
        "horas",
        "hs",
        "hrs",
        "minutos",
        "palos",
        "mangos",
        "parcelas",
        "mensualidades",
    }
)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _last_day(year, month)))


def _month_span(today: date, offset: int) -> tuple[date, date]:
    first = _add_months(today.replace(day=1), offset)
    return first, first.replace(day=_last_day(first.year, first.month))


def _same_day_on_weekday(day: date, weekday: int) -> date:
    """Return the first date from `day` on with its day number and `weekday`.

    "el jueves 15" written when this month's 15th is a Friday means the next
    15th that is a Thursday, as Duckling reads it. A day number up to the
    28th falls on every weekday within 13 months of any start (checked over
    400 years of calendar). When none matches, `day` is kept as written.
    """
    for months in range(14):
        candidate = _add_months(day, months)
        if candidate.day == day.day and candidate.weekday() == weekday:
            return candidate
    return day


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=8192)
def _fuzzy_weekday(token: str) -> int | None:
    """Match a Spanish weekday name with up to one typo (two in "miercoles")."""
    if token in _WEEKDAYS_ES:
        return _WEEKDAYS_ES[token]
    if len(token) < 5 or token in _NOT_WEEKDAYS:
        return None
    singular = token[:-1] if token.endswith("s") and token != "lunes" else token
    if singular in _WEEKDAYS_ES:
        return _WEEKDAYS_ES[singular]
    # "biernes" for "viernes": b and v sound the same in Spanish.
    initial = "v" if token[0] == "b" else token[0]
    for name, weekday in _WEEKDAYS_ES.items():
        allowed = 2 if len(name) >= 8 else 1
        if initial == name[0] and edit_distance(initial + token[1:], name) <= allowed:
            return weekday
    return None


class _Scanner:
    """One left-to-right pass over the tokens of a reply."""

    def __init__(self, tokens: list[str], today: date, portuguese: bool) -> None:
        self.tokens = tokens
        self.today = today
        self.portuguese = portuguese

    def at(self, index: int) -> str:
        return self.tokens[index] if 0 <= index < len(self.tokens) else ""

    def phrase(self, index: int, *words: str) -> bool:
        return tuple(self.tokens[index : index + len(words)]) == words

    # Each rule returns (tokens used, start, end) or None.

    def relative_day(self, i: int) -> tuple[int, date, date] | None:
        token = self.at(i)
        today = self.today
        offset: int | None = None
        used = 1
        if self.phrase(i, "pasado", "manana") or self.phrase(i, "pasado", "amanha"):
            offset, used = 2, 2
        elif self.phrase(i, "depois", "de", "amanha"):
            offset, used = 2, 3
        elif self.phrase(i, "antes", "de", "ayer"):
            offset, used = -2, 3
        elif self.phrase(i, "esta", "manana") or self.phrase(i, "hoje", "de", "manha"):
            offset, used = 0, 2 if token == "esta" else 3
        elif token in ("manana", "amanha"):
            # "por la mañana", "de la mañana": a time of day, not tomorrow.
            if self.at(i - 1) in ("la", "da"):
                return None
            offset = 1
        elif token in ("hoy", "hoje", "ahora", "ahorita", "ahoritita", "agora"):
            offset = 0
        elif self.phrase(i, "en", "este", "momento"):
            offset, used = 0, 3
        elif (right_away := self._right_away(i)) is not None:
            offset, used = 0, right_away
        elif token in ("ayer", "ontem"):
            offset = -1
        elif token in ("anteayer", "antier", "anteontem"):
            offset = -2
        elif self.phrase(i, "esta", "tarde") or self.phrase(i, "esta", "noche"):
            offset, used = 0, 2
        if offset is None:
            return None
        day = today + timedelta(days=offset)
        return used, day, day

    def _right_away(self, i: int) -> int | None:
        """Return how many tokens a "right away" word at `i` uses, if any."""
        for words in _RIGHT_AWAY:
            if not self.phrase(i, *words):
                continue
            following = self.at(i + len(words))
            if following in _AS_SOON_AS:
                return None
            if words == ("de", "una") and (
                self.at(i - 1) in ("todo", "toda", "todos")
                or (
                    following not in _RIGHT_AWAY_DE_UNA_BEFORE
                    and following not in _CLAUSE_BREAKS
                )
            ):
                return None
            return len(words)
        return None

    def month_part(self, i: int) -> tuple[int, date, date] | None:
        today = self.today
        j = i
        if self.at(j) in ("a", "al", "para", "hasta", "ate", "no", "na", "o"):
            j += 1
        word = self.at(j)
        linked = self.at(j + 1) in ("de", "del", "do", "da")
        month_word = self.at(j + 2 if linked else j + 1)
        if month_word != "mes":
            return None
        used = (j + (3 if linked else 2)) - i
        if word in ("fin", "fines", "final", "finales", "fim", "ultimo"):
            last = today.replace(day=_last_day(today.year, today.month))
            return used, last, last
        if word in ("principios", "principio", "comienzos", "inicio", "inicios"):
            offset = 0 if today.day <= 5 else 1
            first = _add_months(today.replace(day=1), offset)
            return used, first, first.replace(day=5)
        if word in ("mediados", "mitad", "meados", "metade"):
            middle = today.replace(day=15)
            if middle < today:
                middle = _add_months(middle, 1)
            return used, middle, middle
        return None

    def payday(self, i: int) -> tuple[int, date, date] | None:
        # "la otra quincena" sets the coming payday aside, as "la otra
        # semana" does this week: it is the payday after that one.
        following = 1 if self.at(i) in _OTHER_WORDS else 0
        if self.at(i + following) not in ("quincena", "quinzena"):
            return None
        today = self.today
        month_end = today.replace(day=_last_day(today.year, today.month))
        day = today.replace(day=15) if today.day <= 15 else month_end
        if following:
            day = month_end if day.day == 15 else _add_months(today.replace(day=15), 1)
        return 1 + following, day, day

    def weekend(self, i: int) -> tuple[int, date, date] | None:
        if self.at(i) in ("finde", "weekend", "findes"):
            used = 1
        elif self.phrase(i, "fin", "de", "semana") or self.phrase(
            i, "fim", "de", "semana"
        ):
            used = 3
        else:
            return None
        saturday = _monday(self.today) + timedelta(days=5)
        if self.today.weekday() == 6:
            saturday = self.today - timedelta(days=1)
        return used, saturday, saturday + timedelta(days=1)

    def relative_span(self, i: int) -> tuple[int, date, date] | None:
        """Read "la semana que viene", "esta semana", "el mes que viene"."""
        token = self.at(i)
        j = i
        offset: int | None = None
        if token in _NEXT_WORDS or token in _THIS_WORDS or token in _OTHER_WORDS:
            j += 1
        unit = self.at(j)
        if unit not in ("semana", "mes"):
            return None
        following = (self.at(j + 1), self.at(j + 2))
        ahead = token in _NEXT_WORDS or token in _OTHER_WORDS
        if ahead or following[0] in ("proxima", "proximo", "entrante"):
            offset = 1
            used = j + 1 - i + (1 if following[0] in _NEXT_WORDS | {"entrante"} else 0)
        elif following in (("que", "viene"), ("que", "vem")):
            offset, used = 1, j + 3 - i
        elif token in _THIS_WORDS:
            offset, used = 0, j + 1 - i
        elif following[0] in ("pasada", "pasado", "passada", "passado"):
            offset, used = -1, j + 2 - i
        if offset is None:
            return None
        if unit == "semana":
            monday = _monday(self.today) + timedelta(weeks=offset)
            return used, monday, monday + timedelta(days=6)
        first, last = _month_span(self.today, offset)
        return used, first, last

    def count(self, i: int) -> tuple[int, int] | None:
        """Read a small number in digits or words: (value, tokens used)."""
        token = self.at(i)
        if token.isdigit() and len(token) <= 3:
            return int(token), 1
        if token == "par" or self.phrase(i, "un", "par"):
            return 2, 2 if token == "un" else 1
        read = word_number(tuple(self.tokens[i : i + 4]))
        return read

    def duration(self, i: int) -> tuple[int, date, date] | None:
        """Read "en 10 días", "dentro de una semana", "hace tres meses"."""
        sign = 1
        if self.at(i) in ("en", "em"):
            j = i + 1
        elif self.phrase(i, "dentro", "de"):
            j = i + 2
        elif self.phrase(i, "daqui", "a"):
            j = i + 2
        elif self.at(i) in ("hace", "faz"):
            j, sign = i + 1, -1
        elif self.phrase(i, "de", "hoy", "en", "ocho") or self.phrase(
            i, "hoy", "en", "ocho"
        ):
            used = 4 if self.at(i) == "de" else 3
            day = self.today + timedelta(days=7)
            return used, day, day
        else:
            return None
        read = self.count(j)
        if read is None:
            return None
        amount, used = read
        if self.at(j + used) == "de":
            used += 1
        unit = self.at(j + used)
        if unit in _UNIT_DAYS:
            day = self.today + timedelta(days=sign * amount * _UNIT_DAYS[unit])
        elif unit in _UNIT_MONTHS:
            day = _add_months(self.today, sign * amount)
        else:
            return None
        return j + used + 1 - i, day, day

    def weekday(self, i: int) -> tuple[int, date, date] | None:
        """Read "el viernes", "el próximo lunes", "el martes que viene"."""
        j = i
        next_week = False
        while self.at(j) in ("el", "la", "o", "a", "na", "no", "ate", "para", "hasta"):
            j += 1
        if self.at(j) in _NEXT_WORDS or (self.at(j) == "otro" and not self.portuguese):
            next_week = True
            j += 1
        elif self.at(j) in _THIS_WORDS:
            j += 1
        weekday, used = self._weekday_word(j)
        if weekday is None:
            return None
        end = j + used

        # "lunes, 18 de febrero": the explicit date wins over the weekday.
        k = end
        while self.at(k) in (",", "el", "dia"):
            k += 1
        explicit = self.day_of_month(k, introduced=True)
        if explicit is not None:
            used = k + explicit[0] - i
            month_named = any(self.at(m) in MONTHS for m in range(k, k + used))
            day = explicit[1]
            # "el viernes, el 30 a más tardar" names two days: only a number
            # written right after the weekday ("jue 15") moves to a month
            # where the two agree.
            separate = k > end and day.weekday() != weekday
            if not month_named and not separate:
                day = _same_day_on_weekday(day, weekday)
            if month_named or not separate:
                return used, day, day

        modifier = self._week_modifier(end)
        week_offset: int | None = 1 if next_week else None
        if modifier is not None:
            week_offset, extra = modifier
            end += extra

        today = self.today
        if week_offset is None:
            ahead = (weekday - today.weekday() - 1) % 7 + 1
            day = today + timedelta(days=ahead)
        elif week_offset == _LAST_SUCH_DAY:
            back = (today.weekday() - weekday - 1) % 7 + 1
            day = today - timedelta(days=back)
        else:
            day = _monday(today) + timedelta(weeks=week_offset, days=weekday)
        return end - i, day, day

    def _weekday_word(self, j: int) -> tuple[int | None, int]:
        token = self.at(j)
        following = self.at(j + 1)
        if token in _WEEKDAYS_PT or (self.portuguese and token in _WEEKDAYS_ES):
            if following == "-" and self.at(j + 2) == "feira":
                return _WEEKDAYS_PT.get(token, _WEEKDAYS_ES.get(token)), 3
            if following == "feira":
                return _WEEKDAYS_PT.get(token), 2
            if self.portuguese and following not in _ORDINAL_NOUNS:
                return _WEEKDAYS_PT.get(token, _WEEKDAYS_ES.get(token)), 1
        if token in _WEEKDAY_ABBREVIATIONS and following == ".":
            return _WEEKDAY_ABBREVIATIONS[token], 2
        if token in _WEEKDAY_ABBREVIATIONS and token != "ma" and following.isdigit():
            return _WEEKDAY_ABBREVIATIONS[token], 1
        if token in _WEEKDAY_SHORT:
            alone = len(self.tokens) == 1
            day_number = following.isdigit() and 1 <= int(following) <= 31
            if alone or (day_number and self.at(j + 2) not in _NOT_A_DAY_AFTER):
                return _WEEKDAY_SHORT[token], 1
            return None, 1
        if token.isalpha():
            return _fuzzy_weekday(token), 1
        return None, 1

    def _week_modifier(self, k: int) -> tuple[int, int] | None:
        """Read what follows a weekday: (week offset, tokens used).

        The offset `_LAST_SUCH_DAY` marks "pasado": the last such day before
        today, which may lie in this week or the last.
        """
        if self.phrase(k, "que", "viene") or self.phrase(k, "que", "vem"):
            return 1, 2
        if self.at(k) in ("proximo", "proxima", "entrante"):
            return 1, 1
        if self.at(k) in ("pasado", "passado", "passada"):
            return _LAST_SUCH_DAY, 1
        if self.at(k) in ("de", "da", "dela"):
            span = self.relative_span(k + 1 if self.at(k + 1) != "la" else k + 2)
            skip = 2 if self.at(k + 1) == "la" else 1
            if span is not None:
                offset = (span[1] - _monday(self.today)).days // 7
                return offset, skip + span[0]
        return None

    def day_of_month(
        self, i: int, introduced: bool = False
    ) -> tuple[int, date, date] | None:
        """Read "el 5", "el 15 de abril", "el primero de abril", "día once".

        A bare number counts as a day only after "el", "del", "al" or "día",
        after a weekday (`introduced`), or before a month name.
        """
        j = i
        while self.at(j) in ("el", "del", "al", "dia", "o", "hasta", "para", "ate"):
            introduced = introduced or self.at(j) in ("el", "del", "al", "dia")
            j += 1
        read = self._day_number(j)
        if read is None:
            return None
        day, used = read
        k = j + used
        month, year, extra = self._month_after(k)
        if month is None and (not introduced or self.at(k) in _NOT_DAY_AFTER):
            return None
        if self.at(k) == ":":
            return None
        resolved = self._resolve(day, month, year)
        if resolved is None:
            return None
        return k + extra - i, resolved, resolved

    def month_first(self, i: int) -> tuple[int, date, date] | None:
        """Read "marzo 3" and "mayo 5 del 2013"."""
        month = MONTHS.get(self.at(i))
        if month is None:
            return None
        read = self._day_number(i + 1)
        if read is None:
            return None
        day, used = read
        k = i + 1 + used
        year, extra = self._year(k)
        resolved = self._resolve(day, month, year)
        if resolved is None:
            return None
        return k + extra - i, resolved, resolved

    def numeric(self, i: int) -> tuple[int, date, date] | None:
        """Read "10/4", "10-04", "1.3.2013" and "31/10/74" (day first)."""
        token = self.at(i)
        for separator in "/-.":
            parts = token.split(separator)
            if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
                break
        else:
            return None
        if separator == "." and len(parts) == 2:
            return None
        if len(parts[0]) > 2 or len(parts[1]) > 2:
            return None
        if self.at(i - 1) in ("$", "r$"):
            return None
        day, month = int(parts[0]), int(parts[1])
        year = self._full_year(parts[2]) if len(parts) == 3 else None
        if len(parts) == 3 and year is None:
            return None
        resolved = self._resolve(day, month, year)
        if resolved is None:
            return None
        return 1, resolved, resolved

    def holiday(self, i: int) -> tuple[int, date, date] | None:
        today = self.today
        fixed = {"navidad": (12, 25), "nochebuena": (12, 24), "nochevieja": (12, 31)}
        if self.at(i) in fixed:
            month, day = fixed[self.at(i)]
            used = 1
        elif self.phrase(i, "ano", "nuevo"):
            month, day, used = 1, 1, 2
        elif self.phrase(i, "fin", "de", "ano"):
            month, day, used = 12, 31, 3
        else:
            return None
        resolved = date(today.year, month, day)
        if resolved < today:
            resolved = date(today.year + 1, month, day)
        return used, resolved, resolved

    def _day_number(self, j: int) -> tuple[int, int] | None:
        token = self.at(j)
        if token.isdigit() and len(token) <= 2:
            value, used = int(token), 1
        elif token in ("primero", "primer", "1ro", "1o"):
            value, used = 1, 1
        else:
            read = word_number(tuple(self.tokens[j : j + 4]))
            if read is None:
                return None
            value, used = read
        if not 1 <= value <= 31:
            return None
        return value, used

    def _month_after(self, k: int) -> tuple[int | None, int | None, int]:
        """Read " de abril [de 2026]" after a day: (month, year, tokens used)."""
        j = k
        if self.at(j) in ("de", "do"):
            j += 1
        token = self.at(j)
        month = MONTHS.get(token)
        if month is None and token in _MONTH_ABBREVIATIONS and j > k:
            month = _MONTH_ABBREVIATIONS[token]
        if month is None:
            return None, None, 0
        j += 1
        if self.at(j) == ".":
            j += 1
        year, extra = self._year(j)
        return month, year, j + extra - k

    def _year(self, j: int) -> tuple[int | None, int]:
        used = 0
        if self.at(j) in ("de", "del", "do", ","):
            used = 1
        token = self.at(j + used)
        if token.isdigit() and len(token) == 4:
            return int(token), used + 1
        read = word_number(tuple(self.tokens[j + used : j + used + 5]))
        if read is not None and read[0] >= 1900:
            return read[0], used + read[1]
        return None, 0

    def _full_year(self, text: str) -> int | None:
        if len(text) == 4:
            return int(text)
        if len(text) == 2:
            short = int(text)
            century = 1900 if short > self.today.year % 100 + 10 else 2000
            return century + short
        return None

    def _resolve(self, day: int, month: int | None, year: int | None) -> date | None:
        today = self.today
        if month is None:
            candidate = today.replace(day=min(day, _last_day(today.year, today.month)))
            if day < today.day:
                following = _add_months(today.replace(day=1), 1)
                last = _last_day(following.year, following.month)
                candidate = following.replace(day=min(day, last))
            return candidate
        if not 1 <= month <= 12:
            return None
        try:
            candidate = date(year or today.year, month, day)
        except ValueError:
            return None
        if year is None and candidate < today:
            candidate = candidate.replace(year=today.year + 1)
        return candidate


def _rules(
    scanner: _Scanner,
) -> list[Callable[[int], tuple[int, date, date] | None]]:
    return [
        scanner.holiday,
        scanner.month_part,
        scanner.weekend,
        scanner.relative_day,
        scanner.weekday,
        scanner.relative_span,
        scanner.duration,
        scanner.payday,
        scanner.month_first,
        scanner.day_of_month,
        scanner.numeric,
    ]


# Words that can begin some rule; other tokens are skipped without trying.
_TRIGGERS = (
    frozenset(
        {
            "pasado",
            "depois",
            "antes",
            "manana",
            "amanha",
            "hoy",
            "hoje",
            "ahora",
            "ahorita",
            "ahoritita",
            "agora",
            "altiro",
            "ya",
            "en",
            "em",
            "ayer",
            "ontem",
            "anteayer",
            "antier",
            "anteontem",
            "esta",
            "a",
            "al",
            "para",
            "hasta",
            "ate",
            "no",
            "na",
            "o",
            "fin",
            "fines",
            "final",
            "finales",
            "fim",
            "ultimo",
            "principios",
            "principio",
            "comienzos",
            "inicio",
            "inicios",
            "mediados",
            "mitad",
            "meados",
            "metade",
            "finde",
            "weekend",
            "findes",
            "semana",
            "mes",
            "dentro",
            "daqui",
            "hace",
            "faz",
            "de",
            "el",
            "la",
            "del",
            "dia",
            "quincena",
            "quinzena",
            "navidad",
            "nochebuena",
            "nochevieja",
            "ano",
            "primero",
            "primer",
        }
    )
    | _NEXT_WORDS
    | _THIS_WORDS
    | _OTHER_WORDS
    | frozenset(MONTHS)
    | frozenset(_WEEKDAY_ABBREVIATIONS)
    | frozenset(_WEEKDAY_SHORT)
    | frozenset(_WEEKDAYS_PT)
    | NUMBER_WORDS
)


def _may_start(token: str) -> bool:
    if token in _TRIGGERS or token[:1].isdigit():
        return True
    return token.isalpha() and _fuzzy_weekday(token) is not None


def _negated(
    tokens: list[str], start: int, end: int, negations: frozenset[str]
) -> bool:
    """Tell whether a "no" sits next to a mention in the same clause."""
    if tokens[start] in _UNTIL or (start > 0 and tokens[start - 1] in _UNTIL):
        return False
    for index in (start - 1, start - 2):
        if index < 0 or tokens[index] in _CLAUSE_BREAKS or tokens[index] in _PERO_SLIPS:
            break
        if _is_negation(tokens, index, negations) and tokens[index + 1] != "dia":
            return True
    following = end
    # "el lunes festivo no puedo": the holiday word belongs to the mention.
    if tokens[following : following + 1] in (["festivo"], ["feriado"]):
        following += 1
    if tokens[following : following + 1] == ["ya"]:
        following += 1
    after = tokens[following : following + 4]
    if not after:
        return False
    if after[0] in _RULED_OUT:
        return True
    promises = not _NOT_FAILING.isdisjoint(after[1:3])
    return _is_negation(tokens, following, negations) and not promises


def _is_negation(tokens: list[str], index: int, negations: frozenset[str]) -> bool:
    """Tell whether the token at `index` negates, Spanish "no" included.

    Under a Portuguese locale "no" negates only before a Spanish verb or
    pronoun or at the end of a clause, so a Spanish reply keeps its "no".
    """
    token = tokens[index]
    if token in negations:
        return True
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    # Portuguese "no" always has a noun after it, so "el viernes no, el
    # lunes" is the Spanish negation.
    return token == "no" and (
        following in _SPANISH_AFTER_NO or following in ("", *_CLAUSE_BREAKS)
    )


def _clause(tokens: list[str], breaks: list[int], index: int) -> str:
    """Return the tokens between the clause breaks around `index`, joined."""
    first = max((position for position in breaks if position < index), default=-1)
    last = min(
        (position for position in breaks if position > index), default=len(tokens)
    )
    return " ".join(tokens[first + 1 : last])


def find_dates(text: str, today: date, locale: str | None = None) -> list[DateMention]:
    """Return every day or span named in `text`, in reading order.

    `locale` starting with "pt" also reads bare Portuguese weekdays
    ("sexta"); other locales read them only as "sexta-feira", because in
    Spanish "la sexta cuota" is an ordinal.
    """
    tokens = tokenize(text)
    # Most replies name no day, so they skip building the scanner and its rules.
    if not any(_may_start(token) for token in tokens):
        return []
    portuguese = locale is None or locale.lower().startswith("pt")
    negations = (
        _PORTUGUESE_NEGATIONS
        if locale is not None and locale.lower().startswith("pt")
        else _NEGATIONS
    )
    scanner = _Scanner(tokens, today, portuguese)
    breaks = [
        position
        for position, token in enumerate(tokens)
        if token in _CLAUSE_BREAKS or token in _PERO_SLIPS
    ]
    rules = _rules(scanner)
    mentions: list[DateMention] = []
    index = 0
    while index < len(tokens):
        if not _may_start(tokens[index]):
            index += 1
            continue
        for rule in rules:
            found = rule(index)
            if found is not None:
                used, start, end = found
                mentions.append(
                    DateMention(
                        start=start,
                        end=end,
                        text=" ".join(tokens[index : index + used]),
                        negated=_negated(tokens, index, index + used, negations),
                        clause=_clause(tokens, breaks, index),
                    )
                )
                index += used
                break
        else:
            index += 1
    return mentions


def promised_date(text: str, today: date, locale: str | None = None) -> date | None:
    """Return the day a debtor commits to, or None when the reply names none.

    Takes the first mention that is not negated ("hoy no puedo") and does not
    lie wholly in the past; a span that began earlier ("esta semana") counts
    from today. A mention of the present moment ("ahora", "este mes") that
    is not about paying now gives way to another day: "ahora estoy corto,
    el finde te pago" promises the weekend.
    """
    candidates = _committed(find_dates(text, today, locale), today)
    definite = [
        mention for mention in candidates if not _passing_now(mention, candidates)
    ]
    for mention in definite or candidates:
        return max(mention.start, today)
    return None


def reports_past_payment(text: str) -> bool:
    """Tell whether folded `text` reports a payment made ("te pague 10 lucas").

    An unaccented "pague" after "cuando" or "que" is a payment to come.
    """
    words = text.split()
    return any(
        _PAST_PAYMENT.fullmatch(word)
        and _SUBORDINATORS.isdisjoint(words[max(0, position - 2) : position])
        for position, word in enumerate(words)
    )


def payment_days(text: str, today: date, locale: str | None = None) -> list[date]:
    """Return every day a reply commits to pay on, earliest first, without repeats.

    "el viernes te transfiero la mitad y el resto a fin de mes" gives Friday
    and the month's last day. A mention counts as in `promised_date`, except
    that a mention of the present that is not about paying ("ahora estoy
    corto") never counts, even when it is the only one. A span counts from
    its first day, or from today when it began earlier.
    """
    candidates = _committed(find_dates(text, today, locale), today)
    return sorted(
        {
            max(mention.start, today)
            for mention in candidates
            if not _passing_now(mention, candidates)
        }
    )


def _committed(mentions: list[DateMention], today: date) -> list[DateMention]:
    """Keep the mentions a debtor may commit to: not negated, past or in doubt."""
    past = _past_weekdays(mentions)
    return [
        mention
        for mention, is_past in zip(mentions, past, strict=True)
        if not mention.negated
        and not is_past
        and mention.end >= today
        and not _DOUBT_BEFORE.search(mention.clause.partition(mention.text)[0].strip())
    ]


def _past_weekdays(mentions: list[DateMention]) -> list[bool]:
    """Tell, for each mention, whether it is a weekday of a past payment.

    "Te pagué el lunes" names the Monday that went by, so "te pagué el
    lunes, el viernes pago el resto" promises Friday. A weekday listed right
    after a past one shares its tense: "te pagué el lunes y el martes".
    """
    result = []
    for index, mention in enumerate(mentions):
        is_past = _past_weekday(mention)
        if not is_past and index > 0 and result[-1]:
            previous = mentions[index - 1]
            after_previous = mention.clause.partition(previous.text)[2]
            between, _, after = after_previous.partition(mention.text)
            is_past = (
                _BARE_WEEKDAY.match(mention.text) is not None
                and previous.clause == mention.clause
                and between.strip() in ("y", "e")
                and not _PAYS_AFTER.match(after)
            )
        result.append(is_past)
    return result


def _past_weekday(mention: DateMention) -> bool:
    """Tell whether a bare weekday names the day of a past payment."""
    if _BARE_WEEKDAY.match(mention.text) is None:
        return False
    before, found, after = mention.clause.partition(mention.text)
    if not found or _PAYS_AFTER.match(after):
        return False
    words = before.split()
    # "que el lunes le pague" is about a Monday to come.
    if words[-1:] != ["que"] and _PAST_PAYMENT_AFTER.match(after):
        return True
    # Only the verb of this day counts: in "transferí el martes la mitad y
    # el sábado el resto" the Saturday is still to come.
    stretch = re.split(r"\b(?:y|e|pero|mas)\b", before)[-1].split()
    for position, word in enumerate(stretch):
        if _PAST_PAYMENT.fullmatch(word) and _SUBORDINATORS.isdisjoint(
            stretch[max(0, position - 2) : position]
        ):
            return True
    return False


def _passing_now(mention: DateMention, candidates: list[DateMention]) -> bool:
    """Tell whether a mention of the present is not about paying now.

    "Ahora estoy corto" (hardship) and "ahorita lo leo" (no word of paying)
    are not; "te pago ahora y el viernes te mando el comprobante" is. A wish
    to pay right away ("quiero dejarlo pagado al tiro, ...") is not when
    another of the `candidates` lies in another clause. In one clause
    ("quisiera pagar al tiro la mitad y el resto el viernes") it still is.
    """
    if mention.text not in _NOW_MENTIONS:
        return False
    clause = mention.clause
    if _HARDSHIP.search(clause):
        return True
    # "R$ 500 agora e o resto semana que vem": putting off a rest makes the
    # present the day of the first part, with or without a word of paying.
    if _puts_off_rest(mention, candidates):
        return False
    if not _PAYING.search(clause):
        return True
    return (
        mention.text in RIGHT_AWAY_TEXTS
        and _WISH.search(clause) is not None
        and any(other.clause != clause for other in candidates)
    )


def _puts_off_rest(mention: DateMention, candidates: list[DateMention]) -> bool:
    """Tell whether a rest is put off to a later mention after `mention`.

    "quiero pagarte altiro la mitad, y el resto el viernes": the rest goes
    with Friday, in the mention's clause or in a later one.
    """
    after = mention.clause.partition(mention.text)[2]
    later = [other for other in candidates if other.start > mention.start]
    if not later:
        return False
    if REST_PUT_OFF.search(after):
        return True
    return any(
        other.clause != mention.clause and REST_PUT_OFF.search(other.clause)
        for other in later
    )
