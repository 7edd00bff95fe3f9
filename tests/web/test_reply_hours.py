"""A person's reply follows the contact hours on every clock of the customer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Customer, PhoneStatus
from cobranza.web.dashboard.replies import reply_hours_problem
from tests.ingest.conftest import NOW, add_business


def test_reply_waits_for_western_amazonas(engine: Engine) -> None:
    # 12:30 UTC on a Monday is 08:30 in Manaus, inside Brazil's 08:00
    # opening, but 07:30 in Eirunepé, which shares the customer's DDD 97.
    monday = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    with transaction(engine) as session:
        business = add_business(session, "BR")
        customer = Customer(
            business_id=business.id,
            external_id="C-97",
            name="Cliente de Amazonas",
            phone="+5597991234567",
            phone_status=PhoneStatus.VALID,
            timezone="America/Manaus",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(customer)
        session.flush()

        problem = reply_hours_problem(session, business.id, customer, monday)

    assert problem is not None
    assert "son las 07:30 del 01/06/2026" in problem
    assert "El horario abre el 01/06/2026 08:00" in problem
