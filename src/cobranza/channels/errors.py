"""Errors a channel raises when a send or a lookup fails.

Every error carries a short `code` (stored on the outbox row as `error_code`)
and tells whether sending the same message again later can succeed:

    ChannelError                     base class; `code`, `is_transient`
    ├── TransientChannelError        a retry later can help
    │   ├── RateLimitedError         the provider throttled us; `retry_after`
    │   └── ChannelUnavailableError  timeout, connection error, provider 5xx
    ├── PermanentChannelError        the same message will fail again
    │   ├── InvalidRecipientError    number invalid or not on the channel
    │   ├── TemplateRejectedError    template or its parameters not accepted
    │   └── DuplicateSendError       the outbox row was already sent
    └── TemplateNotApprovedError     the template is paused, disabled or missing

    WebhookError                     an incoming webhook request was rejected
    ├── SignatureMissingError        no signature header (HTTP 401)
    └── SignatureMismatchError       wrong signature (HTTP 403)

The dispatcher puts a row that failed with a transient error back in the
queue with a backoff, and marks it `failed` after a permanent error or when
its attempts run out. A row whose template is not approved waits for the
approval, as the gate holds it (`cobranza.dunning.template_approval`).
"""

from __future__ import annotations


class ChannelError(Exception):
    """A send or lookup through a channel failed."""

    code = "channel_error"
    is_transient = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class TransientChannelError(ChannelError):
    """A failure that a later retry of the same message can overcome."""

    code = "transient_error"
    is_transient = True


class RateLimitedError(TransientChannelError):
    """The provider rejected the send because we exceeded its rate limit."""

    code = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        # Seconds to wait before the next send, from the provider's Retry-After.
        self.retry_after = retry_after


class ChannelUnavailableError(TransientChannelError):
    """The provider could not be reached or returned a server error."""

    code = "channel_unavailable"


class PermanentChannelError(ChannelError):
    """A failure that sending the same message again cannot fix."""

    code = "permanent_error"
    is_transient = False


class InvalidRecipientError(PermanentChannelError):
    """The recipient's number is invalid or cannot receive on this channel."""

    code = "invalid_recipient"


class TemplateNotApprovedError(ChannelError):
    """The provider rejected a template that it has paused, disabled or lost.

    The channel has stored the template's new status, so the row waits for
    the template's approval instead of failing.
    """

    code = "template_not_approved"


class TemplateRejectedError(PermanentChannelError):
    """The provider rejected the template, its language or its parameters."""

    code = "template_rejected"


class DuplicateSendError(PermanentChannelError):
    """The channel already stored a message for this outbox row."""

    code = "duplicate_send"


class WebhookError(Exception):
    """A webhook request was rejected before its body was stored.

    `status_code` is the HTTP answer: 401 for a missing signature, 403 for a
    wrong one, 400 for a body that cannot be parsed.
    """

    status_code = 400


class SignatureMissingError(WebhookError):
    """The request carries no signature header."""

    status_code = 401


class SignatureMismatchError(WebhookError):
    """The signature does not match the body and the shared secret."""

    status_code = 403
