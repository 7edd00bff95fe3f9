from __future__ import annotations

import random
import re

import pytest

from cobranza.conversations import corpus as corpus_module
from cobranza.conversations import (
    corpus_layer2,
    corpus_layer3,
    corpus_layer4,
    corpus_layer5,
    corpus_replies,
)
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


# Two templates that resemble no existing one, for the layering tests.
_ADDED = {
    "acknowledge": [("es", "zzz qqq xxyy wwvv")],
    "other": [("es", "kkjj ppww yyzz")],
}


def test_new_layer_keeps_earlier_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(corpus_layer2, "TEMPLATES", {})
    monkeypatch.setattr(corpus_layer4, "TEMPLATES", {})
    monkeypatch.setattr(corpus_layer5, "TEMPLATES", {})
    monkeypatch.setattr(corpus_layer3, "TEMPLATES", _ADDED)
    with_additions = corpus_module.generate()
    layers = [corpus_module.template_layer(row.group) for row in with_additions]
    monkeypatch.setattr(corpus_layer3, "TEMPLATES", {})

    without = corpus_module.generate()

    added = with_additions[len(without) :]
    first_acknowledge = len(corpus_replies.TEMPLATES["acknowledge"])
    first_other = len(corpus_replies.TEMPLATES["other"])
    assert with_additions[: len(without)] == without
    assert set(layers[: len(without)]) == {1}
    assert added
    assert set(layers[len(without) :]) == {3}
    assert {row.group.split("+")[0] for row in added} >= {
        f"acknowledge/{first_acknowledge}",
        f"other/{first_other}",
    }


def test_held_out_paraphrase_stays_held_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    intent = "dispute"
    originals = corpus_replies.TEMPLATES[intent]
    held_out = corpus_module.template_folds(intent).index(corpus_module.TEST_OFFSET)
    region, template = originals[held_out]
    monkeypatch.setattr(corpus_layer2, "TEMPLATES", {})
    monkeypatch.setattr(corpus_layer4, "TEMPLATES", {})
    monkeypatch.setattr(corpus_layer5, "TEMPLATES", {})
    monkeypatch.setattr(
        corpus_layer3,
        "TEMPLATES",
        {intent: [(region, template + " ya"), ("es", "zzz qqq xxyy wwvv")]},
    )

    layout = corpus_module.template_layout(intent)

    original_ranks = corpus_module.family_ranks([text for _, text in originals])
    assert layout[: len(originals)] == [
        (rank, rank % corpus_module.TEST_EVERY) for rank in original_ranks
    ]
    assert layout[len(originals)] == layout[held_out]
    assert layout[len(originals) + 1] == (max(original_ranks) + 1, 0)
    assert corpus_module.template_layer(f"{intent}/{len(originals):02d}") == 3
    assert corpus_module.template_layer(f"{intent}/{held_out:02d}") == 1
    mix = f"mix/{intent}/{held_out:02d}+{intent}/{len(originals):02d}"
    assert corpus_module.template_layer(mix) == 3
