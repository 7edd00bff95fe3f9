"""The Auditoría page words the planner's codes and names each customer."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer
from cobranza.dunning.planner import plan
from cobranza.dunning.policy_loader import default_policy_path, load_policy
from tests.web.conftest import NOW, Tenant

ROW = re.compile(
    r'<td data-label="Tipo">.*?>([^<]*)</span></td>\s*'
    r'<td data-label="Cliente">(.*?)</td>\s*'
    r'<td data-label="Motivo">(.*?)</td>',
    re.DOTALL,
)
TAG = re.compile(r"<[^>]+>")


def _plan_missed_days(engine: Engine, tenant: Tenant) -> None:
    """Plan two customers, then plan again five days later.

    The first customer gets a preventive message that the later run
    replaces, and the second customer's preventive step is skipped because
    its day has passed.
    """
    policy = load_policy(default_policy_path())
    with transaction(engine) as session:
        superseded = session.get_one(Customer, tenant.customer_id)
        superseded.segment = "chronic_late"
        superseded.documents[0].due_on = NOW.date() + timedelta(days=3)
        skipped = session.get_one(Customer, tenant.script_customer_id)
        skipped.segment = "month_end"
        skipped.documents[0].due_on = NOW.date() + timedelta(days=1)
    for now in (NOW, NOW + timedelta(days=5)):
        with transaction(engine) as session:
            plan(session, session.get_one(Business, tenant.business_id), now, policy)


def _rows(page: str) -> list[tuple[str, str, str]]:
    """Return each event row's kind, customer and reason as plain text."""
    return [
        tuple(html.unescape(TAG.sub("", cell)).strip() for cell in match.groups())
        for match in ROW.finditer(page)
    ]  # type: ignore[misc]


def test_audit_page_words_planner_codes(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    _plan_missed_days(engine, tenant)
    client, _ = client_for(tenant)

    rows = _rows(client.get("/auditoria").text)

    reasons = {reason for _, _, reason in rows}
    assert "aviso preventivo (preventive)" in reasons
    assert "recordatorio amable (reminder_soft)" in reasons
    assert any(reason.startswith("su día ya pasó") for reason in reasons)
    assert "missed_catch_up_skip" not in reasons
    assert "preventive" not in reasons
    kinds = {kind for kind, _, _ in rows}
    assert {"paso planificado", "paso salteado", "mensaje no enviado"} <= kinds


def test_audit_page_names_superseded_customer(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    _plan_missed_days(engine, tenant)
    client, _ = client_for(tenant)

    everyone = _rows(client.get("/auditoria").text)
    filtered = _rows(
        client.get("/auditoria", params={"customer": tenant.customer_id}).text
    )

    suppressed = [row for row in everyone if row[0] == "mensaje no enviado"]
    assert len(suppressed) == 1
    assert suppressed[0][1] == "Cliente de Ferretería Uno"
    assert suppressed[0][2] == "lo reemplazó un paso más nuevo"
    assert "mensaje no enviado" in {kind for kind, _, _ in filtered}
    assert {customer for _, customer, _ in filtered} == {"Cliente de Ferretería Uno"}


def test_audit_export_names_superseded_customer(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    _plan_missed_days(engine, tenant)
    client, _ = client_for(tenant)

    response = client.get(
        "/auditoria", params={"kind": "message_suppressed", "export": "csv"}
    )

    lines = response.text.strip().splitlines()
    assert len(lines) == 2
    assert f",{tenant.customer_id},superseded" in lines[1]
