"""The shared database on SQLite and PostgreSQL: URLs, engines, schema creation and versions."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bridge import create_app
from bridge.errors import ConfigError
from bridge.storage import database
from bridge.storage.database import Database
from tests.conftest import run_together


def test_postgresql_urls_use_psycopg3():
    assert database.database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert database.database_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert database.database_url("sqlite:///x.db").drivername == "sqlite"


def test_default_database_is_sqlite_in_data_dir_with_wal(app_config, tmp_path):
    app_config["DATA_DIR"] = str(tmp_path / "nested" / "data")
    app = create_app(app_config)
    engine = app.extensions["storage"].database.engine
    assert engine.url.database == str(tmp_path / "nested" / "data" / "bridge.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_schema_creation_is_idempotent(database_url):
    Database(database_url).create_schema()
    Database(database_url).create_schema()
    with Database(database_url).engine.connect() as conn:
        versions = conn.execute(sa.select(database.schema_version.c.version)).scalars().all()
    assert versions == [database.SCHEMA_VERSION]


def test_concurrent_schema_creation_from_threads(database_url):
    run_together(4, lambda: Database(database_url).create_schema())
    db = Database(database_url)
    assert set(sa.inspect(db.engine).get_table_names()) >= set(database.metadata.tables)


def test_newer_schema_refuses_to_start(stores):
    with stores.database.engine.begin() as conn:
        conn.execute(database.schema_version.insert().values(
            version=database.SCHEMA_VERSION + 1, applied_at=database.utcnow()))
    with pytest.raises(ConfigError, match="newer than this bridge"):
        stores.database.create_schema()
