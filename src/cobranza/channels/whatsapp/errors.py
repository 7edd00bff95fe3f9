"""Graph API errors mapped to the channel error classes.

`graph_error` turns an error body (`{"error": {"code", "error_data":
{"details"}, ...}}`) into one of these classes. It branches on `code` and
`error_data.details`, never on the title or message, which Meta rewords:

    ChannelError (cobranza.channels.errors)
    ├── TransientChannelError
    │   ├── RateLimitedError
    │   │   ├── ThroughputLimitError     130429, 80007, 4: number throughput
    │   │   ├── PairRateLimitError       131056: too many messages to one user
    │   │   ├── SpamRateLimitError       131048: sending restricted for a while
    │   │   └── TierLimitError           our own: daily unique-recipient tier
    │   ├── ChannelUnavailableError      HTTP 5xx, timeouts, 131000, 131057, 2, 1
    │   └── WindowClosedError            131047: free text outside 24 h window
    └── PermanentChannelError
        ├── InvalidRecipientError
        │   ├── NotOnWhatsAppError       131026: number cannot receive
        │   └── RecipientNotAllowedError 131030: not in the test allow-list
        ├── TemplateRejectedError
        │   ├── TemplateProblemError     132000-132016, 131008/131009 on templates
        │   └── TemplateParameterError   our check before sending
        ├── MarketingLimitError          131049 per-user limit, 131050 opted out
        ├── GraphAuthError               0, 3, 10, 190, 200-299: token or access
        ├── MediaTooLargeError           our own: a download above the size cap
        └── GraphRequestError            any other code
"""

from __future__ import annotations

from typing import Any

from cobranza.channels.errors import (
    ChannelError,
    ChannelUnavailableError,
    InvalidRecipientError,
    PermanentChannelError,
    RateLimitedError,
    TemplateRejectedError,
    TransientChannelError,
)
from cobranza.db.models import TemplateStatus


class GraphErrorMixin:
    """The Graph error fields that every mapped error carries."""

    graph_code: int | None = None
    details: str | None = None
    fbtrace_id: str | None = None


class ThroughputLimitError(GraphErrorMixin, RateLimitedError):
    """The number sent more messages per second than its throughput allows."""


class PairRateLimitError(GraphErrorMixin, RateLimitedError):
    """Too many messages to the same user in a short time."""


class SpamRateLimitError(GraphErrorMixin, RateLimitedError):
    """Meta restricted how many messages this number can send for a while."""


class TierLimitError(GraphErrorMixin, RateLimitedError):
    """The messaging tier's unique recipients for 24 hours are used up."""


class GraphUnavailableError(GraphErrorMixin, ChannelUnavailableError):
    """The Graph API failed on its side or could not be reached."""


class WindowClosedError(GraphErrorMixin, TransientChannelError):
    """Free text or an interactive message was sent outside the 24 h window."""


class NotOnWhatsAppError(GraphErrorMixin, InvalidRecipientError):
    """The number is not on WhatsApp, uses an old app or rejected the terms."""


class RecipientNotAllowedError(GraphErrorMixin, InvalidRecipientError):
    """A test number may only write to the numbers on its allow-list."""


class TemplateProblemError(GraphErrorMixin, TemplateRejectedError):
    """Meta rejected the template: missing, paused, disabled or wrong parameters.

    `template_status` is the status the stored template moves to, if any.
    """

    template_status: TemplateStatus | None = None


class TemplateParameterError(GraphErrorMixin, TemplateRejectedError):
    """A parameter value breaks a template rule; found before sending."""

    code = "template_parameter_invalid"


class MarketingLimitError(GraphErrorMixin, PermanentChannelError):
    """A marketing template was not delivered: per-user limit or opt-out."""


class GraphAuthError(GraphErrorMixin, PermanentChannelError):
    """The access token is invalid or lacks a permission."""


class MediaTooLargeError(GraphErrorMixin, PermanentChannelError):
    """A media download is larger than `graph.MEDIA_MAX_BYTES`."""

    code = "whatsapp_media_too_large"


class GraphRequestError(GraphErrorMixin, PermanentChannelError):
    """Any other error the Graph API returned for the request."""


_TRANSIENT_CODES: dict[int, type[ChannelError]] = {
    4: ThroughputLimitError,
    80007: ThroughputLimitError,
    130429: ThroughputLimitError,
    131056: PairRateLimitError,
    131048: SpamRateLimitError,
    1: GraphUnavailableError,
    2: GraphUnavailableError,
    131000: GraphUnavailableError,
    131016: GraphUnavailableError,
    131057: GraphUnavailableError,
    133004: GraphUnavailableError,
    131047: WindowClosedError,
}

# The customer's phone problem recorded after error 131026, which the owner
# reads on the customer's page.
UNREACHABLE_PROBLEM = (
    "WhatsApp no pudo entregarle mensajes a este número (error 131026): pedile "
    "al cliente un número con WhatsApp y volvé a importarlo"
)

_PERMANENT_CODES: dict[int, type[ChannelError]] = {
    131026: NotOnWhatsAppError,
    131030: RecipientNotAllowedError,
    131049: MarketingLimitError,
    131050: MarketingLimitError,
    0: GraphAuthError,
    3: GraphAuthError,
    10: GraphAuthError,
    190: GraphAuthError,
}

# Template errors and the status the stored template takes after them.
TEMPLATE_CODES: dict[int, TemplateStatus | None] = {
    132000: None,  # parameter count does not match
    132001: TemplateStatus.MISSING,  # template or translation does not exist
    132005: None,  # text too long after parameters
    132007: None,  # text breaks a policy
    132012: None,  # parameter format does not match
    132015: TemplateStatus.PAUSED,
    132016: TemplateStatus.DISABLED,
}

# 131008 (required parameter missing) and 131009 (parameter value invalid)
# also come for plain messages; `error_data.details` names the template part.
_TEMPLATE_DETAIL_CODES = frozenset({131008, 131009})

# Seconds to wait after each rate limit when the body gives no hint. The pair
# limit is about one message every 6 s to one user; the spam limit lasts longer.
_RETRY_AFTER: dict[type[ChannelError], float] = {
    ThroughputLimitError: 1.0,
    PairRateLimitError: 6.0,
    SpamRateLimitError: 3600.0,
}


def graph_error(error: dict[str, Any], http_status: int | None = None) -> ChannelError:
    """Map a Graph `error` object (and the HTTP status) to a channel error."""
    code = _int_or_none(error.get("code"))
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else error_data
    details_text = str(details) if details is not None else None

    error_class = _class_for(code, details_text, http_status, error)
    message = (
        f"WhatsApp Cloud API rejected the request with error {code}"
        f" (HTTP {http_status}): {details_text or error.get('message', '')}"
    )
    exception: ChannelError
    if issubclass(error_class, RateLimitedError):
        exception = error_class(
            message, retry_after=_RETRY_AFTER.get(error_class), code=f"whatsapp_{code}"
        )
    else:
        exception = error_class(message, code=f"whatsapp_{code}")
    assert isinstance(exception, GraphErrorMixin)
    exception.graph_code = code
    exception.details = details_text
    exception.fbtrace_id = error.get("fbtrace_id")
    if isinstance(exception, TemplateProblemError) and code is not None:
        exception.template_status = TEMPLATE_CODES.get(code)
    return exception


def _class_for(
    code: int | None,
    details: str | None,
    http_status: int | None,
    error: dict[str, Any],
) -> type[ChannelError]:
    if code in TEMPLATE_CODES:
        return TemplateProblemError
    if code in _TEMPLATE_DETAIL_CODES and details and "template" in details.lower():
        return TemplateProblemError
    if code in _TRANSIENT_CODES:
        return _TRANSIENT_CODES[code]
    if code in _PERMANENT_CODES:
        return _PERMANENT_CODES[code]
    if code is not None and 200 <= code < 300:
        return GraphAuthError
    if http_status is not None and http_status >= 500:
        return GraphUnavailableError
    if http_status == 429 or error.get("is_transient") is True:
        return ThroughputLimitError if http_status == 429 else GraphUnavailableError
    return GraphRequestError


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
