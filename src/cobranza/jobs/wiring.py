"""Install the hooks that let lower layers reach the ones above them.

`channels` hands each stored reply to the conversation engine. `ingest`
hands each stored import to `payments`, which applies customers' credits to
the new invoices so that no customer is reminded of a balance an earlier
overpayment already covers, and then to `portfolio`, which stores each
customer's segment so that the customer list shows it right after the
import. The web app and the CLI call `install_hooks` when they start.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cobranza.compliance.business_days import effective_due_dates
from cobranza.config import Settings, get_settings
from cobranza.db.models import Business
from cobranza.ingest.service import set_import_hook
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments.credits import apply_credits
from cobranza.timeutil import local_date


def install_hooks(settings: Settings | None = None) -> None:
    """Install the reply handler and the after-import hook."""
    install_reply_handler(settings)
    chosen = settings or get_settings()

    def after_import(session: Session, business_id: int, now: datetime) -> None:
        after_stored_import(session, business_id, now, chosen)

    set_import_hook(after_import)


def after_stored_import(
    session: Session, business_id: int, now: datetime, settings: Settings
) -> None:
    """Apply credits to the imported invoices, then store every segment.

    The daily refresh of `cobranza serve` may be hours away, and until then
    a new customer would have no segment. The import has already read every
    customer and document of the business (`load_state`), so reading them
    once more for the segments keeps its cost of the same order. Segments
    come after the credits because a credit can settle an invoice.
    """
    # Imported here, because `cobranza.portfolio` loads pandas, which every
    # CLI command would otherwise pay for at start.
    from cobranza.portfolio import SegmentRules, refresh_segments

    apply_credits(session, business_id, now)
    business = session.get_one(Business, business_id)
    refresh_segments(
        session,
        business,
        local_date(now, business.timezone),
        SegmentRules.from_settings(settings),
        effective_due=effective_due_dates(business),
    )
