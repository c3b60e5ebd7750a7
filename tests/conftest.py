"""Shared fixtures: the app with a test configuration, a strict Magento mock and Gladly signing."""
from __future__ import annotations

import json
import os
import threading

import pytest
import responses
import sqlalchemy as sa

from bridge import create_app
from bridge.actions.tokens import FormTokens
from bridge.gladly.signature import build_headers
from bridge.magento.store import clear_catalogs
from bridge.storage import Stores
from bridge.storage.database import action_audit
from bridge.storage.database import activation

SIGNING_KEY = "test-signing-key-0123456789abcdef"
SECRET_KEY = "test-secret-key"
MAGENTO_URL = "https://shop.test/"
CREDENTIALS = {
    "MAGENTO_CONSUMER_KEY": "ck" + "0" * 30,
    "MAGENTO_CONSUMER_SECRET": "cs" + "1" * 30,
    "MAGENTO_ACCESS_TOKEN": "at" + "2" * 30,
    "MAGENTO_ACCESS_TOKEN_SECRET": "as" + "3" * 30,
}


def form_token(action: str, order_id: int = 7) -> str:
    """A token the test app issues in the form of ``action`` on ``order_id``."""
    return FormTokens(SIGNING_KEY).issue(action, order_id)


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch):
    """No BRIDGE_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("BRIDGE_") and not name.startswith(("BRIDGE_TEST_", "BRIDGE_REQUIRE_")):
            monkeypatch.delenv(name)


@pytest.fixture
def app_config(tmp_path):
    """The test mapping passed to create_app; tests may change it before using ``app``."""
    return {
        "TESTING": True,
        "GLADLY_SIGNING_KEY": SIGNING_KEY,
        "MAGENTO_URL": MAGENTO_URL,
        "MAGENTO_ADMIN_URL": MAGENTO_URL + "admin/",
        "MAGENTO_RETRIES": 0,
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": SECRET_KEY,
        **CREDENTIALS,
    }


@pytest.fixture
def app(app_config):
    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def magento():
    """Every Magento call must be mocked; unmatched URLs fail and no test reaches the network."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def gladly_headers():
    """Signed headers for a request, exactly as Gladly builds them."""

    def make(method: str, path: str, body: bytes = b"", query: str = "", key: str = SIGNING_KEY, **kwargs):
        return build_headers(key, method=method, path=path, body=body, query=query, **kwargs)

    return make


@pytest.fixture
def lookup(client, gladly_headers):
    """POST a signed lookup body to /gladly/lookup and return the response."""

    def post(body: dict):
        raw = json.dumps(body).encode()
        return client.post("/gladly/lookup", data=raw, headers=gladly_headers("POST", "/gladly/lookup", raw))

    return post


# --- Storage back ends: every storage test runs on SQLite and on PostgreSQL ------------------

POSTGRES_URL = os.environ.get("BRIDGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_admin(*statements: str):
    """An AUTOCOMMIT engine on the test PostgreSQL server after running ``statements``; the test is skipped
    when no server answers, or fails when BRIDGE_REQUIRE_POSTGRES=1 (CI)."""
    import sqlalchemy as sa

    from bridge.storage import database

    admin = sa.create_engine(database.database_url(POSTGRES_URL), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    except sa.exc.OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL} (set BRIDGE_TEST_POSTGRES_URL): {error.orig}"
        if os.environ.get("BRIDGE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return admin


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A DATABASE_URL on an empty database: a SQLite file, or a throw-away PostgreSQL schema.

    PostgreSQL comes from BRIDGE_TEST_POSTGRES_URL; when it is unreachable the test is skipped, or fails
    when BRIDGE_REQUIRE_POSTGRES=1 (CI).
    """
    import uuid

    from bridge.storage import database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bridge.db'}"
        yield url
        database.close_engine(url)
        return
    schema = f"bridge_test_{uuid.uuid4().hex[:12]}"
    admin = postgres_admin(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    yield url
    database.close_engine(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def stores(database_url):
    """The stores on an empty database of each back end, schema created."""
    opened = Stores.open(database_url, SECRET_KEY)
    opened.database.create_schema()
    return opened


def run_together(count: int, target) -> list:
    """Run ``target()`` in ``count`` threads released at the same instant; their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = target()
        except Exception as error:  # surfaced below with the thread's own traceback
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def count_activations(stores: Stores) -> int:
    """How many activations are stored (any status)."""
    with stores.database.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(activation)).scalar()


def audit_entries(stores: Stores, order_id: str | None = None) -> list[dict]:
    """Audit rows, oldest first, optionally for one order."""
    query = sa.select(action_audit).order_by(action_audit.c.id)
    if order_id is not None:
        query = query.where(action_audit.c.order_id == str(order_id))
    with stores.database.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


@pytest.fixture
def cold_catalog():
    """No store facts cached by an earlier test: each test reads the module's settings afresh."""
    clear_catalogs()
    yield
    clear_catalogs()


class FinishingJournalStore:
    """A journal store whose pending row finishes (succeeded, ``{message: m, detail: d}``) on the ``after``-th read,
    as if its owner answered while a duplicate polls it; ``polls`` lists the keys read."""

    def __init__(self, store, after: int):
        self.store, self.after, self.polls = store, after, []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def get(self, key):
        self.polls.append(key)
        if len(self.polls) == self.after:
            self.store.finish(key, "succeeded", {"status": 200, "body": {"message": "m", "detail": "d"}})
        return self.store.get(key)
