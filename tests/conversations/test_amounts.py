from __future__ import annotations

from decimal import Decimal

import pytest

from cobranza.conversations.amounts import find_amount, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("te pago 15.000", Decimal("15000")),
        ("te mando $ 8.300 el viernes", Decimal("8300")),
        ("son 12.500,50", Decimal("12500.50")),
        ("puedo 50 mil", Decimal("50000")),
        ("te paso 20 lucas", Decimal("20000")),
        ("1,5 palos", Decimal("1500000")),
        ("medio palo", Decimal("500000")),
        ("R$ 300,00", Decimal("300.00")),
        ("$1,500.50", Decimal("1500.50")),
        ("15k", Decimal("15000")),
        ("S/ 150", Decimal("150")),
        ("300 mangos", Decimal("300")),
        ("quinientos pesos", Decimal("500")),
        ("dos mil quinientos", Decimal("2500")),
        ("una luca", Decimal("1000")),
        ("puedo pagar 1500 ahora", Decimal("1500")),
        ("el 10/4 te pago 2.000", Decimal("2000")),
        ("3 cuotas de 5000", Decimal("5000")),
        ("¿me aceptan 15.000 por mes?", Decimal("15000")),
        ("me cobraron 12.500,50 de más", Decimal("12500.50")),
        ("los 12.500,50 ya incluyen el envío?", Decimal("12500.50")),
        ("te pago mil pesos", Decimal("1000")),
        ("te pago mil el viernes", Decimal("1000")),
        ("te pago los 800 mañana", Decimal("800")),
        ("te doy 500 de adelanto", Decimal("500")),
        ("pago 50,00 hoje", Decimal("50.00")),
    ],
)
def test_amount_found(text: str, expected: Decimal) -> None:
    found = find_amount(text)

    assert found == expected
    assert str(found) == str(expected)


@pytest.mark.parametrize(
    "text",
    [
        "te pago el 15",
        "te mando 50",
        "mi número es 1155667788",
        "a las 15",
        "en 3 cuotas",
        "una pila de plata",
        "en 10 días",
        "cuando cobre",
        "no tengo un peso",
        "ni un sol",
        "no tengo ni una luca",
        "mil disculpas por no responder",
        "mil gracias",
        "los 15 de cada mes",
        "el 15.04 te pago",
        "a las 18.30 te transfiero",
        "desde 2023 que debo esto",
        "la factura de 2024 ya la pagué",
        "mi número es 11 4567 8901",
        "ya transferí, n° de operación 458812",
        "el comprobante es el 00012345",
        "mi dni es 30.456.789",
        "ni 5 mil te puedo dar ahora",
        "no llego ni siquiera a 5 mil",
    ],
)
def test_no_amount(text: str) -> None:
    assert find_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("debo 20.000 pero puedo 5.000", Decimal("5000")),
        ("de los 20.000 que debo te paso 5.000", Decimal("5000")),
        ("el saldo es 15.000, te pago 10.000 el viernes", Decimal("10000")),
        ("devo R$ 900 mas posso pagar R$ 300", Decimal("300")),
        ("te debo 20.000", Decimal("20000")),
        ("puedo 5000 ahora y 3000 el viernes", Decimal("5000")),
        ("dos mil quinientos", Decimal("2500")),
        ("te paso 5.000 de los 20.000 que debo", Decimal("5000")),
        ("te pago 5.000 del total de 20.000", Decimal("5000")),
        ("debo pagarte 5 mil el viernes y 10 mil a fin de mes", Decimal("5000")),
        ("total te pago 8 mil hoy y 2 mil el viernes", Decimal("8000")),
        ("el 15 de abril de 2026 te deposito 8 mil", Decimal("8000")),
    ],
)
def test_offer_wins_over_debt(text: str, expected: Decimal) -> None:
    assert find_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.500.000", Decimal("1500000")),
        ("1,500", Decimal("1500")),
        ("2.5", Decimal("2.5")),
        ("1.5.3", None),
    ],
)
def test_parse_number_separators(text: str, expected: Decimal | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("son 350 soles, le yapeo 100", Decimal("100")),
        ("eran 350, te mando 200 hoy", Decimal("200")),
        ("me cobran 350 y solo tengo 100", Decimal("100")),
        ("me cobraram 200, pago 100 hoje", Decimal("100")),
        ("Son 5000, te los paso mañana", Decimal("5000")),
        ("te pago 100 son las 5", Decimal("100")),
    ],
)
def test_sum_due_gives_way_to_offer(text: str, expected: Decimal) -> None:
    assert find_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me están cobrando 3500 y solo tengo 1000", Decimal("1000")),
        ("me quieren cobrar 800 y tengo 300", Decimal("300")),
        ("ya son 7 mil, te pago 5 mil", Decimal("5000")),
        ("eran 5 mil, ahora son 7 mil, te pago 5 mil", Decimal("5000")),
        ("Son S/ 350, le yapeo 100 hoy", Decimal("100")),
        ("cobrá 5000 ahora y 3000 el viernes", Decimal("5000")),
    ],
)
def test_charge_words_give_way_to_offer(text: str, expected: Decimal) -> None:
    assert find_amount(text) == expected
