"""Errors of owner accounts and API tokens.

AccountError
├── InvalidAccountRequest   bad email, short password, unknown business
├── AccountExists           the email already has an account
└── LoginThrottled          too many failed sign-ins; carries the wait
"""

from __future__ import annotations

from datetime import datetime


class AccountError(Exception):
    """Base class of account errors."""


class InvalidAccountRequest(AccountError):
    """The request cannot be carried out as given."""


class AccountExists(AccountError):
    """An account with this email already exists."""


class LoginThrottled(AccountError):
    """Sign-in is locked for a client address, or an account from it, until `until`."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until
