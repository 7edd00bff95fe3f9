from __future__ import annotations

import pytest

from cobranza.channels.ratelimit import TokenBucket


class FakeClock:
    """A monotonic clock that moves only when the bucket sleeps or a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_burst_passes_without_waiting() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, burst=3, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(3)]

    assert waits == [0.0, 0.0, 0.0]
    assert clock.sleeps == []


def test_rate_paces_after_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(4, burst=1, clock=clock, sleep=clock.sleep)

    for _ in range(9):
        bucket.acquire()

    # The first token is free; eight more at 4 per second take two seconds.
    assert clock.now == pytest.approx(2.0)
    assert clock.sleeps == [pytest.approx(0.25)] * 8


def test_idle_time_refills_up_to_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, burst=2, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()

    clock.now += 60
    waits = [bucket.acquire() for _ in range(3)]

    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(0.5)


def test_clock_that_stands_still_still_paces() -> None:
    sleeps: list[float] = []
    bucket = TokenBucket(5, clock=lambda: 0.0, sleep=sleeps.append)

    for _ in range(4):
        bucket.acquire()

    assert sleeps == [pytest.approx(0.2)] * 3


@pytest.mark.parametrize("rate", [0, -1])
def test_non_positive_rate_rejected(rate: float) -> None:
    with pytest.raises(ValueError, match="messages per second"):
        TokenBucket(rate)


def test_zero_burst_rejected() -> None:
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(1, burst=0)
