"""Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1 over the URL and the form.

The signed text is the full URL Twilio called (scheme, host, path and query)
followed by each POST parameter's name and value, sorted by name. Twilio may
sign the URL with or without the scheme's default port (":443" for https,
":80" for http), so both spellings are accepted, as Twilio's own validators
accept them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from cobranza.channels.errors import SignatureMismatchError, SignatureMissingError

SIGNATURE_HEADER = "X-Twilio-Signature"
_DEFAULT_PORTS = {"https": 443, "http": 80}


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

    The URL is tried as given, then with its default port added or removed.
    """
    if not header:
        raise SignatureMissingError(f"missing {SIGNATURE_HEADER} header")
    pairs = list(params)
    received = header.strip().encode()
    matches = [
        hmac.compare_digest(
            compute_signature(candidate, pairs, auth_token).encode(), received
        )
        for candidate in url_variants(url)
    ]
    if not any(matches):
        raise SignatureMismatchError(
            f"{SIGNATURE_HEADER} does not match {url}: check "
            "COBRANZA_TWILIO_AUTH_TOKEN and COBRANZA_TWILIO_WEBHOOK_BASE_URL"
        )


def url_variants(url: str) -> list[str]:
    """Return `url` as given, then with its scheme's default port added or removed."""
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    if default is None or parts.hostname is None:
        return [url]
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    if parts.port is None:
        other = f"{userinfo}{host}:{default}"
    elif parts.port == default:
        other = userinfo + host.rsplit(":", 1)[0]
    else:
        return [url]
    return [url, urlunsplit(parts._replace(netloc=other))]
