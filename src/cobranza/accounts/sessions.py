"""Browser sessions: a random cookie token, stored hashed, with a CSRF token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cobranza.accounts.tokens import new_token, token_hash
from cobranza.db.models import Business, User, WebSession

SESSION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class SignedIn:
    """The user behind a session cookie and the session's CSRF token."""

    user_id: int
    business_id: int
    email: str
    csrf_token: str
    # The business's locale, for numbers on the pages ("es_AR").
    locale: str


def start_session(session: Session, user: User, now: datetime) -> str:
    """Create a session for `user` and return the cookie value."""
    token = new_token()
    session.add(
        WebSession(
            business_id=user.business_id,
            user_id=user.id,
            token_hash=token_hash(token),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return token


def load_session(session: Session, cookie: str, now: datetime) -> SignedIn | None:
    """Return who is signed in with this cookie, or None when it is not valid."""
    row = session.execute(
        select(WebSession, User, Business.locale)
        .join(User, User.id == WebSession.user_id)
        .join(Business, Business.id == WebSession.business_id)
        .where(WebSession.token_hash == token_hash(cookie), WebSession.expires_at > now)
    ).first()
    if row is None:
        return None
    web_session, user, locale = row
    return SignedIn(
        user_id=user.id,
        business_id=web_session.business_id,
        email=user.email,
        csrf_token=web_session.csrf_token,
        locale=locale,
    )


def end_session(session: Session, cookie: str) -> None:
    """Delete the session behind a cookie (sign out)."""
    session.execute(
        delete(WebSession).where(WebSession.token_hash == token_hash(cookie))
    )
