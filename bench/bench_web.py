"""Time the dashboard pages on a large generated portfolio.

    /work/venv/bin/python -m bench.bench_web --documents 200000 --customers 20000

The portfolio comes from `bench/bench_audit.py` (about 85% of invoices
paid). The script signs in through the form with a TestClient, so the
figures include routing, the queries and template rendering but no network.
Each page is fetched three times and every time is printed. Results go in
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from bench.bench_audit import fill
from cobranza.accounts import create_user
from cobranza.config import Settings
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import Business
from cobranza.web.app import create_app

NOW = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
EMAIL = "bench@example.com"
PASSWORD = "bench password 123"
PAGES = [
    ("Resumen", "/"),
    ("Clientes, página 1", "/clientes"),
    ("Clientes vencidos, página 40", "/clientes?overdue=true&page=40"),
    ("Clientes, búsqueda", "/clientes?q=cliente%201234"),
    ("Ficha de un cliente", "/clientes/1234"),
    ("Auditoría", "/auditoria"),
    ("Clientes, CSV completo", "/clientes/exportar/csv"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = open_database(url)
        started = time.perf_counter()
        fill(engine, args.documents, args.customers)
        with transaction(engine) as session:
            business_id = session.scalars(select(Business.id)).one()
            create_user(session, business_id, EMAIL, PASSWORD, NOW)
        print(f"load: {time.perf_counter() - started:.1f} s (not timed below)")

        app = create_app(Settings(_env_file=None, database_url=url), engine)  # type: ignore[call-arg]
        app.state.clock = lambda: NOW
        client = TestClient(app, base_url="https://testserver")
        client.get("/entrar")
        token = client.cookies.get("cobranza_login_csrf")
        client.post(
            "/entrar",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        )
        for label, path in PAGES:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                response.raise_for_status()
            shown = " / ".join(f"{seconds * 1000:.0f} ms" for seconds in times)
            print(f"{label}: {shown} ({len(response.content) // 1024} KiB)")
        engine.dispose()


if __name__ == "__main__":
    main()
