"""Mount the dashboard, the sign-in pages, the REST API and static files."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from cobranza.channels.base import Channel
from cobranza.channels.sandbox import SandboxChannel
from cobranza.config import Settings
from cobranza.timeutil import utcnow
from cobranza.web import signin
from cobranza.web.api import router as api_router
from cobranza.web.dashboard import router as dashboard_router
from cobranza.web.error_pages import install_error_pages
from cobranza.web.security import NotSignedIn, sign_in_redirect
from cobranza.web.templating import STATIC_DIR

logger = logging.getLogger(__name__)


def reply_channel(settings: Settings, engine: Engine) -> Channel:
    """Return the channel for a person's replies: WhatsApp when set up, else sandbox."""
    if settings.whatsapp_phone_number_id and settings.whatsapp_access_token:
        from cobranza.channels.whatsapp.channel import WhatsAppChannel
        from cobranza.channels.whatsapp.config import WhatsAppConfig
        from cobranza.channels.whatsapp.graph import GraphClient

        config = WhatsAppConfig.from_settings(settings)
        return WhatsAppChannel(engine, config, client=GraphClient(config), clock=utcnow)
    return SandboxChannel(engine, clock=utcnow)


def install_site(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Add the owner's pages and the API to `app`."""
    if not hasattr(app.state, "clock"):
        app.state.clock = utcnow
    app.state.reply_channel = reply_channel(settings, engine)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(signin.router)
    app.include_router(dashboard_router)
    app.include_router(api_router)
    install_error_pages(app)

    @app.exception_handler(NotSignedIn)
    def _to_sign_in(request: Request, exc: NotSignedIn) -> RedirectResponse:
        return sign_in_redirect()
