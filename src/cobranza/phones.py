"""Phone numbers: E.164 normalisation and WhatsApp identity matching.

`phonenumbers` (Google's libphonenumber metadata) does the parsing. On top of
it this module applies the WhatsApp rules of the region:

- Argentina: a mobile number is stored as `+54 9 <area> <number>`.
  libphonenumber already turns the domestic form `0 <area> 15 <number>`
  into that. A bare 10-digit number found in a column for mobiles
  (celular, móvil, WhatsApp) also gets the `9`.
- Mexico: numbering dropped the `1` after `+52` in 2019, so `+52 1 ...` is
  stored without it, while WhatsApp may still report a `wa_id` of `521...`.
  The prefixes dialled before that reform (`044` and `045` before a mobile,
  `01` before a long-distance number) are dropped when ten valid digits
  remain.
- Brazil: mobiles have nine digits after the area code. An 8-digit landline
  never gets a `9` added, and a `wa_id` without the ninth digit is matched
  to the stored mobile.
- Chile: libphonenumber types every number as fixed line or mobile, but
  mobiles are 9 followed by eight digits, so any other number is warned
  about as a landline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from cobranza.country_words import country_name
from cobranza.db.models import PhoneStatus

_MOBILE_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_NON_DIGITS = re.compile(r"\D")
# Cells that list several numbers: "4567-8901 / 15 5555-6666", "... y ...".
_SEPARATORS = re.compile(r"\s*(?:/|;|,|\s[yo]\s)\s*")
# Mexican prefixes dialled before the 2019 numbering reform: 044 (local
# mobile), 045 (long-distance mobile) and 01 (long-distance).
_MX_LEGACY_PREFIXES = ("044", "045", "01")

# Local names of the area code for error messages, singular and plural with
# their articles. Other countries get the neutral "código de área".
_AREA_CODE_WORDS = {
    "AR": ("la característica", "las características"),
    "MX": ("la lada", "las ladas"),
    "CO": ("el indicativo", "los indicativos"),
    "CL": ("el código de área", "los códigos de área"),
    "PE": ("el código de ciudad", "los códigos de ciudad"),
    "BR": ("el DDD", "los DDD"),
}
_NEUTRAL_AREA_CODE_WORDS = ("el código de área", "los códigos de área")


# A made-up mobile number of each country, written as people write it, for
# error messages that show the expected form.
PHONE_EXAMPLES = {
    "AR": "+54 9 11 5555-6666",
    "BR": "+55 11 95555-6666",
    "CL": "+56 9 5555 6666",
    "CO": "+57 300 555 6666",
    "MX": "+52 55 5555 6666",
    "PE": "+51 955 556 666",
    "UY": "+598 95 556 666",
}


def area_code_word(country: str, *, plural: bool = False) -> str:
    """Return the local name of the area code with its article ("la lada")."""
    singular_words, plural_words = _AREA_CODE_WORDS.get(
        country.upper(), _NEUTRAL_AREA_CODE_WORDS
    )
    return plural_words if plural else singular_words


@dataclass(frozen=True)
class PhoneResult:
    """The outcome of normalising one raw phone value."""

    raw: str | None
    e164: str | None
    status: PhoneStatus
    problem: str | None = None


def phone_text(value: object) -> str | None:
    """Return a cell value as phone text; spreadsheet floats lose the `.0`.

    XLSX files often store phones as numbers, which openpyxl returns as
    `1145678901` (int) or `1145678901.0` (float).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
    elif re.fullmatch(r"\d(\.\d+)?[eE]\+\d+", text):
        try:
            text = str(int(Decimal(text)))
        except InvalidOperation:
            pass
    return text or None


def normalize_phone(
    value: object, country: str, *, mobile: bool = False
) -> PhoneResult:
    """Normalise a raw phone to E.164 for a business in `country`.

    `mobile` is true when the value came from a column for mobiles
    (celular, móvil, WhatsApp), which matters in Argentina.
    """
    raw = phone_text(value)
    if raw is None:
        return PhoneResult(None, None, PhoneStatus.MISSING)

    parts = [part for part in _SEPARATORS.split(raw) if part.strip()]
    if len(parts) > 1:
        return _first_of(raw, parts, country, mobile=mobile)
    return _normalize_one(raw, country, mobile=mobile)


def _first_of(raw: str, parts: list[str], country: str, *, mobile: bool) -> PhoneResult:
    """Pick a mobile, else any valid number, from a cell listing several."""
    results = [_normalize_one(part, country, mobile=mobile) for part in parts]
    valid = [result for result in results if result.e164 is not None]
    if not valid:
        return PhoneResult(
            raw,
            None,
            PhoneStatus.INVALID,
            f"ninguno de los números de «{raw}» es un teléfono válido de "
            f"{country_name(country)}: revisá "
            f"{area_code_word(country, plural=True)} y los dígitos",
        )
    best = next((result for result in valid if result.problem is None), valid[0])
    return PhoneResult(raw, best.e164, best.status, best.problem)


def _normalize_one(raw: str, country: str, *, mobile: bool) -> PhoneResult:
    digits = _NON_DIGITS.sub("", raw)
    if not digits:
        return PhoneResult(
            raw, None, PhoneStatus.INVALID, f"el teléfono «{raw}» no tiene dígitos"
        )
    try:
        number = phonenumbers.parse(
            _without_legacy_prefix(raw, country), country.upper()
        )
    except NumberParseException:
        return PhoneResult(
            raw,
            None,
            PhoneStatus.INVALID,
            f"no se puede leer el teléfono «{raw}»: revisá que sean solo dígitos, "
            "espacios, guiones y un + inicial",
        )

    number = _apply_country_rules(number, mobile=mobile)
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(
            raw,
            None,
            PhoneStatus.INVALID,
            f"el teléfono «{raw}» no es válido en {country_name(country)}: revisá "
            f"{area_code_word(country)} y la cantidad de dígitos",
        )

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not _may_be_mobile(number):
        return PhoneResult(
            raw,
            e164,
            PhoneStatus.VALID,
            "teléfono fijo: WhatsApp le llega solo si usa WhatsApp Business",
        )
    return PhoneResult(raw, e164, PhoneStatus.VALID)


def _may_be_mobile(number: phonenumbers.PhoneNumber) -> bool:
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return False
    # Chilean mobiles start with 9 ("+56 9 5555 6666"). Santiago's "2 2345
    # 6789" and other area codes are landlines.
    if number.country_code == 56:
        return str(number.national_number).startswith("9")
    return True


def _without_legacy_prefix(raw: str, country: str) -> str:
    """Drop a pre-2019 Mexican dialling prefix when ten valid digits remain.

    A value written with `+` is already international and stays as it is.
    """
    if country.upper() != "MX" or raw.lstrip().startswith("+"):
        return raw
    digits = _NON_DIGITS.sub("", raw)
    for prefix in _MX_LEGACY_PREFIXES:
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and len(rest) == 10:
            try:
                candidate = phonenumbers.parse(rest, "MX")
            except NumberParseException:
                return raw
            return rest if phonenumbers.is_valid_number(candidate) else raw
    return raw


def _apply_country_rules(
    number: phonenumbers.PhoneNumber, *, mobile: bool
) -> phonenumbers.PhoneNumber:
    national = str(number.national_number)
    if number.country_code == 54 and mobile and len(national) == 10:
        candidate = phonenumbers.parse("+549" + national)
        if phonenumbers.is_valid_number(candidate):
            return candidate
    if number.country_code == 52 and len(national) == 11 and national[0] == "1":
        return phonenumbers.parse("+52" + national[1:])
    return number


# The IANA time zone of each Brazilian area code (DDD) whose state keeps a
# zone of its own in the tz database. Every other DDD (the South, the
# Southeast, the Federal District and Goiás) is America/Sao_Paulo.
_BRAZIL_AREA_TIMEZONES = {
    **dict.fromkeys(("63",), "America/Araguaina"),
    **dict.fromkeys(("65", "66"), "America/Cuiaba"),
    **dict.fromkeys(("67",), "America/Campo_Grande"),
    **dict.fromkeys(("68",), "America/Rio_Branco"),
    **dict.fromkeys(("69",), "America/Porto_Velho"),
    **dict.fromkeys(("71", "73", "74", "75", "77"), "America/Bahia"),
    **dict.fromkeys(("79", "82"), "America/Maceio"),
    **dict.fromkeys(("81", "87"), "America/Recife"),
    **dict.fromkeys(
        ("83", "84", "85", "86", "88", "89", "98", "99"), "America/Fortaleza"
    ),
    **dict.fromkeys(("91", "94", "96"), "America/Belem"),
    **dict.fromkeys(("93",), "America/Santarem"),
    **dict.fromkeys(("92", "97"), "America/Manaus"),
    **dict.fromkeys(("95",), "America/Boa_Vista"),
}
# Area codes whose towns keep different clocks, with every zone, the stored
# one (`_BRAZIL_AREA_TIMEZONES`) first. DDD 97 covers Amazonas outside
# Manaus: Tefé and Coari on Manaus time (UTC-4), and Eirunepé, Envira,
# Guajará and Ipixuna on Acre time (UTC-5, America/Eirunepe in the tz
# database), so no single zone of the number is safe for contact hours.
_BRAZIL_SHARED_AREA_TIMEZONES = {
    "97": ("America/Manaus", "America/Eirunepe"),
}


def phone_timezone(e164: str | None) -> str | None:
    """Return the time zone of a Brazilian number's area code, else None.

    Brazil spans four UTC offsets, so a customer's contact hours follow the
    DDD of the phone: +55 68 (Acre) is two hours behind São Paulo. A number
    of another country returns None, and the business's zone applies.
    """
    if e164 is None or not e164.startswith("+55") or len(e164) < 7:
        return None
    return _BRAZIL_AREA_TIMEZONES.get(e164[3:5], "America/Sao_Paulo")


def phone_timezones(e164: str | None) -> tuple[str, ...]:
    """Return every time zone of a Brazilian number's area code, else ().

    The first is the one `phone_timezone` returns. An area code whose towns
    keep different clocks, such as DDD 97, has several, and contact hours
    must be allowed on every one of them.
    """
    zone = phone_timezone(e164)
    if zone is None:
        return ()
    assert e164 is not None
    return _BRAZIL_SHARED_AREA_TIMEZONES.get(e164[3:5], (zone,))


def current_brazilian_mobile(raw: str) -> str | None:
    """Return a Brazilian mobile written without its ninth digit as it is now.

    Since 2016 every mobile has nine digits after the DDD, the first a 9:
    "(11) 8765-4321" is now "(11) 98765-4321". Before, a mobile had eight
    digits starting with 6 to 9, and landlines start with 2 to 5, so a
    landline returns None, as does any number that is not valid with the 9.
    """
    digits = _NON_DIGITS.sub("", raw)
    if len(digits) == 12 and digits.startswith("55"):
        digits = digits[2:]
    if len(digits) != 10 or digits[2] not in "6789":
        return None
    area_code, number = digits[:2], "9" + digits[2:]
    if not phonenumbers.is_valid_number(phonenumbers.parse(f"+55{area_code}{number}")):
        return None
    return f"({area_code}) {number[:5]}-{number[5:]}"


def wa_id_variants(e164: str) -> set[str]:
    """Return every `wa_id` under which WhatsApp may report this number.

    A `wa_id` is the number's digits without `+`. Argentina: with and
    without the mobile `9` (549... and 54...). Mexico: with and without the
    old `1` (521... and 52...). Brazil: a mobile with and without its ninth
    digit. Other numbers have one variant.
    """
    digits = _NON_DIGITS.sub("", e164)
    variants = {digits}
    if digits.startswith("549") and len(digits) == 13:
        variants.add("54" + digits[3:])
    elif digits.startswith("54") and len(digits) == 12:
        variants.add("549" + digits[2:])
    elif digits.startswith("521") and len(digits) == 13:
        variants.add("52" + digits[3:])
    elif digits.startswith("52") and len(digits) == 12:
        variants.add("521" + digits[2:])
    elif digits.startswith("55") and len(digits) == 13 and digits[4] == "9":
        variants.add(digits[:4] + digits[5:])
    elif digits.startswith("55") and len(digits) == 12 and digits[4] in "6789":
        variants.add(digits[:4] + "9" + digits[4:])
    return variants


def match_wa_id(wa_id: str, country: str) -> str | None:
    """Return the stored E.164 form of a `wa_id`, or None if it is not valid.

    The result is what `normalize_phone` stores for the same line, so a
    customer is found by equality on `Customer.phone`.
    """
    digits = _NON_DIGITS.sub("", wa_id)
    if not digits:
        return None

    candidates = [digits]
    if digits.startswith("54") and len(digits) == 12:
        candidates.insert(0, "549" + digits[2:])
    elif digits.startswith("521") and len(digits) == 13:
        candidates.insert(0, "52" + digits[3:])
    elif digits.startswith("55") and len(digits) == 12 and digits[4] in "6789":
        candidates.insert(0, digits[:4] + "9" + digits[4:])

    for candidate in candidates:
        try:
            number = phonenumbers.parse("+" + candidate, country.upper())
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
    return None
