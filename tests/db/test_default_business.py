"""The business the CLI works on, found or created from the settings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cobranza.config import Settings
from cobranza.db.engine import default_business, open_database, transaction


def test_unknown_name_warns_with_existing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cobranza.db'}")
    with transaction(engine) as session:
        default_business(session, Settings(business_name="Ferretería Uno"))

    with caplog.at_level(logging.WARNING), transaction(engine) as session:
        created = default_business(session, Settings(business_name="Ferreteria Uno"))
    engine.dispose()

    assert created.name == "Ferreteria Uno"
    assert "ningún negocio llamado 'Ferreteria Uno'" in caplog.text
    assert "'Ferretería Uno'" in caplog.text


def test_unknown_name_warning_in_tu_for_mexico(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cobranza.db'}")
    with transaction(engine) as session:
        default_business(session, Settings(business_name="Ferretería Uno"))

    with caplog.at_level(logging.WARNING), transaction(engine) as session:
        default_business(session, Settings(business_name="Mi negocio", country="MX"))
    engine.dispose()

    assert "define COBRANZA_BUSINESS_NAME con uno de ellos" in caplog.text
    assert "definí" not in caplog.text
    assert "'Ferretería Uno'" in caplog.text


def test_first_business_is_created_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cobranza.db'}")

    with caplog.at_level(logging.WARNING), transaction(engine) as session:
        default_business(session, Settings(business_name="Ferretería Uno"))
    engine.dispose()

    # Only warnings count: an earlier test may leave the cobranza logger at
    # INFO, and then the migration notice of open_database is captured too.
    assert [
        r
        for r in caplog.records
        if r.name == "cobranza.db.engine" and r.levelno >= logging.WARNING
    ] == []
