"""Signing in from a real browser with an internationalised address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cobranza.db.engine import open_database, transaction
from cobranza.db.models import Business
from cobranza.timeutil import utcnow
from tests.browser.conftest import PHONE, LiveServer
from tests.web.factories import PASSWORD, make_owner

EMAIL = "dueña@navegador.com"


def test_sign_in_with_enye_address(browser: Any, live_server: LiveServer) -> None:
    engine = open_database(live_server.database_url)
    with transaction(engine) as session:
        business = session.get_one(Business, live_server.business_id)
        make_owner(session, business, utcnow() - timedelta(minutes=1), EMAIL)
    engine.dispose()
    context = browser.new_context(viewport=PHONE, locale="en-US")
    tab = context.new_page()

    tab.goto(live_server.url + "/entrar")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(live_server.url + "/", timeout=10_000)

    assert tab.title() == "Resumen · cobranza"
    context.close()


def test_empty_sign_in_is_spanish(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    tab = context.new_page()

    tab.goto(live_server.url + "/entrar")
    tab.click("button[type=submit]")
    tab.wait_for_load_state()

    assert "Escribí tu email y tu contraseña." in tab.content()
    context.close()
