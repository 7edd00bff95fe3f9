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


def check_throttle(
    session: Session,
    email: str,
    ip: str,
    now: datetime,
    attempt_id: int | None = None,
) -> None:
    """Raise LoginThrottled when the email or the address has too many failures.

    Both are counted over the last `LOCKOUT`, so the lock lifts 15 minutes
    after the fifth failure. The row of `attempt_id`, this request's own
    reserved attempt (`reserve_attempt`), is left out of the count.
    """
    since = now - LOCKOUT
    for column, value in ((LoginFailure.email, email), (LoginFailure.ip, ip)):
        conditions = [column == value, LoginFailure.at > since]
        if attempt_id is not None:
            conditions.append(LoginFailure.id != attempt_id)
        count, last = session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(*conditions)
        ).one()
        if count >= MAX_FAILURES:
            until = last + LOCKOUT
            raise LoginThrottled(
                f"sign-in locked after {count} failures: try again after "
                f"{until.isoformat()}",
                until,
            )


def reserve_attempt(session: Session, email: str, ip: str, now: datetime) -> int:
    """Store a sign-in attempt as a failure before its password is checked.

    The caller commits this before calling `authenticate` with the returned
    id. Concurrent attempts then see each other's rows, so at most
    `MAX_FAILURES` of them reach the password check: the last of any six
    to count would see the other five. Counting only stored failures let a
    burst of 30 parallel guesses check 19 passwords.
    """
    attempt = LoginFailure(email=email, ip=ip, at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def release_attempt(session: Session, attempt_id: int) -> None:
    """Delete a reserved attempt that was throttled before its password check.

    A throttled attempt is no failure, so the lock still lifts 15 minutes
    after the fifth failure however often a locked account is tried.
    """
    session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))


def record_failure(
    session: Session, email: str, ip: str, now: datetime, reserved: bool = False
) -> None:
    """Count one failed sign-in and drop failures older than the lock-out.

    With `reserved`, the failure is already stored by `reserve_attempt`.
    """
    if not reserved:
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
