"""Fixtures for the sandbox store tests: an in-process store, an oauthlib signer, a live server."""

import threading
from dataclasses import dataclass

import pytest
from sandbox_helpers import Signed
from werkzeug.serving import make_server

from sandbox import SandboxStore
from sandbox import create_sandbox_app


@pytest.fixture
def sandbox_store():
    """A fresh sample-data store."""
    return SandboxStore("sample")


@pytest.fixture
def sandbox_app(sandbox_store):
    """The sandbox app around the store."""
    return create_sandbox_app(sandbox_store)


@pytest.fixture
def sandbox_client(sandbox_app):
    """Flask test client of the sandbox app."""
    return sandbox_app.test_client()


@pytest.fixture
def signed(sandbox_client, sandbox_store):
    """Callable sending requests signed with the store's initial integration."""
    return Signed(sandbox_client, sandbox_store.credentials)


@dataclass
class Live:
    """A sandbox served by werkzeug's threaded server on a free port."""

    url: str
    store: SandboxStore


@pytest.fixture
def live_sandbox(sandbox_store):
    """Serve the store on 127.0.0.1 with a real threaded server for the duration of a test."""
    server = make_server("127.0.0.1", 0, create_sandbox_app(sandbox_store), threaded=True)
    sandbox_store.base_url = f"http://127.0.0.1:{server.port}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(sandbox_store.base_url, sandbox_store)
    server.shutdown()
    server.server_close()
    thread.join()
