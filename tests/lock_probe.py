"""A probe that checks, from other connections, that nothing locks the database.

Tests run it while a fake server on 127.0.0.1 delays a response that the
code under test waits for (an LLM answer, a media download). On SQLite it
takes the write lock and stores a webhook event, and on PostgreSQL it counts
the sessions idle in a transaction and locks the event being processed.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import Engine

from cobranza.channels.inbox import store_event
from tests.channels.whatsapp.conftest import NOW

# How long the probe waits for a write before it counts the database as locked.
PROBE_WAIT_SECONDS = 0.3


@dataclass
class Probe:
    """Writes from other connections while a fake server delays its response."""

    engine: Engine
    # The webhook event being processed, whose row must stay unlocked.
    event_id: int | None = None
    results: dict[str, object] = field(default_factory=dict)
    ingest: threading.Thread | None = None

    def __call__(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self.results["sqlite_write"] = self._sqlite_write()
            self.results["ingest_done"] = self._ingest()
            return
        self.results["open_transactions"] = self._open_transactions()
        if self.event_id is not None:
            self.results["event_row_free"] = self._event_row_free()

    def join(self) -> None:
        """Wait for the probe's ingest, which ends late if the gate was held."""
        if self.ingest is not None:
            self.ingest.join()

    def assert_nothing_waited(self) -> None:
        if self.engine.dialect.name == "sqlite":
            assert self.results["sqlite_write"] is True
            assert self.results["ingest_done"] is True
            return
        assert self.results["open_transactions"] == 0
        if self.event_id is not None:
            assert self.results["event_row_free"] is True

    def _sqlite_write(self) -> bool:
        """Take SQLite's write lock on a connection of its own, as a CLI would."""
        path = str(self.engine.url.database)
        connection = sqlite3.connect(
            path, timeout=PROBE_WAIT_SECONDS, isolation_level=None
        )
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # database is locked
            return False
        finally:
            connection.close()

    def _ingest(self) -> bool:
        """Store a webhook body as the route does, through the engine's write gate."""
        done = threading.Event()

        def store() -> None:
            store_event(self.engine, "whatsapp", "probe", b"{}", {}, NOW)
            done.set()

        self.ingest = threading.Thread(target=store, daemon=True)
        self.ingest.start()
        return done.wait(PROBE_WAIT_SECONDS)

    def _psycopg_url(self) -> str:
        url = self.engine.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _open_transactions(self) -> int:
        """Count the other sessions of this database that are inside a transaction."""
        with psycopg.connect(self._psycopg_url(), autocommit=True) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state LIKE 'idle in transaction%%'"
            ).fetchone()
        assert row is not None
        return int(row[0])

    def _event_row_free(self) -> bool:
        """Lock the webhook event's row without waiting, as another worker would."""
        with psycopg.connect(self._psycopg_url()) as connection:
            try:
                connection.execute(
                    "SELECT id FROM webhook_event WHERE id = %s FOR UPDATE NOWAIT",
                    (self.event_id,),
                )
            except psycopg.errors.LockNotAvailable:
                return False
            finally:
                connection.rollback()
        return True
