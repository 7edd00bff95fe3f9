"""Owner accounts: create one, authenticate one."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.accounts.errors import AccountExists, InvalidAccountRequest
from cobranza.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from cobranza.accounts.throttle import check_throttle, clear_failures, record_failure
from cobranza.db.models import User

logger = logging.getLogger(__name__)

# Internationalised addresses (RFC 6531), such as dueña@negocio.com, are
# accepted: the sign-in form posts them as typed.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL_LENGTH = 320


def canonical_email(email: str) -> str:
    """Return the email as stored: NFC, trimmed and lower-cased.

    NFC makes an "ñ" typed as n plus a combining tilde (as some keyboards
    send it) equal to the single "ñ" character.
    """
    return unicodedata.normalize("NFC", email).strip().lower()


def normalize_email(email: str) -> str:
    """Return the email as stored, or raise when it is invalid."""
    normalized = canonical_email(email)
    if not _EMAIL.fullmatch(normalized) or len(normalized) > MAX_EMAIL_LENGTH:
        raise InvalidAccountRequest(
            f"email inválido {email!r}: usá una dirección como duenia@negocio.com"
        )
    return normalized


def create_user(
    session: Session, business_id: int, email: str, password: str, now: datetime
) -> User:
    """Create an owner account with an argon2 hash of the password."""
    address = normalize_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccountRequest(
            f"contraseña demasiado corta ({len(password)} caracteres): usá al "
            f"menos {MIN_PASSWORD_LENGTH}"
        )
    exists = session.scalars(select(User.id).where(User.email == address)).first()
    if exists is not None:
        raise AccountExists(
            f"ya existe una cuenta para {address}: entrá con ella o usá otro email"
        )

    user = User(
        business_id=business_id,
        email=address,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    logger.info("user %s created for business %s", user.id, business_id)
    return user


def login_address(email: str) -> str:
    """Return the address that sign-in failures of `email` are counted under."""
    return canonical_email(email)[:MAX_EMAIL_LENGTH]


def authenticate(
    session: Session,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    attempt_id: int | None = None,
) -> User | None:
    """Return the user when the password matches, counting failures.

    Raises LoginThrottled, before checking the password, when the account
    or the client address is locked. The caller commits the session so
    that failures are stored even though the sign-in fails. `attempt_id`
    is the attempt that `reserve_attempt` stored and committed for this
    request, which then counts as the failure.
    """
    address = login_address(email)
    check_throttle(session, address, ip, now, attempt_id)

    user = session.scalars(select(User).where(User.email == address)).first()
    if not verify_password(user.password_hash if user else None, password):
        record_failure(session, address, ip, now, reserved=attempt_id is not None)
        logger.info("failed sign-in for user %s", user.id if user else "unknown")
        return None

    clear_failures(session, address, ip)
    assert user is not None
    user.last_login_at = now
    return user
