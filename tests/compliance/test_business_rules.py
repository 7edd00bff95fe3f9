"""`cobranza rules show|set`: a business tightens its contact rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import AuditEvent

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'rules.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    # `rules show` only reads, so the business exists first, as after an import.
    engine = open_database(url)
    with transaction(engine) as session:
        default_business(session, get_settings())
    engine.dispose()
    yield url
    get_settings.cache_clear()


def _rules_file(tmp_path: Path, rules: object) -> str:
    path = tmp_path / "reglas.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    return str(path)


def test_show_prints_argentina_window(cli_db: str) -> None:
    result = runner.invoke(app, ["rules", "show"])

    assert result.exit_code == 0, result.output
    assert "lunes: 09:00-20:00" in result.output
    assert "sábado: no se envía" in result.output


def test_set_tightens_and_audits(cli_db: str, tmp_path: Path) -> None:
    path = _rules_file(tmp_path, {"hours": {"start": "10:00", "end": "18:00"}})

    result = runner.invoke(app, ["rules", "set", path])

    assert result.exit_code == 0, result.output
    assert "lunes: 10:00-18:00" in result.output
    engine = open_database(cli_db)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        stored = business.settings["compliance"]
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "contact_rules.changed")
        ).one()
    engine.dispose()
    assert stored == {"hours": {"start": "10:00", "end": "18:00"}}
    assert audit.details["to"] == stored


def test_set_rejects_looser_than_law(cli_db: str, tmp_path: Path) -> None:
    path = _rules_file(tmp_path, {"hours": {"start": "08:00", "end": "18:00"}})

    rejected = runner.invoke(app, ["rules", "set", path])
    shown = runner.invoke(app, ["rules", "show"])

    assert rejected.exit_code == 2
    assert "No se cambiaron las reglas" in rejected.output
    assert "08:00" in rejected.output
    assert "lunes: 09:00-20:00" in shown.output


def test_set_rejects_invalid_json(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "rota.json"
    path.write_text("{hours", encoding="utf-8")

    result = runner.invoke(app, ["rules", "set", str(path)])

    printed = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "JSON inválido" in printed
    assert "el error está en la línea 1, columna 2" in printed
    assert "Expecting" not in printed


def test_set_rejects_file_not_utf8(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "reglas.json"
    path.write_bytes('{"subdivision": "Córdoba"}'.encode("cp1252"))

    result = runner.invoke(app, ["rules", "set", str(path)])

    printed = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "no es texto UTF-8 (byte 19): guardalo como UTF-8" in printed
    assert "codec" not in printed


@pytest.mark.parametrize("gap", ["NaN", "Infinity", "1e999", "1e20"])
def test_set_rejects_unusable_min_gap(cli_db: str, tmp_path: Path, gap: str) -> None:
    # Python's json module reads NaN and Infinity, and 1e999 overflows to inf.
    path = tmp_path / "reglas.json"
    path.write_text(f'{{"min_gap_hours": {gap}}}', encoding="utf-8")

    rejected = runner.invoke(app, ["rules", "set", str(path)])
    shown = runner.invoke(app, ["rules", "show"])

    assert rejected.exit_code == 2
    assert rejected.exception is None or isinstance(rejected.exception, SystemExit)
    assert "No se cambiaron las reglas: min_gap_hours" in rejected.output
    assert "separación mínima: sin mínimo" in shown.output


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (48, "48 horas"),
        (1, "1 hora"),
        (1.5, "1 hora y 30 minutos"),
        (8760, "8760 horas"),
    ],
)
def test_show_words_min_gap(
    cli_db: str, tmp_path: Path, hours: float, words: str
) -> None:
    path = tmp_path / "reglas.json"
    path.write_text(f'{{"min_gap_hours": {hours}}}', encoding="utf-8")

    changed = runner.invoke(app, ["rules", "set", str(path)])
    shown = runner.invoke(app, ["rules", "show"])

    assert changed.exit_code == 0, changed.output
    assert f"separación mínima: {words}" in shown.output
    assert "days" not in shown.output
    assert "h:mm:ss" not in shown.output


def test_set_rejects_unknown_subdivision(cli_db: str, tmp_path: Path) -> None:
    # given: São Paulo's code, for a business in Argentina
    path = _rules_file(tmp_path, {"subdivision": "SP"})

    # when
    rejected = runner.invoke(app, ["rules", "set", path])
    shown = runner.invoke(app, ["rules", "show"])
    run = runner.invoke(app, ["run", "--dry-run", "--now", "2026-03-16T10:00"])

    # then: nothing is stored, and the cycle still runs
    assert rejected.exit_code == 2
    assert "subdivision desconocida 'SP' en Argentina" in rejected.output
    assert shown.exit_code == 0
    assert run.exit_code == 0, run.output


def test_set_accepts_file_under_compliance_key(cli_db: str, tmp_path: Path) -> None:
    path = _rules_file(tmp_path, {"compliance": {"max_per_week": 2}})

    result = runner.invoke(app, ["rules", "set", path])

    assert result.exit_code == 0, result.output
    engine = open_database(cli_db)
    with transaction(engine) as session:
        stored = default_business(session, get_settings()).settings["compliance"]
    engine.dispose()
    assert stored == {"max_per_week": 2}
