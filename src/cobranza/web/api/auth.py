"""Bearer API tokens for the REST API."""

from __future__ import annotations

from fastapi import HTTPException, Request

from cobranza.accounts import business_for_api_token
from cobranza.web.security import db, now


def api_business(request: Request) -> int:
    """Return the business of the request's bearer token, or raise 401.

    The result is cached on the request, so `AuthGateMiddleware` and the
    route share one database lookup.
    """
    cached = getattr(request.state, "api_business_id", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status_code=401,
            detail="missing bearer token: send 'Authorization: Bearer <token>' "
            "with a token from 'cobranza token create'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    with db(request) as session:
        business_id = business_for_api_token(session, token.strip(), now(request))
    if business_id is None:
        raise HTTPException(
            status_code=401,
            detail="invalid or revoked API token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.api_business_id = business_id
    return business_id
