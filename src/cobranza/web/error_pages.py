"""Spanish HTML error pages for the dashboard, and JSON errors for the API.

FastAPI returns JSON for every `HTTPException` and every invalid path, query
or form value, and Starlette plain text for an unhandled exception. A browser
on the dashboard gets a Spanish page in the dashboard's layout instead, and a
debtor on a /pagar address gets the pay pages' own page, which has no link to
the dashboard. The REST API, the webhooks and the OpenAPI schema keep
FastAPI's JSON bodies, which their clients parse.

Only a `PageError` puts its own text on a page. Every other `HTTPException`
comes from FastAPI, Starlette or a library (a malformed form body, an unknown
path), and its detail is English, so the page shows the Spanish text of its
status code instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response

from cobranza.db.engine import NulCharacterError
from cobranza.web.payments import is_pay_path, pay_error_page
from cobranza.web.templating import render
from cobranza.wording import field_label

logger = logging.getLogger(__name__)

# Paths whose clients are programs that parse FastAPI's JSON errors.
JSON_PREFIXES = ("/api/", "/webhooks/")
JSON_PATHS = frozenset({"/openapi.json", "/healthz"})

# The dashboard's sections, by the first segment of the path.
SECTIONS = {
    "clientes": "Clientes",
    "conversaciones": "Conversaciones",
    "importar": "Importar",
    "politica": "Política",
    "configuracion": "Configuración",
    "auditoria": "Auditoría",
}

# The title and the advice of each status code, for errors whose own text is
# not Spanish. "{path}" is replaced by the requested path.
STATUS_PAGES = {
    400: (
        "El pedido no es válido.",
        "Volvé a la página anterior, recargala y enviá el formulario de nuevo.",
    ),
    403: (
        "No tenés permiso para hacer esto.",
        "Volvé a la página anterior y recargala. Si sigue pasando, salí y volvé "
        "a entrar.",
    ),
    404: (
        "No encontramos esta página.",
        "No hay ninguna página en «{path}». Revisá la dirección o usá el enlace "
        "de abajo.",
    ),
    405: (
        "Esta dirección no acepta ese tipo de pedido.",
        "«{path}» se usa desde un botón o un formulario del panel. Volvé a la "
        "página anterior y usá el botón.",
    ),
    413: (
        "El pedido es demasiado grande.",
        "Mandá un archivo o un texto más chico.",
    ),
    500: (
        "Algo salió mal de nuestro lado.",
        "Volvé a intentar en unos minutos. Si se repite, avisale a quien "
        "administra cobranza.",
    ),
}
OTHER_STATUS = ("Algo salió mal.", "Volvé a intentar en unos minutos.")

# Spanish messages for an invalid value, with the problem and its fix, by
# pydantic error type. The field's label, the quoted value and the error's
# bounds fill the blanks.
PROBLEMS = {
    "missing": "{field}: falta este dato. Completalo y volvé a enviar el formulario.",
    "int_parsing": "{field}: «{value}» no es un número entero. Escribí solo "
    "dígitos, por ejemplo 2.",
    "greater_than_equal": "{field}: «{value}» es menor que {ge}. Usá un número "
    "desde {ge}.",
    "less_than_equal": "{field}: «{value}» es mayor que {le}, el máximo. Usá un "
    "número más chico.",
    "string_too_long": "{field}: el texto tiene {length} caracteres y el máximo es "
    "{max_length}. Acortalo y volvé a enviar el formulario.",
    "bool_parsing": "{field}: «{value}» no es sí ni no. Usá las opciones de la página.",
    "date": "{field}: «{value}» no es una fecha. Elegila en el calendario o "
    "escribila como 2026-03-31.",
}
OTHER_PROBLEM = "{field}: «{value}» no es un valor válido. Revisalo y volvé a intentar."

# Ids in the path, with what the owner can do when the id names no record.
PATH_RECORDS = {
    "customer_id": "La dirección pide el cliente «{value}», que no existe. "
    "Buscalo en la lista de clientes.",
    "document_id": "La dirección pide la factura «{value}», que no existe. "
    "Buscala en la página del cliente.",
    "media_id": "La dirección pide el comprobante «{value}», que no existe. "
    "Buscalo en la conversación con el cliente.",
}

# Characters of a typed value or path that a page quotes. A crafted link must
# not fill the page with its own text.
MAX_QUOTED = 60


class PageError(HTTPException):
    """An HTTP error whose detail is Spanish text for the person on the page.

    `details` are extra sentences listed under the title. On the API paths
    the error is JSON like any `HTTPException`, and `details` are left out.
    """

    def __init__(
        self, status_code: int, detail: str, details: Sequence[str] = ()
    ) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.details = tuple(details)


def wants_json(request: Request) -> bool:
    """Return True for the API, the webhooks and the schema, which keep JSON."""
    path = request.url.path
    return path in JSON_PATHS or path.startswith(JSON_PREFIXES)


def quoted(value: object) -> str:
    """Return `value` as text of at most `MAX_QUOTED` characters, for quoting."""
    text = str(value)
    if len(text) > MAX_QUOTED:
        return text[: MAX_QUOTED - 1] + "…"
    return text


def back_link(path: str) -> tuple[str, str]:
    """Return the (URL, label) of the section `path` belongs to, or the summary."""
    section = path.strip("/").split("/", 1)[0]
    if section in SECTIONS:
        return f"/{section}", f"Volver a {SECTIONS[section]}"
    return "/", "Volver al resumen"


def error_page(
    request: Request, status_code: int, title: str, details: Sequence[str] = ()
) -> Response:
    """Render the error page in the dashboard's layout."""
    href, label = back_link(request.url.path)
    return render(
        request,
        "error.html",
        {"title": title, "details": list(details), "back_href": href, "back": label},
        status_code=status_code,
    )


def status_page(request: Request, status_code: int) -> Response:
    """Render the Spanish page of a status code, with its advice."""
    title, advice = STATUS_PAGES.get(status_code, OTHER_STATUS)
    advice = advice.replace("{path}", quoted(request.url.path))
    return error_page(request, status_code, title, [advice])


def describe_invalid_value(error: dict[str, Any]) -> str:
    """Describe one pydantic error in Spanish: the field, the value and the fix.

    The field is named by its label on the page, never by its parameter name.
    """
    location = error.get("loc", ())
    name = str(location[-1]) if len(location) > 1 else ""
    value = error.get("input")
    kind = str(error.get("type", ""))

    if location and location[0] == "path" and name in PATH_RECORDS:
        return PATH_RECORDS[name].format(value=quoted(value))
    label = field_label(name)
    template = PROBLEMS.get("date" if kind.startswith("date") else kind)
    blanks = {
        **(error.get("ctx") or {}),
        "field": f"«{label}»" if label else "Un dato",
        "value": quoted(value),
        "length": len(value) if isinstance(value, str) else "",
    }
    return (template or OTHER_PROBLEM).format_map(blanks)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_json(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    if is_pay_path(request.url.path):
        # The path may carry a payment link's token, so it stays out of the log.
        logger.info("pay page request failed with %d", exc.status_code)
        # The page reads the business's voice from the database.
        return await run_in_threadpool(pay_error_page, exc.status_code, request)
    if isinstance(exc, PageError):
        return error_page(request, exc.status_code, str(exc.detail), exc.details)
    logger.info(
        "dashboard request to %s failed with %d: %s",
        request.url.path,
        exc.status_code,
        exc.detail,
    )
    return status_page(request, exc.status_code)


async def _on_invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    if is_pay_path(request.url.path):
        logger.info("invalid pay page request")
        return await run_in_threadpool(pay_error_page, 404, request)

    errors = list(exc.errors())
    logger.info(
        "invalid dashboard request to %s: %d errors", request.url.path, len(errors)
    )
    in_path = any(error.get("loc", ("",))[0] == "path" for error in errors)
    if in_path:
        # A path with a malformed id names no page, so it is a 404 to the owner.
        title, status_code = STATUS_PAGES[404][0], 404
    else:
        title, status_code = "Algunos datos no son válidos.", 400
    details = [describe_invalid_value(error) for error in errors]
    return error_page(request, status_code, title, details)


NUL_CHARACTER = (
    "Un texto del pedido tiene un carácter nulo (\\0), que no se puede guardar. "
    "Borralo, por ejemplo escribiendo el texto de nuevo en lugar de pegarlo, y "
    "volvé a intentar."
)


async def _on_nul_character(request: Request, exc: Exception) -> Response:
    # The statement never ran, and the route's transaction rolled back.
    logger.info("request to %s rejected: %s", request.url.path, exc)
    if wants_json(request):
        return JSONResponse({"detail": NUL_CHARACTER}, status_code=422)
    if is_pay_path(request.url.path):
        return pay_error_page(404)
    return error_page(request, 400, NUL_CHARACTER)


async def _on_server_error(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware (1.10) raises the exception again
    # after this response is sent, so the server logs its traceback.
    if wants_json(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    if is_pay_path(request.url.path):
        return pay_error_page(500)
    return status_page(request, 500)


def install_error_pages(app: FastAPI) -> None:
    """Register handlers that return HTML for dashboard errors and JSON for the API."""
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(NulCharacterError, _on_nul_character)
    app.add_exception_handler(Exception, _on_server_error)
