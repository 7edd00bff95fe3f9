"""Tax ids checked with python-stdnum, and person-or-company detection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from stdnum import exceptions as stdnum_errors
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.mx import rfc
from stdnum.pe import ruc

from cobranza.db.models import CustomerKind
from cobranza.tax_ids import TAX_ID_SCHEMES

# (name shown in messages, stdnum module) per country. Brazil has two schemes
# and picks one by length (`_module_for`), so this keeps the first.
_VALIDATORS: dict[str, tuple[str, ModuleType]] = {
    country: schemes[0] for country, schemes in TAX_ID_SCHEMES.items()
}

# Spanish reasons for python-stdnum's validation errors, whose own texts
# are English.
_INVALID_REASONS: dict[type[Exception], str] = {
    stdnum_errors.InvalidLength: "no tiene la cantidad de caracteres correcta",
    stdnum_errors.InvalidFormat: "tiene caracteres o un formato que no corresponden",
    stdnum_errors.InvalidComponent: "tiene una parte que no existe",
}

# The SAT's generic RFCs: XAXX010101000 is printed on invoices to the general
# public and XEXX010101000 on invoices to foreign customers. Many customers
# share each one, so it identifies nobody, and its last digit does not follow
# the check digit algorithm.
GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})

# CUIT prefixes 30, 33 and 34 are legal entities; 20, 23, 24 and 27 people.
_AR_COMPANY_PREFIXES = ("30", "33", "34")

# A Colombian document type written before the number: "NIT 900.123.456-8",
# "C.C. 79.845.123". A cédula (CC) or cédula de extranjería (CE) has no
# check digit.
_CO_DOCUMENT_TYPE = re.compile(
    r"\s*(?:(NIT)|C\.?\s*[CE]\.?)\s*[:.]?\s*(?=[0-9])", re.IGNORECASE
)

_COMPANY_WORDS = re.compile(
    r"(?:^|[\s,.])(?:s\.?\s?a\.?(?:\s?[bp]\.?(?:\s?i\.?)?)?(?:\s?de\s?c\.?\s?v\.?)?|"
    r"s\.?\s?(?:de\s)?r\.?\s?l\.?(?:\s?de\s?c\.?\s?v\.?)?|a\.?\s?c\.?|"
    r"s\.?\s?a\.?\s?s\.?|s\.?\s?a\.?\s?c\.?|s\.?\s?c\.?|ltda\.?|limitada|"
    r"e\.?i\.?r\.?l\.?|eireli|spa|s\.?\s?en\s?c\.?|cia\.?|compa[nñ][ií]a|"
    r"sociedad|cooperativa|coop\.?|inc\.?|llc|corp\.?)(?=$|[\s,.])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TaxIdCheck:
    """A tax id in compact form, whether it is valid and whom it names.

    `problem` is a Spanish sentence naming the id and what is wrong with it.
    `generic` is true for an id that many customers share, such as the SAT's
    RFC for the general public.
    """

    compact: str
    valid: bool | None  # None when the country's scheme is unknown
    kind: CustomerKind | None
    problem: str | None = None
    generic: bool = False


def check_tax_id(value: str, country: str) -> TaxIdCheck:
    """Validate a tax id for `country`; a wrong check digit is reported, not raised."""
    country = country.upper()
    if country == "CO":
        document_type = _CO_DOCUMENT_TYPE.match(value)
        if document_type is not None and document_type.group(1) is None:
            number = compact_tax_id(value[document_type.end() :])
            return TaxIdCheck(number, None, CustomerKind.PERSON)
        if document_type is not None:
            value = value[document_type.end() :]
    if country == "BR":
        value = _with_leading_zeros(value)
    if country == "UY" and len(re.sub(r"\D", "", value)) <= _UY_CI_MAX_DIGITS:
        return _check_uruguayan_ci(value)
    label, module = _module_for(value, country)
    if module is None:
        # A Peruvian DNI belongs to a person. Its check character is printed
        # on the card only, so the number has nothing to verify.
        kind = CustomerKind.PERSON if label == "DNI" and country == "PE" else None
        return TaxIdCheck(compact_tax_id(value), None, kind)

    compact = module.compact(value)
    if module is rfc and compact in GENERIC_RFCS:
        return TaxIdCheck(compact, True, None, generic=True)
    try:
        if module is rfc:
            module.validate(value, validate_check_digits=True)
        else:
            module.validate(value)
    except stdnum_errors.InvalidChecksum:
        return TaxIdCheck(compact, False, None, _checksum_problem(label, value))
    except stdnum_errors.ValidationError as exc:
        reason = _INVALID_REASONS.get(type(exc), "no es válido")
        return TaxIdCheck(compact, False, None, f'El {label} "{value}" {reason}')
    return TaxIdCheck(compact, True, _kind_from_tax_id(compact, country, module))


def _with_leading_zeros(value: str) -> str:
    """Restore the leading zeros that a spreadsheet dropped from a CPF or CNPJ.

    Excel stores 045.678.900/0001-79 typed as a number as 4567890000179.
    Digits that are valid as they are stay unchanged. Shorter ones are padded
    to a CPF's 11 digits and then to a CNPJ's 14, and the first padding whose
    check digits are right is kept, so a wrong number keeps its problem.
    """
    digits = value.strip()
    if not digits.isdigit() or not 8 <= len(digits) <= 13:
        return value
    if cpf.is_valid(digits) or cnpj.is_valid(digits):
        return value
    for module, length in ((cpf, 11), (cnpj, 14)):
        padded = digits.zfill(length)
        if len(digits) < length and module.is_valid(padded):
            return padded
    return value


# A Uruguayan cédula de identidad (CI) is a person's id: up to seven digits
# and a check digit, as in 1.234.567-2, where a company's RUT has 12 digits.
_UY_CI_MAX_DIGITS = 8
_UY_CI_WEIGHTS = (2, 9, 8, 7, 6, 3, 4)


def uruguayan_ci_check_digit(digits: str) -> str:
    """Return the check digit of a CI's number (up to seven digits).

    The number is padded to seven digits, each multiplied by 2, 9, 8, 7, 6,
    3, 4, and the check digit is (10 - sum mod 10) mod 10: 1.234.567 has 2.
    """
    padded = digits.rjust(len(_UY_CI_WEIGHTS), "0")
    total = sum(int(d) * w for d, w in zip(padded, _UY_CI_WEIGHTS, strict=True))
    return str((10 - total % 10) % 10)


def _check_uruguayan_ci(value: str) -> TaxIdCheck:
    compact = compact_tax_id(value)
    if not compact.isdigit() or not compact.isascii() or len(compact) < 2:
        problem = f'La CI "{value}" tiene caracteres o un formato que no corresponden'
        return TaxIdCheck(compact, False, None, problem)
    if uruguayan_ci_check_digit(compact[:-1]) != compact[-1]:
        problem = (
            f'La CI "{value}" tiene mal el dígito verificador (el último, como '
            "el 2 de 1.234.567-2)"
        )
        return TaxIdCheck(compact, False, None, problem)
    return TaxIdCheck(compact, True, CustomerKind.PERSON)


def _checksum_problem(label: str, value: str) -> str:
    if label != "NIT":
        return f'El {label} "{value}" tiene mal el dígito verificador'
    # The DIAN calls it "dígito de verificación". Exports often leave it out,
    # and then the last digit of the NIT is read as the check digit.
    problem = f'El NIT "{value}" tiene mal el dígito de verificación'
    if "-" in value:
        return problem
    return (
        f"{problem} o no lo trae (va al final, después de un guion, como en "
        "900.123.456-8)"
    )


def compact_tax_id(value: str) -> str:
    """Return `value` without spaces, points, hyphens and slashes, upper-cased."""
    return re.sub(r"[\s.\-/]", "", value).upper()


def format_tax_id(value: str, country: str) -> str:
    """Return a valid tax id in its usual written form, or `value` unchanged.

    "11222333000181" becomes "11.222.333/0001-81" and "20123456786"
    becomes "20-12345678-6".
    """
    _label, module = _module_for(value, country.upper())
    # An RFC is written without separators, which python-stdnum's format adds.
    if module is None or module is rfc or not hasattr(module, "format"):
        return value
    if not module.is_valid(value):
        return value
    return str(module.format(value))


def _module_for(value: str, country: str) -> tuple[str, ModuleType | None]:
    if country == "BR":
        digits = re.sub(r"\D", "", value)
        return ("CNPJ", cnpj) if len(digits) > 11 else ("CPF", cpf)
    if country == "AR" and len(re.sub(r"\D", "", value)) <= 8:
        # A DNI (7 or 8 digits) has no check digit to verify.
        return "DNI", None
    if country == "PE" and len(re.sub(r"\D", "", value)) == 8:
        # A DNI (8 digits), where a RUC has 11.
        return "DNI", None
    return _VALIDATORS.get(country, ("tax id", None))


def _kind_from_tax_id(
    compact: str, country: str, module: ModuleType
) -> CustomerKind | None:
    if module is cuit:
        if compact.startswith(_AR_COMPANY_PREFIXES):
            return CustomerKind.COMPANY
        return CustomerKind.PERSON
    if module is cnpj:
        return CustomerKind.COMPANY
    if module is cpf:
        return CustomerKind.PERSON
    if module is rfc:
        return CustomerKind.COMPANY if len(compact) == 12 else CustomerKind.PERSON
    if module is ruc:
        # Peru: RUC 20... are legal entities, 10... people with a business.
        return CustomerKind.COMPANY if compact.startswith("20") else CustomerKind.PERSON
    return None


def kind_from_name(name: str) -> CustomerKind | None:
    """Return COMPANY when the name carries a legal form such as S.A. or Ltda."""
    if _COMPANY_WORDS.search(name):
        return CustomerKind.COMPANY
    return None
