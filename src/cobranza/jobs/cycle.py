"""One dunning cycle: plan the due steps, then dispatch the due outbox rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cobranza.channels.dispatcher import Dispatcher, DispatchReport, LinkBuilder
from cobranza.channels.ratelimit import TokenBucket
from cobranza.channels.sandbox import SandboxChannel
from cobranza.channels.twilio.sync import ContentSyncReport
from cobranza.channels.twilio.templates import HeldTemplate
from cobranza.compliance.reasons import Reason
from cobranza.db.engine import session_factory, transaction
from cobranza.db.models import Business
from cobranza.dunning.planner import PlanResult, plan
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import load_policy, policy_path_for
from cobranza.dunning.promises import check_promises
from cobranza.jobs.dry_run import DryRunMessage, dry_run_messages
from cobranza.jobs.twilio_templates import held_after_dispatch, sync_before_dispatch
from cobranza.payments import check_plans, queue_installment_reminders
from cobranza.payments.credits import apply_credits

logger = logging.getLogger(__name__)

# The sandbox writes to the local database, so its only limit is the disk,
# but the dispatcher still paces it like a provider to exercise that path.
SANDBOX_MESSAGES_PER_SECOND = 80.0


@dataclass
class CycleReport:
    """Counts of one cycle: rows planned and the dispatcher's outcomes.

    A dry run also lists each due message and what would happen to it.
    """

    now: datetime
    dry_run: bool
    plan: PlanResult
    dispatch: DispatchReport = field(default_factory=DispatchReport)
    messages: list[DryRunMessage] = field(default_factory=list)
    # The Twilio template sync that ran before the dispatch, if one did.
    template_sync: ContentSyncReport | None = None
    # The Twilio templates that held reminders wait for, when this dispatch
    # held some.
    held_templates: list[HeldTemplate] = field(default_factory=list)

    @property
    def planned(self) -> int:
        """Outbox rows the planner queued in this cycle."""
        return self.plan.messages_queued

    def as_dict(self) -> dict[str, Any]:
        values = {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "planned": self.planned,
            **self.dispatch.as_dict(),
            "plan": self.plan.as_dict(),
        }
        if self.dry_run:
            values["messages"] = [message.as_dict() for message in self.messages]
        return values


def sandbox_dispatcher(
    engine: Engine,
    now: datetime,
    messages_per_second: float = SANDBOX_MESSAGES_PER_SECOND,
    link_builder: LinkBuilder | None = None,
) -> Dispatcher:
    """Build a dispatcher that sends through the sandbox, stamping `now`.

    With `link_builder` (such as `cobranza.payments.link_for_outbox_row`)
    reminders carry a payment link. Without it they carry the business's
    payment instructions, and the text is the same on every run.
    """
    channel = SandboxChannel(engine, clock=lambda: now)
    burst = max(1, int(messages_per_second))
    return Dispatcher(
        engine,
        {channel.name: channel},
        rate_limits={channel.name: TokenBucket(messages_per_second, burst=burst)},
        link_builder=link_builder,
    )


def run_cycle(
    engine: Engine,
    business_id: int,
    now: datetime,
    dry_run: bool = False,
    *,
    policy: Policy | None = None,
    dispatcher: Dispatcher | None = None,
) -> CycleReport:
    """Plan and dispatch one cycle for a business at the instant `now`.

    Before a Twilio dispatcher sends, it reads the template approvals that
    held reminders wait for (`cobranza.jobs.twilio_templates`).

    With `dry_run` the planner and the gate run in one transaction that is
    rolled back, so nothing is written and no channel is called. The report
    then lists each due message with its outcome. Running twice at the same
    instant sends nothing new: the planner inserts each idempotency key once
    and sent rows are no longer due.
    """
    if dispatcher is None:
        dispatcher = sandbox_dispatcher(engine, now)

    if dry_run:
        return _dry_run(engine, business_id, now, policy, dispatcher)

    with transaction(engine) as session:
        business = _business(session, business_id)
        active_policy = policy or load_policy(policy_path_for(business))
        # Credits settle invoices before the planner reads the balances.
        apply_credits(session, business.id, now)
        _installment_upkeep(session, business, now)
        check_promises(session, business, now, active_policy)
        planned = plan(session, business, now, active_policy)

    report = CycleReport(now=now, dry_run=False, plan=planned)
    report.template_sync = sync_before_dispatch(dispatcher, business_id, now)
    report.dispatch = dispatcher.run(business_id, now)
    if report.dispatch.deferred.get(Reason.TEMPLATE_NOT_APPROVED):
        report.held_templates = held_after_dispatch(dispatcher, business_id)
    logger.info(
        "cycle for business %s at %s: %s planned, %s sent",
        business_id,
        now.isoformat(),
        report.planned,
        report.dispatch.sent,
    )
    return report


def _dry_run(
    engine: Engine,
    business_id: int,
    now: datetime,
    policy: Policy | None,
    dispatcher: Dispatcher,
) -> CycleReport:
    session = session_factory(engine)()
    try:
        session.begin()
        business = _business(session, business_id)
        active_policy = policy or load_policy(policy_path_for(business))
        # Credits settle invoices before the planner reads the balances.
        apply_credits(session, business.id, now)
        _installment_upkeep(session, business, now)
        check_promises(session, business, now, active_policy)
        planned = plan(session, business, now, active_policy)
        dispatch, claimed = dispatcher.evaluate(session, business_id, now)
        messages = dry_run_messages(session, claimed, business, now)
    finally:
        session.rollback()
        session.close()
    return CycleReport(
        now=now, dry_run=True, plan=planned, dispatch=dispatch, messages=messages
    )


def _installment_upkeep(session: Session, business: Business, now: datetime) -> None:
    """Break plans with a missed installment, then queue installment reminders.

    Runs before the planner, so a case resumed by a broken plan is planned
    in the same cycle.
    """
    broken = check_plans(session, business, now)
    queued = queue_installment_reminders(session, business, now)
    if broken or queued:
        logger.info(
            "business %s: %s installment plans broken, %s installment reminders queued",
            business.id,
            len(broken),
            queued,
        )


def _business(session: Session, business_id: int) -> Business:
    business = session.get(Business, business_id)
    if business is None:
        raise LookupError(
            f"business {business_id} not found: create it with an import first"
        )
    return business
