"""Login throttling that slows password guessing without locking the owner out.

Failures are rows in `login_failure`, so the locks hold across restarts and
across several server processes on one database. Three limits apply, each
counted over the last `LOCKOUT`:

- `MAX_FAILURES` failures for one account from one client address lock that
  account for that address only. Someone guessing from elsewhere cannot lock
  the owner out, because the owner's own address has no failures.
- `MAX_ADDRESS_FAILURES` failures from one address, for any accounts, lock
  that address (one address trying many accounts).
- `MAX_ACCOUNT_FAILURES` failures for one account, from all addresses
  together, lock the account for every address that has already failed for
  it. An address without a failure for the account may still try, so the
  owner signs in with the right password. Guessing from many addresses then
  gets at most one guess per new address.

Each lock lifts `LOCKOUT` after the failure that set it. The address is
`web.security.client_ip`. Behind a reverse proxy that uvicorn does not trust
for X-Forwarded-For, every client has the proxy's address, so the first limit
locks an account for everyone.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from cobranza.accounts.errors import LoginThrottled
from cobranza.db.models import LoginFailure

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
MAX_ACCOUNT_FAILURES = 50
LOCKOUT = timedelta(minutes=15)
# An IPv6 host is usually given a whole /64, so it can pick new low 64 bits
# for every request. Failures are counted per /64, as one address.
IPV6_PREFIX_LENGTH = 64


def throttle_address(host: str) -> str:
    """Return the key that failures from `host` are counted under.

    An IPv6 address becomes its /64 network, an IPv4-mapped IPv6 address
    its IPv4 address, and a value that is no IP address stays as it is.
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    network = ipaddress.IPv6Network((address, IPV6_PREFIX_LENGTH), strict=False)
    return str(network)


def _count_since(
    session: Session,
    since: datetime,
    attempt_id: int | None,
    *conditions: ColumnElement[bool],
) -> tuple[int, datetime | None]:
    """Return the count of recent failures matching `conditions`, and the latest."""
    where = [*conditions, LoginFailure.at > since]
    if attempt_id is not None:
        where.append(LoginFailure.id != attempt_id)
    count, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*where)
    ).one()
    return int(count), last


def _locked(reason: str, count: int, last: datetime) -> LoginThrottled:
    until = last + LOCKOUT
    return LoginThrottled(
        f"sign-in locked after {count} failures {reason}: try again after "
        f"{until.isoformat()}",
        until,
    )


def check_throttle(
    session: Session,
    email: str,
    ip: str,
    now: datetime,
    attempt_id: int | None = None,
) -> None:
    """Raise LoginThrottled when one of the three limits blocks this attempt.

    The row of `attempt_id`, this request's own reserved attempt
    (`reserve_attempt`), is left out of every count.
    """
    since = now - LOCKOUT
    pair, pair_last = _count_since(
        session,
        since,
        attempt_id,
        LoginFailure.email == email,
        LoginFailure.ip == ip,
    )
    if pair >= MAX_FAILURES:
        assert pair_last is not None
        raise _locked("for this account from this address", pair, pair_last)

    address, address_last = _count_since(
        session, since, attempt_id, LoginFailure.ip == ip
    )
    if address >= MAX_ADDRESS_FAILURES:
        assert address_last is not None
        raise _locked("from this address", address, address_last)

    if pair == 0:
        return
    account, _ = _count_since(session, since, attempt_id, LoginFailure.email == email)
    if account >= MAX_ACCOUNT_FAILURES:
        # The lock holds while this address has a failure for the account in
        # the window, so it lifts at the latest LOCKOUT after that failure.
        assert pair_last is not None
        raise _locked("for this account from all addresses", account, pair_last)


def reserve_attempt(session: Session, email: str, ip: str, now: datetime) -> int:
    """Store a sign-in attempt as a failure before its password is checked.

    The caller commits this before calling `authenticate` with the returned
    id. Concurrent attempts then see each other's rows, so at most
    `MAX_FAILURES` of them from one address reach the password check: the
    last of any six to count would see the other five. Counting only stored
    failures let a burst of 30 parallel guesses check 19 passwords.
    """
    attempt = LoginFailure(email=email, ip=ip, at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def release_attempt(session: Session, attempt_id: int) -> None:
    """Delete a reserved attempt that was throttled before its password check.

    A throttled attempt is no failure, so a lock still lifts `LOCKOUT` after
    the failure that set it however often a locked account is tried.
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


def clear_failures(session: Session, email: str, ip: str) -> None:
    """Forget an account's failures from `ip` after a successful sign-in there.

    Failures from other addresses stay, so the owner's sign-in does not give
    someone guessing from elsewhere a fresh set of attempts.
    """
    session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.ip == ip)
    )
