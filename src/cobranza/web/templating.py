"""Jinja2 templates of the dashboard, with autoescaping and Spanish filters.

Each page compiles twice: as written, in es-AR voseo, for owners in
Argentina and Uruguay, and with its text in tú forms for every other
locale (`cobranza.voseo`). `render` picks by the signed-in business's
locale, and gives each page `country_words`, the nouns and examples of that
locale's country (`cobranza.country_words`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_DATA, Token, TokenStream
from jinja2.runtime import Context
from markupsafe import Markup

from cobranza.country_words import COUNTRY_NAMES, words_for
from cobranza.ingest.taxids import format_tax_id
from cobranza.money import format_amount, format_money
from cobranza.portfolio.labels import SPANISH as SEGMENT_LABELS
from cobranza.terminal_text import escape_for_page
from cobranza.voseo import to_tu, uses_voseo
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
# The locale of pages shown before sign-in when the server has no settings.
DEFAULT_LOCALE = "es_AR"
STATIC_DIR = Path(__file__).parent / "static"


class TuFormsExtension(Extension):
    """Rewrite a template's own text from voseo to tú forms when it compiles.

    Only the template's literal text and string constants change. What
    `{{ }}` prints at render time (a customer name, a message body) is
    untouched, so a page shows values exactly as stored.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        for token in stream:
            if token.type in (TOKEN_DATA, "string"):
                value = to_tu(token.value, keep_quoted=False)
                yield Token(token.lineno, token.type, value)
            else:
                yield token


def _environment(*extensions: type[Extension]) -> Environment:
    # Autoescaping on for every template, so a customer name is always shown
    # as text.
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=extensions,
    )


# Pages for owners who read voseo, and the same pages in tú forms.
templates = Jinja2Templates(env=_environment())
tu_templates = Jinja2Templates(env=_environment(TuFormsExtension))


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
        return SEGMENT_LABELS["segment_not_computed"]
    return SEGMENT_LABELS.get(segment, segment)


# Filters that return a label, or the stored value itself when it has none.
_LABEL_FILTERS: dict[str, Callable[[Any], str]] = {
    "handoff": handoff_label,
    "promise": promise_label,
    "pause": pause_label,
    "actor": actor_label,
    "payment": payment_label,
}
# Label filters whose labels have a noun of the business's country
# ("festivo" in Colombia), so they also receive the page's locale.
_COUNTRY_LABEL_FILTERS: dict[str, Callable[[Any, str | None], str]] = {
    "kind": kind_label,
    "reason": reason_label,
}
_LABEL_GLOBALS = {
    "country_names": COUNTRY_NAMES,
    "document_kinds": DOCUMENT_KIND_LABELS,
    "plan_statuses": PLAN_STATUS_LABELS,
    "installment_states": INSTALLMENT_STATE_LABELS,
}


def _tu_label(label_of: Callable[[Any], str]) -> Callable[[Any], str]:
    """Wrap a label filter to return tú forms; a value shown as stored stays."""

    def tu_label(value: Any) -> str:
        label = label_of(value)
        return label if label == value else to_tu(label)

    return tu_label


def _country_label(
    label_of: Callable[[Any, str | None], str], tu_forms: bool
) -> Callable[..., str]:
    """Wrap a label filter to take the nouns of the signed-in business's country."""

    @pass_context
    def country_label(context: Context, value: Any) -> str:
        label = label_of(value, context.get("business_locale"))
        return label if label == value or not tu_forms else to_tu(label)

    return country_label


def _amount_example(currency: str, locale: str) -> str:
    """Return a sample amount for a form field, as the business writes it."""
    return format_amount(Decimal(15000), currency, locale)


def _tax_id(customer: Any, country: str) -> str:
    """Return a customer's tax id as printed in `country`, or as stored."""
    if customer.tax_id is None:
        return ""
    if customer.tax_id_valid is False:
        return str(customer.tax_id)
    return format_tax_id(customer.tax_id, country)


def _visible(value: Any) -> str:
    """Show the controls and bidirectional controls of an imported or
    received value as escapes (`\\x1b`, `\\u202e`), so a reply cannot hide
    text and an invoice number cannot display as another.

    `<bdi>` keeps such a value from reordering the text around it, but not
    its own characters. Only the page changes, never the stored value.
    """
    if isinstance(value, Markup):
        return Markup(escape_for_page(str(value)))
    return escape_for_page(str(value))


def _owner_as_stored(text: Any) -> str:
    return "" if text is None else str(text)


def _owner_in_tu(text: Any) -> str:
    return "" if text is None else to_tu(str(text))


def _configure(env: Environment, tu_forms: bool) -> None:
    """Register the filters and globals; with `tu_forms`, labels use tú forms."""
    env.filters["segment"] = _segment
    env.filters["money"] = _money
    env.filters["percent"] = _percent
    env.filters["local"] = _local
    env.filters["day"] = _day
    env.filters["amount_example"] = _amount_example
    env.filters["visible"] = _visible
    env.filters["tax_id"] = _tax_id
    for name, label_of in _LABEL_FILTERS.items():
        env.filters[name] = _tu_label(label_of) if tu_forms else label_of
    for name, country_label_of in _COUNTRY_LABEL_FILTERS.items():
        env.filters[name] = _country_label(country_label_of, tu_forms)
    for name, labels in _LABEL_GLOBALS.items():
        env.globals[name] = (
            {code: to_tu(label) for code, label in labels.items()}
            if tu_forms
            else labels
        )
    # `owner` marks project text built in Python (a notice, an error, a
    # state): tú forms on the tú pages, as written on the others.
    env.filters["owner"] = _owner_in_tu if tu_forms else _owner_as_stored


_configure(templates.env, tu_forms=False)
_configure(tu_templates.env, tu_forms=True)


def _signed_out_locale(request: Request) -> str:
    """Return the locale of pages shown before sign-in: the server's setting.

    `COBRANZA_LOCALE` (by default the one of `COBRANZA_COUNTRY`) is the
    locale of the business the server was started for, so a Chilean owner
    reads the sign-in page in tú forms.
    """
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "locale", None) or DEFAULT_LOCALE


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page; the signed-in user and CSRF token come from the request."""
    user = getattr(request.state, "signed_in", None)
    base: dict[str, Any] = {
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        "business_locale": user.locale if user else _signed_out_locale(request),
    }
    base.update(context)
    # The nouns and examples of the business's country, for the page's text.
    base["country_words"] = words_for(base["business_locale"])
    pages = templates if uses_voseo(base["business_locale"]) else tu_templates
    return pages.TemplateResponse(request, name, base, status_code=status_code)
