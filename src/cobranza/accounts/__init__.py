"""Owner accounts, browser sessions, login throttling and API tokens."""

from cobranza.accounts.errors import (
    AccountError,
    AccountExists,
    InvalidAccountRequest,
    LoginThrottled,
)
from cobranza.accounts.sessions import (
    SignedIn,
    end_session,
    load_session,
    start_session,
)
from cobranza.accounts.tokens import (
    IssuedToken,
    business_for_api_token,
    create_api_token,
    token_hash,
)
from cobranza.accounts.users import authenticate, create_user, normalize_email

__all__ = [
    "AccountError",
    "AccountExists",
    "InvalidAccountRequest",
    "IssuedToken",
    "LoginThrottled",
    "SignedIn",
    "authenticate",
    "business_for_api_token",
    "create_api_token",
    "create_user",
    "end_session",
    "load_session",
    "normalize_email",
    "start_session",
    "token_hash",
]
