"""Login throttling: too many failures lock an account and a client address.

Failures are rows in `login_failure`, so the lock holds across restarts and
across several server processes on one database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from cobranza.accounts.errors import LoginThrottled
from cobranza.db.models import LoginFailure

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def check_throttle(session: Session, email: str, ip: str, now: datetime) -> None:
    """Raise LoginThrottled when the email or the address has too many failures.

    Both are counted over the last `LOCKOUT`, so the lock lifts 15 minutes
    after the fifth failure.
    """
    since = now - LOCKOUT
    for column, value in ((LoginFailure.email, email), (LoginFailure.ip, ip)):
        count, last = session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                column == value, LoginFailure.at > since
            )
        ).one()
        if count >= MAX_FAILURES:
            until = last + LOCKOUT
            raise LoginThrottled(
                f"sign-in locked after {count} failures: try again after "
                f"{until.isoformat()}",
                until,
            )


def record_failure(session: Session, email: str, ip: str, now: datetime) -> None:
    """Count one failed sign-in and drop failures older than the lock-out."""
    session.add(LoginFailure(email=email, ip=ip, at=now))
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.at < now - LOCKOUT,
            or_(LoginFailure.email == email, LoginFailure.ip == ip),
        )
    )


def clear_failures(session: Session, email: str) -> None:
    """Forget an account's failures after a successful sign-in."""
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
