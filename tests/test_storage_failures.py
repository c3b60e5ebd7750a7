"""A database that is down, wrong or busy never stops the bridge: workers boot, lookups answer, the rest is 503."""
from __future__ import annotations

import json
import logging
import sqlite3
from decimal import Decimal

import pytest
import sqlalchemy as sa

from bridge import create_app
from bridge.errors import StorageUnavailable
from bridge.storage import database
from bridge.storage.database import Database
from bridge.storage.journal import JournalStore
from bridge.storage.reservations import Reservations
from tests.conftest import MAGENTO_URL
from tests.conftest import form_token

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/bridge"


class LockedOnce:
    """A DB-API connection whose first ``PRAGMA journal_mode=WAL`` meets another worker's lock."""

    def __init__(self, failures: int):
        self.failures = failures
        self.statements: list[str] = []

    def cursor(self):
        return self

    def execute(self, statement):
        self.statements.append(statement)
        if statement == "PRAGMA journal_mode=WAL" and self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database is locked")
        return self

    def close(self):
        pass


def test_wal_switch_waits_for_a_worker_opening_the_same_new_file():
    connection = LockedOnce(failures=3)
    database._sqlite_pragmas(connection, None)
    assert connection.statements[0] == "PRAGMA busy_timeout=30000"
    assert connection.statements.count("PRAGMA journal_mode=WAL") == 4


def test_a_file_that_stays_locked_falls_back_to_the_rollback_journal(caplog):
    connection = LockedOnce(failures=database.WAL_ATTEMPTS)
    database._sqlite_pragmas(connection, None)  # no exception: the worker boots
    assert "rollback-journal mode" in caplog.text


@pytest.fixture
def down_app(app_config):
    app_config["DATABASE_URL"] = UNREACHABLE
    yield create_app(app_config)
    database.close_engine(UNREACHABLE)


def test_an_unreachable_database_at_start_is_reported_and_the_bridge_starts(app_config, caplog):
    app_config["DATABASE_URL"] = "postgresql://postgres:hunter2@127.0.0.1:1/bridge"
    with caplog.at_level(logging.ERROR):
        create_app(app_config)
    database.close_engine(app_config["DATABASE_URL"])
    assert "DATABASE UNAVAILABLE at postgresql://postgres:***@127.0.0.1:1/bridge" in caplog.text
    assert "hunter2" not in caplog.text


def test_lookups_work_and_actions_answer_503_without_a_database(down_app, gladly_headers, magento):
    client = down_app.test_client()
    magento.get(MAGENTO_URL + "rest/default/V1/customers/search", json={"items": [], "total_count": 0})
    magento.get(MAGENTO_URL + "rest/default/V1/orders", json={"items": [], "total_count": 0})
    body = json.dumps({"lookupLevel": "BASIC", "query": {"emails": ["jane@example.com"]}}).encode()
    lookup = client.post("/gladly/lookup", data=body, headers=gladly_headers("POST", "/gladly/lookup", body))
    assert lookup.status_code == 200 and lookup.get_json() == {"results": []}

    magento.get(MAGENTO_URL + "rest/default/V1/gladly/config", status=404, json={"message": "no"})
    query = f"orderId=7&token={form_token('comment')}"
    submit = client.post(f"/gladly/actions/comment?{query}", data=b"{}",
                         headers=gladly_headers("POST", "/gladly/actions/comment", b"{}", query=query))
    assert submit.status_code == 503
    assert submit.get_json() == {"errors": [{"code": "storage_unavailable",
                                             "detail": StorageUnavailable.description}]}


def test_the_schema_is_created_on_first_use_once_the_database_is_back(tmp_path, monkeypatch):
    db = Database(f"sqlite:///{tmp_path / 'bridge.db'}")
    journal = JournalStore(db)
    real = db.create_schema
    monkeypatch.setattr(db, "create_schema", lambda: (_ for _ in ()).throw(
        sa.exc.OperationalError("connect", {}, Exception("connection refused"))))
    with pytest.raises(StorageUnavailable):
        journal.get("k")
    with pytest.raises(StorageUnavailable):  # within the retry pause: no new attempt
        journal.get("k")
    monkeypatch.setattr(db, "create_schema", real)
    db._schema_retry_at = float("-inf")  # the pause is over
    assert journal.get("k") is None
    database.close_engine(f"sqlite:///{tmp_path / 'bridge.db'}")


def test_a_version_1_database_is_upgraded_in_place(database_url):
    engine = database.get_engine(database_url)
    old_journal = sa.Table("action_journal", sa.MetaData(),
                           *(sa.Column(c.name, c.type, primary_key=c.primary_key)
                             for c in database.action_journal.columns if c.name not in ("checkpoint", "input_digest")))
    with engine.begin() as conn:
        old_journal.create(conn)
        database.schema_version.create(conn)
        conn.execute(database.schema_version.insert().values(version=1, applied_at=database.utcnow()))
    db = Database(database_url)
    assert db.create_schema() == 4
    # Version 4's reservations table came with create_all, empty.
    assert Reservations(db).left(scope="https://shop.test/", cap=Decimal(10), since=database.utcnow()) == Decimal(10)
    journal = JournalStore(db)
    journal.claim("k", order_id="7", action="refund")
    journal.checkpoint("k", {"memo_ids": [1]}, "d" * 64, database.utcnow())
    assert (journal.get("k")["checkpoint"], journal.get("k")["input_digest"]) == ({"memo_ids": [1]}, "d" * 64)


def test_db_upgrade_command(app_config):
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert f"is at schema version {database.SCHEMA_VERSION}" in result.output


def test_db_upgrade_command_fails_loudly_on_an_unreachable_database(down_app):
    result = down_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "FAIL the database at postgresql://postgres@127.0.0.1:1/bridge cannot be reached" in result.output
