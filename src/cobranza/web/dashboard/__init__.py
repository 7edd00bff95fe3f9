"""The owner's dashboard: server-rendered Spanish pages.

Every route here sits behind `csrf_protect`, so no POST reaches a handler
without the session's CSRF token, and every handler reads the business from
the signed-in session and scopes each query by it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cobranza.web.dashboard import (
    audit_log,
    conversations,
    customer_data,
    customers,
    imports,
    invoice_holds,
    payment_form,
    policy_page,
    receipts,
    settings_page,
    summary,
)
from cobranza.web.security import csrf_protect

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
for module in (
    summary,
    customers,
    customer_data,
    invoice_holds,
    payment_form,
    imports,
    conversations,
    receipts,
    policy_page,
    settings_page,
    audit_log,
):
    router.include_router(module.router)

__all__ = ["router"]
