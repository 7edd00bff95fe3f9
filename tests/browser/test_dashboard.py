"""The owner's main paths in a real browser at phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import Case, CaseState
from tests.browser.conftest import LiveServer, screenshot

EXPORT = (
    "Cliente;Celular;Factura;Vencimiento;Importe\r\n"
    "Lucía Importada;11 4567 8901;I-1;01/02/2026;3.000,00\r\n"
    "Lucía Importada;11 4567 8901;I-2;15/02/2026;1.500,00\r\n"
)


def test_sign_in_shows_summary(page: Any, live_server: LiveServer) -> None:
    summary = page.locator(".kpi").first

    assert page.title() == "Resumen · cobranza"
    assert "Saldo abierto" in summary.inner_text()
    assert page.locator("svg.chart").count() == 3
    screenshot(page, "resumen")


def test_import_a_file(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    export = tmp_path / "deudores.csv"
    export.write_text(EXPORT, encoding="utf-8")

    page.click("text=Menú")
    page.click("nav >> text=Importar")
    page.set_input_files("input[name=file]", str(export))
    page.click("text=Ver vista previa")
    preview = page.locator("section.card").inner_text()
    screenshot(page, "importar-vista-previa")
    page.click("text=Confirmar e importar")
    page.wait_for_selector("text=Importado: deudores.csv")
    page.goto(live_server.url + "/clientes?q=Lucía")

    assert "Filas leídas: 2" in preview
    assert page.locator("text=Lucía Importada").count() == 1
    screenshot(page, "clientes")


def test_answer_a_conversation(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/conversaciones")
    screenshot(page, "conversaciones")
    reason = page.locator("td[data-label=Motivo]").first.inner_text()
    page.click("text=Marta Respuesta")
    page.fill("textarea[name=text]", "Sí, el viernes está bien. ¡Gracias!")
    page.click("button:has-text('Enviar')")
    page.wait_for_selector("text=Respuesta enviada.")
    screenshot(page, "conversacion")

    bubbles = page.locator(".bubble.out").all_inner_texts()
    replies = page.locator(".bubble.in").all_inner_texts()
    url = page.evaluate("() => document.location.pathname")
    assert url == f"/conversaciones/{live_server.handed_off_customer_id}"
    assert any("el viernes está bien" in text for text in bubbles)
    assert any("el viernes?\\x1b[2J" in text for text in replies)
    assert not any("\x1b" in text for text in replies)
    # The live server's customer never consented, so the reason names it.
    assert reason == (
        "pidió hablar con una persona · el robot no le escribe: sin consentimiento"
    )


def test_pause_a_customer(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/clientes/{live_server.customer_id}")
    page.click("text=Pausar recordatorios")
    page.fill("input[name=until]", "2099-12-31")
    page.fill("input[name=reason]", "viaja, vuelve en enero")
    page.click("button:has-text('Pausar')")
    page.wait_for_selector("text=Recordatorios pausados hasta el 31/12/2099.")
    screenshot(page, "cliente")

    engine = make_engine(live_server.database_url)
    with transaction(engine) as session:
        case = session.scalars(
            select(Case).where(Case.customer_id == live_server.customer_id)
        ).one()
    engine.dispose()
    assert "en pausa hasta el" in page.locator("main").inner_text()
    assert case.state == CaseState.PAUSED
    assert case.pause_reason == "viaja, vuelve en enero"


def test_other_pages_render(page: Any, live_server: LiveServer) -> None:
    for path, name in [
        ("/politica", "politica"),
        ("/configuracion", "configuracion"),
        ("/auditoria", "auditoria"),
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 200, path
        screenshot(page, name)


def test_hold_and_release_invoice(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/clientes/{live_server.customer_id}")
    page.click("text=Dejar de cobrar facturas")
    page.check("input[name=no_end][value=true]")
    page.fill("#retener input[name=reason]", "pasó al abogado")
    screenshot(page, "cliente-retener")
    page.click("button:has-text('Dejar de cobrarlas')")
    page.wait_for_selector("text=Retenidas sin fecha de fin: B-2.")
    held = page.locator("td[data-label=Retención]").first.inner_text()
    held_state = page.locator("#customer-state").inner_text()
    screenshot(page, "cliente-retenida")

    page.click("td[data-label=Retención] >> button:has-text('Liberar')")
    page.wait_for_selector("text=Factura B-2 liberada")
    released = page.locator("td[data-label=Retención]").first.inner_text()
    released_state = page.locator("#customer-state").inner_text()

    assert "Retenida sin fecha de fin" in held
    assert "pasó al abogado" in held
    assert released.strip() == ""
    # Another test may have paused the case first, so only the holds part
    # of the state is checked.
    assert "B-2 sin fecha de fin, motivo: pasó al abogado" in held_state
    assert "retenida" not in released_state


def test_open_receipt_file(page: Any, browser: Any, live_server: LiveServer) -> None:
    # given the conversation of the customer who sent a receipt image
    page.goto(f"{live_server.url}/conversaciones/{live_server.handed_off_customer_id}")
    link = page.locator(f"#receipt-{live_server.receipt_id}-file")

    # when the owner opens it, and someone signed out asks for it
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    shown = tab.evaluate(
        "() => { const image = document.querySelector('img');"
        " return image ? [image.naturalWidth, image.naturalHeight] : null; }"
    )
    response = page.request.get(live_server.url + link.get_attribute("href"))
    stranger = browser.new_context()
    signed_out = stranger.request.get(
        live_server.url + link.get_attribute("href"), max_redirects=0
    )

    # then the image shows in its own tab, and only to the signed-in owner
    assert link.inner_text() == "Abrir el archivo"
    assert shown == [1, 1]
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert signed_out.status == 303
    assert signed_out.headers["location"] == "/entrar"
    stranger.close()
    screenshot(page, "conversacion-comprobante")


def test_pages_keep_to_the_content_policy(page: Any, live_server: LiveServer) -> None:
    # The server's Content-Security-Policy allows only this origin's script
    # and styles, so a page that broke it would lose its menu or its charts.
    violations: list[str] = []

    def record(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", record)
    paths = ["/", "/clientes", "/conversaciones", "/politica", "/auditoria"]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 200, path
        page.click(".menu-toggle")

    assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
    assert violations == []
