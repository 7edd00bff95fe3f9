"""The engine and Alembic keep a PostgreSQL password as it was given."""

from __future__ import annotations

from cobranza.db.engine import alembic_config, make_engine


def test_postgres_password_kept() -> None:
    engine = make_engine("postgresql://cobranza:s3creta@127.0.0.1:5432/cobranza")

    assert engine.url.password == "s3creta"
    assert engine.url.drivername == "postgresql+psycopg"


def test_encoded_password_reaches_alembic() -> None:
    engine = make_engine("postgresql://cobranza:p%40ss%25w@127.0.0.1:5432/cobranza")

    option = alembic_config(engine).get_main_option("sqlalchemy.url")

    assert engine.url.password == "p@ss%w"
    assert option == "postgresql+psycopg://cobranza:p%40ss%25w@127.0.0.1:5432/cobranza"
