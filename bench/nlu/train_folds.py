"""Family folds inside the corpus's train split, for choosing model settings.

The train split's template families carry the folds other than
`TEST_OFFSET` (see `corpus.template_layout`), four of them. A fold's
test rows are the replies built from its families alone, and the model is
trained on the replies that touch none of them. A mixed reply that joins a
family of the fold with one outside it is left out of both, as the
generator does for the held-out split. The held-out split
is never read, so settings chosen on these folds leave its score honest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cobranza.conversations import corpus
from cobranza.conversations.corpus import CorpusRow, split_rows
from cobranza.conversations.normalize import sentences
from cobranza.conversations.understand import understand

NOW = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo("America/Buenos_Aires"))


@dataclass(frozen=True)
class Fold:
    """One family fold of the train split."""

    remainder: int
    train: list[CorpusRow]
    test: list[CorpusRow]


def _template_layouts() -> dict[str, tuple[int, int]]:
    """Map each template group ("dispute/07") to its family and fold."""
    layouts = {}
    for intent in corpus.intents_with_templates():
        for index, placed in enumerate(corpus.template_layout(intent)):
            layouts[f"{intent}/{index:02d}"] = placed
    return layouts


def template_family_ranks() -> dict[str, int]:
    """Map each template group to its family's number within its intent."""
    return {group: family for group, (family, _) in _template_layouts().items()}


def _template_folds() -> dict[str, int]:
    """Map each template group to its fold."""
    return {group: fold for group, (_, fold) in _template_layouts().items()}


def _row_folds(row: CorpusRow, folds: dict[str, int]) -> set[int]:
    if row.group.startswith("mix/"):
        return {folds[part] for part in row.group[len("mix/") :].split("+")}
    return {folds[row.group]}


def train_folds(rows: Sequence[CorpusRow]) -> list[Fold]:
    """Split the train rows of `rows` into family folds."""
    template_folds = _template_folds()
    train = split_rows(rows, "train")
    remainders = [r for r in range(corpus.TEST_EVERY) if r != corpus.TEST_OFFSET]
    result = []
    for remainder in remainders:
        row_folds = [_row_folds(row, template_folds) for row in train]
        result.append(
            Fold(
                remainder=remainder,
                train=[
                    row
                    for row, folds in zip(train, row_folds, strict=True)
                    if remainder not in folds
                ],
                test=[
                    row
                    for row, folds in zip(train, row_folds, strict=True)
                    if folds == {remainder}
                ],
            )
        )
    return result


class _FixedPredictions:
    """A stand-in for `IntentModel` that returns precomputed probabilities."""

    def __init__(self, scores: dict[str, dict[str, float]]) -> None:
        self._scores = scores

    def predict(self, text: str) -> tuple[str, float, dict[str, float]]:
        scores = self._scores[text]
        best = max(scores, key=scores.__getitem__)
        return best, scores[best], scores


def understand_intents(
    rows: Sequence[CorpusRow],
    predict_proba: Callable[[list[str]], Any],
    labels: Sequence[str],
) -> list[str]:
    """Return the intent `understand()` gives each row.

    `predict_proba` maps texts to a matrix of probabilities, one column per
    label. It is called once, on every reply and every sentence of one.
    """
    texts = sorted(
        {row.text for row in rows}
        | {part for row in rows for part in sentences(row.text)}
    )
    probabilities = predict_proba(texts)
    scores = {
        text: dict(zip(labels, map(float, text_probabilities), strict=True))
        for text, text_probabilities in zip(texts, probabilities, strict=True)
    }
    # Duck-typed: understand() only calls the model's predict().
    model: Any = _FixedPredictions(scores)
    return [
        understand(
            row.text, NOW, "America/Buenos_Aires", row.locale, model=model
        ).intent
        for row in rows
    ]
