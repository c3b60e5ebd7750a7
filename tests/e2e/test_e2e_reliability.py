"""Reliability under real gunicorn: a worker killed mid-refund, the database going away, repeated quick starts."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bench.procs import free_port
from bench.procs import manual_connection_env
from bridge.gladly.signature import build_headers
from tests.conftest import POSTGRES_URL
from tests.conftest import postgres_admin
from tests.e2e.conftest import ROOT
from tests.e2e.conftest import start_bridge
from tests.e2e.conftest import start_bridges
from tests.e2e.conftest import start_sandbox
from tests.e2e.conftest import stop
from tests.e2e.test_e2e_actions import GUEST
from tests.e2e.test_e2e_actions import JANE
from tests.e2e.test_e2e_actions import audit_rows
from tests.e2e.test_e2e_actions import magento_order
from tests.e2e.test_e2e_actions import refund_calls
from tests.gladly_client import card
from tests.gladly_client import open_form
from tests.gladly_client import submit

pytestmark = pytest.mark.e2e

QUICK_STARTS = 5


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    store = start_sandbox(tmp_path_factory.mktemp("reliability-sandbox"))
    yield store
    stop(store.process)


@pytest.fixture(autouse=True)
def _fresh_orders(shop):
    shop.call("POST", "/sandbox/reset").raise_for_status()
    shop.call("POST", "/sandbox/reset-stats").raise_for_status()


def workers_of(master: subprocess.Popen) -> list[int]:
    """The pids of gunicorn's workers: the processes whose parent is the master."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        # The fields after the command, which may hold spaces, start after its closing parenthesis.
        if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == master.pid:
            pids.append(int(entry.name))
    return pids


def wait_for(predicate, what: str, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def kill_worker_mid_refund(bridge, shop, form: dict, body: dict, order_id: int) -> None:
    """Submit ``form`` and SIGKILL the worker once Magento made the credit memo but before it could answer."""
    shop.call("POST", "/sandbox/config", json={"hang_seconds": 30, "fail_next": [
        {"route_contains": "/refund", "mode": "after_commit_timeout"}]}).raise_for_status()
    outcome: list = []

    def send():
        try:
            outcome.append(submit(bridge, form, body))
        except requests.RequestException as error:  # the worker died with the connection open
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    wait_for(lambda: magento_order(shop, order_id)["creditmemos"], "the credit memo")
    [worker] = workers_of(bridge.process)
    os.kill(worker, signal.SIGKILL)
    thread.join(30)
    assert outcome and not isinstance(outcome[0], requests.Response), outcome
    wait_for(lambda: [pid for pid in workers_of(bridge.process) if pid != worker], "a new worker")
    assert bridge.process.poll() is None


def crash_bridge(tmp_path, shop, database_url):
    """One worker (so the one killed is the one refunding) with a 2 s lease and a patient Magento client."""
    return start_bridge(tmp_path, {**manual_connection_env(shop), "BRIDGE_DATABASE_URL": database_url,
                                   "BRIDGE_ACTION_LEASE": "2", "BRIDGE_MAGENTO_READ_TIMEOUT": "30"}, workers=1)


def test_a_refund_whose_worker_was_killed_is_recovered_by_the_resubmission(shop, tmp_path, database_url):
    bridge = crash_bridge(tmp_path, shop, database_url)
    try:
        form = open_form(bridge, GUEST, "000000008", "refund")
        kill_worker_mid_refund(bridge, shop, form, {"mode": "full"}, 8)
        reply = submit(bridge, form, {"mode": "full"})  # the agent clicks again
    finally:
        stop(bridge.process)
    assert reply.status_code == 200, reply.text
    assert reply.json()["message"] == "Refund went through (recovered after an interruption)"
    state = magento_order(shop, 8)
    [memo] = state["creditmemos"]
    assert refund_calls(shop) == 1 and state["order"]["state"] == "closed"
    assert f"Credit memo {memo['increment_id']}" in reply.json()["detail"]
    notes = [entry["comment"] for entry in state["order"]["status_histories"]]
    assert sum("from Gladly" in note for note in notes) == 1
    assert [row["outcome"] for row in audit_rows(database_url)] == ["recovered"]


def test_a_new_form_does_not_repeat_a_refund_whose_worker_was_killed(shop, tmp_path, database_url):
    bridge = crash_bridge(tmp_path, shop, database_url)
    try:
        body = {"mode": "partial", "qty_4": "1"}
        form = open_form(bridge, JANE, "000000002", "refund")
        kill_worker_mid_refund(bridge, shop, form, body, 2)
        time.sleep(2.5)  # the dead worker's lease runs out
        fresh = open_form(bridge, JANE, "000000002", "refund")  # the agent reopens the form and tries again
        reply = submit(bridge, fresh, body)
        retry = submit(bridge, form, body)  # the first form again: its recovered answer
    finally:
        stop(bridge.process)
    assert reply.status_code == 400, reply.text
    [error] = reply.json()["errors"]
    assert error["message"] == "Done earlier" and "Credit memo" in error["detail"]
    assert retry.status_code == 200 and "recovered" in retry.json()["message"]
    state = magento_order(shop, 2)
    assert len(state["creditmemos"]) == 1 and refund_calls(shop) == 1
    assert sum("from Gladly" in entry["comment"] for entry in state["order"]["status_histories"]) == 1
    assert [row["outcome"] for row in audit_rows(database_url)] == ["recovered", "rejected", "duplicate"]


# -- the database going away --------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_agents_refunding_one_order_on_two_bridges_make_one_write_at_a_time(shop, tmp_path, database_url):
    """Two agents' own forms (two journal keys) on two bridges sharing PostgreSQL: while the first refund is at
    Magento, the second waits its turn instead of going out beside it."""
    bridges = start_bridges(tmp_path, {**manual_connection_env(shop), "BRIDGE_DATABASE_URL": database_url})
    try:
        mine, theirs = (open_form(bridge, GUEST, "000000008", "refund") for bridge in bridges)
        # Magento takes 3 s to make the first refund (as one queued behind a lock on the order).
        shop.call("POST", "/sandbox/config", json={"hang_seconds": 3, "fail_next": [
            {"route_contains": "/refund", "mode": "slow"}]}).raise_for_status()
        first: list[requests.Response] = []
        thread = threading.Thread(target=lambda: first.append(submit(bridges[0], mine, {"mode": "full"})))
        thread.start()
        wait_for(lambda: refund_calls(shop), "the first refund at Magento")
        busy = submit(bridges[1], theirs, {"mode": "full"})
        thread.join(30)
        again = submit(bridges[1], theirs, {"mode": "full"})  # the second agent tries again, once it is done
    finally:
        for bridge in bridges:
            stop(bridge.process)
    assert first[0].status_code == 200, first[0].text
    assert busy.status_code == 400 and busy.json()["errors"][0]["code"] == "order_busy", busy.text
    assert again.status_code == 406  # nothing is left to refund: the form is dismissed
    assert len(magento_order(shop, 8)["creditmemos"]) == 1 and refund_calls(shop) == 1
    assert [row["outcome"] for row in audit_rows(database_url)] == ["failed", "succeeded", "rejected"]


def comment(bridge, text: str) -> requests.Response:
    return submit(bridge, open_form(bridge, JANE, "000000003", "comment"), {"comment": text})


def assert_storage_unavailable(reply: requests.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert [error["code"] for error in reply.json()["errors"]] == ["storage_unavailable"]


def test_a_wrong_database_url_at_start_still_serves_lookups(shop, tmp_path):
    bridge = start_bridge(tmp_path, {**manual_connection_env(shop),
                                     "BRIDGE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/bridge"})
    try:
        assert card(bridge, JANE, "000000003")["orderNumber"] == "000000003"
        assert_storage_unavailable(comment(bridge, "Needs the journal"))
        assert bridge.process.poll() is None
    finally:
        stop(bridge.process)
    log = next(tmp_path.glob("bridge-*.log")).read_text()
    assert "DATABASE UNAVAILABLE at postgresql://nobody@127.0.0.1:1/bridge" in log


@pytest.fixture
def own_postgres_role():
    """A throw-away PostgreSQL role owning a throw-away schema: the test can lock it out without touching the
    shared server. Yields (database URL as that role, function that runs admin SQL)."""
    role = f"bridge_rel_{uuid.uuid4().hex[:10]}"
    admin = postgres_admin(f"CREATE ROLE {role} LOGIN", f"CREATE SCHEMA {role} AUTHORIZATION {role}")

    def sql(*statements: str) -> None:
        with admin.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    url = sa.make_url(POSTGRES_URL).set(username=role, password=None,
                                        query={"options": f"-csearch_path={role}"})
    yield url.render_as_string(hide_password=False), sql
    sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'",
        f"DROP SCHEMA {role} CASCADE", f"DROP ROLE {role}")
    admin.dispose()


@pytest.mark.postgres
def test_postgresql_going_away_mid_run_leaves_lookups_and_workers_up(shop, tmp_path, own_postgres_role):
    url, sql = own_postgres_role
    role = sa.make_url(url).username
    bridge = start_bridge(tmp_path, {**manual_connection_env(shop), "BRIDGE_DATABASE_URL": url})
    try:
        assert comment(bridge, "Before the outage").status_code == 200
        sql(f"ALTER ROLE {role} NOLOGIN",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
        for _ in range(3):  # every worker: the pooled connections are dead, new ones are refused
            assert_storage_unavailable(comment(bridge, "During the outage"))
        assert card(bridge, JANE, "000000003")["orderNumber"] == "000000003"

        # A worker restarting during the outage boots (gunicorn would stop the master if it could not).
        victim = workers_of(bridge.process)[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len([pid for pid in workers_of(bridge.process) if pid != victim]) == 2, "the new worker")
        for _ in range(6):
            assert card(bridge, JANE, "000000003")["orderNumber"] == "000000003"
        assert bridge.process.poll() is None

        sql(f"ALTER ROLE {role} LOGIN")  # the database is back: actions work again, no restart needed
        wait_for(lambda: comment(bridge, "After the outage").status_code == 200, "actions to work again", 15)
    finally:
        stop(bridge.process)
    notes = [entry["comment"] for entry in magento_order(shop, 3)["order"]["status_histories"]]
    assert not any("During the outage" in note for note in notes)
    assert any("After the outage" in note for note in notes)


# -- the quick start ----------------------------------------------------------------------------------


def quick_start(data_dir: Path) -> tuple[subprocess.Popen, queue.Queue, str]:
    """``make run``'s command in a fresh data folder on free ports: the process, its output lines, its URL."""
    bind = f"127.0.0.1:{free_port()}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    env.update(BRIDGE_DATA_DIR=str(data_dir), BRIDGE_BIND=bind, BRIDGE_SANDBOX_PORT=str(free_port()))
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli.quickstart"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return process, lines, f"http://{bind}"


def wait_ready(process: subprocess.Popen, lines: queue.Queue, seconds: float = 60.0) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            pass
        if seen and seen[-1].startswith("Bridge ready"):
            return seen
        if process.poll() is not None and lines.empty():
            break
    raise AssertionError("the quick start did not come up:\n" + "".join(seen[-60:]))


@pytest.mark.parametrize("attempt", range(QUICK_STARTS))
def test_the_quick_start_comes_up_and_serves_every_time(tmp_path, attempt):
    process, lines, url = quick_start(tmp_path)
    try:
        output = wait_ready(process, lines)
        key = (tmp_path / "gladly-signing-key").read_text().strip()
        body = b'{"lookupLevel":"DETAILED","query":{"externalCustomerId":"3"}}'
        reply = requests.post(url + "/gladly/lookup", data=body, timeout=20,
                              headers=build_headers(key, method="POST", path="/gladly/lookup", body=body))
        assert reply.status_code == 200 and reply.json()["results"][0]["externalCustomerId"] == "3", reply.text
        time.sleep(1.0)  # the early worker death seen under load came within a second of "Bridge ready"
        assert process.poll() is None, "".join(output)
        assert requests.get(url + "/healthz", timeout=5).status_code == 200
        assert not any("Worker failed to boot" in line or "database is locked" in line for line in output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C: the quick start stops gunicorn and the sandbox
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        process.stdout.close()
