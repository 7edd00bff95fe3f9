"""An opt-out from a phone that two customers share stops both."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from cobranza.compliance.consent import current_consent, record_consent
from cobranza.db.engine import transaction
from cobranza.db.models import ConsentAction
from cobranza.jobs import run_cycle
from tests.channels.factories import make_business, make_customer, make_document
from tests.scenarios.helpers import AR_TZ, local_instant

SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)
OPT_OUT = local_instant(date(2026, 3, 9), 15, AR_TZ)
TUESDAY = local_instant(date(2026, 3, 10), 10, AR_TZ)
SHARED = "+5491155550101"


def _given_shared_phone(engine: Engine) -> tuple[int, int, int, int]:
    """Add two customers on one phone and one on another, all consenting."""
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        ids = []
        for external_id, phone in (("C1", SHARED), ("C2", SHARED),
                                   ("C3", "+5491155550103")):  # fmt: skip
            customer = make_customer(session, business, SETUP, external_id, phone)
            make_document(
                session, customer, SETUP, f"F-{external_id}", "1000.00",
                date(2026, 3, 2),
            )  # fmt: skip
            ids.append(customer.id)
        return business.id, ids[0], ids[1], ids[2]


def _record(engine: Engine, business_id: int, customer_id: int, action: str,
            at: object) -> None:  # fmt: skip
    with transaction(engine) as session:
        record_consent(session, business_id, customer_id, action, "test", None, at)  # type: ignore[arg-type]


def _consent(engine: Engine, business_id: int, customer_id: int) -> bool | None:
    with transaction(engine) as session:
        return current_consent(session, business_id, customer_id)


def test_shared_phone_opt_out_covers_both(engine: Engine) -> None:
    business_id, first, second, other = _given_shared_phone(engine)

    _record(engine, business_id, first, ConsentAction.REVOKE, OPT_OUT)

    assert _consent(engine, business_id, first) is False
    assert _consent(engine, business_id, second) is False
    assert _consent(engine, business_id, other) is True


def test_later_grant_overrides_shared_opt_out(engine: Engine) -> None:
    business_id, first, second, _ = _given_shared_phone(engine)
    _record(engine, business_id, first, ConsentAction.REVOKE, OPT_OUT)

    _record(
        engine, business_id, second, ConsentAction.GRANT, OPT_OUT + timedelta(hours=1)
    )

    assert _consent(engine, business_id, first) is False
    assert _consent(engine, business_id, second) is True


def test_regranted_neighbour_no_longer_blocks(engine: Engine) -> None:
    business_id, first, second, _ = _given_shared_phone(engine)
    _record(engine, business_id, first, ConsentAction.REVOKE, OPT_OUT)

    _record(
        engine, business_id, first, ConsentAction.GRANT, OPT_OUT + timedelta(hours=1)
    )

    assert _consent(engine, business_id, first) is True
    assert _consent(engine, business_id, second) is True


def test_cycle_skips_shared_opted_out_phone(engine: Engine) -> None:
    business_id, first, _, _ = _given_shared_phone(engine)
    _record(engine, business_id, first, ConsentAction.REVOKE, OPT_OUT)

    report = run_cycle(engine, business_id, TUESDAY)

    assert report.dispatch.sent == 1
    assert report.dispatch.suppressed == {"opted_out": 2}
