"""Stopping the scheduler ends its thread whatever the loop was doing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine

from cobranza.config import Settings
from cobranza.jobs.scheduler import Scheduler

MONDAY = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)
# Long enough that only a wake-up can end a wait during a test.
HOUR = 3600
# A bound on how long a stopped loop may take to end, far above its real cost.
JOIN_SECONDS = 20


class _StopBeforeClear(threading.Event):
    """A wake event whose first clear() comes right after a stop() signalled.

    This forces the interleaving where stop() sets the stop flag and the
    wake event between the loop's stop test and its clear of the event.
    """

    def __init__(self, scheduler: Scheduler) -> None:
        super().__init__()
        self.scheduler = scheduler
        self.cleared = 0

    def clear(self) -> None:
        self.cleared += 1
        if self.cleared == 1:
            self.scheduler._stop.set()
            super().set()
        super().clear()


def test_stop_between_test_and_clear(engine: Engine) -> None:
    # given
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    scheduler = Scheduler(engine, settings, interval_seconds=HOUR, clock=lambda: MONDAY)
    wake = _StopBeforeClear(scheduler)
    scheduler._wake = wake

    # when
    scheduler.start()
    thread = scheduler._thread
    assert thread is not None
    thread.join(JOIN_SECONDS)
    stopped = not thread.is_alive()
    scheduler.stop(timeout=JOIN_SECONDS)

    # then
    assert wake.cleared >= 1
    assert stopped
