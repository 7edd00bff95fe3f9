"""A customer's data-subject requests on its page: download its data, erase it.

Both routes read the business from the signed-in session, so another
business's customer is a plain 404, as on every customer route.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from cobranza.compliance.erasure import (
    AlreadyErasedError,
    ErasureError,
    MessageInFlightError,
    OpenBalanceError,
    delete_media_files,
    erase_customer,
)
from cobranza.compliance.subject_export import customer_export, export_json
from cobranza.web.dashboard.common import actor_of, business_of, customer_or_404
from cobranza.web.dashboard.customers import back_to_customer
from cobranza.web.security import db, now, signed_in

logger = logging.getLogger(__name__)

router = APIRouter()


@router.get("/clientes/{customer_id}/datos.json")
def download_customer_data(request: Request, customer_id: int) -> Response:
    """Download everything stored about the customer as one JSON file."""
    user = signed_in(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        text = export_json(customer_export(session, business, customer, now(request)))
    return Response(
        text.encode(),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="cliente-{customer_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/clientes/{customer_id}/borrar")
def erase(
    request: Request,
    customer_id: int,
    confirmation: str = Form("", max_length=200),
    force: bool = Form(False),
) -> RedirectResponse:
    """Erase the customer's personal data once the owner typed its code."""
    user = signed_in(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        external_id = customer.external_id
        if confirmation.strip() != external_id:
            return back_to_customer(
                request,
                customer_id,
                error="No se borró nada: lo que escribiste no es el código del "
                "cliente. Escribilo igual que en esta página para confirmar.",
            )
        try:
            result = erase_customer(
                session,
                business,
                customer,
                now(request),
                force=force,
                actor=actor_of(user.email),
            )
        except ErasureError as exc:
            session.rollback()
            return back_to_customer(
                request, customer_id, error=f"No se borró nada: {_refusal(exc)}."
            )
    failures = delete_media_files(result.media_paths)
    note = (
        f" No se pudieron borrar {len(failures)} archivos que mandó el cliente: "
        "el registro del servidor dice cuáles. Buscalos en la carpeta de "
        "COBRANZA_MEDIA_DIR y, si siguen ahí, borralos a mano."
        if failures
        else ""
    )
    return back_to_customer(
        request,
        customer_id,
        ok="Se borraron los datos personales del cliente. Sus facturas y pagos "
        f"quedan, sin sus datos personales.{note}",
    )


def _refusal(exc: ErasureError) -> str:
    """Word why an erasure was refused without the customer's code.

    Notices travel in the redirect's query string, which access logs keep,
    and the page they show on already names the customer.
    """
    if isinstance(exc, OpenBalanceError):
        return (
            f"el cliente todavía debe {exc.owed}. Mientras haya una deuda, el "
            "negocio puede guardar los datos que necesita para cobrarla. Si igual "
            "querés borrarlos, marcá «Borrar aunque deba»"
        )
    if isinstance(exc, AlreadyErasedError):
        return "los datos de este cliente ya se borraron: no queda nada por borrar"
    if isinstance(exc, MessageInFlightError):
        return (
            "un mensaje a este cliente se está enviando en este momento, y el "
            "canal guarda su texto y su teléfono al terminar. Repetí el pedido "
            "cuando termine el envío (un envío cortado se cierra en el próximo "
            "ciclo)"
        )
    return "el pedido no se pudo completar"
