"""Random tokens stored as their sha256: API tokens and session cookies."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.accounts.errors import InvalidAccountRequest
from cobranza.db.models import ApiToken

API_TOKEN_PREFIX = "cbz_"


def new_token() -> str:
    """Return 32 random bytes as URL-safe text."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the hex sha256 of a token, the form kept in the database."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: the row and the clear text, shown once."""

    row: ApiToken
    token: str


def create_api_token(
    session: Session, business_id: int, name: str, now: datetime
) -> IssuedToken:
    """Create an API token for a business; only its hash is stored."""
    name = name.strip()
    if not name:
        raise InvalidAccountRequest(
            "falta el nombre del token: poné el de la integración, como 'zapier'"
        )
    token = API_TOKEN_PREFIX + new_token()
    row = ApiToken(
        business_id=business_id,
        name=name[:120],
        token_hash=token_hash(token),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return IssuedToken(row=row, token=token)


def business_for_api_token(session: Session, token: str, now: datetime) -> int | None:
    """Return the business id of a valid, unrevoked token and stamp its use."""
    row = session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    row.last_used_at = now
    return row.business_id
