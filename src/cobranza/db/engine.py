"""Engine, sessions and schema upgrades for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from cobranza.config import Settings
from cobranza.db.models import Business
from cobranza.voseo import owner_text

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The PostgreSQL advisory lock key that `upgrade` holds: the bytes of
# "cobranza" read as a 64-bit integer, unlikely to be another tool's key.
UPGRADE_LOCK_KEY = int.from_bytes(b"cobranza", "big")


class NulCharacterError(ValueError):
    """Raised when a statement's text parameter contains a NUL character.

    PostgreSQL rejects such text with an error that names no field, so
    every database gets this one instead, before the statement runs.
    Inbound replies replace it (`channels.inbox.record_inbound`).
    """


def _reject_nul(
    _connection: Connection,
    _cursor: Any,
    _statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    rows = parameters if executemany else [parameters]
    for row in rows:
        if isinstance(row, dict):
            values = list(row.values())
        elif isinstance(row, list | tuple):
            values = list(row)
        else:
            values = [row]
        for value in values:
            if isinstance(value, str) and "\x00" in value:
                raise NulCharacterError(
                    "a text value contains a NUL character (\\x00), which "
                    "cannot be stored"
                )


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    Without `pooled`, each connection closes when it is returned, which
    suits a command that runs once: no connection outlives it unclosed.
    Every engine raises `NulCharacterError` for text with a NUL character.
    """
    engine = _create_engine(url, pooled)
    event.listen(engine, "before_cursor_execute", _reject_nul)
    return engine


def _create_engine(url: str, pooled: bool) -> Engine:
    parsed = make_url(url)
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        else:
            # An in-memory database lives as long as its one connection.
            options = {}
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # The URL object goes on whole: its str() hides the password as "***".
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, **options)


# How long a connection retries switching a new database file to WAL while
# another connection does the same; it matches the busy timeout above.
WAL_SWITCH_TIMEOUT_SECONDS = 30.0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode, retrying while another process does.

    Switching needs an exclusive lock. When waiting for it could deadlock,
    SQLite returns "database is locked" at once without calling the busy
    handler, so processes that open a new database file together
    (`cobranza serve` and `cobranza worker` on first start) would fail. A
    file already in WAL mode needs no lock, so the retries happen only on a
    new file.
    """
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT_SECONDS
    delay = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


class WriteGate:
    """Let one thread of this process write to a SQLite database at a time.

    SQLite has one writer per database, and a connection that finds the
    write lock taken retries after sleeps of 1, 2, 5 and up to 100 ms
    (`sqliteDefaultBusyCallback` in SQLite's main.c), which shows as long
    stalls under load. Threads that take the gate first wait on a
    condition instead and are woken the moment the writer ends. Urgent
    writers (webhook ingest, where a request waits) go before background
    ones (event processing). The gate only orders writers in this process;
    other processes still meet SQLite's own lock and busy timeout.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._busy = False
        self._urgent_waiting = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Hold the gate, ahead of every background writer waiting for it."""
        with self._condition:
            self._urgent_waiting += 1
            try:
                self._condition.wait_for(lambda: not self._busy)
            finally:
                self._urgent_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def background(self) -> Iterator[None]:
        """Hold the gate once no urgent writer is waiting for it."""
        with self._condition:
            self._condition.wait_for(
                lambda: not self._busy and self._urgent_waiting == 0
            )
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def urgent_waiting(self) -> bool:
        """Return whether an urgent writer is waiting for the gate."""
        return self._urgent_waiting > 0

    def _release(self) -> None:
        with self._condition:
            self._busy = False
            self._condition.notify_all()


_WRITE_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()
_WRITE_GATES_LOCK = threading.Lock()


def write_gate(engine: Engine) -> WriteGate | None:
    """Return the engine's `WriteGate` on SQLite; None on PostgreSQL.

    PostgreSQL locks rows, not the database, so its writers need no gate.
    """
    if engine.dialect.name != "sqlite":
        return None
    with _WRITE_GATES_LOCK:
        gate = _WRITE_GATES.get(engine)
        if gate is None:
            gate = _WRITE_GATES[engine] = WriteGate()
        return gate


def urgent_write(engine: Engine) -> AbstractContextManager[None]:
    """Hold the engine's write gate as an urgent writer (no-op off SQLite)."""
    gate = write_gate(engine)
    return gate.urgent() if gate is not None else nullcontext()


def background_write(engine: Engine) -> AbstractContextManager[None]:
    """Hold the engine's write gate as a background writer (no-op off SQLite)."""
    gate = write_gate(engine)
    return gate.background() if gate is not None else nullcontext()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The option goes through configparser, which reads "%" as interpolation,
    # and a password with reserved characters is percent-encoded in the URL.
    config.set_main_option(
        "sqlalchemy.url",
        engine.url.render_as_string(hide_password=False).replace("%", "%%"),
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
                _lock_for_upgrade(connection)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _lock_for_upgrade(connection: Connection) -> None:
    """Take the lock that makes concurrent upgrades of one database run in turn.

    Two processes that start on a new database (`cobranza serve` and
    `cobranza worker`, or two `cobranza db upgrade`) would otherwise both
    read the old revision and run the same migration, and the later one
    fails on a table the earlier one created. The lock is held until the
    upgrade commits, so the process that waited reads the new revision and
    has nothing left to apply. On SQLite, BEGIN IMMEDIATE takes the write
    lock, waiting up to the busy timeout. It also puts the DDL inside the
    transaction, because Python's sqlite3 module opens one only before
    INSERT, UPDATE, DELETE and REPLACE. Without it, a failed or killed
    upgrade would leave the tables of a half-run migration behind.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK_KEY,))


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


def has_migrations(engine: Engine) -> bool:
    """Return whether any migration was ever applied to the database.

    It only reads, because Alembic looks for its version table and creates
    nothing when the table is missing.
    """
    with engine.connect() as connection:
        return bool(MigrationContext.configure(connection).get_current_heads())


def sqlite_file_missing(url: str) -> bool:
    """Return whether `url` names a SQLite file that is missing or empty.

    Connecting to such a file would create it or write its header, so a
    caller that must not write checks this first.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database
    if not database or database == ":memory:":
        return False
    path = Path(database)
    return not path.is_file() or path.stat().st_size == 0


def open_database(url: str, *, pooled: bool = True) -> Engine:
    """Create an engine and apply pending migrations, as on first use."""
    engine = make_engine(url, pooled=pooled)
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


def find_business(session: Session, name: str) -> Business | None:
    """Return the business called `name`, or None when there is none."""
    return session.scalars(select(Business).where(Business.name == name)).first()


def business_names(session: Session) -> list[str]:
    """Return the names of every business in the database, oldest first."""
    return list(session.scalars(select(Business.name).order_by(Business.id)))


def default_business(session: Session, settings: Settings) -> Business:
    """Return the business the CLI works on, creating it from the settings."""
    business = find_business(session, settings.business_name)
    if business is not None:
        _warn_stored_values(business, settings)
        return business
    others = business_names(session)
    if others:
        # A mistyped COBRANZA_BUSINESS_NAME would otherwise show an empty
        # business as if the database held no data. The owner reads this line
        # on the terminal, so it is in Spanish, in the voice of the locale the
        # new business gets.
        warning = (
            "no había ningún negocio llamado %r, así que se creó vacío; en esta "
            "base están %s: definí COBRANZA_BUSINESS_NAME con uno de ellos para "
            "ver sus datos"
        )
        logger.warning(
            owner_text(warning, settings.locale),
            settings.business_name,
            ", ".join(repr(name) for name in others[:5]),
        )
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


# The settings that only create a business: once it exists, its stored values
# are used and `cobranza settings set` changes them.
_CREATION_VALUES = ("country", "timezone", "currency", "locale")


def _warn_stored_values(business: Business, settings: Settings) -> None:
    """Warn when the environment sets a value the stored business does not have.

    Only values given in the environment or `.env` count, with those that a
    given country implies, so a business created with COBRANZA_COUNTRY=MX is
    not reported from a shell that sets nothing. The owner reads this on the
    terminal, so it is in Spanish.
    """
    explicit = settings.model_fields_set
    if "country" in explicit:
        explicit = set(_CREATION_VALUES)
    differences = [
        (name, getattr(settings, name), getattr(business, name))
        for name in _CREATION_VALUES
        if name in explicit and getattr(settings, name) != getattr(business, name)
    ]
    if not differences:
        return
    logger.warning(
        "el negocio %r ya existe y sigue usando sus valores guardados, no los de "
        "tu entorno: %s. Para cambiarlos: %s",
        business.name,
        "; ".join(
            f"COBRANZA_{name.upper()} es {requested}, el negocio tiene {stored}"
            for name, requested, stored in differences
        ),
        "; ".join(
            f"cobranza settings set {name} {requested}"
            for name, requested, _stored in differences
        ),
    )


def lock_settings(session: Session, business: Business) -> None:
    """Lock the business row and reload its settings before they are rewritten.

    The settings are one JSON value, so two changes that each read it first
    would keep only the last writer's copy. An UPDATE that changes nothing
    takes the row lock on PostgreSQL and the write lock on SQLite, which
    ignores FOR UPDATE.
    """
    session.execute(
        update(Business)
        .where(Business.id == business.id)
        .values(settings=Business.settings)
        .execution_options(synchronize_session=False)
    )
    session.refresh(business, attribute_names=["settings"])
