"""Fixtures for the reply-understanding tests: a fixed "now" and trained models."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cobranza.conversations.corpus import CorpusRow, load_corpus
from cobranza.conversations.model import IntentModel, train_from_corpus

TIMEZONE = "America/Argentina/Buenos_Aires"
# Thursday 2026-03-19, 10:00 in Buenos Aires.
NOW = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo(TIMEZONE))
TODAY = date(2026, 3, 19)


@pytest.fixture(scope="session")
def corpus() -> list[CorpusRow]:
    return load_corpus()


@pytest.fixture(scope="session")
def held_out_model() -> IntentModel:
    """A model trained on the train split only, for held-out scores."""
    return train_from_corpus(include_test=False)
