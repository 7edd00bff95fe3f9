"""Find a customer from what a person types: an external id, tax id or phone."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cobranza.compliance.erasure import erased_external_ids
from cobranza.compliance.errors import AmbiguousCustomerError, CustomerNotFoundError
from cobranza.db.models import Business, Customer
from cobranza.ingest.rows import customer_id_from_name
from cobranza.ingest.taxids import compact_tax_id
from cobranza.phones import area_code_word, match_wa_id, normalize_phone, wa_id_variants
from cobranza.timeutil import local_date


def resolve_customer(session: Session, business_id: int, ref: str) -> Customer:
    """Return the business's customer whose external id or phone is `ref`.

    The external id from the import is tried first, exactly, and then the
    external id that an import makes from a name, so that a customer
    imported without a code is found by its name as written. Then a tax id
    of at least 6 digits, with or without separators, is compared in its
    compact form with external ids and stored tax ids ("76.543.210-3" finds
    the customer keyed "765432103"). Otherwise `ref`
    is read as a phone in any format for the business's country
    (`cobranza.phones` normalises it to E.164, including the Argentine
    mobile `9` and the `wa_id` forms) and compared with `Customer.phone` and
    `Customer.wa_id`. Raises CustomerNotFoundError when nothing matches and
    AmbiguousCustomerError when several customers share the phone.
    """
    text = ref.strip()
    if not text:
        raise CustomerNotFoundError(
            "falta el cliente: escribí su código de la importación o su teléfono"
        )

    external_ids = [text, customer_id_from_name(text)]
    for external_id in external_ids:
        by_external_id = session.scalars(
            select(Customer).where(
                Customer.business_id == business_id,
                Customer.external_id == external_id,
            )
        ).first()
        if by_external_id is not None:
            return by_external_id
    by_tax_id = _by_tax_id(session, business_id, text)
    if by_tax_id is not None:
        return by_tax_id

    _reject_erased(session, business_id, text)
    compact = compact_tax_id(text)
    if compact != text and _looks_like_tax_id(compact):
        _reject_erased(session, business_id, compact)
    phones = _phone_candidates(session, business_id, text)
    if not phones:
        country = session.get_one(Business, business_id).country
        # "la lada" -> "lada": the message reads "con su lada".
        area_code = area_code_word(country).split(" ", 1)[1]
        raise CustomerNotFoundError(
            f"no hay ningún cliente con el código {text!r}, y tampoco es un "
            "teléfono válido: revisá el código de la importación, o escribí el "
            f"teléfono con su {area_code}"
        )
    wa_ids = {phone.lstrip("+") for phone in phones}
    matches = list(
        session.scalars(
            select(Customer)
            .where(
                Customer.business_id == business_id,
                or_(
                    Customer.phone.in_(sorted(phones)),
                    Customer.wa_id.in_(sorted(wa_ids)),
                ),
            )
            .order_by(Customer.id)
        )
    )
    if not matches:
        raise CustomerNotFoundError(
            f"no hay ningún cliente con el código o el teléfono {text!r}: revisá "
            "el valor, o importá antes al cliente"
        )
    if len(matches) > 1:
        ids = ", ".join(customer.external_id for customer in matches)
        raise AmbiguousCustomerError(
            f"el teléfono {text!r} es de {len(matches)} clientes ({ids}): "
            "usá el código del cliente"
        )
    return matches[0]


def _by_tax_id(session: Session, business_id: int, text: str) -> Customer | None:
    """Return the one customer whose tax id is `text`, with or without separators.

    "123.456.789-09" finds the customer imported with the CPF 12345678909.
    An import keys a customer without a code by the bare tax id, so the
    bare form is compared with both the external id and `Customer.tax_id`.
    """
    compact = compact_tax_id(text)
    if not _looks_like_tax_id(compact):
        return None
    matches = list(
        session.scalars(
            select(Customer)
            .where(
                Customer.business_id == business_id,
                or_(Customer.external_id == compact, Customer.tax_id == compact),
            )
            .order_by(Customer.id)
        )
    )
    if len(matches) > 1:
        ids = ", ".join(customer.external_id for customer in matches)
        raise AmbiguousCustomerError(
            f"la identificación fiscal {text!r} es de {len(matches)} clientes "
            f"({ids}): usá el código del cliente"
        )
    return matches[0] if matches else None


def _looks_like_tax_id(compact: str) -> bool:
    """Return whether a value without separators may be a tax id.

    Every supported tax id has at least 6 digits (an RFC's date of birth or
    incorporation), so a short code such as "C-001" never finds "C001".
    """
    return sum(char.isdigit() for char in compact) >= 6


def _reject_erased(session: Session, business_id: int, external_id: str) -> None:
    """Raise CustomerNotFoundError naming the erasure when `external_id` was erased."""
    business = session.get_one(Business, business_id)
    erased_at = erased_external_ids(session, business, [external_id]).get(external_id)
    if erased_at is None:
        return
    day = local_date(erased_at, business.timezone)
    raise CustomerNotFoundError(
        f"el cliente {external_id!r} pidió que se borraran sus datos el "
        f"{day:%d/%m/%Y}, así que ya no está guardado. Si es otro cliente, usá "
        "su código"
    )


def _phone_candidates(session: Session, business_id: int, text: str) -> set[str]:
    country = session.scalar(select(Business.country).where(Business.id == business_id))
    if country is None:
        raise CustomerNotFoundError(
            f"no se encontró el negocio con id {business_id}: revisá que exista"
        )
    candidates = set()
    for mobile in (False, True):
        result = normalize_phone(text, country, mobile=mobile)
        if result.e164 is not None:
            candidates.add(result.e164)
    wa_form = match_wa_id(text, country)
    if wa_form is not None and text.lstrip("+").isdigit():
        candidates.add(wa_form)
    variants = set().union(*(wa_id_variants(phone) for phone in candidates))
    return candidates | {"+" + digits for digits in variants}
