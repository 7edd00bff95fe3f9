"""HMAC-SHA256 signature headers of the form `ts=...,v1=...` (or `t=...`).

Mercado Pago and the sandbox sign this way. Comparisons use
`hmac.compare_digest`, and a timestamp outside the tolerance is rejected
so a captured notification cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from cobranza.payments.errors import SignatureMismatchError, SignatureMissingError


def parse_signature_header(value: str | None, header: str) -> dict[str, list[str]]:
    """Split `ts=1,v1=ab,v1=cd` into {"ts": ["1"], "v1": ["ab", "cd"]}."""
    if not value or not value.strip():
        raise SignatureMissingError(f"the {header} header is missing or empty")
    parts: dict[str, list[str]] = {}
    for item in value.split(","):
        key, separator, part = item.strip().partition("=")
        if separator:
            parts.setdefault(key.strip(), []).append(part.strip())
    return parts


def hmac_sha256_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def check_timestamp(
    ts: str, now: datetime, tolerance_seconds: int, header: str
) -> None:
    """Reject a missing, malformed or stale timestamp (seconds since the epoch)."""
    try:
        signed_at = int(ts)
    except ValueError as exc:
        raise SignatureMismatchError(
            f"the {header} timestamp {ts!r} is not a whole number of seconds"
        ) from exc
    age = abs(now.timestamp() - signed_at)
    if age > tolerance_seconds:
        raise SignatureMismatchError(
            f"the {header} timestamp is {int(age)} s away from now, more than "
            f"the {tolerance_seconds} s tolerance: a replay, or a wrong clock"
        )


def check_any(expected: str, candidates: list[str], header: str) -> None:
    """Accept when any candidate equals `expected` (secret rotation signs twice)."""
    if not candidates:
        raise SignatureMissingError(f"the {header} header has no v1 signature")
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureMismatchError(f"the {header} signature does not match")
