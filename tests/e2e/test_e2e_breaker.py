"""The circuit breaker against a hanging sandbox store, under real gunicorn."""
from __future__ import annotations

import pytest

from bench.procs import manual_connection_env
from tests.e2e.conftest import start_bridge
from tests.e2e.conftest import start_sandbox
from tests.e2e.conftest import stop

pytestmark = pytest.mark.e2e

DETAILED = {"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
            "query": {"externalCustomerId": "1", "emails": ["roni_cost@example.com"]}}


@pytest.fixture
def hanging(tmp_path):
    """A sandbox whose next 200 calls hang for 2 s, and a one-worker bridge that gives up after 0.3 s."""
    sandbox = start_sandbox(tmp_path)
    bridge = None
    try:
        sandbox.call("POST", "sandbox/config", json={
            "hang_seconds": 2, "fail_next": [{"route_contains": "", "mode": "timeout"}] * 200}).raise_for_status()
        bridge = start_bridge(tmp_path, {**manual_connection_env(sandbox), "BRIDGE_MAGENTO_READ_TIMEOUT": "0.3",
                                         "BRIDGE_MAGENTO_RETRIES": "0", "BRIDGE_BREAKER_FAILURES": "3",
                                         "BRIDGE_BREAKER_COOLDOWN": "600"}, workers=1)
        yield sandbox, bridge
    finally:
        if bridge:
            stop(bridge.process)
        stop(sandbox.process)


def test_once_open_lookups_answer_503_without_calling_magento(hanging):
    sandbox, bridge = hanging
    answers = []
    for _ in range(6):  # each lookup's first stage sends several calls, so the third failure comes early
        reply = bridge.lookup(DETAILED)
        answers.append((reply.status_code, reply.json()["errors"][0]["code"]))
        if reply.status_code == 503:
            break
    assert answers[-1] == (503, "magento_unavailable"), answers
    assert all(status in (502, 504) for status, _ in answers[:-1]), answers
    calls = sandbox.call("GET", "sandbox/stats").json()["calls"]
    for _ in range(20):
        reply = bridge.lookup(DETAILED)
        assert (reply.status_code, reply.json()["errors"][0]["code"]) == (503, "magento_unavailable")
    assert sandbox.call("GET", "sandbox/stats").json()["calls"] == calls  # nothing reached the store
