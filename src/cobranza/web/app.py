"""Application factory. Routers for webhooks, the API and the dashboard are
mounted here; each lives in its own module and reads `request.app.state`."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy import Engine

from cobranza import __version__
from cobranza.config import Settings
from cobranza.db.engine import session_factory
from cobranza.jobs.wiring import install_hooks
from cobranza.web import webhooks_twilio, webhooks_whatsapp
from cobranza.web.auth_gate import AuthGateMiddleware
from cobranza.web.body_limit import BodyLimitMiddleware
from cobranza.web.egress import RESOLVE_TIMEOUT_SECONDS, resolve_host
from cobranza.web.payments import install_payments
from cobranza.web.security_headers import SecurityHeadersMiddleware
from cobranza.web.site import install_site

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings, engine: Engine, *, process_events: bool = True
) -> FastAPI:
    """Build the app for one database; nothing is started until it is served.

    With `process_events` False the messaging webhooks only store their
    events, and a separate `cobranza worker` process acts on them.
    """
    # The interactive /docs and /redoc pages load their scripts from a CDN,
    # so they are off; the schema stays at /openapi.json.
    app = FastAPI(title="cobranza", version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.process_events = process_events
    app.state.sessions = session_factory(engine)
    # Resolves webhook URLs' names for the egress check; tests replace it.
    app.state.resolver = resolve_host
    app.state.resolve_timeout = RESOLVE_TIMEOUT_SECONDS
    # Starlette runs the last added middleware first: the security headers
    # wrap every response, including the gate's early rejections.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(AuthGateMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)

    # Replies that the webhooks store are acted on by the conversation engine,
    # and imported invoices take the customers' credits.
    install_hooks(settings)
    app.include_router(webhooks_whatsapp.router)
    app.include_router(webhooks_twilio.router)
    install_payments(app, settings)
    install_site(app, settings, engine)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
