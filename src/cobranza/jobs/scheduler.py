"""The embedded scheduler of `cobranza serve`: one background thread.

Every `interval` seconds it runs, in order and each guarded on its own:

1. once per local day and business, the customers' segments
   (`refresh_segments`), which the dashboard lists and policies use;
2. the webhook-event processor (`process_pending_events`), which also
   queues the messages that reply to customers;
3. the dunning cycle (`run_cycle`: planner, then dispatcher) of every
   business whose contact window is open at that instant. The gate checks
   the window again for each message, so this check only saves idle work.
   A Twilio business's cycle first reads the Content template approvals
   that its held reminders wait for, at most every 15 minutes, because the
   dispatcher and its channel are kept across runs.
4. any extra tasks the caller wires in, such as outgoing webhook deliveries.

Between runs it listens for replies: when a customer's reply has been
handled and committed, the scheduler wakes and dispatches that business's
due messages at once (inside the contact window), so the answer to "te pago
el viernes" goes out within seconds rather than at the next run.

A failing task is logged with its error and the next one still runs, so one
bad business or event does not stop the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.inbox import process_pending_events
from cobranza.compliance.business_days import effective_due_dates
from cobranza.compliance.rules import rules_for_business
from cobranza.compliance.window import is_allowed
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import Business
from cobranza.jobs.channels import SANDBOX, build_dispatcher, business_channel
from cobranza.jobs.cycle import run_cycle
from cobranza.jobs.replies import add_reply_listener
from cobranza.payments import link_for_outbox_row
from cobranza.portfolio import SegmentRules, refresh_segments
from cobranza.timeutil import local_date, utcnow

logger = logging.getLogger(__name__)

Task = Callable[[datetime], object]


@dataclass
class TickReport:
    """Counts of one scheduler run: businesses cycled, events, failures."""

    at: datetime
    segments_refreshed: list[int] = field(default_factory=list)
    businesses_cycled: list[int] = field(default_factory=list)
    businesses_outside_window: list[int] = field(default_factory=list)
    events_processed: int = 0
    messages_sent: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class ReplyRunReport:
    """Counts of one dispatch run woken by customers' replies."""

    at: datetime
    businesses_dispatched: list[int] = field(default_factory=list)
    businesses_outside_window: list[int] = field(default_factory=list)
    messages_sent: int = 0
    failures: list[str] = field(default_factory=list)


class Scheduler:
    """Runs the periodic work of a single-process installation."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        interval_seconds: float | None = None,
        clock: Callable[[], datetime] = utcnow,
        extra_tasks: list[tuple[str, Task]] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.interval = interval_seconds or settings.scheduler_interval_seconds
        self.clock = clock
        self.extra_tasks = list(extra_tasks or [])
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._replied: set[int] = set()
        self._replied_lock = threading.Lock()
        self._remove_listener: Callable[[], None] | None = None
        self._dispatchers: dict[str, Dispatcher] = {}
        # The local day whose segments are stored, per business.
        self._segments_day: dict[int, date] = {}

    def _dispatcher(self, channel: str, now: datetime) -> Dispatcher:
        if channel == SANDBOX:
            return build_dispatcher(
                self.engine,
                self.settings,
                channel,
                now,
                link_builder=link_for_outbox_row,
            )
        # A real channel keeps its HTTP client and pacing across ticks.
        if channel not in self._dispatchers:
            self._dispatchers[channel] = build_dispatcher(
                self.engine,
                self.settings,
                channel,
                now,
                link_builder=link_for_outbox_row,
                clock=self.clock,
            )
        return self._dispatchers[channel]

    def _businesses(self, ids: list[int] | None = None) -> list[Any]:
        """Return (id, country, timezone, settings) of the businesses, by id."""
        query = select(
            Business.id, Business.country, Business.timezone, Business.settings
        ).order_by(Business.id)
        if ids is not None:
            query = query.where(Business.id.in_(ids))
        with transaction(self.engine) as session:
            return list(session.execute(query).all())

    def _window_dispatcher(
        self,
        country: str,
        timezone: str,
        business_settings: dict[str, Any] | None,
        now: datetime,
    ) -> Dispatcher | None:
        """Return the business's dispatcher, or None outside its contact window."""
        rules = rules_for_business(country, business_settings)
        if not is_allowed(rules, now, timezone):
            return None
        return self._dispatcher(business_channel(business_settings), now)

    def run_once(self, now: datetime) -> TickReport:
        """Run every task once at the instant `now`."""
        report = TickReport(at=now)
        businesses = self._businesses()

        for business_id, _country, timezone, _settings in businesses:
            self._refresh_segments(business_id, timezone, now, report)

        # Events first, so the messages they queue in reply to customers go
        # out with this run's cycle instead of waiting for the next one.
        try:
            report.events_processed = process_pending_events(
                self.engine, now, settings=self.settings
            )
        except Exception as exc:  # noqa: BLE001 - logged; the loop goes on
            report.failures.append("webhook_events")
            logger.exception("webhook event processing failed: %s", type(exc).__name__)

        for business_id, country, timezone, business_settings in businesses:
            try:
                dispatcher = self._window_dispatcher(
                    country, timezone, business_settings, now
                )
                if dispatcher is None:
                    report.businesses_outside_window.append(business_id)
                    continue
                cycle = run_cycle(self.engine, business_id, now, dispatcher=dispatcher)
                report.businesses_cycled.append(business_id)
                report.messages_sent += cycle.dispatch.sent
            except Exception as exc:  # noqa: BLE001 - logged; the loop goes on
                report.failures.append(f"cycle:{business_id}")
                logger.exception(
                    "dunning cycle of business %s failed: %s",
                    business_id,
                    type(exc).__name__,
                )

        for name, task in self.extra_tasks:
            try:
                task(now)
            except Exception as exc:  # noqa: BLE001 - logged; the loop goes on
                report.failures.append(name)
                logger.exception(
                    "scheduled task %s failed: %s", name, type(exc).__name__
                )
        return report

    def _refresh_segments(
        self, business_id: int, timezone: str, now: datetime, report: TickReport
    ) -> None:
        today = local_date(now, timezone)
        if self._segments_day.get(business_id) == today:
            return
        try:
            with transaction(self.engine) as session:
                business = session.get_one(Business, business_id)
                refresh_segments(
                    session,
                    business,
                    today,
                    SegmentRules.from_settings(self.settings),
                    effective_due=effective_due_dates(business),
                )
        except Exception as exc:  # noqa: BLE001 - logged; the loop goes on
            report.failures.append(f"segments:{business_id}")
            logger.exception(
                "segment refresh of business %s failed: %s",
                business_id,
                type(exc).__name__,
            )
            return
        self._segments_day[business_id] = today
        report.segments_refreshed.append(business_id)

    def notify_reply(self, business_id: int) -> None:
        """Note a committed reply of `business_id` and wake the loop."""
        with self._replied_lock:
            self._replied.add(business_id)
        self._wake.set()

    def run_replies(self, now: datetime) -> ReplyRunReport:
        """Dispatch the due messages of every business noted by `notify_reply`.

        A business outside its contact window is left for the regular run
        that finds the window open; the gate would defer its messages anyway.
        """
        with self._replied_lock:
            business_ids, self._replied = sorted(self._replied), set()
        report = ReplyRunReport(at=now)
        if not business_ids:
            return report
        for business_id, country, timezone, business_settings in self._businesses(
            business_ids
        ):
            try:
                dispatcher = self._window_dispatcher(
                    country, timezone, business_settings, now
                )
                if dispatcher is None:
                    report.businesses_outside_window.append(business_id)
                    continue
                dispatch = dispatcher.run(business_id, now)
                report.businesses_dispatched.append(business_id)
                report.messages_sent += dispatch.sent
            except Exception as exc:  # noqa: BLE001 - logged; the loop goes on
                report.failures.append(f"replies:{business_id}")
                logger.exception(
                    "reply dispatch of business %s failed: %s",
                    business_id,
                    type(exc).__name__,
                )
        return report

    def _loop(self) -> None:
        logger.info("scheduler started, every %.0f seconds", self.interval)
        next_run = time.monotonic()
        while not self._stop.is_set():
            # Cleared before the work, so a reply noted during it wakes the
            # next wait at once.
            self._wake.clear()
            # A stop() that landed between the loop test and the clear above
            # had its wake-up erased, so the stop flag is read again.
            if self._stop.is_set():
                break
            if time.monotonic() >= next_run:
                # The regular run dispatches what replies queued as well.
                with self._replied_lock:
                    self._replied.clear()
                report = self.run_once(self.clock())
                logger.info(
                    "scheduler run: %d businesses cycled, %d messages sent, "
                    "%d webhook events, %d failures",
                    len(report.businesses_cycled),
                    report.messages_sent,
                    report.events_processed,
                    len(report.failures),
                )
                next_run = time.monotonic() + self.interval
            else:
                replies = self.run_replies(self.clock())
                if replies.businesses_dispatched:
                    logger.info(
                        "reply dispatch: %d businesses, %d messages sent",
                        len(replies.businesses_dispatched),
                        replies.messages_sent,
                    )
            self._wake.wait(max(0.0, next_run - time.monotonic()))
        logger.info("scheduler stopped")

    def start(self) -> None:
        """Start the background thread; the first run happens at once."""
        if self._thread is not None:
            raise RuntimeError("scheduler already started")
        self._remove_listener = add_reply_listener(self.notify_reply)
        self._thread = threading.Thread(
            target=self._loop, name="cobranza-scheduler", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to stop and wait for the current run to finish."""
        self._stop.set()
        self._wake.set()
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for dispatcher in self._dispatchers.values():
            dispatcher.close()
        self._dispatchers.clear()
