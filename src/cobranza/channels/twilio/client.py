"""A small client for Twilio's Messages and Content APIs (WhatsApp), over httpx."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from cobranza.channels.errors import ChannelUnavailableError, PermanentChannelError
from cobranza.channels.twilio.errors import twilio_error
from cobranza.config import Settings

logger = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
REST_BASE_URL = "https://api.twilio.com"
# The Content API (templates and their WhatsApp approval) has a host of its own.
CONTENT_BASE_URL = "https://content.twilio.com"
REST_SETTING = "COBRANZA_TWILIO_BASE_URL"
CONTENT_SETTING = "COBRANZA_TWILIO_CONTENT_BASE_URL"
# The largest Content API body read. An ApprovalRequests resource is well
# under a kilobyte, so a larger body is not a Twilio response.
MAX_CONTENT_BODY_BYTES = 1024 * 1024


class TwilioConfigError(ValueError):
    """A Twilio setting that sending or the webhooks need is missing."""


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    from_number: str  # E.164
    base_url: str = REST_BASE_URL
    content_base_url: str = CONTENT_BASE_URL
    content_sids: Mapping[str, str] | None = None
    webhook_base_url: str | None = None
    timeout_seconds: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioConfig:
        if not (
            settings.twilio_account_sid
            and settings.twilio_auth_token
            and settings.twilio_from_number
        ):
            raise TwilioConfigError(
                "Twilio no está configurado: definí COBRANZA_TWILIO_ACCOUNT_SID, "
                "COBRANZA_TWILIO_AUTH_TOKEN y COBRANZA_TWILIO_FROM_NUMBER con los "
                "datos de Twilio Console → Account info y Messaging → Senders"
            )
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=settings.twilio_from_number,
            base_url=settings.twilio_base_url.rstrip("/"),
            content_base_url=settings.twilio_content_base_url.rstrip("/"),
            content_sids=dict(settings.twilio_content_sids),
            webhook_base_url=settings.twilio_webhook_base_url,
        )


def whatsapp_address(e164: str) -> str:
    """Return Twilio's address for a WhatsApp number: `whatsapp:+5491155550000`."""
    return "whatsapp:+" + e164.removeprefix("whatsapp:").lstrip("+")


class TwilioClient:
    """Create messages and download media through Twilio's REST API."""

    def __init__(
        self, config: TwilioConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.config = config
        self._http = httpx.Client(
            base_url=f"{config.base_url}/{API_VERSION}",
            auth=(config.account_sid, config.auth_token),
            timeout=httpx.Timeout(config.timeout_seconds),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def create_message(
        self,
        to: str,
        *,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: Mapping[str, str] | None = None,
        status_callback: str | None = None,
    ) -> dict[str, Any]:
        """POST one message; returns Twilio's message resource (`sid`, `status`)."""
        form = {
            "To": whatsapp_address(to),
            "From": whatsapp_address(self.config.from_number),
        }
        if content_sid:
            form["ContentSid"] = content_sid
            form["ContentVariables"] = json.dumps(
                dict(content_variables or {}), ensure_ascii=False
            )
        elif body is not None:
            form["Body"] = body
        if status_callback:
            form["StatusCallback"] = status_callback
        path = f"/Accounts/{self.config.account_sid}/Messages.json"
        return self._request("POST", path, data=form).json()  # type: ignore[no-any-return]

    def fetch_approval(self, content_sid: str) -> dict[str, Any]:
        """GET the WhatsApp approval of a Content template.

        Returns Twilio's ApprovalRequests resource, whose `whatsapp` object
        carries `status` and `rejection_reason`.
        """
        url = (
            f"{self.config.content_base_url}/v1/Content/"
            f"{quote(content_sid, safe='')}/ApprovalRequests"
        )
        response = self._read_content(url, content_sid)
        try:
            body = response.json()
        except ValueError as exc:
            raise ChannelUnavailableError(
                f"Twilio returned a body that is not JSON for Content {content_sid}",
            ) from exc
        if not isinstance(body, dict):
            raise ChannelUnavailableError(
                f"Twilio returned a body that is not an object for Content "
                f"{content_sid}",
            )
        return body

    def download(self, url: str) -> bytes:
        """Download an inbound media URL with the account's credentials.

        Twilio may respond to a media request with a redirect to its storage
        host, so this request follows redirects. httpx drops the Authorization
        header when a redirect leaves the origin, so the storage host never
        gets the account's credentials. An absolute URL is fetched only on the
        REST base URL's origin or api.twilio.com, where Twilio puts
        `MediaUrl0`, so a URL in a forged or altered inbound form cannot
        collect them either.
        """
        target = httpx.URL(url)
        if target.is_absolute_url and _origin(target) not in self._media_origins():
            raise PermanentChannelError(
                f"the media URL {url} is not on Twilio's API host, so it was not "
                f"downloaded with the account's credentials: check {REST_SETTING}",
                code="twilio_media_host",
            )
        return self._request("GET", url, follow_redirects=True).content

    def _media_origins(self) -> set[tuple[str, str, int | None]]:
        return {
            _origin(httpx.URL(self.config.base_url)),
            _origin(httpx.URL(REST_BASE_URL)),
        }

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise self._transport_error(url, exc) from exc
        except httpx.TooManyRedirects as exc:
            raise ChannelUnavailableError(
                f"Twilio redirected {method} {url} too many times, so the "
                f"download stopped. Check {REST_SETTING}",
                code="twilio_redirect",
            ) from exc
        if response.is_redirect:
            # A message form carries the debtor's number and text, and a 307
            # or 308 would send it on to whatever host the Location names.
            raise ChannelUnavailableError(
                f"Twilio redirected {method} {url} to "
                f"{response.headers.get('location')}: the REST API does not "
                f"redirect, so the request was not sent again. Check {REST_SETTING}",
                code="twilio_redirect",
            )
        return self._checked(response)

    def _read_content(self, url: str, content_sid: str) -> httpx.Response:
        """GET a Content API resource within one timeout and a size limit.

        httpx applies its timeout to each read of the socket, so a server
        that sends a byte at a time would hold the sync for as long as it
        likes. Redirects are not followed, because the Content API does
        not redirect and another host's approval cannot be trusted.

        NOTE: the limits apply to the body only. A server that sends the
        status line and headers a byte at a time is bounded per read.
        """
        deadline = time.monotonic() + self.config.timeout_seconds
        try:
            with self._http.stream("GET", url, follow_redirects=False) as response:
                if response.is_redirect:
                    raise ChannelUnavailableError(
                        f"Twilio redirected the read of Content {content_sid} to "
                        f"{response.headers.get('location')}: the Content API "
                        f"does not redirect, so check {CONTENT_SETTING}",
                        code="twilio_redirect",
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_CONTENT_BODY_BYTES:
                        raise ChannelUnavailableError(
                            f"Twilio returned more than {MAX_CONTENT_BODY_BYTES} "
                            f"bytes for Content {content_sid}: check "
                            f"{CONTENT_SETTING}",
                            code="twilio_body_too_large",
                        )
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("body not read in time")
        except httpx.TransportError as exc:
            raise self._transport_error(url, exc) from exc
        # The body is decoded already, so its Content-Encoding is left out.
        complete = httpx.Response(
            response.status_code,
            headers={"Content-Type": response.headers.get("content-type", "")},
            content=bytes(body),
            request=response.request,
        )
        return self._checked(complete)

    def _transport_error(
        self, url: str, exc: httpx.TransportError
    ) -> ChannelUnavailableError:
        if isinstance(exc, httpx.TimeoutException):
            return ChannelUnavailableError(
                f"Twilio request timed out after {self.config.timeout_seconds} s",
                code="twilio_timeout",
            )
        base_url, setting = self.config.base_url, REST_SETTING
        if url.startswith(self.config.content_base_url):
            base_url, setting = self.config.content_base_url, CONTENT_SETTING
        return ChannelUnavailableError(
            f"cannot reach Twilio at {base_url} ({exc}): check the network "
            f"or {setting}",
            code="twilio_unreachable",
        )

    def _checked(self, response: httpx.Response) -> httpx.Response:
        """Return `response`, or raise the Twilio error of a 4xx or 5xx."""
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"message": response.text[:200]}
            raise twilio_error(
                body if isinstance(body, dict) else {}, response.status_code
            )
        return response


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Return the scheme, host and port of `url`, with the scheme's default port."""
    default_ports = {"http": 80, "https": 443}
    return (url.scheme, url.host, url.port or default_ports.get(url.scheme))
