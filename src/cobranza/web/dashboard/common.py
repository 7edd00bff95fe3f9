"""Helpers shared by the dashboard pages."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from cobranza.accounts import SignedIn
from cobranza.db.models import MAX_ID, Business, Customer, Document, is_valid_id
from cobranza.web.error_pages import PageError

PAGE_SIZE = 25
# A page past this one starts beyond the last possible row.
MAX_PAGE = MAX_ID // PAGE_SIZE + 1
# The notice after a person resumes a case whose customer owes nothing
# (`owner_actions.resume_customer` closes it instead).
CLOSED_AS_PAID = (
    "El cliente ya no debe nada, así que el caso se cerró como pagado en lugar de "
    "volver a la automatización."
)


def business_of(session: Session, business_id: int) -> Business:
    """Return the signed-in business."""
    return session.get_one(Business, business_id)


def customer_or_404(session: Session, business_id: int, customer_id: int) -> Customer:
    """Return the business's customer; another business's id is a plain 404."""
    customer = session.get(Customer, customer_id) if is_valid_id(customer_id) else None
    if customer is None or customer.business_id != business_id:
        raise PageError(404, "Cliente no encontrado.")
    return customer


def invoice_or_404(
    session: Session, business_id: int, customer_id: int, document_id: int
) -> Document:
    """Return the customer's invoice or note, or raise a 404 page."""
    document = session.get(Document, document_id) if is_valid_id(document_id) else None
    if (
        document is None
        or document.business_id != business_id
        or document.customer_id != customer_id
    ):
        raise PageError(404, "Factura no encontrada.")
    return document


def actor_of(email: str) -> str:
    """Return the audit actor for an owner's action."""
    return f"owner:{email}"[:64]


def _notice_signature(csrf_token: str, ok: str, error: str) -> str:
    message = f"{ok}\x00{error}".encode()
    return hmac.new(csrf_token.encode(), message, hashlib.sha256).hexdigest()[:32]


def redirect_with_notice(
    path: str, user: SignedIn, ok: str | None = None, error: str | None = None
) -> RedirectResponse:
    """Redirect to `path` with a notice that only this session can show.

    The notice travels in the query string with an HMAC keyed by the
    session's CSRF token, so a crafted link cannot put its own text in a
    trusted notice.
    """
    query = {"ok": ok or "", "error": error or ""}
    query["sig"] = _notice_signature(user.csrf_token, query["ok"], query["error"])
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


def notice_of(request: Request, user: SignedIn) -> tuple[str | None, str | None]:
    """Return the (ok, error) notice of the request, or nothing if unsigned."""
    ok = request.query_params.get("ok", "")
    error = request.query_params.get("error", "")
    signature = request.query_params.get("sig", "")
    expected = _notice_signature(user.csrf_token, ok, error)
    if not (ok or error) or not hmac.compare_digest(signature, expected):
        return None, None
    return ok or None, error or None
