"""Read the day-level examples of Duckling's Spanish time corpus.

The corpus is a Haskell file of `examples (datetime (Y, M, D, h, m, s) Grain)
[ "text", ... ]` groups. Selection rule: keep the groups whose value is a
single `datetime` (no interval, no holiday) with grain `Day` or `Week`. They
cover today and tomorrow, weekdays, relative days and weeks, day-of-month
and dates with month names. Clock times, months, years and seasons are
dropped, because a promise to pay names a day. Repeated strings are counted
once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

CORPUS_PATH = Path("Duckling") / "Time" / "ES" / "Corpus.hs"
# Duckling's test context: Tuesday 2013-02-12 04:30 at UTC-2.
REFERENCE_NOW = datetime(2013, 2, 12, 4, 30, tzinfo=timezone(timedelta(hours=-2)))

_GROUP = re.compile(
    r"examples\s*\(datetime\s*\((\d+),\s*(\d+),\s*(\d+),[^)]*\)\s*(\w+)\)\s*\[(.*?)\]",
    re.DOTALL,
)
_STRING = re.compile(r'"([^"]*)"')


def load_day_examples(root: Path) -> list[tuple[str, date]]:
    """Return (text, expected day) pairs under the selection rule above."""
    source = (root / CORPUS_PATH).read_text(encoding="utf-8")
    seen: set[str] = set()
    examples: list[tuple[str, date]] = []
    for match in _GROUP.finditer(source):
        year, month, day, grain, body = match.groups()
        if grain not in ("Day", "Week"):
            continue
        expected = date(int(year), int(month), int(day))
        for text in _STRING.findall(body):
            if text in seen:
                continue
            seen.add(text)
            examples.append((text, expected))
    return examples
