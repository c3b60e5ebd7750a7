"""A database that answers but must not be written: a SQLite file deleted, moved or replaced under the running
bridge, a read-only SQLite file, a read-only PostgreSQL database. Actions and activation answer 503, /readyz
says why, and nothing is written where it would be lost."""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import uuid
from datetime import datetime
from datetime import timezone

import pytest
import sqlalchemy as sa

from bridge import create_app
from bridge.errors import StorageUnavailable
from bridge.errors import failure_line
from bridge.storage import Stores
from bridge.storage import database
from tests.conftest import MAGENTO_URL
from tests.conftest import POSTGRES_URL
from tests.conftest import SECRET_KEY
from tests.conftest import audit_entries
from tests.conftest import form_token
from tests.conftest import postgres_admin
from tests.processes import LOCAL_CLIENT
from tests.test_activation import activation_form

pytestmark = pytest.mark.usefixtures("cold_catalog")

COMPANION = MAGENTO_URL + "rest/default/V1/gladly/config"
SECRET_TEXT = "Parcel re-sent to 1 Hidden Lane"



def submit_comment(client, gladly_headers):
    body = json.dumps({"comment": SECRET_TEXT, "notify": False}).encode()
    query = "orderId=7&token=" + form_token("comment")
    return client.post(f"/gladly/actions/comment?{query}", data=body,
                       headers=gladly_headers("POST", "/gladly/actions/comment", body, query=query))


def readyz(app):
    app.extensions["magento"].last_success = datetime.now(timezone.utc)  # Magento is fine: no probe
    response = app.test_client().get("/readyz", headers=LOCAL_CLIENT)
    return response.status_code, response.get_json()


def refused(response) -> bool:
    return response.status_code == 503 and response.get_json()["errors"][0]["code"] == "storage_unavailable"


def errors_logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR)


def test_a_deleted_sqlite_file_stops_actions_and_readiness_and_is_not_recreated(app, client, gladly_headers,
                                                                                 magento, tmp_path, caplog):
    magento.get(COMPANION, status=404, json={"message": "no"})
    assert readyz(app)[0] == 200  # the pool now holds connections to the file
    for path in tmp_path.glob("bridge.db*"):  # rm bridge.db*
        path.unlink()
    with caplog.at_level(logging.ERROR):
        reply = submit_comment(client, gladly_headers)
        status, body = readyz(app)
    assert refused(reply)
    assert status == 503 and body["checks"]["database"] == {"ok": False, "error": "DatabaseUnwritable"}
    assert body["reasons"] == [f"database not writable: the database file {tmp_path / 'bridge.db'} was deleted or "
                               "moved while the bridge ran: order actions and activation are unavailable"]
    assert "DATABASE FILE LOST: the database file" in errors_logged(caplog)
    # No new, empty journal that a restart would trust, letting a replayed POST run again.
    assert not (tmp_path / "bridge.db").exists()


def test_activation_answers_503_once_the_sqlite_file_is_gone(app_config, tmp_path):
    for name in ("MAGENTO_CONSUMER_KEY", "MAGENTO_CONSUMER_SECRET", "MAGENTO_ACCESS_TOKEN",
                 "MAGENTO_ACCESS_TOKEN_SECRET"):
        app_config.pop(name)
    client = create_app(app_config).test_client()
    (tmp_path / "bridge.db").unlink()
    assert refused(client.post("/magento/oauth/callback", data=activation_form()))
    assert not (tmp_path / "bridge.db").exists()


def test_a_moved_file_refuses_writes_until_it_is_back_and_a_replaced_one_until_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    stores = Stores.open(url, SECRET_KEY)
    stores.database.create_schema()
    stores.audit.record(action="comment", order_id="7", outcome="succeeded")
    os.rename(tmp_path / "bridge.db", tmp_path / "moved.db")
    with pytest.raises(StorageUnavailable) as moved:
        stores.audit.record(action="comment", order_id="7", outcome="succeeded")
    assert failure_line(moved.value).endswith("was deleted or moved while the bridge ran")
    os.rename(tmp_path / "moved.db", tmp_path / "bridge.db")
    stores.audit.record(action="comment", order_id="7", outcome="succeeded")
    assert len(audit_entries(stores)) == 2  # the write refused meanwhile went nowhere

    shutil.copy(tmp_path / "bridge.db", tmp_path / "restored.db")
    os.replace(tmp_path / "restored.db", tmp_path / "bridge.db")  # same content, another file
    with pytest.raises(StorageUnavailable) as replaced:
        stores.audit.record(action="comment", order_id="7", outcome="succeeded")
    assert failure_line(replaced.value).endswith("was replaced while the bridge ran")
    database.close_engine(url)


def reopen_read_only(engine: sa.Engine) -> None:
    """From now on ``engine`` opens the file as SQLite does for a process that may not write it.

    sqlite3_open_v2 with SQLITE_OPEN_READWRITE opens "reading only if the file is write protected by the operating
    system" (https://www.sqlite.org/c3ref/open.html); tests run as root, whom chmod does not stop, so the
    connections are opened with mode=ro, the same read-only handle.
    """
    engine.dispose()

    @sa.event.listens_for(engine, "do_connect")
    def read_only(dialect, record, cargs, cparams):
        return sqlite3.connect(f"file:{engine.url.database}?mode=ro", **{**cparams, "uri": True})


def test_a_read_only_sqlite_file_is_unready_and_refuses_actions(app, client, gladly_headers, magento, caplog):
    magento.get(COMPANION, status=404, json={"message": "no"})
    reopen_read_only(app.extensions["storage"].database.engine)
    with caplog.at_level(logging.ERROR):
        status, body = readyz(app)
        reply = submit_comment(client, gladly_headers)
    assert status == 503
    assert body["reasons"] == ["database not writable: the database is read-only (attempt to write a readonly "
                               "database): order actions and activation are unavailable"]
    assert refused(reply)
    assert "OperationalError: attempt to write a readonly database" in errors_logged(caplog)


@pytest.fixture
def scratch_postgres():
    """The URL of a new, empty PostgreSQL database, and its name; dropped afterwards."""
    name = f"bridge_ro_{uuid.uuid4().hex[:12]}"
    admin = postgres_admin(f"CREATE DATABASE {name}")
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url, name, admin
    database.close_engine(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


@pytest.mark.postgres
def test_a_read_only_postgresql_database_is_unready_and_refuses_actions(app_config, scratch_postgres,
                                                                         gladly_headers, magento, caplog):
    url, name, admin = scratch_postgres
    app_config["DATABASE_URL"] = url
    app = create_app(app_config)
    magento.get(COMPANION, status=404, json={"message": "no"})
    with admin.connect() as conn:  # what a failover to a hot standby looks like to new sessions
        conn.exec_driver_sql(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    app.extensions["storage"].database.engine.dispose()
    with caplog.at_level(logging.ERROR):
        status, body = readyz(app)
        reply = submit_comment(app.test_client(), gladly_headers)
    assert status == 503
    assert body["reasons"] == ["database not writable: the database is read-only (cannot execute UPDATE in a "
                               "read-only transaction): order actions and activation are unavailable"]
    assert refused(reply)
    assert "cannot execute INSERT in a read-only transaction" in errors_logged(caplog)
    assert SECRET_TEXT not in caplog.text
