"""Message bodies for the Cloud API send call, and the checks before sending.

Business-initiated messages are templates with named parameters. Inside
the customer's 24-hour window free text and interactive messages (reply
buttons, or a call-to-action button that opens the payment link) may be
sent instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from cobranza.channels.whatsapp.errors import TemplateParameterError

PARAMETER_MAX = 1024
TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
BUTTON_TITLE_MAX = 20
BUTTONS_MAX = 3
CTA_DISPLAY_TEXT = "Pagar"
_FIVE_SPACES = re.compile(r" {5,}")
_URL = re.compile(r"https://\S+")

Payload = tuple[str, dict[str, Any]]


def check_parameters(
    template_name: str, expected: Sequence[str], parameters: Mapping[str, str]
) -> None:
    """Raise `TemplateParameterError` unless the parameters fit the template.

    The names must be exactly the template's. Each value must be non-empty,
    at most 1,024 characters, and free of newlines, tabs and runs of more
    than four spaces, which the Cloud API rejects.
    """
    missing = [name for name in expected if name not in parameters]
    unexpected = [name for name in parameters if name not in expected]
    if missing or unexpected:
        raise TemplateParameterError(
            f"parameters of template {template_name} do not match it: missing "
            f"{missing or 'none'}, unexpected {unexpected or 'none'}; compose "
            "the message again from the current template"
        )
    for name in expected:
        value = parameters[name]
        problem = _parameter_problem(value)
        if problem is not None:
            raise TemplateParameterError(
                f"parameter {name} of template {template_name} {problem}: fix the "
                "value it comes from (customer or business data)"
            )


def _parameter_problem(value: str) -> str | None:
    if not value.strip():
        return "is empty"
    if "\n" in value or "\r" in value:
        return "contains a newline"
    if "\t" in value:
        return "contains a tab"
    if _FIVE_SPACES.search(value):
        return "contains more than four spaces in a row"
    if len(value) > PARAMETER_MAX:
        return f"has {len(value)} characters, above {PARAMETER_MAX}"
    return None


def template_payload(
    template_name: str, language_code: str, parameters: Mapping[str, str]
) -> Payload:
    """Build a template message with named body parameters."""
    body_parameters = [
        {"type": "text", "parameter_name": name, "text": value}
        for name, value in parameters.items()
    ]
    template: dict[str, Any] = {
        "name": template_name,
        "language": {"code": language_code},
    }
    if body_parameters:
        template["components"] = [{"type": "body", "parameters": body_parameters}]
    return "template", template


def session_payload(text: str, buttons: Sequence[str]) -> Payload:
    """Build the free-form message sent inside the 24-hour window.

    A text with a payment link gets a call-to-action button that opens it,
    one with quick-reply titles gets reply buttons, and any other text goes
    as plain text.
    """
    link = payment_link(text)
    if len(text) <= INTERACTIVE_BODY_MAX and link is not None:
        return cta_url_payload(text, CTA_DISPLAY_TEXT, link)
    if len(text) <= INTERACTIVE_BODY_MAX and buttons:
        return reply_buttons_payload(text, buttons)
    return text_payload(text)


def text_payload(text: str) -> Payload:
    if len(text) > TEXT_MAX:
        raise TemplateParameterError(
            f"text of {len(text)} characters is above WhatsApp's {TEXT_MAX}: "
            "shorten the template"
        )
    return "text", {"body": text, "preview_url": False}


def reply_buttons_payload(text: str, titles: Sequence[str]) -> Payload:
    buttons = [
        {"type": "reply", "reply": {"id": button_id(title), "title": title}}
        for title in titles[:BUTTONS_MAX]
    ]
    return "interactive", {
        "type": "button",
        "body": {"text": text},
        "action": {"buttons": buttons},
    }


def cta_url_payload(text: str, display_text: str, url: str) -> Payload:
    return "interactive", {
        "type": "cta_url",
        "body": {"text": text},
        "action": {
            "name": "cta_url",
            "parameters": {
                "display_text": display_text[:BUTTON_TITLE_MAX],
                "url": url,
            },
        },
    }


def button_id(title: str) -> str:
    """Return a stable reply id for a button title: "Ya pagué" → "ya_pague"."""
    ascii_title = (
        unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    )
    return re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_")


def payment_link(text: str) -> str | None:
    """Return the first https URL in a message text, the payment link if any."""
    found = _URL.search(text)
    return found.group(0).rstrip(".,;)") if found else None
