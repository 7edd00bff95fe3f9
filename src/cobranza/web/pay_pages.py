"""The texts of the debtor's pay pages, in the voice of the debtor's messages.

A debtor reaches these pages from a payment link in a message, so a page
speaks as that message did, in its template set and its tone. The
template set gives the language: voseo only in es_AR, tú or usted in
neutral Spanish, Portuguese for Brazil. The tone is friendly or formal. A
business chooses the formal tone in its policy (`tone: formal`), and
`auto` writes formally to companies and in a friendly tone to people.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    Business,
    Customer,
    CustomerKind,
    OutboxMessage,
    PaymentLink,
)
from cobranza.messages.catalog import LOCALES, Tone
from cobranza.messages.composer import locale_for
from cobranza.messages.errors import MessageError


@dataclass(frozen=True)
class Voice:
    """The form of address of a page: a template set and a tone."""

    template_set: str
    tone: Tone

    @property
    def language(self) -> str:
        """Return the page's HTML `lang`: "pt" or "es"."""
        return "pt" if self.template_set.startswith("pt") else "es"


# The voice of a page when the business this server serves is not known
# either (see `business_voice`). It is the product's default, Argentine
# Spanish.
DEFAULT_VOICE = Voice("es_AR", Tone.FRIENDLY)

# Texts the debtor reads, by template set and tone. Argentine formal
# messages address a company as "ustedes", neutral ones as "usted", and
# Portuguese formal ones are impersonal, so the pages do the same.
PAGES: MappingProxyType[Voice, MappingProxyType[str, str]] = MappingProxyType(
    {
        Voice("es_AR", Tone.FRIENDLY): MappingProxyType(
            {
                "paid": "Este pago ya está registrado. ¡Gracias!",
                "nothing_owed": "No tenés saldo pendiente con este negocio. ¡Gracias!",
                "under_review": "Tus facturas con este negocio están en revisión, "
                "así que por ahora no hay nada para pagar acá. El negocio se va a "
                "comunicar con vos.",
                "closed_owed": "Este link de pago ya no está activo, pero todavía "
                "tenés saldo pendiente con este negocio. Escribile al negocio para "
                "acordar cómo pagarlo.",
                "not_found": "Este link de pago no es válido o ya venció. Escribile "
                "al negocio para que te mande uno nuevo.",
                "unavailable": "No pudimos abrir el pago en este momento. Probá de "
                "nuevo en unos minutos.",
                # The WhatsApp thank-you goes out only when nothing is left to
                # pay (`payments.cases.close_paid`), so the page promises no more.
                "done": "¡Gracias! Estamos confirmando tu pago. Si con este pago no "
                "te queda saldo, te avisamos por WhatsApp cuando se acredite.",
                "sandbox": "Pago de prueba: no se mueve dinero real.",
                "pay": "Pagar",
            }
        ),
        Voice("es_AR", Tone.FORMAL): MappingProxyType(
            {
                "paid": "Este pago ya está registrado. ¡Gracias!",
                "nothing_owed": "No tienen saldo pendiente con este negocio. ¡Gracias!",
                "under_review": "Sus facturas con este negocio están en revisión, "
                "así que por ahora no hay nada para abonar acá. El negocio se va a "
                "comunicar con ustedes.",
                "closed_owed": "Este link de pago ya no está activo, pero todavía "
                "tienen saldo pendiente con este negocio. Escríbanle al negocio "
                "para acordar cómo abonarlo.",
                "not_found": "Este link de pago no es válido o ya venció. "
                "Escríbanle al negocio para que les mande uno nuevo.",
                "unavailable": "No pudimos abrir el pago en este momento. Prueben "
                "de nuevo en unos minutos.",
                "done": "¡Gracias! Estamos confirmando su pago. Si con este pago no "
                "les queda saldo, les avisamos por WhatsApp cuando se acredite.",
                "sandbox": "Pago de prueba: no se mueve dinero real.",
                "pay": "Pagar",
            }
        ),
        Voice("es", Tone.FRIENDLY): MappingProxyType(
            {
                "paid": "Este pago ya está registrado. ¡Gracias!",
                "nothing_owed": "No tienes saldo pendiente con este negocio. ¡Gracias!",
                "under_review": "Tus facturas con este negocio están en revisión, "
                "así que por ahora no hay nada que pagar aquí. El negocio se "
                "comunicará contigo.",
                "closed_owed": "Este link de pago ya no está activo, pero todavía "
                "tienes saldo pendiente con este negocio. Escríbele al negocio "
                "para acordar cómo pagarlo.",
                "not_found": "Este link de pago no es válido o ya venció. Escríbele "
                "al negocio para que te envíe uno nuevo.",
                "unavailable": "No pudimos abrir el pago en este momento. "
                "Inténtalo de nuevo en unos minutos.",
                "done": "¡Gracias! Estamos confirmando tu pago. Si con este pago no "
                "te queda saldo, te avisaremos por WhatsApp cuando se acredite.",
                "sandbox": "Pago de prueba: no se mueve dinero real.",
                "pay": "Pagar",
            }
        ),
        Voice("es", Tone.FORMAL): MappingProxyType(
            {
                "paid": "Este pago ya está registrado. ¡Gracias!",
                "nothing_owed": "No tiene saldo pendiente con este negocio. ¡Gracias!",
                "under_review": "Sus facturas con este negocio están en revisión, "
                "así que por ahora no hay nada que pagar aquí. El negocio se "
                "comunicará con usted.",
                "closed_owed": "Este link de pago ya no está activo, pero todavía "
                "tiene saldo pendiente con este negocio. Escríbale al negocio para "
                "acordar cómo pagarlo.",
                "not_found": "Este link de pago no es válido o ya venció. Escríbale "
                "al negocio para que le envíe uno nuevo.",
                "unavailable": "No pudimos abrir el pago en este momento. "
                "Inténtelo de nuevo en unos minutos.",
                "done": "¡Gracias! Estamos confirmando su pago. Si con este pago no "
                "le queda saldo, le avisaremos por WhatsApp cuando se acredite.",
                "sandbox": "Pago de prueba: no se mueve dinero real.",
                "pay": "Pagar",
            }
        ),
        Voice("pt_BR", Tone.FRIENDLY): MappingProxyType(
            {
                "paid": "Este pagamento já está registrado. Obrigado!",
                "nothing_owed": "Você não tem saldo pendente com esta empresa. "
                "Obrigado!",
                "under_review": "Suas faturas com esta empresa estão em análise, "
                "então por enquanto não há nada para pagar aqui. A empresa vai "
                "entrar em contato.",
                "closed_owed": "Este link de pagamento não está mais ativo, mas você "
                "ainda tem saldo pendente com esta empresa. Escreva para a empresa "
                "para combinar como pagá-lo.",
                "not_found": "Este link de pagamento não é válido ou expirou. "
                "Escreva para a empresa e peça um novo.",
                "unavailable": "Não foi possível abrir o pagamento agora. Tente de "
                "novo em alguns minutos.",
                "done": "Obrigado! Estamos confirmando o seu pagamento. Se com ele "
                "não restar saldo, avisaremos pelo WhatsApp quando for creditado.",
                "sandbox": "Pagamento de teste: nenhum dinheiro é movimentado.",
                "pay": "Pagar",
            }
        ),
        Voice("pt_BR", Tone.FORMAL): MappingProxyType(
            {
                "paid": "Este pagamento já está registrado. Obrigado!",
                "nothing_owed": "Não há saldo pendente com esta empresa. Obrigado!",
                "under_review": "As faturas com esta empresa estão em análise, então "
                "por enquanto não há nada a pagar aqui. A empresa entrará em "
                "contato.",
                "closed_owed": "Este link de pagamento não está mais ativo, mas "
                "ainda há saldo pendente com esta empresa. Entre em contato com a "
                "empresa para combinar o pagamento.",
                "not_found": "Este link de pagamento não é válido ou expirou. Entre "
                "em contato com a empresa para solicitar um novo.",
                "unavailable": "Não foi possível abrir o pagamento agora. Tente "
                "novamente em alguns minutos.",
                "done": "Obrigado! Estamos confirmando o pagamento. Se com ele não "
                "restar saldo, avisaremos pelo WhatsApp quando for creditado.",
                "sandbox": "Pagamento de teste: nenhum dinheiro é movimentado.",
                "pay": "Pagar",
            }
        ),
    }
)


def voice_of_link(session: Session, link: PaymentLink) -> Voice:
    """Return the voice of the message that carried `link`.

    That is the newest composed message whose text has the link's address.
    A link no message carried yet (one made with `cobranza payment link`)
    takes the newest message of its case, and without one the voice that
    the default policy's `auto` tone gives the customer.
    """
    rows = (
        select(OutboxMessage.locale, OutboxMessage.tone)
        .where(
            OutboxMessage.business_id == link.business_id,
            OutboxMessage.customer_id == link.customer_id,
            OutboxMessage.text.is_not(None),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    found = session.execute(
        rows.where(OutboxMessage.text.contains(f"/pagar/{link.token}", autoescape=True))
    ).first()
    if found is None and link.case_id is not None:
        found = session.execute(
            rows.where(OutboxMessage.case_id == link.case_id)
        ).first()
    if found is not None:
        voice = _voice(found.locale, found.tone)
        if voice is not None:
            return voice

    business = session.get_one(Business, link.business_id)
    customer = session.get_one(Customer, link.customer_id)
    tone = Tone.FORMAL if customer.kind == CustomerKind.COMPANY else Tone.FRIENDLY
    try:
        locale = locale_for(business.country, customer.locale or business.locale)
    except MessageError:
        return DEFAULT_VOICE
    return _voice(locale, tone) or DEFAULT_VOICE


def business_voice(business: Business) -> Voice:
    """Return the friendly voice of `business`'s country, for a page with no link.

    A mistyped or expired address names no customer, but the server serves
    one business, so its debtors read the page in their country's Spanish
    (or Portuguese) instead of Argentine voseo.
    """
    try:
        locale = locale_for(business.country, business.locale)
    except MessageError:
        return DEFAULT_VOICE
    return _voice(locale, Tone.FRIENDLY) or DEFAULT_VOICE


def _voice(locale: str, tone: str) -> Voice | None:
    """Return the voice of a message's locale and tone, or None if unknown."""
    profile = LOCALES.get(locale)
    if profile is None or tone not in (Tone.FORMAL, Tone.FRIENDLY):
        return None
    voice = Voice(profile.template_set, Tone(tone))
    return voice if voice in PAGES else None
