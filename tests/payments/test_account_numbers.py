"""The account numbers of payment instructions: which are read, which are wrong."""

from __future__ import annotations

import pytest

from cobranza.payments.account_numbers import (
    account_problems,
    cci_check_digit,
    cci_is_valid,
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


# CCIs of six Peruvian banks (BBVA, Interbank, Scotiabank, BanBif, Mibanco,
# Banco de la Nación) from the tests of github.com/ironFe93/perciban, and the
# example of the docs.
VALID_CCIS = [
    "01135600020019445039",
    "00392401319240299683",
    "00928021280006298996",
    "03810110700064503226",
    "04947900601503257899",
    "01800000400588058608",
    "00219300123456789013",
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


@pytest.mark.parametrize("cci", VALID_CCIS)
def test_valid_cci(cci: str) -> None:
    assert cci_is_valid(cci)
    assert account_problems(f"CCI {cci}", "PE") == []


@pytest.mark.parametrize(
    "cci",
    [
        "00392401319240299684",  # second check digit wrong
        "00392401319240299693",  # first check digit wrong
        "00392401319240296983",  # two account digits swapped
        "0039240131924029968",  # 19 digits
        "003924013192402996833",  # 21 digits
        "0039240131924029968a",
    ],
)
def test_invalid_cci(cci: str) -> None:
    assert not cci_is_valid(cci)


def test_cci_check_digit_by_hand() -> None:
    # Bank and branch 003924: 0*1 + 0*2 + 3*1 + 9*2=18->1+8 + 2*1 + 4*2=8
    # = 22, and (10 - 2) mod 10 = 8.
    assert cci_check_digit("003924") == "8"
    # Account 013192402996: 0 + 2 + 3 + 2 + 9 + 4 + 4 + 0 + 2 + 18->9 + 9
    # + 12->3 = 47, and (10 - 7) mod 10 = 3.
    assert cci_check_digit("013192402996") == "3"


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
        ("depósito con tarjeta 4111111111111111", "MX"),
        ("depósito en OXXO a la tarjeta 4111 1111 1111 1111", "MX"),
        ("tarjeta Amex 378282246310005", "MX"),
        ("tarjeta: 4111-1111-1111-1111 o SPEI a la CLABE 002180701234567895", "MX"),
        # The last four digits of a card are no card number to check.
        ("pago con la tarjeta 1234 en la sucursal", "MX"),
        ("tarjeta de débito BBVA 4152313612345678", "MX"),
        ("WhatsApp 5512345678, folio 123456789012345678", "MX"),
        # An unnamed run of a length that is an account elsewhere only.
        ("Nequi 3001234567, convenio 002180701234567891", "CO"),
        ("transferencia a 002180701234567891", "CO"),
        ("transferencia a 0000003100000000000001", "MX"),
        ("Yape o Plin al 987654321, o al CCI 00219300123456789013", "PE"),
        ("CCI: 003-924-013192402996-83", "PE"),
        # An unnamed 20-digit run in Peru may be a plain account number.
        ("transferencia a la cuenta 00392401319240299684", "PE"),
        ("transferencia a la caja de ahorro BROU 001234567-00001", "UY"),
        ("BROU 00099299700002, o Abitab y Redpagos", "UY"),
        # Other Uruguayan banks' accounts have no rule to check.
        ("cuenta Itaú 1234567 o Santander 123456789012", "UY"),
        # Groups separated as a bank app or a word processor copies them: by
        # non-breaking spaces, or by dashes that autocorrect made en dashes.
        ("CCI\u00a0002\u00a0193\u00a0001234567890\u00a013", "PE"),
        ("CCI 002–193–001234567890–13", "PE"),
        ("CCI 002 – 193 – 001234567890 – 13", "PE"),
        ("CLABE 002\u202f180\u202f701234567895", "MX"),
        ("CBU 0000003100000000000000\u00a0o alias MI.NEGOCIO", "AR"),
        ("caja de ahorro BROU 001234567‑00001", "UY"),
        # BROU names the bank too, so a short number after it is no account:
        # 1896 is BROU's phone line.
        ("BROU 001234567-00001. Consultas BROU 1896", "UY"),
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
        ("CCI 00392401319240299684", "PE", "00392401319240299684", "de la cuenta"),
        ("CCI 00392401319240299693", "PE", "00392401319240299693", "la agencia"),
        ("CCI N° 0039240131924029968", "PE", "0039240131924029968", "19 dígitos"),
        ("caja de ahorro BROU 00123456-00001", "UY", "00123456-00001", "13 dígitos"),
        ("BROU: 0012345670000100", "UY", "0012345670000100", "16 dígitos"),
        (
            "CCI\u00a0002\u00a0193\u00a0001234567890\u00a012",
            "PE",
            "002\u00a0193\u00a0001234567890\u00a012",
            "de la cuenta",
        ),
        ("CCI 002–193–00123456789–13", "PE", "002–193–00123456789–13", "19 dígitos"),
        ("CCI – 00219300123456789012", "PE", "00219300123456789012", "de la cuenta"),
        ("depósito con tarjeta 4152313612345678", "MX", "4152313612345678", "último"),
        (
            "depósito en OXXO a la tarjeta 4152 3138 1234 5678",
            "MX",
            "4152 3138 1234 5678",
            "verificador",
        ),
        ("tarjeta 41523136123456781234", "MX", "41523136123456781234", "20 dígitos"),
    ],
)
def test_problem_names_number(
    text: str, country: str, written: str, problem: str
) -> None:
    problems = account_problems(text, country)

    assert [found.written for found in problems] == [written]
    assert problem in problems[0].problem
