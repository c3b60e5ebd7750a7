"""A database that is down, wrong or busy never stops the bridge: workers boot, lookups answer, the rest is 503."""
from __future__ import annotations

import json
import logging
import sqlite3

import pytest
import sqlalchemy as sa

from bridge import create_app
from bridge import storage as storage_module
from bridge.storage import Storage
from tests.conftest import MAGENTO_URL

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
    storage_module._sqlite_pragmas(connection, None)
    assert connection.statements[0] == "PRAGMA busy_timeout=30000"
    assert connection.statements.count("PRAGMA journal_mode=WAL") == 4


def test_a_file_that_stays_locked_falls_back_to_the_rollback_journal(caplog):
    connection = LockedOnce(failures=storage_module.WAL_ATTEMPTS)
    storage_module._sqlite_pragmas(connection, None)  # no exception: the worker boots
    assert "rollback-journal mode" in caplog.text


@pytest.fixture
def down_app(app_config):
    app_config["DATABASE_URL"] = UNREACHABLE
    yield create_app(app_config)
    storage_module.close_engine(UNREACHABLE)


def test_an_unreachable_database_at_start_is_reported_and_the_bridge_starts(app_config, caplog):
    app_config["DATABASE_URL"] = "postgresql://postgres:hunter2@127.0.0.1:1/bridge"
    with caplog.at_level(logging.ERROR):
        create_app(app_config)
    storage_module.close_engine(app_config["DATABASE_URL"])
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
    query = "orderId=7&token=" + "t" * 24
    submit = client.post(f"/gladly/actions/comment?{query}", data=b"{}",
                         headers=gladly_headers("POST", "/gladly/actions/comment", b"{}", query=query))
    assert submit.status_code == 503
    assert submit.get_json() == {"errors": [{"code": "storage_unavailable",
                                             "detail": storage_module.StorageUnavailable.description}]}


def test_the_schema_is_created_on_first_use_once_the_database_is_back(tmp_path, monkeypatch):
    store = Storage(f"sqlite:///{tmp_path / 'bridge.db'}", "secret")
    real = store.create_schema
    monkeypatch.setattr(store, "create_schema", lambda: (_ for _ in ()).throw(
        sa.exc.OperationalError("connect", {}, Exception("connection refused"))))
    with pytest.raises(storage_module.StorageUnavailable):
        store.get_action("k")
    with pytest.raises(storage_module.StorageUnavailable):  # within the retry pause: no new attempt
        store.get_action("k")
    monkeypatch.setattr(store, "create_schema", real)
    store._schema_retry_at = float("-inf")  # the pause is over
    assert store.get_action("k") is None
    storage_module.close_engine(f"sqlite:///{tmp_path / 'bridge.db'}")


def test_a_version_1_database_is_upgraded_in_place(database_url):
    engine = storage_module.get_engine(database_url)
    old_journal = sa.Table("action_journal", sa.MetaData(),
                           *(sa.Column(c.name, c.type, primary_key=c.primary_key)
                             for c in storage_module.action_journal.columns if c.name != "checkpoint"))
    with engine.begin() as conn:
        old_journal.create(conn)
        storage_module.schema_version.create(conn)
        conn.execute(storage_module.schema_version.insert().values(version=1, applied_at=storage_module.utcnow()))
    store = Storage(database_url, "secret")
    assert store.create_schema() == 2
    store.claim_action("k", order_id="7", action="refund")
    store.checkpoint_action("k", {"memo_ids": [1]})
    assert store.get_action("k")["checkpoint"] == {"memo_ids": [1]}


def test_db_upgrade_command(app_config):
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert f"is at schema version {storage_module.SCHEMA_VERSION}" in result.output


def test_db_upgrade_command_fails_loudly_on_an_unreachable_database(down_app):
    result = down_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "FAIL the database at postgresql://postgres@127.0.0.1:1/bridge cannot be reached" in result.output
