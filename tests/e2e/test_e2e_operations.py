"""Operating the bridge under real gunicorn: metrics summed over workers, readiness, JSON log lines."""
from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.procs import child_pids
from bench.procs import manual_connection_env
from tests.processes import LOCAL_CLIENT
from tests.processes import start_bridge
from tests.processes import stop

pytestmark = pytest.mark.e2e

EMAIL = "sam@example.com"


def lookup(bridge) -> int:
    # A new connection per call, so the listening socket hands lookups to whichever worker accepts first.
    return bridge.lookup({"lookupLevel": "BASIC", "uniqueMatchRequired": False,
                          "query": {"id": "gladly-1", "name": "Someone", "emails": [EMAIL]}}).status_code


def lookups_total(bridge) -> float:
    """The sum of ``bridge_lookups_total`` over all its series, as one scrape of /metrics reports it."""
    reply = requests.get(bridge.url + "/metrics", headers=LOCAL_CLIENT, timeout=10)
    assert reply.status_code == 200, reply.text
    return sum(sample.value for family in text_string_to_metric_families(reply.text)
               if family.name == "bridge_lookups" for sample in family.samples if sample.name.endswith("_total"))


def request_lines(log_path) -> list[dict]:
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "bridge.request" and line["route"] == "/gladly/lookup"]


@pytest.fixture
def metered_bridge(sandbox, tmp_path):
    """A fresh two-worker bridge whose metrics folder holds a stale file from an earlier run."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over from a previous master")
    running = start_bridge(tmp_path, {**manual_connection_env(sandbox), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    running.metrics_dir = metrics_dir
    running.log_path = next(tmp_path.glob("bridge-*.log"))
    yield running
    stop(running.process)


def test_metrics_add_up_across_workers_and_survive_a_worker_restart(metered_bridge):
    bridge = metered_bridge
    assert not (bridge.metrics_dir / "counter_1.db").exists()  # cleaned at master start
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Until both workers have answered some (the kernel decides who accepts), at most 400 lookups.
        while sent < 400:
            assert set(pool.map(lambda _: lookup(bridge), range(20))) == {200}
            sent += 20
            if len({line["pid"] for line in request_lines(bridge.log_path)}) >= 2:
                break
    served_by = {line["pid"] for line in request_lines(bridge.log_path)}
    assert len(served_by) == 2, f"one worker answered all {sent} lookups"
    assert len(request_lines(bridge.log_path)) == sent
    assert lookups_total(bridge) == sent

    victim = sorted(served_by)[0]
    assert victim in child_pids(bridge.process.pid)
    os.kill(victim, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = child_pids(bridge.process.pid)
        if victim not in workers and len(workers) == 2:
            break
        time.sleep(0.2)
    assert victim not in child_pids(bridge.process.pid)
    assert lookups_total(bridge) == sent  # the dead worker's counts stay
    assert lookup(bridge) == 200
    assert lookups_total(bridge) == sent + 1


def test_readiness_metrics_and_json_logs_under_gunicorn(metered_bridge):
    bridge = metered_bridge
    assert lookup(bridge) == 200
    ready = requests.get(bridge.url + "/readyz", headers=LOCAL_CLIENT, timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["magento"]["connected"] is True
    metrics = requests.get(bridge.url + "/metrics", headers=LOCAL_CLIENT, timeout=10).text
    assert 'bridge_magento_calls_total{route="GET /V1/customers/search",status="200"}' in metrics
    # A proxy in front (trusted: loopback) reporting an outside client is refused.
    refused = requests.get(bridge.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert refused.status_code == 403
    # The same proxy naming no client at all is not taken for the client.
    assert requests.get(bridge.url + "/metrics", timeout=10).status_code == 403
    log_text = bridge.log_path.read_text()
    assert EMAIL not in log_text
    booted = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    assert all(line.startswith("{") for line in log_text.splitlines() if line.strip()), log_text
    assert {"gunicorn.error", "bridge.request"} <= {line["logger"] for line in booted}


def test_without_a_metrics_folder_the_master_keeps_a_private_one(sandbox, tmp_path):
    running = start_bridge(tmp_path, manual_connection_env(sandbox))
    folder = Path(tempfile.gettempdir()) / f"bridge-metrics-{running.process.pid}"
    try:
        assert lookup(running) == 200
        assert lookups_total(running) == 1
        assert any(folder.glob("*.db"))
    finally:
        stop(running.process)
    assert not folder.exists()  # removed at exit
