"""The intent model: TF-IDF n-grams and cue words, a calibrated linear SVM.

The trained model ships as `data/intent_model.joblib`, built from the shipped
corpus by `python -m cobranza.conversations.train`. When the installed
scikit-learn differs from the one that built the file, the model is retrained
from the corpus at first use (5 to 15 seconds on a two-core machine) instead of
unpickling across versions, which scikit-learn does not support. The shipped
model is trained on every corpus row; evaluation trains a separate model on
the train split only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import joblib
import numpy as np
import numpy.typing as npt
import sklearn
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from cobranza.conversations.corpus import (
    CorpusRow,
    load_corpus,
    shipped_text,
    split_rows,
)
from cobranza.conversations.cues import cue_text
from cobranza.conversations.normalize import fold

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_model.joblib"
RANDOM_STATE = 0
# The `other` probability is multiplied by this before each reply's
# probabilities are renormalized. Chosen on the train split's family folds
# together with `understand.LOW_CONFIDENCE`. On the layered corpus, leaving
# `other` as the model gives it (1.0) did best (docs/benchmarks.md).
OTHER_WEIGHT = 1.0


class FrequentTermsVectorizer(TfidfVectorizer):  # type: ignore[misc]
    """A `TfidfVectorizer` whose `max_features` cut is the same on every CPU.

    scikit-learn ranks terms by count with NumPy's default argsort, which is
    not stable and chooses its sorting code by the CPU's instruction set. The
    terms tied at the cut then depended on the machine: the shipped model and
    a retrain of the same corpus on a machine without AVX-512 kept different
    terms and gave probabilities up to 0.006 apart. Here equal counts keep the
    vocabulary's alphabetical order.
    """

    def _limit_features(  # type: ignore[no-untyped-def]
        self, X, vocabulary, high=None, low=None, limit=None
    ):
        if limit is None or high is None or low is None:
            return super()._limit_features(X, vocabulary, high, low, limit)
        X = super()._limit_features(X, vocabulary, high, low, None)
        if X.shape[1] <= limit:
            return X
        totals = np.asarray(X.sum(axis=0)).ravel()
        top_columns = np.sort(np.argsort(-totals, kind="stable")[:limit])
        positions = np.full(X.shape[1], -1, dtype=np.int64)
        positions[top_columns] = np.arange(len(top_columns))
        for term, index in list(vocabulary.items()):
            if positions[index] < 0:
                del vocabulary[term]
            else:
                vocabulary[term] = int(positions[index])
        return X[:, top_columns]


def build_pipeline() -> Pipeline:
    """Return an untrained pipeline of four TF-IDF feature sets and an SVM.

    The sets are character n-grams within words (2-5), character n-grams
    across word boundaries (4-6, the 60,000 most frequent, which see "ya la
    pag" and "me lo pas" as units), word n-grams (1-2) and cue-tag n-grams
    (1-2, see `cues`). The classifier is one linear SVM (C=0.5) whose
    scores are mapped to probabilities by per-class sigmoids fitted on
    3-fold cross-validated scores.
    """
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    preprocessor=fold,
                    sublinear_tf=True,
                    min_df=2,
                    dtype=np.float32,
                ),
            ),
            (
                "phrases",
                FrequentTermsVectorizer(
                    analyzer="char",
                    ngram_range=(4, 6),
                    preprocessor=fold,
                    sublinear_tf=True,
                    min_df=3,
                    max_features=60_000,
                    dtype=np.float32,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
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
                    ngram_range=(1, 2),
                    preprocessor=cue_text,
                    lowercase=False,
                    token_pattern=r"\S+",
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    # Chosen on the train split's family folds (bench/nlu/select_model.py)
    # over logistic regression (C=20) and SVMs with C from 0.05 to 1. The
    # figures are in docs/benchmarks.md.
    classifier = CalibratedClassifierCV(
        LinearSVC(C=0.5, random_state=RANDOM_STATE),
        method="sigmoid",
        cv=3,
        ensemble=False,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


@dataclass(frozen=True)
class _CompiledModel:
    """The fitted pipeline unrolled into dictionaries and arrays.

    `Pipeline.predict_proba` on one text took about 3 ms on the two-core
    development machine, mostly in input validation and sparse-matrix
    bookkeeping. This computes the same numbers
    (sublinear TF times IDF, L2 norm per feature set, linear SVM scores,
    one sigmoid per class, then normalization to sum 1) directly; a test
    checks that both agree.
    """

    analyzers: tuple[Callable[[str], list[str]], ...]
    vocabularies: tuple[dict[str, int], ...]
    # The IDF of every column, the feature sets one after another.
    idf: npt.NDArray[np.float64]
    offsets: tuple[int, ...]
    coef: npt.NDArray[np.float64]
    intercept: npt.NDArray[np.float64]
    # Probability of class k before normalization: 1 / (1 + exp(a[k] * score + b[k])).
    sigmoid_a: npt.NDArray[np.float64]
    sigmoid_b: npt.NDArray[np.float64]

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> _CompiledModel:
        vectorizers = [
            vectorizer for _, vectorizer in pipeline["features"].transformer_list
        ]
        offsets = []
        position = 0
        for vectorizer in vectorizers:
            offsets.append(position)
            position += len(vectorizer.vocabulary_)
        calibrated = pipeline["classifier"].calibrated_classifiers_[0]
        classifier = calibrated.estimator
        if list(classifier.classes_) != list(pipeline.classes_):
            raise ValueError(
                "the calibrated SVM was fitted on a subset of the labels "
                f"({list(classifier.classes_)}); every label needs training replies"
            )
        return cls(
            analyzers=tuple(vectorizer.build_analyzer() for vectorizer in vectorizers),
            vocabularies=tuple(vectorizer.vocabulary_ for vectorizer in vectorizers),
            idf=np.concatenate(
                [vectorizer.idf_.astype(np.float64) for vectorizer in vectorizers]
            ),
            offsets=tuple(offsets),
            coef=np.ascontiguousarray(classifier.coef_.T, dtype=np.float64),
            intercept=classifier.intercept_.astype(np.float64),
            sigmoid_a=np.array([c.a_ for c in calibrated.calibrators], np.float64),
            sigmoid_b=np.array([c.b_ for c in calibrated.calibrators], np.float64),
        )

    def predict_proba(self, text: str) -> npt.NDArray[np.float64]:
        columns: list[int] = []
        counts: list[int] = []
        # Where each feature set's columns start in `columns`, for its norm.
        starts: list[int] = []
        for analyzer, vocabulary, offset in zip(
            self.analyzers, self.vocabularies, self.offsets, strict=True
        ):
            found = Counter(
                vocabulary[feature] + offset
                for feature in analyzer(text)
                if feature in vocabulary
            )
            if found:
                starts.append(len(columns))
                columns.extend(found.keys())
                counts.extend(found.values())
        scores = self.intercept.copy()
        if columns:
            # One pass over all sets: sublinear TF times IDF, then each set
            # divided by its own L2 norm.
            indices = np.array(columns, dtype=np.int64)
            tf = 1.0 + np.log(np.array(counts, dtype=np.float64))
            weights = tf * self.idf[indices]
            norms = np.sqrt(np.add.reduceat(weights * weights, starts))
            weights /= np.repeat(norms, np.diff([*starts, len(columns)]))
            scores += weights @ self.coef[indices]
        probabilities: npt.NDArray[np.float64] = expit(
            -(self.sigmoid_a * scores + self.sigmoid_b)
        )
        total = probabilities.sum()
        if total == 0.0:
            # scikit-learn's CalibratedClassifierCV returns the uniform
            # distribution here.
            return np.full_like(probabilities, 1.0 / len(probabilities))
        return probabilities / total


def weigh_other(
    probabilities: npt.NDArray[np.float64], labels: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Multiply the `other` column by `OTHER_WEIGHT` and renormalize each row."""
    weighted = np.array(probabilities, dtype=np.float64, ndmin=2)
    weighted[:, list(labels).index("other")] *= OTHER_WEIGHT
    result: npt.NDArray[np.float64] = weighted / weighted.sum(axis=1, keepdims=True)
    return result


@dataclass(frozen=True)
class IntentModel:
    """A trained pipeline with the scikit-learn version that built it."""

    pipeline: Pipeline
    sklearn_version: str
    train_rows: int

    @cached_property
    def labels(self) -> tuple[str, ...]:
        # Cached: it was rebuilt three times per prediction.
        return tuple(str(label) for label in self.pipeline.classes_)

    @cached_property
    def _compiled(self) -> _CompiledModel:
        return _CompiledModel.from_pipeline(self.pipeline)

    def predict(self, text: str) -> tuple[str, float, dict[str, float]]:
        """Return the top intent, its probability and every label's probability."""
        probabilities = self._compiled.predict_proba(text)
        if OTHER_WEIGHT != 1.0:
            probabilities = weigh_other(probabilities, self.labels)[0]
        scores = {
            label: float(probability)
            for label, probability in zip(self.labels, probabilities, strict=True)
        }
        best = int(np.argmax(probabilities))
        return self.labels[best], float(probabilities[best]), scores

    def predict_proba_many(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Return each text's probabilities, one column per label, via scikit-learn."""
        return weigh_other(self.pipeline.predict_proba(list(texts)), self.labels)

    def predict_many(self, texts: Sequence[str]) -> list[str]:
        """Return the top intent of each text."""
        best = np.argmax(self.predict_proba_many(texts), axis=1)
        return [self.labels[index] for index in best]


def train(rows: Sequence[CorpusRow]) -> IntentModel:
    """Fit a new model on `rows`."""
    pipeline = build_pipeline()
    pipeline.fit([row.text for row in rows], [row.intent for row in rows])
    return IntentModel(
        pipeline=pipeline, sklearn_version=sklearn.__version__, train_rows=len(rows)
    )


def train_from_corpus(include_test: bool = False) -> IntentModel:
    """Fit on the shipped corpus: its train split, or every row."""
    rows = load_corpus()
    return train(rows if include_test else split_rows(rows, "train"))


def shipped_model_path() -> Path:
    """Return the path of the shipped model file."""
    return Path(str(resources.files("cobranza.conversations") / "data" / MODEL_FILE))


def corpus_sha256() -> str:
    """Return the SHA-256 of the shipped corpus, which the model records."""
    return hashlib.sha256(shipped_text().encode("utf-8")).hexdigest()


def save(model: IntentModel, path: Path) -> None:
    """Write `model` with joblib, and its provenance beside it as JSON."""
    joblib.dump(model.pipeline, path, compress=3)
    metadata = {
        "sklearn_version": model.sklearn_version,
        "train_rows": model.train_rows,
        "corpus_sha256": corpus_sha256(),
    }
    path.with_suffix(".json").write_text(
        json.dumps(metadata, indent=2) + "\n", encoding="utf-8"
    )


def load(path: Path) -> IntentModel | None:
    """Read a model written by `save`, or None when it cannot be used.

    The JSON beside the model is checked first, so that a file from another
    scikit-learn version or built from another corpus is never unpickled.
    The file is trusted: it ships inside the package.
    """
    metadata_path = path.with_suffix(".json")
    if not path.exists() or not metadata_path.exists():
        logger.warning("intent model %s not found; retraining from the corpus", path)
        return None
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    if metadata.get("sklearn_version") != sklearn.__version__:
        logger.warning(
            "intent model built with scikit-learn %s but %s is installed; "
            "retraining from the corpus",
            metadata.get("sklearn_version"),
            sklearn.__version__,
        )
        return None
    if metadata.get("corpus_sha256") != corpus_sha256():
        logger.warning("intent model is older than the corpus; retraining")
        return None
    return IntentModel(
        pipeline=joblib.load(path),
        sklearn_version=metadata["sklearn_version"],
        train_rows=int(metadata["train_rows"]),
    )


_lock = threading.Lock()
_loaded: IntentModel | None = None


def default_model() -> IntentModel:
    """Return the shipped model (trained on the whole corpus), loaded once."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = load(shipped_model_path()) or train_from_corpus(include_test=True)
        return _loaded
