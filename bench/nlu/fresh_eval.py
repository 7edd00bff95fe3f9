"""Score reply understanding on the fresh evaluation sets.

    /work/venv/bin/python bench/nlu/fresh_eval.py [--set FILE] [--errors]

`fresh_eval.tsv` contains replies written without reading the corpus templates,
labelled by the precedence rule in `docs/etiquetado.md`. `fresh_eval2.tsv` is a
second set of 440 replies (40 per intent, Spain's Spanish included), written
later by another author who had read only the labelling guide. Both are read
here and in one test only, never trained on, so their scores are the ones to
trust more than the held-out split of the synthetic corpus. The shipped model
is used (trained on every corpus row), through the full `understand()` path.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cobranza.conversations.corpus import load_corpus
from cobranza.conversations.understand import understand

FRESH_EVAL = Path(__file__).with_name("fresh_eval.tsv")
NOW = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo("UTC"))
LOCALES = {
    "AR": "es_AR",
    "UY": "es_UY",
    "MX": "es_MX",
    "CO": "es_CO",
    "CL": "es_CL",
    "PE": "es_PE",
    "ES": "es_ES",
    "BR": "pt_BR",
}


@dataclass(frozen=True)
class FreshReply:
    """One labelled reply of the fresh set."""

    text: str
    intent: str
    country: str


def load_fresh(path: Path = FRESH_EVAL) -> list[FreshReply]:
    """Read the fresh set: a TSV with `text`, `intent` and `country` columns."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            FreshReply(row["text"], row["intent"], row["country"]) for row in reader
        ]


def predict(replies: list[FreshReply]) -> list[str]:
    """Return the intent `understand()` gives each reply, in its country's locale."""
    return [
        understand(reply.text, NOW, "UTC", LOCALES[reply.country]).intent
        for reply in replies
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument(
        "--set", type=Path, default=FRESH_EVAL, help="the TSV to score (fresh_eval.tsv)"
    )
    arguments = parser.parse_args()

    replies = load_fresh(arguments.set)
    predicted = predict(replies)
    correct = sum(
        guess == reply.intent for guess, reply in zip(predicted, replies, strict=True)
    )
    print(
        f"{arguments.set.name}: {correct}/{len(replies)} = {correct / len(replies):.3f}"
    )
    corpus_texts = {row.text.lower() for row in load_corpus()}
    unseen = [
        guess == reply.intent
        for guess, reply in zip(predicted, replies, strict=True)
        if reply.text.lower() not in corpus_texts
    ]
    print(
        f"replies not also in the corpus: {sum(unseen)}/{len(unseen)}"
        f" = {sum(unseen) / len(unseen):.3f}"
    )

    totals = Counter(reply.intent for reply in replies)
    hits = Counter(
        reply.intent
        for guess, reply in zip(predicted, replies, strict=True)
        if guess == reply.intent
    )
    for intent in sorted(totals):
        print(f"  {intent}: {hits[intent]}/{totals[intent]}")
    if arguments.errors:
        for guess, reply in zip(predicted, replies, strict=True):
            if guess != reply.intent:
                print(f"{reply.country} {reply.intent} -> {guess}: {reply.text}")


if __name__ == "__main__":
    main()
