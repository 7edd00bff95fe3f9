"""Fictitious Argentine customers: names, CUITs and mobile phones.

Every name ends in "(ficticio)" or "(ficticia)", so that no reader mistakes
the demo data for real people or companies. CUITs have a valid check digit
(python-stdnum's `ar.cuit`) over random digits, so any match with a real
taxpayer is chance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum.ar import cuit

MALE_NAMES = ("Juan", "Martín", "Diego", "Lucas", "Facundo", "Matías", "Hernán")
FEMALE_NAMES = ("María", "Lucía", "Florencia", "Camila", "Valeria", "Paula", "Sofía")
SURNAMES = (
    "Pereyra",
    "Gómez",
    "Fernández",
    "Sosa",
    "Quiroga",
    "Benítez",
    "Acosta",
    "Villalba",
    "Herrera",
    "Medina",
)
COMPANY_TRADES = (
    "Ferretería",
    "Almacén",
    "Kiosco",
    "Librería",
    "Panadería",
    "Taller",
    "Veterinaria",
    "Farmacia",
)
COMPANY_NAMES = ("El Ombú", "Los Álamos", "San Cayetano", "La Esquina", "Del Sur")
COMPANY_FORMS = ("S.R.L.", "S.A.", "S.A.S.")

# Area code and the length of the local number after it.
AREAS = (("11", 8), ("351", 7), ("341", 7), ("221", 7), ("261", 7), ("381", 7))


@dataclass(frozen=True)
class FictitiousParty:
    """A generated customer: who it is and how to reach it."""

    name: str
    is_company: bool
    # The tax id as written, or "" for a customer without one.
    tax_id: str
    phone: str
    email: str


def make_party(rng: random.Random, index: int, is_company: bool) -> FictitiousParty:
    """Generate one fictitious person or company with a valid-looking CUIT."""
    if is_company:
        name = (
            f"{rng.choice(COMPANY_TRADES)} {rng.choice(COMPANY_NAMES)} "
            f"{rng.choice(COMPANY_FORMS)} (ficticia)"
        )
        prefix = rng.choice(("30", "33"))
        email = f"administracion{index}@ejemplo.com.ar"
    else:
        female = rng.random() < 0.5
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        surname = rng.choice(SURNAMES)
        name = f"{first} {surname} ({'ficticia' if female else 'ficticio'})"
        prefix = "27" if female else "20"
        email = f"cliente{index}@ejemplo.com.ar"
    return FictitiousParty(
        name=name,
        is_company=is_company,
        tax_id=make_cuit(rng, prefix),
        phone=make_mobile(rng),
        email=email,
    )


def make_cuit(rng: random.Random, prefix: str) -> str:
    """Return a CUIT with a correct check digit, formatted as XX-XXXXXXXX-X."""
    body = prefix + f"{rng.randrange(10_000_000, 45_000_000):08d}"
    check = cuit.calc_check_digit(body)
    return f"{body[:2]}-{body[2:]}-{check}"


def make_mobile(rng: random.Random) -> str:
    """Return an Argentine mobile number written in one of the usual ways."""
    area, length = rng.choice(AREAS)
    # Local numbers starting with 4, 5 or 6 are valid in every area above.
    low = 4 * 10 ** (length - 1)
    local = str(rng.randrange(low, low + 3 * 10 ** (length - 1)))
    head, tail = local[:-4], local[-4:]
    formats = (
        f"+54 9 {area} {head}-{tail}",
        f"0{area} 15-{head}-{tail}",
        f"({area}) 15 {head} {tail}",
        f"549{area}{local}",
        f"{area} {head} {tail}",
        f"0{area}-15-{local}",
    )
    return rng.choice(formats)
