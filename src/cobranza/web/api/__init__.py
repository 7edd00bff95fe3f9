"""The REST API under /api/v1, authenticated with bearer API tokens."""

from fastapi import APIRouter

from cobranza.web.api import holds, routes

router = APIRouter()
router.include_router(routes.router)
router.include_router(holds.router)

__all__ = ["router"]
