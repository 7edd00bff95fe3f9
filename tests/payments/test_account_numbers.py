"""The account numbers of payment instructions: which are read, which are wrong."""

from __future__ import annotations

import pytest

from cobranza.payments.account_numbers import (
    account_problems,
    clabe_check_digit,
    clabe_is_valid,
)

# CLABEs with a right check digit: the example of the docs and the CLI, and
# examples that banks and Wikipedia publish.
VALID_CLABES = [
    "002180701234567895",
    "032180000118359719",
    "002010077777777771",
    "646180110400000007",
]


# Wallet CVUs (they start with 000) and bank CBUs that the project
# ezu-com-ar/bcra-claves publishes as valid test data.
VALID_CVUS_AND_CBUS = [
    "0000003100062244154712",
    "0000013000000325120058",
    "0000007900274192912058",
    "0110012920000091344977",
    "0110376030037695834983",
]


@pytest.mark.parametrize("number", VALID_CVUS_AND_CBUS)
def test_valid_cvu_and_cbu(number: str) -> None:
    assert account_problems(f"CVU {number}", "AR") == []
    assert account_problems(f"CBU {number}", "AR") == []
    assert account_problems(f"transferencia a {number}", "AR") == []


@pytest.mark.parametrize("clabe", VALID_CLABES)
def test_valid_clabe(clabe: str) -> None:
    assert clabe_is_valid(clabe)


@pytest.mark.parametrize(
    "clabe",
    [
        "002180701234567890",  # wrong check digit
        "002180701234567859",  # two digits swapped
        "00218070123456789",  # 17 digits
        "0021807012345678955",  # 19 digits
        "00218070123456789a",
        "٠٠٢١٨٠٧٠١٢٣٤٥٦٧٨٩٥",  # Arabic-Indic digits
    ],
)
def test_invalid_clabe(clabe: str) -> None:
    assert not clabe_is_valid(clabe)


def test_clabe_check_digit_by_hand() -> None:
    # 0*3 + 0*7 + 2*1 + 1*3 + 8*7=56->6 + 0 + 7*3=21->1 + 0 + 1*1
    # + 2*3=6 + 3*7=21->1 + 4*1 + 5*3=15->5 + 6*7=42->2 + 7*1
    # + 8*3=24->4 + 9*7=63->3 = 45, and (10 - 5) mod 10 = 5.
    assert clabe_check_digit("00218070123456789") == "5"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Transferencia SPEI a la CLABE 002180701234567895", "MX"),
        ("CLABE: 002 180 70123456789 5 a nombre de Mi Negocio", "MX"),
        ("CLABE interbancaria 002-180-701234567895", "MX"),
        ("transferencia a 002180701234567895", "MX"),
        ("CLABE 002180701234567895 o al 55 1234 5678", "MX"),
        ("CLABE 002180701234567895 - 55 1234 5678", "MX"),
        ("alias MI.NEGOCIO (CBU 0000003100000000000000)", "AR"),
        ("CBU N° 00000031 00000000000000", "AR"),
        ("CVU: 0000003100000000000000", "AR"),
        ("transferencia a 0000003100000000000000", "AR"),
        ("Pix, chave CNPJ 11.222.333/0001-81", "BR"),
        ("Pix, chave CPF 123.456.789-09", "BR"),
        # Look-alikes: phone numbers, invoice numbers, references.
        ("alias MI.NEGOCIO, dudas al +54 9 11 5555-1234", "AR"),
        ("mandá el comprobante de la factura 0001-00001234", "AR"),
        ("CBU o alias MI.NEGOCIO, cel 11 5555 1234", "AR"),
        ("depósito en OXXO, referencia 002180701234567891", "MX"),
        ("depósito con tarjeta 4152313612345678", "MX"),
        ("WhatsApp 5512345678, folio 123456789012345678", "MX"),
        # An unnamed run of a length that is an account elsewhere only.
        ("Nequi 3001234567, convenio 002180701234567891", "CO"),
        ("transferencia a 002180701234567891", "CO"),
        ("transferencia a 0000003100000000000001", "MX"),
        ("Yape o Plin al 987654321, o al CCI 00219300123456789012", "PE"),
    ],
)
def test_no_problem(text: str, country: str) -> None:
    assert account_problems(text, country) == []


@pytest.mark.parametrize(
    ("text", "country", "written", "problem"),
    [
        (
            "Transferencia SPEI a la CLABE 002180701234567890",
            "MX",
            "002180701234567890",
            "el último dígito",
        ),
        ("CLABE 002 180 70123456789 0", "MX", "002 180 70123456789 0", "verificador"),
        ("CLABE 00218070123456789", "CO", "00218070123456789", "tiene 17 dígitos"),
        ("transferencia a 002180701234567890", "MX", "002180701234567890", "último"),
        ("CBU 0000003200000000000000", "AR", "0000003200000000000000", "octavo"),
        ("CBU 0000003100000000000001", "UY", "0000003100000000000001", "último"),
        ("CBU 000000310000000000000", "AR", "000000310000000000000", "21 dígitos"),
        ("cvu 0000003100000000000001", "AR", "0000003100000000000001", "último"),
        ("a 0000003100000000000001 ya", "AR", "0000003100000000000001", "último"),
        ("chave CNPJ 11.222.333/0001-82", "BR", "11.222.333/0001-82", "verificadores"),
        ("chave CPF 123.456.789-00", "BR", "123.456.789-00", "verificadores"),
    ],
)
def test_problem_names_number(
    text: str, country: str, written: str, problem: str
) -> None:
    problems = account_problems(text, country)

    assert [found.written for found in problems] == [written]
    assert problem in problems[0].problem
