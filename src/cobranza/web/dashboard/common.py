"""Helpers shared by the dashboard pages."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy.orm import Session

from cobranza.db.models import Business, Customer

PAGE_SIZE = 25


def business_of(session: Session, business_id: int) -> Business:
    """Return the signed-in business."""
    return session.get_one(Business, business_id)


def customer_or_404(session: Session, business_id: int, customer_id: int) -> Customer:
    """Return the business's customer; another business's id is a plain 404."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.business_id != business_id:
        raise HTTPException(status_code=404, detail="Cliente no encontrado.")
    return customer


def actor_of(email: str) -> str:
    """Return the audit actor for an owner's action."""
    return f"owner:{email}"[:64]
