from __future__ import annotations

import pytest

from cobranza.channels.ratelimit import SlidingWindowLimiter, TokenBucket


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


def test_window_allows_limit_then_waits() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(3, 1.0, clock=clock, sleep=clock.sleep)

    waits = []
    for _ in range(4):
        waits.append(limiter.acquire())
        limiter.release()

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0)


def test_window_counts_from_release() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, 1.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 0.3  # the provider takes 0.3 s to respond
    limiter.release()

    wait = limiter.acquire()

    # The next send starts a full second after the response, not the request.
    assert wait == pytest.approx(1.0)
    assert clock.now == pytest.approx(1.3)


def test_window_makes_up_slow_send() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(4, 1.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 0.6  # one slow send
    limiter.release()

    waits = []
    for _ in range(3):
        waits.append(limiter.acquire())
        limiter.release()

    # A token bucket with a burst of one would wait 0.25 s before each.
    assert waits == [0.0, 0.0, 0.0]


def test_window_never_exceeds_limit_in_any_second() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(5, 1.0, clock=clock, sleep=clock.sleep)
    starts = []
    for index in range(40):
        limiter.acquire()
        starts.append(clock.now)
        clock.now += 0.01 * (index % 7)  # sends of uneven length
        limiter.release()

    for index, start in enumerate(starts):
        in_window = [other for other in starts[index:] if other < start + 1.0]
        assert len(in_window) <= 5


@pytest.mark.parametrize(
    ("rate", "limit", "window"),
    [(80, 80, 1.0), (2.5, 2, 1.0), (0.5, 1, 2.0)],
)
def test_window_per_second(rate: float, limit: int, window: float) -> None:
    limiter = SlidingWindowLimiter.per_second(rate)

    assert limiter.limit == limit
    assert limiter.window == pytest.approx(window)


@pytest.mark.parametrize("rate", [0, -1])
def test_window_non_positive_rate_rejected(rate: float) -> None:
    with pytest.raises(ValueError, match="messages per second"):
        SlidingWindowLimiter.per_second(rate)


def test_window_zero_limit_rejected() -> None:
    with pytest.raises(ValueError, match="limit"):
        SlidingWindowLimiter(0)
