from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text

from cobranza.config import Settings
from cobranza.db.engine import (
    alembic_config,
    default_business,
    is_current,
    make_engine,
    transaction,
    upgrade,
)
from cobranza.db.models import Customer, Document, Payment


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


def test_upgrade_keeps_rows_that_later_tables_reference(sqlite_url: str) -> None:
    # Given a database at the foundation revision with a payment allocated to
    # an invoice, the case batch migrations rebuild `payment` on SQLite.
    path = sqlite_url.removeprefix("sqlite:///")
    Path(path).unlink()
    engine = make_engine(sqlite_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO business (id, name, country, timezone, currency, locale,"
            " settings, created_at) VALUES (1, 'B', 'AR',"
            " 'America/Argentina/Buenos_Aires', 'ARS', 'es_AR', '{}',"
            " '2026-01-01 00:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO customer (id, business_id, external_id, name, kind,"
            " phone_status, created_at, updated_at) VALUES (1, 1, 'C1', 'c',"
            " 'person', 'missing', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO document (id, business_id, customer_id, kind, number,"
            " amount, currency, open_amount, disputed, created_at, updated_at)"
            " VALUES (1, 1, 1, 'invoice', 'F1', 10000, 'ARS', 0, 0,"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO payment (id, business_id, customer_id, amount, currency,"
            " paid_at, provider, provider_payment_id, status, unallocated,"
            " created_at) VALUES (1, 1, 1, 10000, 'ARS', '2026-01-02 00:00:00',"
            " 'import', 'p1', 'approved', 0, '2026-01-02 00:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO allocation (id, business_id, payment_id, document_id,"
            " amount) VALUES (1, 1, 1, 1, 10000)"
        )

    # When every later migration is applied
    upgrade(engine)

    # Then the rows are all still there and foreign keys are back on
    with engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT count(*) FROM allocation").scalar() == 1
        )
        assert connection.exec_driver_sql("SELECT count(*) FROM payment").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert is_current(engine)
    engine.dispose()


def _stored(instant: datetime) -> str:
    # Naive UTC text, as `UTCDateTime` stores an instant on both databases.
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # As `upgrade` does: a batch rebuild of `payment` must not trip
            # the foreign keys of `allocation`.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.downgrade(config, revision)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def test_upgrade_marks_undated_import_payments(engine: Engine) -> None:
    # Given a database before the column, where an import stored payments at
    # its own instant: p-first on an invoice that import created, p-later on
    # an older invoice whose balance it lowered, and p-dated with a date
    first_seen = datetime(2026, 3, 1, 15, tzinfo=UTC)
    older = datetime(2026, 2, 1, 15, tzinfo=UTC)
    _downgrade(engine, "0010_document_hold")
    rows = {
        "business": "INSERT INTO business (id, name, country, timezone, currency,"
        " locale, settings, created_at) VALUES (1, 'B', 'AR',"
        " 'America/Argentina/Buenos_Aires', 'ARS', 'es_AR', '{}', :older)",
        "customer": "INSERT INTO customer (id, business_id, external_id, name, kind,"
        " phone_status, created_at, updated_at) VALUES (1, 1, 'C1', 'c', 'person',"
        " 'missing', :older, :older)",
    }
    documents = [(1, "F1", first_seen), (2, "F2", older)]
    payments = [
        (1, "p-first", first_seen, 1, "import"),
        (2, "p-later", first_seen, 2, "import"),
        (3, "p-dated", datetime(2026, 1, 5, 15, tzinfo=UTC), 1, "import"),
        (4, "p-manual", first_seen, 1, "manual"),
    ]
    with engine.begin() as connection:
        for statement in rows.values():
            connection.execute(text(statement), {"older": _stored(older)})
        for document_id, number, created in documents:
            connection.execute(
                text(
                    "INSERT INTO document (id, business_id, customer_id, kind,"
                    " number, amount, currency, open_amount, disputed, created_at,"
                    " updated_at) VALUES (:id, 1, 1, 'invoice', :number, 10000,"
                    " 'ARS', 0, :disputed, :created, :created)"
                ),
                {"id": document_id, "number": number, "disputed": False,
                 "created": _stored(created)},
            )  # fmt: skip
        for payment_id, provider_id, paid_at, document_id, provider in payments:
            connection.execute(
                text(
                    "INSERT INTO payment (id, business_id, customer_id, amount,"
                    " currency, paid_at, provider, provider_payment_id, status,"
                    " unallocated, created_at) VALUES (:id, 1, 1, 10000, 'ARS',"
                    " :paid_at, :provider, :provider_id, 'approved', 0, :created)"
                ),
                {"id": payment_id, "paid_at": _stored(paid_at),
                 "provider": provider, "provider_id": provider_id,
                 "created": _stored(first_seen)},
            )  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO allocation (id, business_id, payment_id,"
                    " document_id, amount) VALUES (:id, 1, :id, :document_id, 10000)"
                ),
                {"id": payment_id, "document_id": document_id},
            )

    # When the migration runs
    upgrade(engine)

    # Then only the payment of the invoice first seen in that import is undated
    with transaction(engine) as session:
        rows = session.execute(
            select(Payment.provider_payment_id, Payment.paid_at_unknown)
        )
        flags = {provider_id: unknown for provider_id, unknown in rows}
    assert flags == {
        "p-first": True,
        "p-later": False,
        "p-dated": False,
        "p-manual": False,
    }
    assert is_current(engine)
