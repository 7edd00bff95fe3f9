"""The Graph API client: pywa's request layer pointed at a configurable base URL.

pywa (`pywa.api.GraphAPI`) builds the Cloud API requests but pins its base
URL to graph.facebook.com and raises its own errors. This wrapper moves the
same httpx session to `WhatsAppConfig.base_url`, so tests reach a local fake
through the production code path, sets a timeout on every call and turns
every failure into a `cobranza.channels.errors.ChannelError` subclass.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
from pywa.api import GraphAPI
from pywa.errors import WhatsAppError

from cobranza.channels.whatsapp.config import WhatsAppConfig
from cobranza.channels.whatsapp.errors import (
    GraphUnavailableError,
    MediaTooLargeError,
    graph_error,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

TEMPLATE_FIELDS = ("id", "name", "language", "status", "category", "rejected_reason")
TEMPLATE_PAGE_SIZE = 100
# A receipt photo or PDF is a few MB; WhatsApp caps documents at 100 MB.
MEDIA_MAX_BYTES = 100 * 1024 * 1024


class GraphClient:
    """Send messages, manage templates and download media over the Graph API."""

    def __init__(
        self, config: WhatsAppConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.config = config
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.timeout_seconds),
            transport=transport,
            event_hooks={"response": [self._reject_redirect]},
        )
        self._api = GraphAPI(
            token=config.access_token,
            session=self._http,
            api_version=float(config.api_version),
        )
        # pywa set graph.facebook.com above; the session carries the base URL.
        self._http.base_url = httpx.URL(f"{config.base_url}/v{config.api_version}")

    def close(self) -> None:
        self._http.close()

    def _reject_redirect(self, response: httpx.Response) -> None:
        """Raise GraphUnavailableError on a redirect of any request but a GET.

        httpx does not follow redirects here, but pywa reads a 3xx body as a
        success, and a message POST carries the debtor's number and text. A
        media download is a GET, and pywa follows its redirects to Meta's
        storage host. httpx drops the Authorization header when a
        redirect leaves the origin, so the token stays with the Graph API.
        """
        if not response.is_redirect or response.request.method == "GET":
            return
        request = response.request
        raise GraphUnavailableError(
            f"the Graph API redirected {request.method} {request.url} to "
            f"{response.headers.get('location')}, so it was not sent again: "
            "check COBRANZA_WHATSAPP_GRAPH_BASE_URL",
            code="whatsapp_redirect",
        )

    def send_message(
        self,
        to: str,
        message_type: str,
        content: dict[str, Any],
        *,
        callback_data: str | None = None,
    ) -> dict[str, Any]:
        """POST one message; returns `{"contacts": [...], "messages": [{"id"}]}`."""
        return self._call(
            lambda: self._api.send_message(
                sender=self.config.phone_number_id,
                to=to,
                recipient=None,
                recipient_type="individual",
                typ=message_type,
                msg=content,
                biz_opaque_callback_data=callback_data,
            )
        )

    def list_templates(self) -> Iterator[dict[str, Any]]:
        """Yield every template of the WhatsApp Business account, page by page."""
        after: str | None = None
        while True:
            pagination: dict[str, Any] = {"limit": TEMPLATE_PAGE_SIZE}
            if after:
                pagination["after"] = after
            page = self._call(functools.partial(self._template_page, pagination))
            yield from page.get("data", [])
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or not paging.get("next"):
                return

    def _template_page(self, pagination: dict[str, Any]) -> dict[str, Any]:
        return self._api.get_templates(
            waba_id=self.config.business_account_id,
            fields=TEMPLATE_FIELDS,
            pagination=pagination,
        )

    def create_template(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Register a template; returns `{"id", "status", "category"}`."""
        return self._call(
            lambda: self._api.create_template(
                waba_id=self.config.business_account_id, template=definition
            )
        )

    def media_info(self, media_id: str) -> dict[str, Any]:
        """Return the download URL, mime type, sha256 and size of a media id."""
        return self._call(lambda: self._api.get_media_url(media_id))

    def download(self, url: str) -> bytes:
        """Download a media URL with the access token; the URL expires in minutes."""

        def fetch() -> bytes:
            with self._api.stream_media_bytes(url) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _status_error(response)
                chunks = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MEDIA_MAX_BYTES:
                        raise MediaTooLargeError(
                            f"media at the download URL exceeds {MEDIA_MAX_BYTES} "
                            "bytes: download it by hand from WhatsApp Manager"
                        )
                    chunks.append(chunk)
                return b"".join(chunks)

        return self._call(fetch)

    def _call(self, request: Callable[[], T]) -> T:
        try:
            return request()
        except WhatsAppError as exc:
            raise graph_error(exc.raw, exc.status_code) from exc
        except httpx.TimeoutException as exc:
            raise GraphUnavailableError(
                f"Graph API request timed out after {self.config.timeout_seconds} s: "
                "the message is retried later",
                code="whatsapp_timeout",
            ) from exc
        except httpx.TooManyRedirects as exc:
            raise GraphUnavailableError(
                f"the Graph API redirected {exc.request.url} too many times, so "
                "the request stopped: check COBRANZA_WHATSAPP_GRAPH_BASE_URL",
                code="whatsapp_redirect",
            ) from exc
        except httpx.TransportError as exc:
            raise GraphUnavailableError(
                f"cannot reach the Graph API at {self.config.base_url} ({exc}): "
                "check the network or COBRANZA_WHATSAPP_GRAPH_BASE_URL",
                code="whatsapp_unreachable",
            ) from exc
        except ValueError as exc:
            # A 2xx response whose body is not JSON (a proxy error page).
            raise GraphUnavailableError(
                f"the Graph API returned a body that is not JSON ({exc})",
                code="whatsapp_bad_response",
            ) from exc


def _status_error(response: httpx.Response) -> Exception:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {"code": response.status_code, "message": response.text[:200]}
    return graph_error(error, response.status_code)
