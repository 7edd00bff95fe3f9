from __future__ import annotations

import random
import re

import pytest

from cobranza.conversations.corpus import CorpusRow, _elongate, _misspell_by_ear
from cobranza.conversations.normalize import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HOLAAA", "hola"),
        ("siiii dale", "si dale"),
        ("llamame", "llamame"),
        ("correo", "correo"),
        ("pago 1000", "pago 1000"),
    ],
)
def test_fold_undoes_elongation(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_elongate_repeats_last_letter() -> None:
    rng = random.Random(1)

    elongated = _elongate("hola", rng)

    assert re.fullmatch(r"hola{2,4}", elongated)
    assert _elongate("15.000", rng) == "15.000"


@pytest.mark.parametrize(
    ("word", "allowed"),
    [
        ("gracias", {"grasias"}),
        ("hablar", {"ablar", "havlar"}),
        ("llamame", {"yamame"}),
        ("vez", {"bez", "ves"}),
    ],
)
def test_misspell_by_ear(word: str, allowed: set[str]) -> None:
    spellings = {_misspell_by_ear(word, random.Random(seed)) for seed in range(20)}

    assert spellings <= allowed
    assert spellings & (allowed - {word})


def test_corpus_has_chat_noise(corpus: list[CorpusRow]) -> None:
    elongated = [row for row in corpus if re.search(r"([a-z])\1\1", row.text)]
    laughing = [row for row in corpus if re.search(r"\b(?:jaja|kkk)", row.text)]
    mixed = [row for row in corpus if row.group.startswith("mix/")]

    assert len(elongated) >= len(corpus) // 20
    assert len(laughing) >= 50
    assert len(mixed) >= 900
