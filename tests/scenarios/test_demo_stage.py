from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import func, select

from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import OutboxMessage, OutboxState, SandboxMessage
from cobranza.jobs.demo import CYCLE_DAYS, DEMO_STAGES_WITH_CYCLE
from cobranza.simulate.demo import DEMO_TIMEZONE, DemoContext, run_demo

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo(DEMO_TIMEZONE))


def test_demo_runs_a_week_of_cycles(tmp_path: Path) -> None:
    console = Console(record=True, width=100)
    context = DemoContext(database=tmp_path / "demo.db", now=NOW, console=console)

    run_demo(context, DEMO_STAGES_WITH_CYCLE)

    output = console.export_text()
    assert "Ciclos diarios de cobranza" in output
    assert output.count("2026-03-2") >= CYCLE_DAYS
    assert "Por qué no salió un mensaje" in output
    assert "(holiday)" in output
    assert "usá la última línea que se muestra al terminar" in output
    assert "del 20/03 al 26/03" in output
    engine = make_engine(f"sqlite:///{context.database}")
    with transaction(engine) as session:
        sent = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state == OutboxState.SENT
            )
        )
        delivered = session.scalar(select(func.count(SandboxMessage.id)))
        failed = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state == OutboxState.FAILED
            )
        )
    engine.dispose()
    assert sent and sent > 0
    assert delivered == sent
    assert failed == 0
    assert f"de {sent} mensajes enviados por el sandbox" in output
