from __future__ import annotations

from datetime import date

import pytest

from cobranza.conversations.dates import (
    _same_day_on_weekday,
    find_dates,
    payment_days,
    promised_date,
)
from tests.conversations.conftest import TODAY

# Thursday 2026-03-19 is "today" in every case below.
SPANISH_CASES = [
    ("hoy", date(2026, 3, 19)),
    ("esta tarde", date(2026, 3, 19)),
    ("mañana", date(2026, 3, 20)),
    ("manana", date(2026, 3, 20)),
    ("pasado mañana", date(2026, 3, 21)),
    ("el viernes", date(2026, 3, 20)),
    ("el lunes que viene", date(2026, 3, 23)),
    ("el miércoles que viene", date(2026, 3, 25)),
    ("la semana que viene", date(2026, 3, 23)),
    ("el finde", date(2026, 3, 21)),
    ("a fin de mes", date(2026, 3, 31)),
    ("el 5", date(2026, 4, 5)),
    ("el 15 de abril", date(2026, 4, 15)),
    ("el primero de abril", date(2026, 4, 1)),
    ("dentro de una semana", date(2026, 3, 26)),
    ("en 10 días", date(2026, 3, 29)),
    ("la quincena", date(2026, 3, 31)),
    ("a principios de mes", date(2026, 4, 1)),
    ("el 10/4", date(2026, 4, 10)),
    ("10-04", date(2026, 4, 10)),
    ("el mes que viene", date(2026, 4, 1)),
    ("a mediados de mes", date(2026, 4, 15)),
    ("de hoy en ocho", date(2026, 3, 26)),
    ("ahorita", date(2026, 3, 19)),
    ("el viernes 27", date(2026, 3, 27)),
    ("el jueves que viene", date(2026, 3, 26)),
]
PORTUGUESE_CASES = [
    ("amanhã", date(2026, 3, 20)),
    ("sexta", date(2026, 3, 20)),
    ("na sexta-feira", date(2026, 3, 20)),
    ("semana que vem", date(2026, 3, 23)),
    ("fim do mês", date(2026, 3, 31)),
    ("dia 10", date(2026, 4, 10)),
    ("depois de amanhã", date(2026, 3, 21)),
    ("mês que vem", date(2026, 4, 1)),
]


@pytest.mark.parametrize(("text", "expected"), SPANISH_CASES)
def test_spanish_expression_in_reply(text: str, expected: date) -> None:
    assert promised_date(f"te pago {text} sin falta", TODAY, "es_AR") == expected


@pytest.mark.parametrize(("text", "expected"), PORTUGUESE_CASES)
def test_portuguese_expression_in_reply(text: str, expected: date) -> None:
    assert promised_date(f"vou pagar {text}", TODAY, "pt_BR") == expected


@pytest.mark.parametrize(
    "text",
    ["cuando cobre te pago", "ya veremos", "te pago 15.000", "en 3 cuotas", ""],
)
def test_no_date_when_none_is_said(text: str) -> None:
    assert promised_date(text, TODAY, "es_AR") is None


def test_weekday_said_on_that_day_is_next_week() -> None:
    friday = date(2026, 3, 20)

    assert promised_date("el viernes", friday) == date(2026, 3, 27)


def test_weekday_next_week_said_early_in_week() -> None:
    monday = date(2026, 3, 16)

    assert promised_date("el miércoles", monday) == date(2026, 3, 18)
    assert promised_date("el miércoles que viene", monday) == date(2026, 3, 25)
    assert promised_date("el próximo miércoles", monday) == date(2026, 3, 25)


def test_past_day_number_is_next_month() -> None:
    assert promised_date("el 10", TODAY) == date(2026, 4, 10)
    assert promised_date("el 19", TODAY) == TODAY
    assert promised_date("el 20", TODAY) == date(2026, 3, 20)


def test_day_number_clipped_to_month_length() -> None:
    april_2 = date(2026, 4, 2)

    assert promised_date("el 31", april_2) == date(2026, 4, 30)


def test_past_month_day_is_next_year() -> None:
    assert promised_date("el 15 de enero", TODAY) == date(2027, 1, 15)


def test_end_of_month_in_february() -> None:
    assert promised_date("a fin de mes", date(2028, 2, 3)) == date(2028, 2, 29)


def test_payday_after_the_fifteenth() -> None:
    assert promised_date("la quincena", date(2026, 3, 10)) == date(2026, 3, 15)
    assert promised_date("la quincena", date(2026, 3, 16)) == date(2026, 3, 31)


def test_other_payday_skips_coming_one() -> None:
    # Colombian "la otra quincena": not this payday, the next one.
    assert promised_date("te pago la otra quincena", date(2026, 12, 3)) == date(
        2026, 12, 31
    )
    assert promised_date("la otra quincena", date(2026, 12, 20)) == date(2027, 1, 15)
    assert promised_date("la otra quincena", date(2026, 2, 15)) == date(2026, 2, 28)


def test_weekend_said_on_sunday_is_today_span() -> None:
    sunday = date(2026, 3, 22)

    mention = find_dates("el finde", sunday)[0]

    assert mention.start == date(2026, 3, 21)
    assert promised_date("el finde", sunday) == sunday


def test_span_start_and_end() -> None:
    mention = find_dates("la semana que viene", TODAY)[0]

    assert mention.start == date(2026, 3, 23)
    assert mention.end == date(2026, 3, 29)


def test_this_week_counts_from_today() -> None:
    assert find_dates("esta semana", TODAY)[0].start == date(2026, 3, 16)
    assert promised_date("esta semana te pago", TODAY) == TODAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("el biernes", date(2026, 3, 20)),
        ("el mierkoles", date(2026, 3, 25)),
        ("el miercole", date(2026, 3, 25)),
        ("el juves", date(2026, 3, 26)),
        ("el sabdo", date(2026, 3, 21)),
        ("EL LUNES", date(2026, 3, 23)),
    ],
)
def test_weekday_typos(text: str, expected: date) -> None:
    assert promised_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["¿vienes el 5?", "unos mates", "en dos partes", "el dominio"]
)
def test_words_near_weekdays_are_not_weekdays(text: str) -> None:
    mentions = [m for m in find_dates(text, TODAY) if m.text != "el 5"]

    assert mentions == []


def test_negated_day_is_skipped() -> None:
    text = "hoy no puedo, el viernes te pago"

    assert promised_date(text, TODAY) == date(2026, 3, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("en este momento estoy corto, pero el finde le pago todo", date(2026, 3, 21)),
        ("ahora no tengo, el viernes te transfiero", date(2026, 3, 20)),
        ("se me complicó este mes pero el 2 de abril le abono", date(2026, 4, 2)),
        ("tô sem grana agora, mas dia 10 eu pago", date(2026, 4, 10)),
        ("te pago ahora", TODAY),
        ("este mes te pago", TODAY),
        ("te pago ahora y el viernes te mando el comprobante", TODAY),
        ("ahorita le deposito, el lunes le confirmo si llegó", TODAY),
        ("la mitad ahora y la mitad el mes que viene", TODAY),
        ("ahorita lo leo con calma, el 30 hago el pago", date(2026, 3, 30)),
        ("quiero dejarlo pagado al tiro, pero el viernes puedo", date(2026, 3, 20)),
        ("de una, el viernes te pago", date(2026, 3, 20)),
    ],
)
def test_now_yields_to_named_day(text: str, expected: date) -> None:
    assert promised_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("te pago el viernes, el 30 a más tardar", date(2026, 3, 20)),
        ("el viernes no falla", date(2026, 3, 20)),
        ("de mañana no pasa", date(2026, 3, 20)),
        ("ni el viernes ni el lunes, recién el 30", date(2026, 3, 30)),
        ("el viernes imposible, el lunes te pago", date(2026, 3, 23)),
        ("el viernes ya no llego, el lunes", date(2026, 3, 23)),
    ],
)
def test_day_ruled_out_or_kept(text: str, expected: date) -> None:
    assert promised_date(text, TODAY) == expected


def test_portuguese_nem_is_negation() -> None:
    text = "nem sexta nem segunda, só dia 30"

    assert promised_date(text, TODAY, "pt_BR") == date(2026, 3, 30)


def test_misspelled_pero_ends_clause() -> None:
    text = "ahorita no peero el primero de abril le transfiero"

    assert promised_date(text, TODAY) == date(2026, 4, 1)


def test_portuguese_no_not_negation() -> None:
    assert promised_date("pago no banco segunda", TODAY, "pt_BR") == date(2026, 3, 23)
    assert promised_date("não posso na segunda", TODAY, "pt_BR") is None
    assert promised_date("no puedo el lunes", TODAY, "es_AR") is None


def test_until_day_is_not_negated() -> None:
    assert promised_date("no puedo hasta el 15", TODAY) == date(2026, 4, 15)


def test_past_mention_is_not_a_promise() -> None:
    assert find_dates("ya pagué ayer", TODAY)[0].start == date(2026, 3, 18)
    assert promised_date("ya pagué ayer", TODAY) is None


def test_morning_is_not_tomorrow() -> None:
    assert promised_date("pagué esta mañana", TODAY) == TODAY
    assert promised_date("mañana por la mañana", TODAY) == date(2026, 3, 20)
    assert promised_date("por la mañana", TODAY) is None


def test_ordinal_is_not_portuguese_weekday() -> None:
    assert promised_date("la sexta cuota", TODAY) is None
    assert promised_date("pago na sexta", TODAY, "es_AR") is None
    assert promised_date("pago na sexta-feira", TODAY, "es_AR") == date(2026, 3, 20)


def test_weekday_with_day_number_uses_number() -> None:
    assert promised_date("el jueves 26", TODAY) == date(2026, 3, 26)


def test_invalid_numeric_date_ignored() -> None:
    assert promised_date("el 31/2", TODAY) is None


def test_numeric_date_with_two_digit_year() -> None:
    assert find_dates("31/10/74", TODAY)[0].start == date(1974, 10, 31)
    assert find_dates("1/4/27", TODAY)[0].start == date(2027, 4, 1)


def test_weekday_moves_to_month_it_matches() -> None:
    # 2026-03-15 is a Sunday; the next 15th that is a Thursday is in October.
    assert promised_date("el jueves 15", TODAY) == date(2026, 10, 15)
    assert promised_date("jue 15", TODAY) == date(2026, 10, 15)
    assert promised_date("el domingo 15 de marzo", TODAY) == date(2027, 3, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lu", date(2026, 3, 23)),
        ("ma", date(2026, 3, 24)),
        ("mx", date(2026, 3, 25)),
        ("vi 20", date(2026, 3, 20)),
        ("te pago el ju 26", date(2026, 3, 26)),
    ],
)
def test_two_letter_weekday(text: str, expected: date) -> None:
    assert promised_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["mi mamá te paga", "mi 20 lucas", "vi el mensaje", "ma que se yo"]
)
def test_two_letter_word_is_not_weekday(text: str) -> None:
    assert promised_date(text, TODAY) is None


@pytest.mark.parametrize("month", range(1, 13))
def test_weekday_day_number_always_matches(month: int) -> None:
    for weekday in range(7):
        day = _same_day_on_weekday(date(2026, month, 13), weekday)

        assert day.weekday() == weekday
        assert day.day == 13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("te pagué el lunes, el viernes pago el resto", date(2026, 3, 20)),
        ("transferí el martes la mitad y el sábado el resto", date(2026, 3, 21)),
        ("el lunes te pagué la mitad, el resto el viernes", date(2026, 3, 20)),
        ("paguei na segunda, o resto na sexta", date(2026, 3, 20)),
        ("queres que te pague el lunes?", date(2026, 3, 23)),
        ("el lunes te pago", date(2026, 3, 23)),
    ],
)
def test_weekday_after_past_payment_is_skipped(text: str, expected: date) -> None:
    locale = "pt-BR" if "paguei" in text else None
    assert promised_date(text, TODAY, locale) == expected


def test_only_past_weekday_gives_no_date() -> None:
    assert promised_date("te pague el lunes", TODAY) is None
    assert promised_date("el lunes ya te pagué", TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("el otro viernes le consigno", date(2026, 3, 27)),
        ("el viernes de la otra semana", date(2026, 3, 27)),
        ("la otra semana le pago", date(2026, 3, 23)),
        ("la otra mitad el viernes", date(2026, 3, 20)),
    ],
)
def test_otro_reads_as_next(text: str, expected: date) -> None:
    # In Colombia "el otro viernes" is the Friday of next week, as "el
    # próximo viernes" is read.
    assert promised_date(text, TODAY, "es_CO") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("el lunes festivo no puedo, el martes sin falta", date(2026, 3, 24)),
        ("el lunes feriado no puedo, el martes te pago", date(2026, 3, 24)),
        ("el lunes festivo ya no puedo, el martes sí", date(2026, 3, 24)),
        ("el lunes festivo te pago", date(2026, 3, 23)),
    ],
)
def test_holiday_word_keeps_negation(text: str, expected: date) -> None:
    # Monday 23 March 2026 is a Colombian festivo, and a debtor names it so.
    assert promised_date(text, TODAY, "es_CO") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoy no puedo, el viernes sí", date(2026, 3, 20)),
        ("el viernes no puedo, el lunes te pago", date(2026, 3, 23)),
        ("mañana no me da, el sábado sí", date(2026, 3, 21)),
        ("pago no sábado", date(2026, 3, 21)),
        ("amanhã no pix", date(2026, 3, 20)),
    ],
)
def test_spanish_no_under_portuguese_locale(text: str, expected: date) -> None:
    assert promised_date(text, TODAY, "pt-BR") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cuando te pague el lunes me mandás el libre deuda?", date(2026, 3, 23)),
        ("apenas le pague el viernes le aviso", date(2026, 3, 20)),
        ("te parece bien que el lunes te pague la mitad?", date(2026, 3, 23)),
        ("ya hice el trámite el lunes te pago", date(2026, 3, 23)),
        ("el lunes yo te pagué la mitad, el viernes el resto", date(2026, 3, 20)),
        ("te pagué el lunes y el martes, el viernes lo último", date(2026, 3, 20)),
        ("le pagué el lunes y el viernes le pago lo demás", date(2026, 3, 20)),
        ("no me pagaron el viernes, te pago el lunes", date(2026, 3, 23)),
        ("no sé si el viernes pueda, el lunes seguro", date(2026, 3, 23)),
    ],
)
def test_weekday_tense_and_doubt(text: str, expected: date) -> None:
    assert promised_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["el viernes no, el lunes", "el viernes no alcanzo, el lunes seguro"]
)
def test_spanish_no_at_clause_end_under_portuguese(text: str) -> None:
    assert promised_date(text, TODAY, "pt-BR") == date(2026, 3, 23)


# Wednesday 9 December 2026.
DECEMBER_WEDNESDAY = date(2026, 12, 9)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        (
            "el viernes te transfiero la mitad y el resto a fin de mes",
            "es_AR",
            [date(2026, 12, 11), date(2026, 12, 31)],
        ),
        (
            "metade na sexta e o resto no fim do mês",
            "pt_BR",
            [date(2026, 12, 11), date(2026, 12, 31)],
        ),
        (
            "la mitad ahora y el resto el mes que viene",
            "es_AR",
            [date(2026, 12, 9), date(2027, 1, 1)],
        ),
        # Named latest first, returned earliest first.
        (
            "el resto a fin de mes y la mitad el viernes",
            "es_AR",
            [date(2026, 12, 11), date(2026, 12, 31)],
        ),
        # A present that is not about paying, a negated and a past day drop out.
        (
            "ahora estoy corto, la mitad el viernes y el resto el 15 de enero",
            "es_AR",
            [date(2026, 12, 11), date(2027, 1, 15)],
        ),
        (
            "el viernes no puedo, la mitad el lunes y el resto el 20",
            "es_AR",
            [date(2026, 12, 14), date(2026, 12, 20)],
        ),
        (
            "te pagué el lunes la mitad, el resto el viernes",
            "es_AR",
            [date(2026, 12, 11)],
        ),
        ("el viernes y el viernes", "es_AR", [date(2026, 12, 11)]),
        ("¿puedo pagar en 3 cuotas?", "es_AR", []),
    ],
)
def test_payment_days(text: str, locale: str, expected: list[date]) -> None:
    assert payment_days(text, DECEMBER_WEDNESDAY, locale) == expected


@pytest.mark.parametrize(
    "text",
    [
        "al tiro le pago",
        "altiro te transfiero",
        "Al tiro!",
        "ya mismo te pago",
        "de una te pago",
        "te pago de una",
        "dale, de una",
        "hoy mismo te pago",
    ],
)
def test_right_away_words_are_today(text: str) -> None:
    assert promised_date(text, TODAY, "es_CL") == TODAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de una vez te pago todo", None),
        ("pago de una cuota", None),
        ("te pago todo de una", None),
        ("al tiro que me paguen el viernes te transfiero", date(2026, 3, 20)),
        ("Te transfiero el lunes al tiro q me paguen", date(2026, 3, 23)),
        ("ya mismo no, pero el 25 le pago", date(2026, 3, 25)),
    ],
)
def test_right_away_lookalikes_not_today(text: str, expected: date | None) -> None:
    assert promised_date(text, TODAY, "es_CL") == expected


@pytest.mark.parametrize(
    "text",
    [
        "quiero pagar la mitad ahora y el resto el viernes",
        "quisiera pagar al tiro la mitad y el resto el viernes",
    ],
)
def test_wish_to_pay_now_keeps_today(text: str) -> None:
    assert promised_date(text, TODAY, "es_CL") == TODAY
    assert payment_days(text, TODAY, "es_CL") == [TODAY, date(2026, 3, 20)]


@pytest.mark.parametrize(
    ("text", "locale", "later"),
    [
        # The rest put off in the next clause makes "altiro" the first part's day.
        ("quiero pagarte altiro la mitad, y el resto el viernes", "es_CL", 20),
        ("quisiera dejar al tiro la mitad, el resto el viernes", "es_CL", 20),
        # No word of paying beside "agora": the sum and the rest are enough.
        ("R$ 500 agora e o resto semana que vem", "pt_BR", 23),
        ("metade agora e metade no dia 25", "pt_BR", 25),
        ("hoy te paso 10 lucas y el resto el 25", "es_AR", 25),
        ("la mitad hoy, la otra mitad el viernes", "es_MX", 20),
        ("ahorita 500 y lo que falta el viernes", "es_MX", 20),
    ],
)
def test_now_before_rest_keeps_today(text: str, locale: str, later: int) -> None:
    assert promised_date(text, TODAY, locale) == TODAY
    assert payment_days(text, TODAY, locale) == [TODAY, date(2026, 3, later)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Hardship still outranks a rest put off.
        ("ahora estoy corto, el resto el viernes", date(2026, 3, 20)),
        # With no rest put off, a wish to pay right away yields to a later day.
        ("quiero dejarlo pagado al tiro, pero el viernes puedo", date(2026, 3, 20)),
    ],
)
def test_now_yields_despite_rest(text: str, expected: date) -> None:
    assert promised_date(text, TODAY, "es_CL") == expected
