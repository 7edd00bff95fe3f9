"""Benchmark reply understanding: intents, entities, dates and latency.

    /work/venv/bin/python bench/nlu/bench_nlu.py [--shared-data DIR]

1. Intent accuracy and macro-F1 per intent on the corpus's held-out split,
   for a model trained on the train split only: the model alone, and the
   full `understand()` path (opt-out rules first). Each accuracy comes with
   a 95% interval from resampling whole template families, because replies
   of one family tend to succeed or fail together, and is also given apart
   for the replies of each template layer.
2. Entity accuracy on the held-out rows that carry an annotation.
3. Day-level accuracy on Duckling's Spanish time corpus (selection rule in
   `duckling_corpus.py`), next to dateparser on the same strings.
4. Latency of `understand()` per reply, with the model already loaded.
5. Robustness: share of the Spanish multilingual task-oriented dialog test
   utterances (alarms, reminders, weather) that come out as `other`.

Data under the shared folder is read only here, never trained on. The
fresh evaluation set of replies written apart from the corpus is scored by
`fresh_eval.py` beside this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, f1_score

from cobranza.conversations.amounts import find_amount
from cobranza.conversations.corpus import (
    CorpusRow,
    load_corpus,
    split_rows,
    template_layer,
)
from cobranza.conversations.dates import find_dates, promised_date
from cobranza.conversations.installments import find_installments
from cobranza.conversations.model import IntentModel, train
from cobranza.conversations.normalize import fold
from cobranza.conversations.understand import understand

sys.path.insert(0, str(Path(__file__).parent))
from duckling_corpus import REFERENCE_NOW, load_day_examples  # noqa: E402
from train_folds import template_family_ranks  # noqa: E402

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
CORPUS_DAY = date(2026, 3, 19)
CORPUS_NOW = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo("America/Buenos_Aires"))


def intents(model: IntentModel, test: list[CorpusRow]) -> None:
    expected = [row.intent for row in test]
    model_only = model.predict_many([row.text for row in test])
    full = [
        understand(
            row.text, CORPUS_NOW, "America/Buenos_Aires", row.locale, model=model
        )
        for row in test
    ]
    full_intents = [result.intent for result in full]
    print(f"## Intents: {len(test)} held-out replies")
    families = _families(test)
    for name, predicted in (
        ("model alone", model_only),
        ("understand()", full_intents),
    ):
        accuracy = accuracy_score(expected, predicted)
        macro = f1_score(expected, predicted, average="macro")
        correct = [e == p for e, p in zip(expected, predicted, strict=True)]
        low, high = _family_interval(families, correct)
        print(
            f"{name}: accuracy {accuracy:.3f} (95% interval by family "
            f"{low:.3f}-{high:.3f}), macro-F1 {macro:.3f}"
        )
        for layer, hits in _by_layer(test, correct).items():
            print(f"  {layer}: {sum(hits)}/{len(hits)} = {sum(hits) / len(hits):.3f}")
    print("\nPer intent, understand():")
    print(classification_report(expected, full_intents, digits=3, zero_division=0))


def _by_layer(rows: list[CorpusRow], correct: list[bool]) -> dict[str, list[bool]]:
    """Group per-row hits by template layer."""
    layers: dict[str, list[bool]] = {}
    for row, hit in sorted(
        zip(rows, correct, strict=True), key=lambda pair: template_layer(pair[0].group)
    ):
        layers.setdefault(f"layer {template_layer(row.group)}", []).append(hit)
    return layers


def _families(rows: list[CorpusRow]) -> list[tuple[str, int]]:
    """Return the template family of each row, for a mixed reply its first part's."""
    ranks = template_family_ranks()
    families = []
    for row in rows:
        group = row.group.removeprefix("mix/").split("+")[0]
        families.append((group.split("/")[0], ranks[group]))
    return families


def _family_interval(
    families: list[tuple[str, int]], correct: list[bool], resamples: int = 2000
) -> tuple[float, float]:
    """Return the 2.5th and 97.5th percentiles of accuracy over family resamples."""
    by_family: dict[tuple[str, int], list[bool]] = {}
    for family, hit in zip(families, correct, strict=True):
        by_family.setdefault(family, []).append(hit)
    hits = np.array([sum(values) for values in by_family.values()])
    sizes = np.array([len(values) for values in by_family.values()])
    rng = np.random.default_rng(0)
    accuracies = []
    for _ in range(resamples):
        chosen = rng.integers(0, len(hits), len(hits))
        accuracies.append(hits[chosen].sum() / sizes[chosen].sum())
    low, high = np.percentile(accuracies, [2.5, 97.5])
    return float(low), float(high)


def family_folds() -> None:
    """Score all five held-out folds of template families, not just the shipped one.

    The fold counted from `TEST_OFFSET` is the held-out split itself, so
    these scores are for reporting. Settings are chosen on the folds of the
    train split alone, with `select_model.py`.
    """
    from cobranza.conversations import corpus

    scores = []
    shipped_offset = corpus.TEST_OFFSET
    try:
        for offset in range(corpus.TEST_EVERY):
            corpus.TEST_OFFSET = offset
            rows = corpus.generate()
            model = train(split_rows(rows, "train"))
            test = split_rows(rows, "test")
            predicted = model.predict_many([row.text for row in test])
            scores.append(accuracy_score([row.intent for row in test], predicted))
    finally:
        corpus.TEST_OFFSET = shipped_offset
    listed = ", ".join(f"{score:.3f}" for score in scores)
    mean = statistics.mean(scores)
    print(f"## Model alone, five family folds: {listed}; mean {mean:.3f}")


def entities(test: list[CorpusRow]) -> None:
    dated = [row for row in test if row.promised_date and row.intent != "already_paid"]
    dates_ok = sum(
        str(promised_date(row.text, CORPUS_DAY, row.locale)) == row.promised_date
        for row in dated
    )
    priced = [row for row in test if row.amount]
    amounts_ok = sum(find_amount(row.text) == Decimal(row.amount) for row in priced)
    counted = [row for row in test if row.installments]
    counts_ok = sum(
        find_installments(row.text) == int(row.installments) for row in counted
    )
    unpriced = [row for row in test if not row.amount]
    spurious = sum(find_amount(row.text) is not None for row in unpriced)
    print("## Entities on annotated held-out rows")
    print(f"promised date: {dates_ok}/{len(dated)} = {dates_ok / len(dated):.3f}")
    print(f"amount: {amounts_ok}/{len(priced)} = {amounts_ok / len(priced):.3f}")
    print(f"installments: {counts_ok}/{len(counted)} = {counts_ok / len(counted):.3f}")
    print(f"amount found where none annotated: {spurious}/{len(unpriced)}")


def duckling(shared: Path) -> None:
    root = shared / "duckling-es"
    if not root.exists():
        print(f"## Duckling: skipped, {root} not found")
        return
    import dateparser

    examples = load_day_examples(root)
    today = REFERENCE_NOW.date()
    naive_now = REFERENCE_NOW.replace(tzinfo=None)
    settings = {"RELATIVE_BASE": naive_now, "PREFER_DATES_FROM": "future"}
    ours_ok = 0
    theirs_ok = 0
    misses = []
    for text, expected in examples:
        mentions = find_dates(text, today, "es")
        ours = mentions[0].start if mentions else None
        parsed = dateparser.parse(text, languages=["es"], settings=settings)
        theirs = parsed.date() if parsed else None
        ours_ok += ours == expected
        theirs_ok += theirs == expected
        if ours != expected:
            misses.append(f"{text!r}: expected {expected}, got {ours}")
    total = len(examples)
    print(f"## Duckling Spanish time corpus: {total} day-level strings")
    print(f"cobranza dates: {ours_ok}/{total} = {ours_ok / total:.3f}")
    version = dateparser.__version__
    print(f"dateparser {version}: {theirs_ok}/{total} = {theirs_ok / total:.3f}")
    print("cobranza misses: " + "; ".join(misses))


def latency(model: IntentModel, texts: list[str]) -> None:
    """Time `understand()` per reply: wall clock, and CPU time of this thread.

    CPU time is reported too because the wall clock on a shared machine
    includes waits for a core. The second pass empties the cache of
    `fold` (keyed by whole texts) before each reply, so that it costs what a
    new reply costs; the caches keyed by single words stay warm, as they do
    in a running server.
    """
    for text in texts:
        understand(text, CORPUS_NOW, "America/Buenos_Aires", model=model)
    wall = []
    cpu = []
    for text in texts:
        fold.cache_clear()
        started, started_cpu = time.perf_counter(), time.thread_time()
        understand(text, CORPUS_NOW, "America/Buenos_Aires", model=model)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    wall.sort()
    cpu.sort()
    print(f"## Latency of understand(): {len(texts)} replies, second pass")
    for name, timings in (("wall", wall), ("cpu", cpu)):
        p95 = timings[int(len(timings) * 0.95)]
        mean = statistics.mean(timings)
        median = statistics.median(timings)
        print(f"{name}: mean {mean:.2f} ms, median {median:.2f} ms, p95 {p95:.2f} ms")


def robustness(model: IntentModel, shared: Path) -> None:
    path = shared / "multilingual-task-oriented-dialog-es" / "test-es.tsv"
    if not path.exists():
        print(f"## Robustness: skipped, {path} not found")
        return
    texts = [
        line.split("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()
    ]
    counts = Counter(
        understand(text, CORPUS_NOW, "America/Buenos_Aires", model=model).intent
        for text in texts
    )
    print(f"## Robustness: {len(texts)} alarm/reminder/weather utterances")
    for intent, count in counts.most_common():
        print(f"{intent}: {count} ({count / len(texts):.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=DEFAULT_SHARED)
    arguments = parser.parse_args()

    rows = load_corpus()
    started = time.perf_counter()
    model = train(split_rows(rows, "train"))
    elapsed = time.perf_counter() - started
    print(f"trained on {model.train_rows} replies in {elapsed:.1f} s\n")
    test = split_rows(rows, "test")
    intents(model, test)
    family_folds()
    print()
    entities(test)
    print()
    duckling(arguments.shared_data)
    print()
    latency(model, [row.text for row in test])
    print()
    robustness(model, arguments.shared_data)


if __name__ == "__main__":
    main()
