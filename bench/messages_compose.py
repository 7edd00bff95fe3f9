"""Time `compose` over every step kind, locale and tone.

Run: /work/venv/bin/python bench/messages_compose.py [--rounds N]

The first pass includes reading, parsing and checking the 66 template
files; later passes use the cached templates, as a running process does.
"""

from __future__ import annotations

import argparse
import statistics
import time

from cobranza.messages import compose, sample_variables
from cobranza.messages.composer import all_combinations
from cobranza.messages.templates import _compiled, load_template


def _one_pass(combinations: list[tuple[str, str, str]], samples: dict) -> float:
    start = time.perf_counter()
    for step_kind, locale, tone in combinations:
        compose(step_kind, locale, tone, samples[locale])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50, help="warm passes to time")
    arguments = parser.parse_args()

    combinations = all_combinations()
    samples = {locale: sample_variables(locale) for _, locale, _ in combinations}

    load_template.cache_clear()
    _compiled.cache_clear()
    cold = _one_pass(combinations, samples)
    warm = [_one_pass(combinations, samples) for _ in range(arguments.rounds)]

    count = len(combinations)
    median = statistics.median(warm)
    print(f"messages per pass: {count}")
    print(f"cold pass (templates loaded): {cold * 1000:.1f} ms")
    print(f"warm pass median over {arguments.rounds}: {median * 1000:.1f} ms")
    print(f"per message, warm: {median / count * 1e6:.0f} µs")
    print(f"messages per second, warm: {count / median:,.0f}")


if __name__ == "__main__":
    main()
