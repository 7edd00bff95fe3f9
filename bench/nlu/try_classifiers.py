"""Compare classifiers on the shipped features, on the train split's family folds.

    PYTHONPATH=src /work/venv/bin/python bench/nlu/try_classifiers.py [NAME ...]
        [--cache PATH]

`select_model.py` rebuilds the features for every feature set it runs.
This script builds the shipped features (`model.build_pipeline`'s feature
union) once per fold, optionally caches the matrices in a file, and then
trains each classifier named on the command line on the same matrices.
It prints the accuracy of `understand()` on each of the four family folds
of `train_folds.py`, their mean, the model alone, and the count of the
two largest confusions (`other` against `acknowledge` and against
`request_payment_link`). The held-out split is never read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.svm import LinearSVC

from cobranza.conversations.corpus import load_corpus
from cobranza.conversations.model import RANDOM_STATE, build_pipeline, corpus_sha256
from cobranza.conversations.normalize import sentences

sys.path.insert(0, str(Path(__file__).parent))
from train_folds import Fold, train_folds, understand_intents  # noqa: E402


class NBSVM(ClassifierMixin, BaseEstimator):
    """One-vs-rest linear SVMs on features scaled by naive Bayes log-count ratios.

    Wang and Manning, "Baselines and Bigrams" (ACL 2012): for each class k,
    r_k = log((p / |p|_1) / (q / |q|_1)), where p and q are `alpha` plus the
    summed features of the replies in k and of the rest. A binary SVM is
    trained on X * r_k, and its weights are interpolated towards their mean
    magnitude by `beta` (1 keeps the SVM's weights). Because the scaling is
    per column, the scores are X @ coef_.T + intercept_ with
    coef_[k] = r_k * w_k, the form of a plain linear SVM.
    """

    def __init__(
        self,
        C: float = 0.5,
        alpha: float = 1.0,
        beta: float = 1.0,
        binarize_counts: bool = True,
        loss: str = "squared_hinge",
    ) -> None:
        self.C = C
        self.alpha = alpha
        self.beta = beta
        self.binarize_counts = binarize_counts
        self.loss = loss

    def fit(self, x: Any, y: Any) -> NBSVM:
        x = sp.csr_matrix(x)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        counted = x.copy()
        if self.binarize_counts:
            counted.data[:] = 1.0
        coefs = []
        intercepts = []
        for label in self.classes_:
            positive = y == label
            p = self.alpha + np.asarray(counted[positive].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(counted[~positive].sum(axis=0)).ravel()
            ratios = np.log(p / p.sum()) - np.log(q / q.sum())
            svm = LinearSVC(C=self.C, loss=self.loss, random_state=RANDOM_STATE)
            svm.fit(x @ sp.diags(ratios), positive)
            weights = svm.coef_[0]
            if self.beta != 1.0:
                mean_magnitude = np.abs(weights).mean()
                weights = (1 - self.beta) * mean_magnitude + self.beta * weights
            coefs.append(weights * ratios)
            intercepts.append(svm.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.array(intercepts)
        return self

    def decision_function(self, x: Any) -> Any:
        return np.asarray(x @ self.coef_.T) + self.intercept_

    def predict(self, x: Any) -> Any:
        return self.classes_[np.argmax(self.decision_function(x), axis=1)]


class Average(ClassifierMixin, BaseEstimator):
    """Weighted mean of the probabilities of several classifiers."""

    def __init__(self, members: list[Any], weights: list[float] | None = None) -> None:
        self.members = members
        self.weights = weights

    def fit(self, x: Any, y: Any) -> Average:
        self.fitted_ = [clone(member).fit(x, y) for member in self.members]
        self.classes_ = self.fitted_[0].classes_
        return self

    def predict_proba(self, x: Any) -> Any:
        return np.average(
            [member.predict_proba(x) for member in self.fitted_],
            axis=0,
            weights=self.weights,
        )


def _calibrated(estimator: Any) -> CalibratedClassifierCV:
    return CalibratedClassifierCV(estimator, method="sigmoid", cv=3, ensemble=False)


def _svm(c: float = 0.5, **options: Any) -> LinearSVC:
    return LinearSVC(C=c, random_state=RANDOM_STATE, **options)


def _sgd(alpha: float = 1e-5) -> SGDClassifier:
    return SGDClassifier(
        loss="modified_huber",
        alpha=alpha,
        max_iter=50,
        tol=None,
        random_state=RANDOM_STATE,
    )


CLASSIFIERS: dict[str, Callable[[], Any]] = {
    "svm C0.5": lambda: _calibrated(_svm()),
    "svm C0.5 hinge": lambda: _calibrated(_svm(loss="hinge", max_iter=5000)),
    "svm C1 hinge": lambda: _calibrated(_svm(1.0, loss="hinge", max_iter=5000)),
    "svm C0.5 balanced": lambda: _calibrated(_svm(class_weight="balanced")),
    "svm C0.5 crammer-singer": lambda: _calibrated(
        _svm(multi_class="crammer_singer", max_iter=5000)
    ),
    "svm C0.5 isotonic": lambda: CalibratedClassifierCV(
        _svm(), method="isotonic", cv=3, ensemble=False
    ),
    "svm C0.5 temperature": lambda: CalibratedClassifierCV(
        _svm(), method="temperature", cv=3, ensemble=False
    ),
    # A multinomial logistic regression on the SVM's cross-validated scores,
    # in place of one sigmoid per class.
    "svm C0.5 stacked lr": lambda: StackingClassifier(
        [("svm", _svm())],
        final_estimator=LogisticRegression(max_iter=1000),
        cv=3,
        stack_method="decision_function",
    ),
    "svm + mnb stacked lr": lambda: StackingClassifier(
        [("svm", _svm()), ("mnb", MultinomialNB(alpha=0.05))],
        final_estimator=LogisticRegression(max_iter=1000),
        cv=3,
    ),
    "svm + sgd stacked lr": lambda: StackingClassifier(
        [("svm", _svm()), ("sgd", _sgd())],
        final_estimator=LogisticRegression(max_iter=1000),
        cv=3,
        stack_method="decision_function",
    ),
    "svm C0.5 cv5": lambda: CalibratedClassifierCV(
        _svm(), method="sigmoid", cv=5, ensemble=False
    ),
    "nbsvm C0.5": lambda: _calibrated(NBSVM(0.5)),
    "nbsvm C0.1": lambda: _calibrated(NBSVM(0.1)),
    "nbsvm C0.5 beta0.25": lambda: _calibrated(NBSVM(0.5, beta=0.25)),
    "nbsvm C0.5 tfidf-ratios": lambda: _calibrated(NBSVM(0.5, binarize_counts=False)),
    "ridge": lambda: _calibrated(RidgeClassifier(alpha=1.0)),
    "sgd modified_huber": lambda: _calibrated(_sgd()),
    "cnb": lambda: _calibrated(ComplementNB(alpha=0.1)),
    "mnb": lambda: _calibrated(MultinomialNB(alpha=0.05)),
    "svm + cnb": lambda: Average([_calibrated(_svm()), ComplementNB(alpha=0.1)]),
    "svm + calibrated cnb": lambda: Average(
        [_calibrated(_svm()), _calibrated(ComplementNB(alpha=0.1))]
    ),
    "svm + calibrated mnb": lambda: Average(
        [_calibrated(_svm()), _calibrated(MultinomialNB(alpha=0.05))]
    ),
    "svm + sgd": lambda: Average([_calibrated(_svm()), _sgd()]),
    "svm + calibrated sgd": lambda: Average([_calibrated(_svm()), _calibrated(_sgd())]),
    "svm + nbsvm": lambda: Average([_calibrated(_svm()), _calibrated(NBSVM(0.5))]),
}


def _fold_matrices(folds: list[Fold], cache: Path | None) -> list[dict[str, Any]]:
    """Fit the shipped features on each fold's train rows and transform its texts."""
    key = corpus_sha256()
    if cache is not None and cache.exists():
        stored = joblib.load(cache)
        if stored["corpus_sha256"] == key:
            return list(stored["folds"])
    matrices = []
    for fold_ in folds:
        features = build_pipeline()["features"]
        texts = sorted(
            {row.text for row in fold_.test}
            | {part for row in fold_.test for part in sentences(row.text)}
        )
        matrices.append(
            {
                "x_train": features.fit_transform([row.text for row in fold_.train]),
                "y_train": [row.intent for row in fold_.train],
                "texts": texts,
                "x_texts": features.transform(texts),
            }
        )
    if cache is not None:
        joblib.dump({"corpus_sha256": key, "folds": matrices}, cache)
    return matrices


def _score(
    folds: list[Fold], matrices: list[dict[str, Any]], name: str
) -> tuple[list[float], list[float], Counter[tuple[str, str]]]:
    full_scores = []
    alone_scores = []
    confusions: Counter[tuple[str, str]] = Counter()
    for fold_, fold_matrices in zip(folds, matrices, strict=True):
        classifier = CLASSIFIERS[name]().fit(
            fold_matrices["x_train"], fold_matrices["y_train"]
        )
        labels = [str(label) for label in classifier.classes_]
        probabilities = classifier.predict_proba(fold_matrices["x_texts"])
        cached = dict(zip(fold_matrices["texts"], probabilities, strict=True))
        expected = [row.intent for row in fold_.test]
        alone = [labels[int(np.argmax(cached[row.text]))] for row in fold_.test]
        full = understand_intents(
            fold_.test,
            lambda texts, c=cached: np.array([c[text] for text in texts]),
            labels,
        )
        alone_scores.append(_accuracy(expected, alone))
        full_scores.append(_accuracy(expected, full))
        confusions.update((e, p) for e, p in zip(expected, full, strict=True) if e != p)
    return full_scores, alone_scores, confusions


def _accuracy(expected: list[str], predicted: list[str]) -> float:
    return sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names",
        nargs="*",
        default=list(CLASSIFIERS),
        metavar="NAME",
        help="classifiers to run (default: all of them)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="file for the fold feature matrices, reused while the corpus "
        "is unchanged (default: no cache)",
    )
    arguments = parser.parse_args()
    unknown = [name for name in arguments.names if name not in CLASSIFIERS]
    if unknown:
        parser.error(f"unknown classifiers {unknown}; choose from {list(CLASSIFIERS)}")

    folds = train_folds(load_corpus())
    matrices = _fold_matrices(folds, arguments.cache)
    for name in arguments.names:
        started = time.perf_counter()
        full, alone, confusions = _score(folds, matrices, name)
        elapsed = time.perf_counter() - started
        listed = " ".join(f"{score:.4f}" for score in full)
        pairs = ", ".join(
            f"{e}->{p} {confusions[e, p]}"
            for e, p in [
                ("other", "acknowledge"),
                ("acknowledge", "other"),
                ("other", "request_payment_link"),
                ("request_payment_link", "other"),
            ]
        )
        print(
            f"{name}: understand() mean {statistics.mean(full):.4f} [{listed}], "
            f"model alone mean {statistics.mean(alone):.4f}; {pairs} "
            f"({elapsed:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
