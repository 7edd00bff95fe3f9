"""Intent accuracy on replies written apart from the corpus templates.

`bench/nlu/fresh_eval.tsv` and `fresh_eval2.tsv` contain debtor replies
written without reading the templates and never trained on (see
`bench/nlu/fresh_eval.py`). The floor is the accuracy the shipped model
reached on them, minus a margin for retraining with another scikit-learn
version.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cobranza.conversations.corpus import CorpusRow
from cobranza.conversations.understand import INTENTS, understand
from tests.conversations.conftest import NOW, TIMEZONE

BENCH = Path(__file__).parents[2] / "bench" / "nlu"
FRESH_EVAL = BENCH / "fresh_eval.tsv"
SECOND_FRESH_EVAL = BENCH / "fresh_eval2.tsv"
LOCALES = {
    "AR": "es_AR",
    "UY": "es_UY",
    "MX": "es_MX",
    "CO": "es_CO",
    "CL": "es_CL",
    "PE": "es_PE",
    "BR": "pt_BR",
}
# The second set also has Spain's Spanish, a variety the corpus lacks.
SECOND_LOCALES = {**LOCALES, "ES": "es_ES"}
# The shipped model scored 0.954 through understand() on the first set when
# the floor was set (0.977 on the second when it was added). The floor leaves
# about 0.02 for a retrain under another scikit-learn version.
MIN_FRESH_ACCURACY = 0.93
# Stock replies ("ok", "BAJA", "numero equivocado") that the fresh set and
# the corpus templates both contain, written independently. A larger count
# means fresh replies leaked into the templates. The second template layer
# added two ("vale", "bom dia").
MAX_SHARED_WITH_CORPUS = 22
# The second set shares 16 such replies ("ya pague", "dale", "👍").
MAX_SHARED_WITH_CORPUS_2 = 16


def _load(path: Path = FRESH_EVAL) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


SETS = [(FRESH_EVAL, LOCALES), (SECOND_FRESH_EVAL, SECOND_LOCALES)]


@pytest.mark.parametrize(("path", "locales"), SETS, ids=["first", "second"])
def test_fresh_set_is_labelled(path: Path, locales: dict[str, str]) -> None:
    rows = _load(path)

    assert len(rows) >= 400
    assert {row["intent"] for row in rows} == set(INTENTS)
    assert {row["country"] for row in rows} == set(locales)
    assert len({row["text"] for row in rows}) == len(rows)


@pytest.mark.parametrize(("path", "locales"), SETS, ids=["first", "second"])
def test_fresh_set_accuracy(path: Path, locales: dict[str, str]) -> None:
    rows = _load(path)

    correct = sum(
        understand(row["text"], NOW, TIMEZONE, locales[row["country"]]).intent
        == row["intent"]
        for row in rows
    )

    assert correct / len(rows) >= MIN_FRESH_ACCURACY


@pytest.mark.parametrize(
    ("path", "most_shared"),
    [
        (FRESH_EVAL, MAX_SHARED_WITH_CORPUS),
        (SECOND_FRESH_EVAL, MAX_SHARED_WITH_CORPUS_2),
    ],
    ids=["first", "second"],
)
def test_fresh_set_not_in_corpus(
    corpus: list[CorpusRow], path: Path, most_shared: int
) -> None:
    corpus_texts = {row.text.lower() for row in corpus}

    shared = [row for row in _load(path) if row["text"].lower() in corpus_texts]

    assert len(shared) <= most_shared
