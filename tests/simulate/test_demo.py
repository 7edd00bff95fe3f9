from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobranza import cli
from cobranza.accounts import authenticate
from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import (
    Business,
    ConsentEvent,
    Customer,
    Document,
    PaymentLink,
    SandboxMessage,
)
from cobranza.simulate.demo import DEMO_STAGES, DemoContext, run_demo

runner = CliRunner()
NOW = "2026-03-20T10:00-03:00"


@pytest.fixture
def demo_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run `cobranza demo` once into a tmp folder, with an unrelated owner URL."""
    owner_database = tmp_path / "owner.db"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{owner_database}")
    get_settings.cache_clear()
    database = tmp_path / "demo.db"
    html = tmp_path / "demo.html"

    result = runner.invoke(
        app, ["demo", "--database", str(database), "--now", NOW, "--html", str(html)]
    )

    assert result.exit_code == 0, result.output
    assert not owner_database.exists()
    yield database
    get_settings.cache_clear()


def test_demo_prints_the_audit(demo_run: Path) -> None:
    html = demo_run.with_name("demo.html").read_text(encoding="utf-8")

    assert demo_run.with_name("demo-facturas.csv").exists()
    assert "Antigüedad de saldos" in html
    assert "Distribuidora Ejemplo (ficticia)" in html


def test_demo_loads_through_the_importer(demo_run: Path) -> None:
    engine = make_engine(f"sqlite:///{demo_run}")
    with transaction(engine) as session:
        businesses = session.scalars(select(Business.name)).all()
        documents = session.scalar(select(func.count(Document.id)))
        consents = session.scalar(select(func.count(ConsentEvent.id)))
        invalid_phones = session.scalar(
            select(func.count(Customer.id)).where(Customer.phone.is_(None))
        )
    engine.dispose()

    assert businesses == ["Distribuidora Ejemplo (ficticia)"]
    assert documents is not None and documents > 300
    assert consents is not None and consents > 0
    assert invalid_phones == 0


def test_demo_segments_cover_every_pattern(demo_run: Path) -> None:
    engine = make_engine(f"sqlite:///{demo_run}")
    with transaction(engine) as session:
        segments = Counter(session.scalars(select(Customer.segment)).all())
    engine.dispose()

    assert set(segments) == {
        "punctual",
        "new",
        "occasional_late",
        "chronic_late",
        "month_end",
    }


def test_demo_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    # Folder names that no Spanish word of the output contains.
    for folder in ("run1", "run2"):
        database = tmp_path / folder / "demo.db"
        result = runner.invoke(app, ["demo", "--database", str(database), "--now", NOW])
        assert result.exit_code == 0, result.output
        # Payment link tokens are random by design, so they are masked.
        output = result.stdout.replace(folder, "FOLDER")
        outputs.append(re.sub(r"/pagar/[\w-]+", "/pagar/TOKEN", output))

    assert "/pagar/TOKEN" in outputs[0]
    assert outputs[0] == outputs[1]


def test_demo_recreates_the_database(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    for _ in range(2):
        result = runner.invoke(app, ["demo", "--database", str(database), "--now", NOW])
        assert result.exit_code == 0, result.output

    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine) as session:
        businesses = session.scalar(select(func.count(Business.id)))
    engine.dispose()
    assert businesses == 1


def test_demo_rejects_invalid_now(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--database", str(tmp_path / "d.db"), "--now", "ayer"]
    )

    assert result.exit_code == 2
    assert "fecha u hora inválida" in result.stderr


@pytest.mark.parametrize("now", ["0001-01-05", "1900-03-01", "9999-12-31"])
def test_demo_rejects_far_now(tmp_path: Path, now: str) -> None:
    database = tmp_path / "d.db"

    result = runner.invoke(app, ["demo", "--database", str(database), "--now", now])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert f"--now inválido: '{now}'" in message
    assert "entre 2000 y 2099" in message
    assert not database.exists()


def test_demo_ignores_owner_link_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an owner's environment with a public URL, Mercado Pago and an LLM
    owner = {
        "COBRANZA_PUBLIC_BASE_URL": "https://cobranza.example.com",
        "COBRANZA_PAYMENT_PROVIDER": "mercadopago",
        "COBRANZA_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "COBRANZA_LLM_MODEL": "owner-model",
    }
    for name, value in owner.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    database = tmp_path / "demo.db"

    # When the demo runs for port 8123
    result = runner.invoke(
        app, ["demo", "--database", str(database), "--now", NOW, "--port", "8123"]
    )

    # Then its links point at the demo's own server, through the sandbox
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine) as session:
        texts = session.scalars(select(SandboxMessage.text)).all()
        providers = set(session.scalars(select(PaymentLink.provider)))
    engine.dispose()
    links = [text for text in texts if "/pagar/" in text]
    assert links
    assert all("http://127.0.0.1:8123/pagar/" in text for text in links)
    assert not any("example.com" in text for text in texts)
    assert providers == {"sandbox"}
    # And the owner's environment is as it was
    for name, value in owner.items():
        assert os.environ[name] == value
    assert get_settings().public_base_url == "https://cobranza.example.com"
    get_settings.cache_clear()


def test_demo_keeps_media_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an owner whose media folder is the default one
    monkeypatch.delenv("COBRANZA_MEDIA_DIR", raising=False)
    get_settings.cache_clear()
    database = tmp_path / "demo.db"
    context = DemoContext(
        database=database, now=datetime(2026, 3, 20, tzinfo=UTC), console=Console()
    )

    # When the demo's settings and environment are built
    environment = context.environment()

    # Then the demo stores files next to its database, not in the owner's folder
    assert context.settings.media_dir == str(tmp_path / "demo-media")
    assert environment["COBRANZA_MEDIA_DIR"] == str(tmp_path / "demo-media")
    assert get_settings().media_dir == "media"
    get_settings.cache_clear()


def test_demo_audit_json_matches_segments(
    demo_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{demo_run}")
    monkeypatch.setenv("COBRANZA_BUSINESS_NAME", "Distribuidora Ejemplo (ficticia)")
    get_settings.cache_clear()

    result = runner.invoke(app, ["audit", "--as-of", "2026-03-20", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sum(report["segments"].values()) == len(report["customers"])
    assert report["open_invoices"] > 0
    assert report["unapplied_credits"]["count"] == 4
    # The generated portfolio has one disputed invoice; a customer's reply in
    # the simulated week disputes the rest of theirs.
    engine = make_engine(f"sqlite:///{demo_run}")
    with transaction(engine) as session:
        disputed = session.scalar(
            select(func.count(Document.id)).where(
                Document.disputed.is_(True), Document.open_amount > 0
            )
        )
    engine.dispose()
    assert disputed is not None and disputed > 1
    assert report["disputed"]["count"] == disputed


def test_demo_audit_agrees_with_stored_balances(
    demo_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{demo_run}")
    with transaction(engine) as session:
        stored = session.scalar(select(func.sum(Document.open_amount)))
    engine.dispose()
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{demo_run}")
    monkeypatch.setenv("COBRANZA_BUSINESS_NAME", "Distribuidora Ejemplo (ficticia)")
    get_settings.cache_clear()

    result = runner.invoke(app, ["audit", "--as-of", "2026-03-20", "--json"])

    assert result.exit_code == 0, result.output
    assert stored is not None
    expected = str(stored.quantize(Decimal("0.01")))
    assert json.loads(result.stdout)["open_balance"] == expected


def test_appended_stage_sees_earlier_results(tmp_path: Path) -> None:
    seen: list[int] = []

    def count_open_invoices(context: DemoContext) -> None:
        assert context.audit_report is not None
        seen.append(context.audit_report.open_invoices)

    context = DemoContext(
        database=tmp_path / "demo.db",
        now=datetime(2026, 3, 20, 13, tzinfo=UTC),
        console=Console(file=io.StringIO()),
    )

    run_demo(context, [*DEMO_STAGES, ("count", count_open_invoices)])

    assert len(seen) == 1
    assert seen[0] > 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_serves_the_dashboard(tmp_path: Path) -> None:
    # Given the demo started with --serve as the README's first command does
    port = _free_port()
    database = tmp_path / "demo.db"
    command = [sys.executable, "-m", "cobranza.cli", "demo", "--database"]
    command += [str(database), "--now", NOW, "--serve", "--port", str(port)]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        # When it prints the panel's address and the sign-in page answers
        output = ""
        assert server.stdout is not None
        for line in server.stdout:
            output += line
            if line.startswith("Contraseña: "):
                break
        match = re.search(r"Usuario: (\S+)\nContraseña: (\S+)\n", output)
        assert match, output
        status = 0
        for _ in range(100):
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/entrar").status_code
                break
            except httpx.TransportError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()

    # Then the page is up and the printed account signs in
    assert status == 200
    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine) as session:
        user = authenticate(
            session, match.group(1), match.group(2), "127.0.0.1", datetime.now(UTC)
        )
    engine.dispose()
    assert user is not None


def test_hint_names_this_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "venv bin" / "cobranza"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setenv("PATH", "/nonexistent")

    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    own = cli._own_command()
    monkeypatch.setattr(sys, "argv", ["python -m cobranza.cli", "demo"])
    fallback = cli._own_command()

    assert own == f"'{script}'"
    assert fallback == "cobranza"


def test_demo_serve_on_taken_port_stops_first(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])

        result = runner.invoke(
            app,
            ["demo", "--database", str(tmp_path / "demo.db"), "--serve"]
            + ["--port", str(port)],
        )

    assert result.exit_code == 2
    assert f"El puerto {port} ya está en uso" in result.output
    assert f"--port {port + 1}" in result.output
    assert not (tmp_path / "demo.db").exists()


def test_demo_prints_both_commands_whole(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--database", str(tmp_path / "demo.db"), "--now", NOW]
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    customers = [line for line in lines if line.endswith(" customers")]
    outbox = [line for line in lines if line.endswith(" sandbox outbox")]
    assert len(customers) == 1
    assert customers[0].startswith("COBRANZA_DATABASE_URL=sqlite:///")
    assert len(outbox) == 1
    assert outbox[0].startswith("COBRANZA_DATABASE_URL=sqlite:///")
