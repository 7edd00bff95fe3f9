"""Engine, sessions and schema upgrades for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from cobranza.config import Settings
from cobranza.db.models import Business

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False)
    )
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply the migrations up to `revision` (default: every branch head)."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration on SQLite copies a table and drops the old one;
            # with foreign keys on, dropping a table that other rows reference
            # fails. The keys are switched off (only possible outside a
            # transaction) and checked as a whole before the commit instead.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise RuntimeError(
            f"migration left {len(broken)} rows with a broken foreign key, the "
            f"first in {table} row {rowid} pointing to {parent}: the upgrade was "
            "rolled back; report this with the migration's name"
        )


def is_current(engine: Engine) -> bool:
    """Return whether the database is at the newest migration."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())


def open_database(url: str) -> Engine:
    """Create an engine and apply pending migrations, as on first use."""
    engine = make_engine(url)
    if not is_current(engine):
        logger.info("applying database migrations")
        upgrade(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Yield a session whose work is committed at the end or rolled back."""
    with session_factory(engine).begin() as session:
        yield session


def default_business(session: Session, settings: Settings) -> Business:
    """Return the business the CLI works on, creating it from the settings."""
    business = session.scalars(
        select(Business).where(Business.name == settings.business_name)
    ).first()
    if business is not None:
        return business
    business = Business(
        name=settings.business_name,
        country=settings.country,
        timezone=settings.timezone,
        currency=settings.currency,
        locale=settings.locale,
        settings={},
        created_at=datetime.now(UTC),
    )
    session.add(business)
    session.flush()
    return business
