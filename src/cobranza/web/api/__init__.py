"""The REST API under /api/v1, authenticated with bearer API tokens."""

from cobranza.web.api.routes import router

__all__ = ["router"]
