"""Rate limiters that keep one channel under its messages-per-second limit.

The dispatcher calls `acquire` before each send and `release` once the
provider has responded. `TokenBucket` spaces sends evenly, and
`SlidingWindowLimiter` counts sends in a rolling window.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    """The interface the dispatcher calls on a rate limiter."""

    def acquire(self) -> float:
        """Wait until one more send is allowed; return the wait in seconds."""
        ...

    def release(self) -> None:
        """Mark the send that the last `acquire` allowed as finished."""
        ...


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

    def release(self) -> None:
        """Do nothing: a token is spent when `acquire` takes it."""

    def _refill(self) -> None:
        current = self._clock()
        elapsed = max(0.0, current - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = current


class SlidingWindowLimiter:
    """Allow at most `limit` sends in any rolling window of `window` seconds.

    A send occupies its slot from `acquire` until `release`, and the send
    `limit` places later starts only `window` seconds after that release. A
    receiver that timestamps each request anywhere between its start and
    its response therefore never counts more than `limit` in a window.
    Time lost to a slow send is made up by the next sends, which a token
    bucket with a burst of one cannot do. It serves one caller at a time.
    """

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError(f"invalid limit {limit!r}: set 1 or more messages")
        if window <= 0:
            raise ValueError(
                f"invalid window {window!r}: set a positive number of seconds"
            )
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        # Release instants of the last `limit` sends; the newest may still
        # hold its start instant until `release`.
        self._slots: deque[float] = deque()

    @classmethod
    def per_second(
        cls,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> SlidingWindowLimiter:
        """Build a limiter for `rate` messages per second.

        A rate of 1 or more allows `floor(rate)` sends per second, so a
        fractional part is given up rather than exceeded. A lower rate
        allows one send per `1 / rate` seconds.
        """
        if rate <= 0:
            raise ValueError(
                f"invalid rate {rate!r}: set a positive number of messages per second"
            )
        if rate >= 1:
            return cls(math.floor(rate), 1.0, clock=clock, sleep=sleep)
        return cls(1, 1 / rate, clock=clock, sleep=sleep)

    def acquire(self) -> float:
        """Wait until a send fits in the window; return the wait in seconds."""
        waited = 0.0
        if len(self._slots) >= self.limit:
            waited = max(0.0, self._slots[0] + self.window - self._clock())
            if waited > 0:
                self._sleep(waited)
            self._slots.popleft()
        self._slots.append(self._clock())
        return waited

    def release(self) -> None:
        """Restart the newest slot's window at the provider's response."""
        if self._slots:
            self._slots[-1] = self._clock()
