"""Jinja2 templates of the dashboard, with autoescaping and Spanish filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from cobranza.money import format_money
from cobranza.portfolio.labels import SPANISH as SEGMENT_LABELS
from cobranza.wording import (
    DOCUMENT_KIND_LABELS,
    INSTALLMENT_STATE_LABELS,
    PLAN_STATUS_LABELS,
    actor_label,
    handoff_label,
    kind_label,
    local_time,
    pause_label,
    payment_label,
    percent_label,
    promise_label,
    reason_label,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
# The locale of pages shown before sign-in (the error pages).
DEFAULT_LOCALE = "es_AR"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# Jinja2Templates turns autoescaping on for .html files; this states it for
# every template, so a customer name is always shown as text.
templates.env.autoescape = True


def _money(amount: Decimal | None, currency: str, locale: str = "es_AR") -> str:
    if amount is None:
        return "—"
    return format_money(amount, currency, locale)


@pass_context
def _percent(
    context: Context, value: Decimal | float | None, locale: str | None = None
) -> str:
    """Format a share in `locale`, else in the signed-in business's locale."""
    if value is None:
        return "—"
    return percent_label(value, locale or context["business_locale"])


def _local(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "—"
    return local_time(value, timezone)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _segment(segment: str | None) -> str:
    if not segment:
        return "—"
    return SEGMENT_LABELS.get(segment, segment)


templates.env.filters["kind"] = kind_label
templates.env.globals["document_kinds"] = DOCUMENT_KIND_LABELS
templates.env.globals["plan_statuses"] = PLAN_STATUS_LABELS
templates.env.globals["installment_states"] = INSTALLMENT_STATE_LABELS
templates.env.filters["segment"] = _segment
templates.env.filters["money"] = _money
templates.env.filters["percent"] = _percent
templates.env.filters["local"] = _local
templates.env.filters["day"] = _day
templates.env.filters["handoff"] = handoff_label
templates.env.filters["promise"] = promise_label
templates.env.filters["pause"] = pause_label
templates.env.filters["reason"] = reason_label
templates.env.filters["actor"] = actor_label
templates.env.filters["payment"] = payment_label


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page; the signed-in user and CSRF token come from the request."""
    user = getattr(request.state, "signed_in", None)
    base: dict[str, Any] = {
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        "business_locale": user.locale if user else DEFAULT_LOCALE,
    }
    base.update(context)
    return templates.TemplateResponse(request, name, base, status_code=status_code)
