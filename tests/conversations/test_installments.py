from __future__ import annotations

import pytest

from cobranza.conversations.installments import (
    find_installments,
    named_count_outside,
    names_half,
    names_installment_amount,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿puedo pagar en 3 cuotas?", 3),
        ("tres pagos", 3),
        ("la mitad ahora y la mitad el mes que viene", 2),
        ("una parte ahora y otra el viernes", 2),
        ("em 4 vezes", 4),
        ("parcelar em 3", 3),
        ("dá pra fazer 4x?", 4),
        ("a 6 meses sin intereses", 6),
        ("puedo dividirlo en 3?", 3),
        ("dos cuotas de 5000", 2),
        ("en seis mensualidades", 6),
    ],
)
def test_installments_found(text: str, expected: int) -> None:
    assert find_installments(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "¿puedo pagar en cuotas?",
        "me cobraron dos veces",
        "fui cobrado duas vezes",
        "en 10 días",
        "te pago 15.000",
        "en 100 cuotas",
    ],
)
def test_no_installments(text: str) -> None:
    assert find_installments(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "la semana que viene te deposito la mitad",
        "el viernes te paso la otra mitad",
        "te pago la mitad de la deuda el lunes",
        "pago metade na sexta",
    ],
)
def test_half_named(text: str) -> None:
    assert names_half(text)


@pytest.mark.parametrize(
    "text",
    [
        "te pago a mitad de mes",
        "na metade do mês eu pago",
        "el viernes te pago más de la mitad",
        "te pago el viernes",
    ],
)
def test_half_not_named(text: str) -> None:
    assert not names_half(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿puedo pagarlo en 1 cuota?", 1),
        ("en una sola cuota", 1),
        ("en un pago", 1),
        ("un solo pago", 1),
        ("em uma parcela", 1),
        ("0 cuotas", 0),
        ("en cero cuotas", 0),
        ("-1 cuotas", -1),
        ("menos 2 cuotas", -2),
        ("60 cuotas", 60),
        ("en sesenta cuotas", 60),
        ("em 100 parcelas", 100),
    ],
)
def test_count_outside_found(text: str, expected: int) -> None:
    assert named_count_outside(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "¿puedo pagar en 3 cuotas?",
        "¿puedo pagar en cuotas?",
        "hice un pago ayer",
        "me queda 1 cuota",
        "cuotas de 1000",
        "en 10 días",
    ],
)
def test_no_count_outside(text: str) -> None:
    assert named_count_outside(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cuotas de 1000", True),
        ("¿en cuotas de $ 5.000?", True),
        ("parcelas de R$ 300", True),
        ("en cuotas fijas de 2000", True),
        ("¿puedo pagar en cuotas?", False),
        ("cuotas de acuerdo a lo que pueda", False),
    ],
)
def test_installment_amount_named(text: str, expected: bool) -> None:
    assert names_installment_amount(text) is expected
