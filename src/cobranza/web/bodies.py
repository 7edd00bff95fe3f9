"""Request bodies of the webhooks, read with a size limit.

A webhook route reads the whole body before it can check the signature, so
without a limit anyone could make the server hold a body of any size in
memory. The limit is an estimate with wide room: the providers' bodies seen
here, batched WhatsApp updates included, are a few kilobytes.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BODY = 3 * 1024 * 1024


class BodyTooLargeError(ValueError):
    """Raised when a request body is over the limit."""


async def read_body(request: Request, limit: int = MAX_WEBHOOK_BODY) -> bytes:
    """Return the request body, or raise BodyTooLargeError past `limit` bytes.

    A declared Content-Length over the limit is rejected before reading, and
    a body sent without one stops being read at the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(f"body of {declared} bytes is over {limit}")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(provider: str, error: BodyTooLargeError) -> JSONResponse:
    """Return the 413 response to a body over the limit, and log it."""
    logger.warning("%s webhook rejected: %s", provider, error)
    return JSONResponse(
        {"detail": f"{error}: webhook bodies are limited to {MAX_WEBHOOK_BODY} bytes"},
        status_code=413,
    )
