"""The account numbers in a business's payment instructions, checked.

A mistyped CBU or CLABE in the instructions sends every customer's transfer
to a wrong or missing account, so the numbers that carry a check digit are
checked before the instructions are stored:

- Argentina's CBU and CVU: 22 digits in two blocks, each ending in a check
  digit. python-stdnum's `stdnum.ar.cbu` checks both, and the CVUs of
  Mercado Pago and other wallets pass the same check (see the tests).
- Mexico's CLABE (18 digits, the last one a check digit; `clabe_is_valid`).
- Brazil's CNPJ and CPF, the usual Pix keys of a business (`stdnum.br`).
- Peru's CCI (Código de Cuenta Interbancario): 20 digits, the last two
  check digits (`cci_is_valid`).
- Uruguay's BROU accounts, by length only (14 digits), because no
  published check digit rule for them was found.
- A card number right after "tarjeta", which Mexican businesses give for
  deposits at OXXO and bank branches: 13 to 19 digits with a Luhn check
  digit (`stdnum.luhn`). Fewer digits are taken for the
  card's last four or another number, and left alone.

Only a number that clearly is one of these is checked, so a phone number, an
invoice number or a payment reference never stops the instructions:

- A number right after its name ("CBU", "CVU", "CLABE", "CNPJ", "CPF",
  "CCI", "BROU"), with
  at most a colon, "N°", "nro." or "número" between them. It may be
  written in groups separated by a space (a non-breaking one too), a dash
  (an en dash too), a dot or a slash, and must
  have the length of its kind: "CBU 017009922000006779737" (21 digits) is a
  mistyped CBU.
- Without a name, in an Argentine business a run of exactly 22 digits, and
  in a Mexican one a run of exactly 18, written together: no phone number,
  tax id or invoice number has that length there. Peru's unnamed runs are
  left alone, because the plain account numbers of many Peruvian banks
  have 20 digits too. A run named as something
  else ("referencia", "convenio", "factura", "tarjeta", "tel."...) is left
  alone, which also lets an owner keep a reference of that length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import luhn
from stdnum.ar import cbu
from stdnum.br import cnpj, cpf


@dataclass(frozen=True)
class AccountKind:
    """A kind of account number: its name, length and check."""

    name: str
    # The article the name takes in Spanish: "el CBU", "la CLABE".
    article: str
    length: int
    # The place the owner copies the number from, for the error's fix.
    source: str
    # Fewer digits than this after the name are some other number, for a
    # name that is also a bank's ("BROU 1896" is the bank's phone line).
    min_digits: int = 0


CBU = AccountKind("CBU", "el", 22, "tu home banking o la app de tu banco")
CVU = AccountKind("CVU", "el", 22, "la app de tu billetera virtual")
CLABE = AccountKind("CLABE", "la", 18, "tu banca en línea o tu estado de cuenta")
CNPJ = AccountKind("CNPJ", "el", 14, "la sección Pix de la app de tu banco")
CPF = AccountKind("CPF", "el", 11, "la sección Pix de la app de tu banco")
CCI = AccountKind("CCI", "el", 20, "tu banca por internet o la app de tu banco")
# NOTE: no published check digit rule was found for Uruguayan bank accounts.
# So only the length of a BROU account is checked: 14 digits, 9 of the
# branch and account and 5 of the sub-account, as Localpayment's page "Bank
# account validations: Uruguay" lists them. The accounts of other Uruguayan
# banks, whose lengths differ by bank, are not checked at all.
# BROU is the bank's name too, so a number of fewer than 9 digits after it
# is taken for a phone (8 digits, or the 4 of the bank's line 1896).
BROU = AccountKind("cuenta del BROU", "la", 14, "eBROU o la app del BROU", min_digits=9)
# Most debit cards have 16 digits, the length that ends a number written in
# groups. Any length from 13 to 19 passes, since the Luhn check is the same.
CARD = AccountKind(
    "tarjeta", "la", 16, "tu tarjeta o la app de tu banco", min_digits=13
)
_CARD_LENGTHS = range(13, 20)

_KINDS = {
    **{kind.name: kind for kind in (CBU, CVU, CLABE, CNPJ, CPF, CCI)},
    "BROU": BROU,
    "TARJETA": CARD,
}

# A number without a name, by the business's country.
_UNNAMED = {"AR": CBU, "MX": CLABE}

# The characters and words allowed between a name and its number.
_FILLER = r"(?:[\s:#=(\-\u2010-\u2015]|n[°º.]|nro\.?|n[úu]m(?:ero)?\.?)*"
# The separators between the groups of a number: a space on the line (a
# bank app copies a non-breaking one), a dash of any width (autocorrect
# makes "-" an en dash), a dot or a slash.
_SPACE = "[ \t\u00a0\u2007\u202f]"
_DASH = "[-.\u2010-\u2015\u2212]"
_NAMED = re.compile(
    r"(?<![a-z])(?P<name>CBU|CVU|CLABE|CNPJ|CPF|CCI|BROU|tarjeta)(?![a-z])"
    + _FILLER
    + rf"(?P<number>[0-9]+(?:(?:{_SPACE}?{_DASH}{_SPACE}?|{_SPACE}|/)[0-9]+)*)",
    re.IGNORECASE,
)
# A run of digits that is not part of a longer number written in groups.
_RUN = re.compile(
    r"(?<![0-9])(?<![0-9][-./\u2010-\u2015\u2212])[0-9]+"
    r"(?![0-9])(?![-./\u2010-\u2015\u2212][0-9])"
)
# Words that name an unnamed number as something other than an account.
_OTHER_NAMES = re.compile(
    r"(?<![a-z])(?:referencia|ref|convenio|folio|factura|pedido|orden|tarjeta|"
    r"tel|tel[ée]fono|cel|celular|whatsapp|cuit|rfc|dni|cuil)" + _FILLER + r"$",
    re.IGNORECASE,
)
_GROUP = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class AccountProblem:
    """A number of the instructions that cannot be the account it names."""

    kind: AccountKind
    # The number as the owner wrote it.
    written: str
    # The problem in Spanish, written after "{article} {name} «{written}»".
    problem: str
    # Whether the number had no name before it and was read as an account
    # for its length alone.
    unnamed: bool = False


def clabe_check_digit(first17: str) -> str:
    """Return the check digit of a CLABE from its first 17 digits.

    This is Banco de México's rule for the CLABE (Clave Bancaria
    Estandarizada). Each digit is multiplied by the weights 3, 7, 1, repeated
    from the left, and each product is taken modulo 10. The check digit is
    (10 - sum of those mod 10) mod 10.
    """
    weights = (3, 7, 1)
    total = sum(int(d) * weights[i % 3] % 10 for i, d in enumerate(first17))
    return str((10 - total % 10) % 10)


def clabe_is_valid(number: str) -> bool:
    """Return whether `number`, 18 digits, has the check digit of a CLABE."""
    return (
        len(number) == 18
        and number.isdigit()
        and number.isascii()
        and clabe_check_digit(number[:17]) == number[17]
    )


def cci_check_digit(digits: str) -> str:
    """Return the check digit of one block of a Peruvian CCI.

    A CCI is 3 digits of the bank, 3 of the branch, 12 of the account and two
    check digits. The first checks the bank and branch, and the second the
    account. python-stdnum 2.2 has no CCI module, so the rule is written
    here. Each digit is multiplied by 1, 2, 1, 2... from the left, the
    digits of the products are added, and the check digit is
    (10 - sum mod 10) mod 10.

    NOTE: no specification of this rule by the Peruvian banks was found. It
    reproduces the check digits of CCIs of six banks published in the tests
    of github.com/ironFe93/perciban (test/unit.spec.ts), copied into ours.
    """
    total = 0
    for index, digit in enumerate(digits):
        product = int(digit) * (1 if index % 2 == 0 else 2)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def cci_is_valid(number: str) -> bool:
    """Return whether `number`, 20 digits, has both check digits of a CCI."""
    return (
        len(number) == 20
        and number.isdigit()
        and number.isascii()
        and cci_check_digit(number[:6]) == number[18]
        and cci_check_digit(number[6:18]) == number[19]
    )


def _check(kind: AccountKind, digits: str) -> str | None:
    """Return what is wrong with `digits` as a `kind`, or None when it is valid."""
    if kind is CARD:
        if len(digits) not in _CARD_LENGTHS:
            return f"tiene {len(digits)} dígitos, y una tarjeta tiene de 13 a 19"
        if luhn.is_valid(digits):
            return None
        return (
            "no es válida (el último dígito, el verificador, no corresponde a "
            "los anteriores)"
        )
    if len(digits) != kind.length:
        return f"tiene {len(digits)} dígitos en lugar de {kind.length}"
    if kind in (CBU, CVU):
        if cbu.calc_check_digit(digits[:7]) != digits[7]:
            return (
                "no es válido (el octavo dígito, el verificador del primer bloque, "
                "no corresponde a los 7 anteriores)"
            )
        if cbu.calc_check_digit(digits[8:-1]) != digits[-1]:
            return (
                "no es válido (el último dígito, el verificador del segundo "
                "bloque, no corresponde a los 13 anteriores)"
            )
        return None
    if kind is CLABE:
        if clabe_is_valid(digits):
            return None
        return (
            "no es válida (el último dígito, el verificador, no corresponde a "
            "los 17 anteriores)"
        )
    if kind is CCI:
        if cci_check_digit(digits[:6]) != digits[18]:
            return (
                "no es válido (el penúltimo dígito, el verificador del banco y "
                "la agencia, no corresponde a los 6 primeros)"
            )
        if cci_check_digit(digits[6:18]) != digits[19]:
            return (
                "no es válido (el último dígito, el verificador de la cuenta, "
                "no corresponde a los dígitos 7 a 18)"
            )
        return None
    if kind is BROU:
        return None
    module = cnpj if kind is CNPJ else cpf
    if module.is_valid(digits):
        return None
    return (
        "no es válido (los dos últimos dígitos, los verificadores, no "
        "corresponden a los anteriores)"
    )


def _named_number(kind: AccountKind, text: str) -> str:
    """Return the part of `text`, groups of digits, that is the named number.

    A number written in groups can run into the next number ("CLABE
    002180701234567895 55 1234 5678"), so the number ends at the first group
    that completes the kind's length. Otherwise it is the whole of `text`.
    """
    count = 0
    for group in _GROUP.finditer(text):
        count += len(group.group())
        if count == kind.length:
            return text[: group.end()]
        if count > kind.length:
            break
    return text


def account_problems(text: str, country: str | None) -> list[AccountProblem]:
    """Return the account numbers of `text` that cannot be right.

    `country` is the business's ISO code; it decides which unnamed run of
    digits is an account (see the module's docstring).
    """
    problems = []
    named_spans: list[tuple[int, int]] = []
    for found in _NAMED.finditer(text):
        kind = _KINDS[found.group("name").upper()]
        written = _named_number(kind, found.group("number"))
        digits = "".join(_GROUP.findall(written))
        if len(digits) < kind.min_digits:
            continue
        start = found.start("number")
        named_spans.append((start, start + len(written)))
        problem = _check(kind, digits)
        if problem is not None:
            problems.append(AccountProblem(kind, written, problem))
    kind = _UNNAMED.get((country or "").strip().upper())
    if kind is None:
        return problems
    for run in _RUN.finditer(text):
        if len(run.group()) != kind.length:
            continue
        if any(start <= run.start() < end for start, end in named_spans):
            continue
        if _OTHER_NAMES.search(text[: run.start()]):
            continue
        problem = _check(kind, run.group())
        if problem is not None:
            problems.append(AccountProblem(kind, run.group(), problem, unnamed=True))
    return problems
