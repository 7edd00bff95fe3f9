"""An approval that commits while a dispatcher rechecks a held row.

The dispatcher reads the template's status before the approval commits, so
it holds the row again, and the approval must still release it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cobranza.channels.whatsapp import WhatsAppConfig
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.db.engine import transaction
from cobranza.db.models import OutboxMessage, TemplateStatus
from tests.channels.whatsapp.conftest import (
    LANGUAGE,
    NOW,
    TEMPLATE,
    channel_for,
    dispatcher_for,
    given_rows,
)

HOUR = timedelta(hours=1)


def test_approval_during_recheck_releases_row(
    engine: Engine, config: WhatsAppConfig
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers, so the two cannot overlap")

    # Given a row held for its template whose 6-hour recheck is due,
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    held = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)
    assert held.deferred == {"template_not_approved": 1}
    due = NOW + 6 * HOUR

    # when the approval is stored while a dispatcher runs the recheck,
    with Session(engine) as approving:
        set_template_status(
            approving,
            business_id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.APPROVED,
            due,
            source="webhook",
        )
        channel = channel_for(engine, config, due)
        dispatcher_for(channel, engine).run(business_id, due)
        approving.commit()

    # then the row is due at once, not held 6 more hours by the old status.
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert row.deferred_reason is None
        assert row.planned_for <= due
