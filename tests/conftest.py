"""Shared fixtures: databases on SQLite and, when configured, PostgreSQL.

PostgreSQL tests read COBRANZA_TEST_POSTGRES_URL (for example
postgresql://postgres@127.0.0.1:5432/test). The session creates one migrated
database there and every test starts with its tables emptied, so tests never
see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cobranza.db.engine import make_engine, upgrade

POSTGRES_URL_ENV = "COBRANZA_TEST_POSTGRES_URL"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# A pytest-xdist worker starts with COLUMNS=80 in its environment, and Rich
# fixes a console's width from COLUMNS when the console is made. The CLI's
# consoles are made when a test module imports it, so without this every table
# a worker prints would be cut at 80 columns, whatever width the test sets.
os.environ.pop("COLUMNS", None)


def shared_data(*parts: str) -> Path:
    """Return a path under ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"public data set not found at {path}")
    return path


def _admin_engine(url: str) -> Engine:
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(parsed, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """Create one migrated database for the whole test session."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set, so PostgreSQL tests are skipped")
    name = f"cobranza_test_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(url).set(database=name).render_as_string(False)
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    yield database_url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(database_url: str) -> str:
    """Disconnect leftover sessions, then delete every row but Alembic's.

    Ending the other sessions first means a connection that a test leaked can
    never hold a lock the deletes would wait on. DELETE with triggers off
    (`session_replication_role = replica`, which needs a superuser as the CI
    database has) is about ten times faster than TRUNCATE on small tables.
    """
    parsed = make_url(database_url)
    with psycopg.connect(
        parsed.set(drivername="postgresql").render_as_string(False), autocommit=True
    ) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        sequences = [
            row[0]
            for row in connection.execute(
                "SELECT quote_ident(sequencename) FROM pg_sequences "
                "WHERE schemaname = 'public'"
            )
        ]
        with connection.transaction():
            connection.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                connection.execute(f"DELETE FROM {table}")  # type: ignore[arg-type]
            for sequence in sequences:
                connection.execute(f"ALTER SEQUENCE {sequence} RESTART")  # type: ignore[arg-type]
    return database_url


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file for the session, which each test then copies.

    Running every migration takes about a third of a second, and thousands
    of tests each need a fresh database, so copying the file saves minutes.
    """
    path = tmp_path_factory.mktemp("template") / "cobranza.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite_file: Path) -> str:
    path = tmp_path / "cobranza.db"
    shutil.copyfile(migrated_sqlite_file, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL on each backend."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    yield _empty_postgres(request.getfixturevalue("postgres_database"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_reply_handler() -> Iterator[None]:
    """Start and end each test without the reply handler installed.

    `create_app` and the CLI install it process-wide, so without this a
    test that built an app would make later tests act on their replies.
    """
    from cobranza.channels.inbox import set_reply_handler

    set_reply_handler(None)
    yield
    set_reply_handler(None)
