"""End-to-end fixtures: the bridge under real gunicorn and the sandbox store as real processes."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.procs import manual_connection_env
from tests.processes import SIGNING_KEY  # noqa: F401 - re-exported for the end-to-end tests
from tests.processes import Bridge  # noqa: F401
from tests.processes import Sandbox  # noqa: F401
from tests.processes import start_bridge
from tests.processes import start_bridges  # noqa: F401
from tests.processes import start_sandbox
from tests.processes import stop
from tests.processes import wait_until_up  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def e2e_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def sandbox(e2e_tmp):
    """One sandbox store for the read-only end-to-end tests."""
    store = start_sandbox(e2e_tmp)
    yield store
    stop(store.process)


@pytest.fixture(scope="session")
def bridge(e2e_tmp, sandbox):
    """One bridge under gunicorn, connected to the sandbox with manual credentials."""
    running = start_bridge(e2e_tmp, manual_connection_env(sandbox))
    yield running
    stop(running.process)
