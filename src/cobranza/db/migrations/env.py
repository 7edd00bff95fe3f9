"""Alembic environment: runs on a passed-in connection or on the settings URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cobranza.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return

    from cobranza.config import get_settings
    from cobranza.db.engine import make_engine

    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.begin() as new_connection:
        _run(new_connection)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `cobranza db upgrade`")
run_migrations_online()
