from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from cobranza.config import Settings
from cobranza.db.engine import default_business, is_current, transaction
from cobranza.db.models import Customer, Document


def test_migrations_reach_head(engine: Engine) -> None:
    assert is_current(engine)


def test_amounts_stay_exact_through_sum(engine: Engine) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        customer = Customer(
            business_id=business.id,
            external_id="C1",
            name="Ferretería Demo",
            created_at=now,
            updated_at=now,
        )
        session.add(customer)
        session.flush()
        for number in range(10):
            session.add(
                Document(
                    business_id=business.id,
                    customer_id=customer.id,
                    number=f"A-{number}",
                    amount=Decimal("0.1"),
                    open_amount=Decimal("0.1"),
                    currency="ARS",
                    created_at=now,
                    updated_at=now,
                )
            )

    with transaction(engine) as session:
        total = session.scalar(select(func.sum(Document.open_amount)))

    assert total == Decimal("1.0000")


def test_datetimes_come_back_in_utc(engine: Engine) -> None:
    buenos_aires = timezone(timedelta(hours=-3))
    created = datetime(2026, 3, 1, 21, 30, tzinfo=buenos_aires)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.created_at = created

    with transaction(engine) as session:
        stored = default_business(session, Settings()).created_at

    assert stored == created
    assert stored.tzinfo == UTC


def test_float_amount_is_rejected(engine: Engine) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(Exception, match="float"):
        with transaction(engine) as session:
            business = default_business(session, Settings())
            session.add(
                Customer(
                    business_id=business.id,
                    external_id="C1",
                    name="x",
                    created_at=now,
                    updated_at=now,
                    risk_score=None,
                )
            )
            session.flush()
            session.add(
                Document(
                    business_id=business.id,
                    customer_id=1,
                    number="F",
                    amount=0.1,
                    open_amount=Decimal(0),
                    currency="ARS",
                    created_at=now,
                    updated_at=now,
                )
            )
