"""Configuración: provider status (never secrets), contact rules, consent."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from cobranza.compliance.rules import rules_for_business
from cobranza.config import Settings
from cobranza.db.models import ConsentEvent, Customer
from cobranza.jobs.business_settings import (
    OPTIONS,
    describe_option,
    display_value,
    option_note,
)
from cobranza.web.dashboard.common import business_of
from cobranza.web.security import db, signed_in
from cobranza.web.templating import render

router = APIRouter()

WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def _configured(*values: object) -> bool:
    return all(value is not None and str(value) != "" for value in values)


def provider_status(settings: Settings) -> list[dict[str, str]]:
    """Return each provider's name and whether it is set up, never a secret."""
    whatsapp = _configured(
        settings.whatsapp_phone_number_id, settings.whatsapp_access_token
    )
    webhook = _configured(settings.whatsapp_app_secret, settings.whatsapp_verify_token)
    twilio = _configured(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.twilio_from_number,
    )
    mercadopago = _configured(settings.mercadopago_access_token)
    stripe = _configured(settings.stripe_secret_key)
    return [
        {
            "name": "WhatsApp Cloud API",
            "status": "conectado" if whatsapp else "sin configurar",
            "detail": ("webhook firmado" if webhook else "falta el secreto de la app")
            if whatsapp
            else "los mensajes salen por el sandbox local",
        },
        {
            "name": "Twilio",
            "status": "conectado" if twilio else "sin configurar",
            "detail": settings.twilio_from_number or "",
        },
        {
            "name": "Mercado Pago",
            "status": "conectado" if mercadopago else "sin configurar",
            "detail": "proveedor de links"
            if settings.payment_provider == "mercadopago"
            else "",
        },
        {
            "name": "Stripe",
            "status": "conectado" if stripe else "sin configurar",
            "detail": "proveedor de links"
            if settings.payment_provider == "stripe"
            else "",
        },
    ]


@router.get("/configuracion", response_class=HTMLResponse)
def settings_page(request: Request) -> HTMLResponse:
    """Show providers, contact windows, country rules and consent evidence."""
    user = signed_in(request)
    settings: Settings = request.app.state.settings
    with db(request) as session:
        business = business_of(session, user.business_id)
        rules = rules_for_business(business.country, business.settings)
        consent_counts = dict(
            session.execute(
                select(ConsentEvent.action, func.count())
                .where(ConsentEvent.business_id == business.id)
                .group_by(ConsentEvent.action)
            ).all()
        )
        customers = session.scalar(
            select(func.count()).where(Customer.business_id == business.id)
        )
        recent = session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.business_id == business.id)
            .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
            .limit(20)
        ).all()
        names = dict(
            session.execute(
                select(Customer.id, Customer.name).where(
                    Customer.id.in_({event.customer_id for event in recent}),
                    Customer.business_id == business.id,
                )
            ).all()
        )
        options = [
            (
                option,
                describe_option(option, business.locale),
                display_value(business, option),
                option_note(business, option, settings),
            )
            for option in OPTIONS
        ]
    return render(
        request,
        "configuracion.html",
        {
            "business": business,
            "options": options,
            "providers": provider_status(settings),
            "rules": rules,
            "weekdays": WEEKDAYS,
            "consent_counts": consent_counts,
            "customers": customers,
            "recent_consents": recent,
            "names": names,
        },
    )
