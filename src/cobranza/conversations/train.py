"""Retrain the shipped intent model from the shipped corpus.

    python -m cobranza.conversations.train            # write the model files
    python -m cobranza.conversations.train --evaluate # also report held-out scores

The shipped model is trained on every corpus row. `--evaluate` first trains a
second model on the train split alone and scores it on the held-out split.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cobranza.conversations.corpus import load_corpus, split_rows
from cobranza.conversations.model import save, shipped_model_path, train


def _evaluate() -> None:
    from sklearn.metrics import accuracy_score, f1_score

    rows = load_corpus()
    model = train(split_rows(rows, "train"))
    test = split_rows(rows, "test")
    expected = [row.intent for row in test]
    predicted = model.predict_many([row.text for row in test])
    accuracy = accuracy_score(expected, predicted)
    macro_f1 = f1_score(expected, predicted, average="macro")
    print(f"held-out replies: {len(test)}")
    print(f"accuracy: {accuracy:.3f}  macro-F1: {macro_f1:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=shipped_model_path(),
        help="model file to write (default: the one shipped in the package)",
    )
    parser.add_argument(
        "--evaluate", action="store_true", help="report held-out accuracy first"
    )
    arguments = parser.parse_args(argv)
    if arguments.evaluate:
        _evaluate()

    started = time.perf_counter()
    model = train(load_corpus())
    save(model, arguments.output)
    elapsed = time.perf_counter() - started
    print(
        f"trained on {model.train_rows} replies in {elapsed:.1f} s: {arguments.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
