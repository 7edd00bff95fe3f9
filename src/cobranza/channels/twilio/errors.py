"""Twilio REST errors mapped to the channel error classes.

`twilio_error` reads the error body (`{"code", "message", "status"}`) and
branches on the numeric `code` and the HTTP status:

    ChannelError (cobranza.channels.errors)
    ├── RateLimitedError            20429, 63018, HTTP 429
    ├── ChannelUnavailableError     HTTP 5xx, timeouts, connection errors
    ├── TwilioWindowClosedError     63016: free text outside the 24 h window
    ├── InvalidRecipientError       21211, 21614, 63003, 21610 (opted out)
    ├── TemplateRejectedError       63005, 63020, 63024, 63027, 63028
    └── PermanentChannelError       any other code
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


class TwilioWindowClosedError(TransientChannelError):
    """Twilio refused free text because the 24-hour window is closed (63016)."""


_CLASSES: dict[int, type[ChannelError]] = {
    20429: RateLimitedError,
    63018: RateLimitedError,
    63016: TwilioWindowClosedError,
    21211: InvalidRecipientError,
    21614: InvalidRecipientError,
    63003: InvalidRecipientError,
    21610: InvalidRecipientError,
    63005: TemplateRejectedError,
    63020: TemplateRejectedError,
    63024: TemplateRejectedError,
    63027: TemplateRejectedError,
    63028: TemplateRejectedError,
}


def twilio_error(body: dict[str, Any], http_status: int) -> ChannelError:
    """Map a Twilio error body and HTTP status to a channel error."""
    try:
        code: int | None = int(body.get("code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        code = None
    message = (
        f"Twilio rejected the request with error {code} (HTTP {http_status}): "
        f"{body.get('message', '')}"
    )
    error_class = _CLASSES.get(code) if code is not None else None
    if error_class is None:
        if http_status == 429:
            error_class = RateLimitedError
        elif http_status >= 500:
            error_class = ChannelUnavailableError
        else:
            error_class = PermanentChannelError
    return error_class(message, code=f"twilio_{code or http_status}")
