"""The pay pages address the debtor as the message with the link did.

A business that chose the formal tone (usted, or ustedes in Argentina)
must not be made to say tú or vos on the page its customer opens, and
voseo is for Argentine messages only.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.models import Customer, CustomerKind, OutboxMessage, PaymentLink
from tests.payments.conftest import NOW, World, build_world
from tests.payments.helpers import make_link
from tests.web.test_pay_closed import _close_by_person


def _message_with_link(world: World, link: PaymentLink, tone: str) -> None:
    """Store the reminder that carried `link`, in `tone`, as the outbox does."""
    with world.session() as session, session.begin():
        business = world.business(session)
        session.add(
            OutboxMessage(
                business_id=world.business_id,
                case_id=world.case_id,
                customer_id=world.customer_id,
                step="reminder_soft",
                step_kind="reminder_soft",
                tone=tone,
                locale=business.locale,
                idempotency_key=f"voice-{link.token}",
                state="sent",
                text=f"Recordatorio. http://testserver/pagar/{link.token}",
                planned_for=NOW,
                sent_at=NOW,
                created_at=NOW,
            )
        )


def _move_business(world: World, country: str, locale: str) -> None:
    """Give the business another country and locale, keeping its currency."""
    with world.session() as session, session.begin():
        business = world.business(session)
        business.country = country
        business.locale = locale


def _customer_kind(world: World, kind: CustomerKind) -> None:
    with world.session() as session, session.begin():
        session.get_one(Customer, world.customer_id).kind = kind


def _pay_and_read(app: FastAPI, link: PaymentLink) -> str:
    """Pay on the sandbox page and return the text of the page shown after."""
    client = TestClient(app, base_url="https://testserver")
    sandbox = client.get(f"/pagar/sandbox/{link.token}")
    assert sandbox.status_code == 200
    assert "Pago de prueba" in sandbox.text or "Pagamento de teste" in sandbox.text
    paid = client.post(f"/pagar/sandbox/{link.token}", follow_redirects=False)
    assert paid.status_code == 303
    done = client.get(paid.headers["location"])
    assert done.status_code == 200
    return done.text


def test_formal_message_gets_usted(app: FastAPI, engine: Engine) -> None:
    # given a Mexican business whose policy writes formally to a person
    world = build_world(engine, "MX")
    link = make_link(world)
    _message_with_link(world, link, "formal")

    text = _pay_and_read(app, link)

    assert "Estamos confirmando su pago" in text
    assert "no le queda saldo, le avisaremos" in text
    assert "tu pago" not in text
    assert "te avis" not in text


def test_friendly_message_gets_tu(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine, "MX")
    link = make_link(world)
    _message_with_link(world, link, "friendly")

    text = _pay_and_read(app, link)

    assert "no te queda saldo, te avisaremos" in text
    assert "te avisamos por" not in text


def test_argentine_formal_gets_ustedes(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine, "AR")
    link = make_link(world)
    _message_with_link(world, link, "formal")

    text = _pay_and_read(app, link)

    assert "no les queda saldo, les avisamos" in text
    assert "tu pago" not in text


def test_argentine_friendly_keeps_voseo(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine, "AR")
    link = make_link(world)
    _message_with_link(world, link, "friendly")

    text = _pay_and_read(app, link)

    assert "no te queda saldo, te avisamos por WhatsApp" in text


def test_no_message_company_gets_formal(app: FastAPI, engine: Engine) -> None:
    # given a link no message carried yet, to a company in Chile, which the
    # policy's automatic tone addresses formally
    world = build_world(engine, "CL")
    _customer_kind(world, CustomerKind.COMPANY)
    link = make_link(world)

    text = _pay_and_read(app, link)

    assert "Estamos confirmando su pago" in text


def test_no_message_person_gets_tu(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine)
    _move_business(world, "UY", "es_UY")
    link = make_link(world)

    text = _pay_and_read(app, link)

    # Uruguayan messages use neutral Spanish, so the page does too.
    assert "te avisaremos" in text
    assert "te avisamos" not in text


def test_brazilian_formal_is_impersonal(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine)
    _move_business(world, "BR", "pt_BR")
    link = make_link(world)
    _message_with_link(world, link, "formal")

    text = _pay_and_read(app, link)

    assert '<html lang="pt">' in text
    assert "Obrigado! Estamos confirmando o pagamento." in text
    assert "seu pagamento" not in text


def test_closed_case_page_follows_tone(app: FastAPI, engine: Engine) -> None:
    # given a formal reminder's link, then a person closed the case while the
    # customer still owes
    world = build_world(engine, "CO")
    link = make_link(world)
    _message_with_link(world, link, "formal")
    _close_by_person(world)
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}", follow_redirects=False)

    assert page.status_code == 200
    assert "todavía tiene saldo pendiente" in page.text
    assert "Escríbale al negocio" in page.text
    assert "Escribile" not in page.text


def test_unknown_link_speaks_business_voice(app: FastAPI, engine: Engine) -> None:
    # given a server of a Mexican business,
    build_world(engine, "MX")
    client = TestClient(app, base_url="https://testserver")

    # when a debtor opens a mistyped or expired link,
    pages = [
        client.get("/pagar/no-existe"),
        client.get("/pagar/sandbox/no-existe"),
        client.get("/pagar/no-existe/listo"),
    ]

    # then the page reports it in neutral Spanish, not in Argentine voseo.
    for page in pages:
        assert page.status_code == 404
        assert "Escríbele al negocio" in page.text
        assert "Escribile" not in page.text
