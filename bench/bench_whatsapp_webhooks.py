"""Webhook ingest: verify, store and answer signed WhatsApp events on one process.

Starts the cobranza app under uvicorn (one process, SQLite file database,
the event worker running) on 127.0.0.1, then a load loop in CLIENTS other
processes, each with THREADS keep-alive connections, posts EVENTS distinct
signed status bodies (bounded by MAX_SECONDS). It prints the accepted events
per second, latency percentiles, how many stored events the worker had
processed when the load stopped and how long it took to process the rest,
the server's and the clients' CPU time, and the load average.

Run from the repository root:
    /work/venv/bin/python -m bench.bench_whatsapp_webhooks [EVENTS] [CLIENTS] [THREADS]
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from cobranza.db.engine import open_database, transaction
from cobranza.db.models import Business, WebhookEvent

APP_SECRET = "bench-app-secret-7b1e"
MAX_SECONDS = 120.0
NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def app_factory() -> object:
    """Build the app from COBRANZA_* variables; uvicorn calls this in the server."""
    from cobranza.config import get_settings
    from cobranza.web.app import create_app

    settings = get_settings()
    return create_app(settings, open_database(settings.database_url))


def _body(index: int) -> bytes:
    status = {
        "id": f"wamid.bench{index}",
        "status": "delivered",
        "timestamp": "1773147600",
        "recipient_id": "5491155550100",
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "utility"},
    }
    change = {
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": "1122334455667"},
            "statuses": [status],
        },
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [change]}],
    }
    return json.dumps(body).encode()


def _client(port: int, indexes: list[int], threads: int, queue: object) -> None:
    """Post the bodies for `indexes` over `threads` connections; report latencies."""
    prepared = []
    for index in indexes:
        body = _body(index)
        digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        prepared.append((body, "sha256=" + digest))
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + MAX_SECONDS

    def run(part: list[tuple[bytes, str]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        bad = 0
        for body, signature in part:
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            connection.request(
                "POST",
                "/webhooks/whatsapp",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": signature,
                },
            )
            response = connection.getresponse()
            response.read()
            local.append(time.perf_counter() - started)
            if response.status != 200:
                bad += 1
        connection.close()
        with lock:
            latencies.extend(local)
            failures[0] += bad

    workers = [
        threading.Thread(target=run, args=(prepared[offset::threads],))
        for offset in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    times = os.times()
    queue.put((latencies, failures[0], times.user + times.system))  # type: ignore[attr-defined]


def _cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds a Linux process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(port: int) -> None:
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start")


def _counts(engine: Engine) -> tuple[int, int]:
    """Return how many events are stored and how many of them are processed."""
    with transaction(engine) as session:
        stored = session.scalar(select(func.count(WebhookEvent.id))) or 0
        processed = session.scalar(
            select(func.count(WebhookEvent.id)).where(
                WebhookEvent.processed_at.is_not(None)
            )
        )
    return stored, processed or 0


def _wait_processed(engine: Engine, stored: int) -> float | None:
    """Wait until the worker has processed every stored event; return the seconds.

    None when it had not after MAX_SECONDS.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < MAX_SECONDS:
        if _counts(engine)[1] >= stored:
            return time.perf_counter() - started
        time.sleep(0.2)
    return None


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = open_database(url)
        with transaction(engine) as session:
            session.add(
                Business(
                    name="bench",
                    country="AR",
                    timezone="America/Argentina/Buenos_Aires",
                    currency="ARS",
                    locale="es_AR",
                    settings={},
                    created_at=NOW,
                )
            )
        port = _free_port()
        env = {
            **os.environ,
            "COBRANZA_DATABASE_URL": url,
            "COBRANZA_BUSINESS_NAME": "bench",
            "COBRANZA_ENVIRONMENT": "test",
            "COBRANZA_WHATSAPP_APP_SECRET": APP_SECRET,
            "COBRANZA_WHATSAPP_VERIFY_TOKEN": "bench-verify-token",
            "COBRANZA_WHATSAPP_PHONE_NUMBER_ID": "1122334455667",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "bench.bench_whatsapp_webhooks:app_factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        try:
            _wait_ready(port)
            queue: multiprocessing.Queue[tuple[list[float], int, float]] = (
                multiprocessing.Queue()
            )
            parts = [list(range(events))[offset::clients] for offset in range(clients)]
            processes = [
                multiprocessing.Process(
                    target=_client, args=(port, part, threads, queue)
                )
                for part in parts
            ]
            started = time.perf_counter()
            server_cpu = _cpu_seconds(server.pid)
            for process in processes:
                process.start()
            results = [queue.get() for _ in processes]
            elapsed = time.perf_counter() - started
            server_cpu = _cpu_seconds(server.pid) - server_cpu
            for process in processes:
                process.join()
            load = os.getloadavg()[0]
            stored, processed = _counts(engine)
            caught_up = _wait_processed(engine, stored)
        finally:
            server.terminate()
            server.wait(timeout=30)
            engine.dispose()

    latencies = sorted(value for result in results for value in result[0])
    failures = sum(result[1] for result in results)
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{len(latencies)} events in {elapsed:.1f} s: {len(latencies) / elapsed:.0f}/s"
    )
    p50, p99 = quantiles[49] * 1000, quantiles[98] * 1000
    print(
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms; non-200 answers: {failures}"
    )
    print(f"stored {stored}, processed by the worker when the load stopped {processed}")
    if caught_up is None:
        print(f"the worker had not processed every event {MAX_SECONDS:.0f} s later")
    else:
        print(f"the worker processed the rest in {caught_up:.1f} s after the load")
    per_event = server_cpu / max(len(latencies), 1) * 1000
    client_cpu = sum(result[2] for result in results)
    print(
        f"server CPU during the load {server_cpu:.1f} s ({per_event:.2f} ms per "
        f"event, storing and processing); client CPU {client_cpu:.1f} s; "
        f"load average {load:.2f} when the load stopped"
    )


if __name__ == "__main__":
    main()
