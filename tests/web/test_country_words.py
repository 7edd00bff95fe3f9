"""Dashboard pages with the nouns and payment examples of the business's country.

The settings page names the holidays and the usual ways to be paid in the
country, and the audit page words a holiday deferral and a skipped step
with the country's nouns. The owner's own text stays as stored.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update

from cobranza.config import COUNTRY_DEFAULTS
from cobranza.country_words import COUNTRY_NAMES
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Business
from tests.web.conftest import NOW, Tenant

# A reason the owner typed, with an Argentine word that must stay.
OWNER_REASON = "feriado largo, salteado a propósito"

# (country, holidays as the settings page starts the line, the payment
# means in the payment instructions' description, the holiday deferral and
# the skipped step on the audit page)
COUNTRIES = [
    (
        "AR",
        "Feriados",
        "(alias, CBU, CLABE…)",
        "Es feriado en el país del cliente",
        "paso salteado",
    ),
    (
        "CO",
        "Festivos",
        "(Nequi, Daviplata, cuenta Bancolombia…)",
        "Es festivo en el país del cliente",
        "paso omitido",
    ),
    (
        "MX",
        "Días festivos",
        "(CLABE, banco, titular…)",
        "Es día festivo en el país del cliente",
        "paso omitido",
    ),
    (
        "CL",
        "Feriados",
        "(cuenta RUT, cuenta corriente, RUT del titular…)",
        "Es feriado en el país del cliente",
        "paso omitido",
    ),
    (
        "BR",
        "Feriados",
        "(clave Pix, banco, agencia y cuenta…)",
        "Es feriado en el país del cliente",
        "paso omitido",
    ),
]


def _move_to(engine: Engine, tenant: Tenant, country: str) -> None:
    """Make the tenant's business one of `country`, with its default locale."""
    timezone, currency, locale = COUNTRY_DEFAULTS[country]
    with transaction(engine) as session:
        session.execute(
            update(Business)
            .where(Business.id == tenant.business_id)
            .values(country=country, timezone=timezone, locale=locale)
        )


def _audit_events(engine: Engine, tenant: Tenant) -> None:
    """Store a holiday deferral, a skipped step and the owner's own reason."""
    with transaction(engine) as session:
        for kind, reason in (
            ("message_deferred", "holiday"),
            ("step_skipped", "zero_balance"),
            ("case_paused", OWNER_REASON),
        ):
            session.add(
                AuditEvent(
                    business_id=tenant.business_id,
                    at=NOW - timedelta(hours=2),
                    actor="gate",
                    kind=kind,
                    subject_type="customer",
                    subject_id=tenant.customer_id,
                    reason=reason,
                )
            )


@pytest.mark.parametrize(
    ("country", "holidays", "payment_means", "holiday_reason", "skipped_step"),
    COUNTRIES,
    ids=[row[0] for row in COUNTRIES],
)
def test_settings_page_country_words(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
    country: str,
    holidays: str,
    payment_means: str,
    holiday_reason: str,
    skipped_step: str,
) -> None:
    _move_to(engine, tenant, country)
    client, _ = client_for(tenant)

    page = client.get("/configuracion").text

    assert f"<li>{holidays}: sin mensajes</li>" in page
    assert f"<h2>Horarios de contacto ({COUNTRY_NAMES[country]}" in page
    assert f"cómo pagarte sin link de pago {payment_means}" in page
    assert f"los {holidays.lower()} y los topes que exige la ley" in page
    if country != "AR":
        assert "CBU" not in page
    if holidays != "Feriados":
        assert "Feriados" not in page
        assert "los feriados" not in page


@pytest.mark.parametrize(
    ("country", "holidays", "payment_means", "holiday_reason", "skipped_step"),
    COUNTRIES,
    ids=[row[0] for row in COUNTRIES],
)
def test_audit_page_country_words(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
    country: str,
    holidays: str,
    payment_means: str,
    holiday_reason: str,
    skipped_step: str,
) -> None:
    _move_to(engine, tenant, country)
    _audit_events(engine, tenant)
    client, _ = client_for(tenant)

    page = client.get("/auditoria").text

    assert holiday_reason in page
    assert f">{skipped_step}</span>" in page
    assert OWNER_REASON in page
    if skipped_step != "paso salteado":
        assert "paso salteado" not in page


def test_customer_history_country_words(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
) -> None:
    _move_to(engine, tenant, "CO")
    _audit_events(engine, tenant)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert "Es festivo en el país del cliente" in page
    assert "feriado en el país" not in page
    assert OWNER_REASON in page
