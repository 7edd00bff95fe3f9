"""Time helpers. "Now" is always passed in; nothing here reads the clock
except `utcnow`, which only entry points call."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Return the current instant in UTC; for entry points only."""
    return datetime.now(UTC)


def parse_instant(text: str, default_tz: str) -> datetime:
    """Parse an ISO date or datetime; naive values are read in `default_tz`.

    A bare date means the start of that day (00:00) in `default_tz`.
    """
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        # fromisoformat takes ASCII digits only, so "２０２６-03-20" fails here
        # and gets its own hint.
        problem = "usá ISO 8601"
        if any(char.isdecimal() and not char.isascii() for char in value):
            problem = (
                "tiene dígitos que no son los ASCII 0 a 9. Usá ISO 8601 con los "
                "dígitos 0 a 9"
            )
        # The example carries the offset of `default_tz`, the owner's own.
        example = datetime(2026, 3, 20, 10, tzinfo=ZoneInfo(default_tz))
        raise ValueError(
            f"fecha u hora inválida {text!r}: {problem}, como 2026-03-20 "
            f"o {example.isoformat(timespec='minutes')}"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
    return parsed


def local_date(instant: datetime, tz: str) -> date:
    """Return the calendar day that `instant` falls on in zone `tz`."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: attach a zone")
    return instant.astimezone(ZoneInfo(tz)).date()


def start_of_day(day: date, tz: str) -> datetime:
    """Return the instant that `day` begins in zone `tz`, in UTC."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def end_of_day(day: date, tz: str) -> datetime:
    """Return the last instant of `day` in zone `tz` (23:59:59.999999), in UTC."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(tz)).astimezone(UTC)
