"""Response headers that tell browsers how far to trust the pages.

Every page is served from this origin: its one script is `/static/app.js`,
its styles come only from `/static/app.css`, and its charts are inline SVG
styled by classes from that sheet. No page has a `style` attribute or a
`<style>` element, so `style-src` allows this origin only, without
'unsafe-inline', and an injected `style` attribute cannot restyle a page to
hide or fake a button. No site may frame the dashboard or the pay pages
(clickjacking a "Pagar" or a "Cerrar caso" button). The pay pages carry a
token in their address, so no address is sent as a referrer to another site.

`form-action` is left out on purpose: the pay page's form leads to a
redirect to Mercado Pago or Stripe, and browsers apply `form-action` to that
redirect too.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Add `HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
