"""Time `cobranza import` of a 100,000-row CSV next to pandas on the same file.

The file is an Argentine-style export (`;` separator, decimal comma,
dd/mm/yyyy, CUITs with valid check digits, mobile numbers), generated with a
fixed seed. Both runs write into fresh SQLite files:

- `cobranza import FILE` through the real CLI entry point, in-process;
- `pandas.read_csv` + `DataFrame.to_sql`, which only copies the text into one
  table (no mapping, validation, phones, customers or payments), as a floor.

Usage: python -m bench.bench_import [ROWS]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine
from stdnum.ar import cuit

HEADER = (
    "Razón Social;CUIT;Celular;Tipo;Nro. Comprobante;Fecha;Vencimiento;"
    "Importe;Saldo;Fecha de pago"
)


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` documents for rows/20 customers."""
    rng = random.Random(seed)
    customers = []
    for index in range(max(1, rows // 20)):
        body = f"{rng.choice(('20', '27', '30'))}{rng.randrange(10**8):08d}"
        tax_id = body + cuit.calc_check_digit(body)
        phone = f"011 15 {rng.randrange(4000, 7000)}-{rng.randrange(10**4):04d}"
        customers.append((f"Cliente {index:05d} (ficticio)", tax_id, phone))
    start = date(2025, 1, 1)
    lines = [HEADER]
    for number in range(1, rows + 1):
        name, tax_id, phone = rng.choice(customers)
        issued = start + timedelta(days=rng.randrange(365))
        due = issued + timedelta(days=30)
        amount = rng.randrange(1_000, 5_000_000)
        credit = rng.random() < 0.03
        settled = rng.random() < 0.6
        open_amount = 0 if settled else amount
        paid_on = (due + timedelta(days=rng.randrange(-10, 40))) if settled else None
        lines.append(
            ";".join(
                (
                    name,
                    tax_id,
                    phone,
                    "NC" if credit else "FC",
                    f"0001-{number:08d}",
                    issued.strftime("%d/%m/%Y"),
                    due.strftime("%d/%m/%Y"),
                    _comma(amount),
                    _comma(0 if credit else open_amount),
                    paid_on.strftime("%d/%m/%Y") if paid_on and not credit else "",
                )
            )
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")


def _comma(cents: int) -> str:
    whole, fraction = divmod(cents, 100)
    return f"{whole:,}".replace(",", ".") + f",{fraction:02d}"


Timing = tuple[float, float]  # (wall-clock seconds, CPU seconds of this process)


def time_cobranza(path: Path, database: Path) -> Timing:
    from typer.testing import CliRunner

    from cobranza.cli import app
    from cobranza.config import get_settings

    os.environ["COBRANZA_DATABASE_URL"] = f"sqlite:///{database}"
    get_settings.cache_clear()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(app, ["import", str(path), "--json"])
    elapsed = (time.perf_counter() - started, time.process_time() - cpu_started)
    if result.exit_code != 0:
        raise SystemExit(f"cobranza import failed: {result.output[:2000]}")
    return elapsed


def time_pandas(path: Path, database: Path) -> Timing:
    import pandas as pd

    engine = create_engine(f"sqlite:///{database}")
    started, cpu_started = time.perf_counter(), time.process_time()
    frame = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str)
    frame.to_sql("raw_import", engine, index=False, chunksize=5000)
    elapsed = (time.perf_counter() - started, time.process_time() - cpu_started)
    engine.dispose()
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        path = base / "export.csv"
        write_export(path, rows)
        size_mib = path.stat().st_size / 2**20
        # The schema is created before the timer starts, as on a running system.
        from cobranza.db.engine import open_database

        open_database(f"sqlite:///{base / 'cobranza.db'}").dispose()

        cobranza_seconds = time_cobranza(path, base / "cobranza.db")
        reimport_seconds = time_cobranza(path, base / "cobranza.db")
        pandas_seconds = time_pandas(path, base / "pandas.db")

    print(f"rows: {rows:,} ({size_mib:.1f} MiB); load average {os.getloadavg()[0]:.1f}")
    for label, (wall, cpu) in (
        ("cobranza import, first run", cobranza_seconds),
        ("cobranza import, same file again", reimport_seconds),
        ("pandas read_csv + to_sql", pandas_seconds),
    ):
        print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
