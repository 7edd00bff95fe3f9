"""Connections that open a new SQLite file while another holds its lock."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from cobranza.db.engine import make_engine


def test_wal_switch_waits_for_lock(tmp_path: Path) -> None:
    # Given a new database file in rollback-journal mode whose write lock
    # another connection holds for a moment, as a second process that
    # opened the same file does. SQLite fails the WAL switch with "database is
    # locked" at once here, because waiting could deadlock.
    path = tmp_path / "cobranza.db"
    holder = sqlite3.connect(path, check_same_thread=False)
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE marker (id INTEGER)")
    release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
    release.start()

    # When this process connects through make_engine.
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar_one()
        tables = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table'")
        ).scalars()
        names = list(tables)

    # Then it waited for the lock instead of failing, and the file is in WAL.
    release.join()
    holder.close()
    engine.dispose()
    assert mode == "wal"
    assert names == ["marker"]
