"""Checks of a customer's email address, as an import or the API receives it.

The address goes to the payment providers as the payer's email, and they
reject a malformed one, so a bad address is caught where it comes in. The
`email-validator` package checks the syntax (RFC 5321 and 5322, with
internationalized addresses such as "josé@correo.com.ar"), without a DNS
look-up. The Spanish reason for a common mistake comes from
`_common_problem`, because the package's reasons are in English.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

try:
    from email_validator import EmailNotValidError, validate_email
except ImportError:  # pragma: no cover - depends on the environment
    # NOTE: without email-validator (a dependency in pyproject.toml) only
    # `_common_problem` checks an address, which lets through some that the
    # package rejects, such as a special-use domain ("ana@bar.test").
    validate_email = None

# The maximum length of an address: RFC 5321 caps a path, the address in
# angle brackets, at 256 octets.
MAX_EMAIL_LENGTH = 254
# The form of an address, shown in the fix of a message.
EMAIL_EXAMPLE = "nombre@dominio.com"


@dataclass(frozen=True)
class EmailCheck:
    """An address without surrounding spaces, and why it is invalid, if it is."""

    address: str
    problem: str | None = None


def check_email(value: str) -> EmailCheck:
    """Check `value` as an email address; `problem` is a Spanish reason or None."""
    address = value.strip()
    problem = _common_problem(address)
    if problem is None and validate_email is not None:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            problem = "no tiene la forma de una dirección de correo"
    return EmailCheck(address, problem)


def _common_problem(address: str) -> str | None:
    """Return the Spanish reason for a common mistake in `address`, or None."""
    if len(address) > MAX_EMAIL_LENGTH:
        return f"tiene más de {MAX_EMAIL_LENGTH} caracteres"
    if any(
        character.isspace() or unicodedata.category(character).startswith("C")
        for character in address
    ):
        return "tiene espacios o caracteres de control"
    if address.count("@") != 1:
        return "tiene que tener una sola @" if "@" in address else "le falta la @"
    local, domain = address.split("@")
    if not local:
        return "le falta el nombre antes de la @"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "tiene un punto al principio, al final o repetido antes de la @"
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        return "el dominio después de la @ no es completo, como dominio.com"
    for label in labels:
        if label.startswith("-") or label.endswith("-"):
            return "una parte del dominio empieza o termina con un guion"
        if not all(character.isalnum() or character == "-" for character in label):
            return "el dominio tiene caracteres que no van en un dominio"
    if labels[-1].isdigit():
        return "el dominio termina en números, no en una terminación como .com"
    return None
