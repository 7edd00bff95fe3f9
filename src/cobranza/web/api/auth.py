"""Bearer API tokens for the REST API."""

from __future__ import annotations

from fastapi import HTTPException, Request

from cobranza.accounts import business_for_api_token
from cobranza.web.security import db, now


def api_business(request: Request) -> int:
    """Return the business of the request's bearer token, or raise 401."""
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
    return business_id
