"""Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1 over the URL and the form.

The signed text is the full URL Twilio called (scheme, host, path and query)
followed by each POST parameter's name and value, sorted by name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from cobranza.channels.errors import SignatureMismatchError, SignatureMissingError

SIGNATURE_HEADER = "X-Twilio-Signature"


def compute_signature(
    url: str, params: Iterable[tuple[str, str]], auth_token: str
) -> str:
    """Return the signature Twilio sends for `url` and the POST `params`."""
    text = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_signature(
    url: str,
    params: Iterable[tuple[str, str]],
    header: str | None,
    auth_token: str,
) -> None:
    """Raise `SignatureMissingError` or `SignatureMismatchError` unless it matches.

    NOTE: Twilio's own validators also try the URL with and without the
    default port (443 or 80); this one checks the URL exactly as given.
    """
    if not header:
        raise SignatureMissingError(f"missing {SIGNATURE_HEADER} header")
    expected = compute_signature(url, params, auth_token)
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        raise SignatureMismatchError(
            f"{SIGNATURE_HEADER} does not match {url}: check "
            "COBRANZA_TWILIO_AUTH_TOKEN and COBRANZA_TWILIO_WEBHOOK_BASE_URL"
        )
