"""Spanish HTML error pages for the dashboard, and JSON errors for the API.

FastAPI returns JSON for every `HTTPException` and every invalid path, query
or form value. A browser on the dashboard gets a page in the dashboard's
layout instead, while the REST API, the webhooks and the OpenAPI schema keep
FastAPI's JSON bodies, which their clients parse.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cobranza.web.templating import render

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

# Titles for Starlette's own errors, whose detail is the English status phrase.
STATUS_TITLES = {
    400: "El pedido no es válido.",
    403: "No tenés permiso para hacer esto.",
    404: "No encontramos esta página.",
    405: "Esta dirección no acepta ese tipo de pedido.",
}

LOCATIONS = {"path": "la dirección", "query": "el filtro", "body": "el formulario"}


def wants_json(request: Request) -> bool:
    """Return True for the API, the webhooks and the schema, which keep JSON."""
    path = request.url.path
    return path in JSON_PATHS or path.startswith(JSON_PREFIXES)


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


def _http_title(exc: HTTPException) -> str:
    detail = exc.detail if isinstance(exc.detail, str) else ""
    default = HTTPStatus(exc.status_code).phrase
    if detail and detail != default:
        return detail
    return STATUS_TITLES.get(exc.status_code, "Algo salió mal. Volvé a intentar.")


def describe_invalid_value(error: dict[str, Any]) -> str:
    """Describe one pydantic error in Spanish: where, which value and why."""
    location = error.get("loc", ())
    place = LOCATIONS.get(str(location[0]), "el pedido") if location else "el pedido"
    field = str(location[-1]) if len(location) > 1 else ""
    value = error.get("input")

    if error.get("type") == "missing":
        return f"Falta el dato «{field}» en {place}."
    reason = "tiene que ser un número entero"
    if error.get("type") != "int_parsing":
        reason = "no es un valor válido"
    return f"El valor «{value}» de «{field}» en {place} {reason}."


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if wants_json(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    return error_page(request, exc.status_code, _http_title(exc))


async def _on_invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)

    errors = list(exc.errors())
    logger.info(
        "invalid dashboard request to %s: %d errors", request.url.path, len(errors)
    )
    in_path = any(error.get("loc", ("",))[0] == "path" for error in errors)
    if in_path:
        # A path with a malformed id names no page, so it is a 404 to the owner.
        title, status_code = STATUS_TITLES[404], 404
    else:
        title, status_code = "Algunos datos no son válidos.", 400
    details = [describe_invalid_value(error) for error in errors]
    return error_page(request, status_code, title, details)


def install_error_pages(app: FastAPI) -> None:
    """Register handlers that return HTML for dashboard errors and JSON for the API."""
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
