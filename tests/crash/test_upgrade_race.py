"""`cobranza db upgrade` run by several processes at once, or killed half-way."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from cobranza.db.engine import alembic_config, is_current, make_engine, upgrade
from tests.conftest import POSTGRES_URL_ENV
from tests.polling import wait_for

BEFORE_LAST = "0013_outbox_step_kind_index"
PROCESSES = 3


def _upgrade_command(database_url: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "COBRANZA_DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "cobranza", "db", "upgrade"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _downgrade_last(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE_LAST)


def _versions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return sorted(row[0] for row in rows)


def _upgrade_after_barrier(
    database_url: str, barrier: multiprocessing.synchronize.Barrier
) -> None:
    engine = make_engine(database_url)
    barrier.wait()
    upgrade(engine)
    engine.dispose()


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """Create an empty PostgreSQL database of its own, dropped afterwards."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set, so PostgreSQL tests are skipped")
    name = f"cobranza_crash_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(url).set(database=name).render_as_string(False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_upgrades_waiting_on_one_lock_postgres(scratch_postgres: str) -> None:
    # Given a database one migration behind, whose next migration (a table
    # with a foreign key to `business`) waits while the test locks `business`.
    engine = make_engine(scratch_postgres)
    upgrade(engine)
    _downgrade_last(engine)
    plain_url = make_url(scratch_postgres).set(drivername="postgresql")
    with (
        psycopg.connect(plain_url.render_as_string(False)) as holder,
        psycopg.connect(plain_url.render_as_string(False), autocommit=True) as probe,
    ):
        holder.execute("LOCK TABLE business IN EXCLUSIVE MODE")

        # When two upgrades start and both wait on a lock before the release.
        processes = [_upgrade_command(scratch_postgres) for _ in range(2)]
        waiting = wait_for(lambda: _backends_waiting_on_locks(probe) == 2, 60)
        holder.rollback()
    outputs = [process.communicate(timeout=120) for process in processes]

    # Then both succeed and the migration was applied once.
    assert waiting
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    assert _versions(engine) == sorted(heads)
    assert is_current(engine)
    engine.dispose()


def _backends_waiting_on_locks(probe: psycopg.Connection) -> int:
    # The probe is in autocommit mode because a transaction reads one
    # snapshot of pg_stat_activity for its whole length.
    row = probe.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrades_from_empty_at_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Given an empty database and processes released together by a barrier.
    if backend == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'cobranza.db'}"
    else:
        database_url = request.getfixturevalue("scratch_postgres")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    processes = [
        context.Process(target=_upgrade_after_barrier, args=(database_url, barrier))
        for _ in range(PROCESSES)
    ]

    # When every process upgrades the same database at once.
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)

    # Then every one succeeds and the schema is current.
    assert [process.exitcode for process in processes] == [0] * PROCESSES
    engine = make_engine(database_url)
    assert is_current(engine)
    engine.dispose()


def test_failed_sqlite_upgrade_leaves_no_table(tmp_path: Path) -> None:
    # Given a SQLite database one migration behind, where an index with the
    # name the migration's second statement uses already exists.
    database_url = f"sqlite:///{tmp_path / 'cobranza.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    _downgrade_last(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE INDEX ix_erased_sender_business_hash ON business (name)"
        )

    # When the upgrade fails on that index, and runs again once it is gone.
    failed = _upgrade_command(database_url)
    _, failed_stderr = failed.communicate(timeout=120)
    left_tables = set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_erased_sender_business_hash")
    retried = _upgrade_command(database_url)
    _, retried_stderr = retried.communicate(timeout=120)

    # Then the failed run created nothing and the second one completes.
    assert failed.returncode != 0
    assert "ix_erased_sender_business_hash" in failed_stderr
    assert "erased_sender" not in left_tables
    assert retried.returncode == 0, retried_stderr
    assert is_current(engine)
    engine.dispose()
