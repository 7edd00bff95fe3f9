"""Compare intent model settings on the family folds of the train split.

    /work/venv/bin/python bench/nlu/select_model.py [--only NAME ...]
        [--sentence-confidence P] [--other-weights W ...]
        [--low-confidences T ...]

Each candidate is a feature set and a classifier. It is trained and scored
on the four family folds of `train_folds.py`, and the script prints its
accuracy through `understand()` (rules and sentence step included) on each
fold, and the means of that and of the model alone. Each candidate is also
scored with every pair of a weight for the `other` probability
(`model.OTHER_WEIGHT`) and a low-confidence threshold
(`understand.LOW_CONFIDENCE`). The defaults are the shipped values. The
held-out split is never read here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from cobranza.conversations import understand as understand_module
from cobranza.conversations.corpus import load_corpus
from cobranza.conversations.cues import cue_text
from cobranza.conversations.model import (
    OTHER_WEIGHT,
    RANDOM_STATE,
    FrequentTermsVectorizer,
)
from cobranza.conversations.normalize import fold, sentences

sys.path.insert(0, str(Path(__file__).parent))
from train_folds import Fold, train_folds, understand_intents  # noqa: E402


def _features(
    chars: tuple[int, int] = (2, 5),
    phrases: tuple[int, int] | None = (4, 6),
    words: tuple[int, int] = (1, 2),
    cue_ngrams: tuple[int, int] = (1, 2),
    weights: dict[str, float] | None = None,
    phrase_features: int = 60_000,
) -> FeatureUnion:
    parts = [
        (
            "chars",
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=chars,
                preprocessor=fold,
                sublinear_tf=True,
                min_df=2,
                dtype=np.float32,
            ),
        ),
        (
            "words",
            TfidfVectorizer(
                analyzer="word",
                ngram_range=words,
                preprocessor=fold,
                token_pattern=r"(?u)\b\w+\b",
                sublinear_tf=True,
                dtype=np.float32,
            ),
        ),
        (
            "cues",
            TfidfVectorizer(
                analyzer="word",
                ngram_range=cue_ngrams,
                preprocessor=cue_text,
                lowercase=False,
                token_pattern=r"\S+",
                sublinear_tf=True,
                dtype=np.float32,
            ),
        ),
    ]
    if phrases is not None:
        parts.insert(
            1,
            (
                "phrases",
                FrequentTermsVectorizer(
                    analyzer="char",
                    ngram_range=phrases,
                    preprocessor=fold,
                    sublinear_tf=True,
                    min_df=3,
                    max_features=phrase_features,
                    dtype=np.float32,
                ),
            ),
        )
    return FeatureUnion(parts, transformer_weights=weights)


class _Average:
    """Average the probabilities of several classifiers."""

    def __init__(self, members: list[Any]) -> None:
        self.members = members

    def fit(self, x: object, y: object) -> _Average:
        self.fitted_ = [clone(member).fit(x, y) for member in self.members]
        self.classes_ = self.fitted_[0].classes_
        return self

    def predict_proba(self, x: object) -> Any:
        return np.mean([member.predict_proba(x) for member in self.fitted_], axis=0)


def _lr(c: float, **options: object) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, random_state=RANDOM_STATE, **options)


def _svm(c: float, ensemble: bool = True) -> CalibratedClassifierCV:
    return CalibratedClassifierCV(
        LinearSVC(C=c, random_state=RANDOM_STATE),
        method="sigmoid",
        cv=3,
        ensemble=ensemble,
    )


FEATURES: dict[str, Callable[[], FeatureUnion]] = {
    "base": _features,
    "cues x1.5": lambda: _features(weights={"cues": 1.5}),
    "cues x2": lambda: _features(weights={"cues": 2.0}),
    "cues x0.7": lambda: _features(weights={"cues": 0.7}),
    "cues 1-3": lambda: _features(cue_ngrams=(1, 3)),
    "chars 1-5": lambda: _features(chars=(1, 5)),
    "chars 2-6": lambda: _features(chars=(2, 6)),
    "words 1-3": lambda: _features(words=(1, 3)),
    "no phrases": lambda: _features(phrases=None),
    "phrases 3-6": lambda: _features(phrases=(3, 6)),
    "phrases 4-7": lambda: _features(phrases=(4, 7)),
    "phrases 120k": lambda: _features(phrase_features=120_000),
}
CLASSIFIERS: dict[str, Callable[[], Any]] = {
    "lr C1": lambda: _lr(1.0),
    "lr C2": lambda: _lr(2.0),
    "lr C5": lambda: _lr(5.0),
    "lr C10": lambda: _lr(10.0),
    "lr C20": lambda: _lr(20.0),
    "lr C40": lambda: _lr(40.0),
    "lr C80": lambda: _lr(80.0),
    "lr C20 balanced": lambda: _lr(20.0, class_weight="balanced"),
    # "svm" averages three calibrated SVMs, one per cross-validation split.
    # "one svm" is a single SVM, calibrated on cross-validated scores.
    "svm C0.15": lambda: _svm(0.15),
    "svm C0.3": lambda: _svm(0.3),
    "svm C0.5": lambda: _svm(0.5),
    "svm C1": lambda: _svm(1.0),
    "one svm C0.05": lambda: _svm(0.05, ensemble=False),
    "one svm C0.07": lambda: _svm(0.07, ensemble=False),
    "one svm C0.1": lambda: _svm(0.1, ensemble=False),
    "one svm C0.15": lambda: _svm(0.15, ensemble=False),
    "one svm C0.3": lambda: _svm(0.3, ensemble=False),
    "one svm C0.5": lambda: _svm(0.5, ensemble=False),
    "one svm C1": lambda: _svm(1.0, ensemble=False),
    "lr C20 + svm C0.5": lambda: _Average([_lr(20.0), _svm(0.5)]),
    "lr C40 + svm C1": lambda: _Average([_lr(40.0), _svm(1.0)]),
    "lr C5 + one svm C0.3": lambda: _Average([_lr(5.0), _svm(0.3, ensemble=False)]),
    "lr C20 + one svm C0.5": lambda: _Average([_lr(20.0), _svm(0.5, ensemble=False)]),
    "lr C20 + one svm C1": lambda: _Average([_lr(20.0), _svm(1.0, ensemble=False)]),
    "lr C40 + one svm C1": lambda: _Average([_lr(40.0), _svm(1.0, ensemble=False)]),
    "lr C20 + one svm C0.1": lambda: _Average([_lr(20.0), _svm(0.1, ensemble=False)]),
    "lr C5 + one svm C0.1": lambda: _Average([_lr(5.0), _svm(0.1, ensemble=False)]),
}
# The first round tries every classifier on the base features and the
# current classifier on every feature set.
DEFAULT_CANDIDATES = [("base", name) for name in CLASSIFIERS] + [
    (name, "lr C20") for name in FEATURES if name != "base"
]


def _weigh_other(probabilities: Any, labels: list[str], weight: float) -> Any:
    """Multiply the `other` column by `weight` and renormalize each row."""
    if weight == 1.0:
        return probabilities
    weighted = np.array(probabilities, dtype=np.float64)
    weighted[:, labels.index("other")] *= weight
    return weighted / weighted.sum(axis=1, keepdims=True)


def _variants(
    other_weights: list[float], low_confidences: list[float]
) -> list[tuple[float, float]]:
    return [(w, t) for w in other_weights for t in low_confidences]


def _score(
    folds: list[Fold],
    feature_name: str,
    classifier_names: list[str],
    variants: list[tuple[float, float]],
) -> dict[str, tuple[list[float], list[float]]]:
    """Score each classifier, and each (other weight, low confidence) variant.

    Keys are "classifier" for the plain settings and "classifier other xW
    low T" for a variant. A variant scales the `other` probability by W and
    sets `understand()`'s low-confidence threshold to T.
    """
    names = [
        _variant_name(name, weight, threshold)
        for name in classifier_names
        for weight, threshold in variants
    ]
    scores: dict[str, tuple[list[float], list[float]]] = {
        name: ([], []) for name in names
    }
    for fold_ in folds:
        features = FEATURES[feature_name]()
        x_train = features.fit_transform([row.text for row in fold_.train])
        y_train = [row.intent for row in fold_.train]
        expected = [row.intent for row in fold_.test]
        for name in classifier_names:
            classifier = CLASSIFIERS[name]().fit(x_train, y_train)
            labels = [str(label) for label in classifier.classes_]
            texts = sorted(
                {row.text for row in fold_.test}
                | {part for row in fold_.test for part in sentences(row.text)}
            )
            cached = dict(
                zip(
                    texts,
                    classifier.predict_proba(features.transform(texts)),
                    strict=True,
                )
            )
            plain = np.array([cached[row.text] for row in fold_.test])
            for weight, threshold in variants:
                key = _variant_name(name, weight, threshold)
                probabilities = _weigh_other(plain, labels, weight)
                alone = [labels[i] for i in np.argmax(probabilities, axis=1)]
                understand_module.LOW_CONFIDENCE = threshold
                full = understand_intents(
                    fold_.test,
                    lambda texts, w=weight, lb=labels, c=cached: _weigh_other(
                        np.array([c[text] for text in texts]), lb, w
                    ),
                    labels,
                )
                scores[key][0].append(_accuracy(expected, alone))
                scores[key][1].append(_accuracy(expected, full))
    return scores


def _variant_name(name: str, weight: float, threshold: float) -> str:
    if weight == 1.0 and threshold == 0.0:
        return name
    return f"{name} other x{weight:g} low {threshold:g}"


def _accuracy(expected: list[str], predicted: list[str]) -> float:
    return sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="FEATURES/CLASSIFIER",
        help="candidates to run, as 'feature set/classifier' names",
    )
    parser.add_argument(
        "--sentence-confidence",
        type=float,
        default=understand_module.SENTENCE_CONFIDENCE,
        help="probability at which a sentence's label may outrank the whole "
        "reply's in understand(); above 1 turns that step off "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--other-weights",
        type=float,
        nargs="+",
        default=[OTHER_WEIGHT],
        help="factors for the `other` probability to try (default: %(default)s)",
    )
    parser.add_argument(
        "--low-confidences",
        type=float,
        nargs="+",
        default=[understand_module.LOW_CONFIDENCE],
        help="top probabilities below which understand() returns `other`, "
        "to try; 0 turns the rule off (default: %(default)s)",
    )
    arguments = parser.parse_args()
    understand_module.SENTENCE_CONFIDENCE = arguments.sentence_confidence
    candidates = (
        [tuple(name.split("/", 1)) for name in arguments.only]
        if arguments.only
        else DEFAULT_CANDIDATES
    )

    folds = train_folds(load_corpus())
    sizes = ", ".join(f"{len(f.train)}/{len(f.test)}" for f in folds)
    print(f"train-split family folds (train/test rows): {sizes}")
    by_features: dict[str, list[str]] = {}
    for feature_name, classifier_name in candidates:
        by_features.setdefault(feature_name, []).append(classifier_name)
    for feature_name, classifier_names in by_features.items():
        started = time.perf_counter()
        scores = _score(
            folds,
            feature_name,
            classifier_names,
            _variants(arguments.other_weights, arguments.low_confidences),
        )
        elapsed = time.perf_counter() - started
        for name, (alone, full) in scores.items():
            listed = " ".join(f"{score:.3f}" for score in full)
            print(
                f"{feature_name}/{name}: understand() mean "
                f"{statistics.mean(full):.4f} [{listed}], model alone mean "
                f"{statistics.mean(alone):.4f}",
                flush=True,
            )
        print(f"  ({elapsed:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
