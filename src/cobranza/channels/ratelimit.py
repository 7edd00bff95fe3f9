"""A token bucket that keeps one channel under its messages-per-second limit."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Allow `rate` acquisitions per second on average, in bursts of `burst`.

    `clock` returns seconds from a monotonic source and `sleep` waits a number
    of seconds; tests pass fakes for both so they never wait for real.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(
                f"invalid rate {rate!r}: set a positive number of messages per second"
            )
        if burst < 1:
            raise ValueError(f"invalid burst {burst!r}: set 1 or more messages")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; return the wait."""
        self._refill()
        waited = 0.0
        if self._tokens < 1:
            waited = (1 - self._tokens) / self.rate
            self._sleep(waited)
            self._refill()
            # A fake or coarse clock may not have advanced by the full wait,
            # and the token was paid for by sleeping either way.
            self._tokens = max(self._tokens, 1.0)
        self._tokens -= 1
        return waited

    def _refill(self) -> None:
        current = self._clock()
        elapsed = max(0.0, current - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = current
