"""``bridge sign`` and ``bridge doctor`` as a merchant runs them: the console script against real processes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.procs import free_port
from bench.procs import manual_connection_env
from tests.processes import ROOT
from tests.processes import SIGNING_KEY
from tests.processes import start_sandbox
from tests.processes import stop

pytestmark = pytest.mark.e2e

BRIDGE = str(Path(sys.executable).parent / "bridge")


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The ``bridge`` console script with only ``env`` as BRIDGE_* configuration."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    return subprocess.run([BRIDGE, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args, expected_ids", [
    (["--customer", "3"], ["3"]),
    (["--kind", "auto-link", "--email", "SAM@example.com"], ["3"]),
    (["--kind", "auto-link", "--phone", "+14155550134"], ["3"]),
    (["--email", "jane@example.com"], ["1", "2"]),
    (["--customer", "guest:guest@example.org"], ["guest:guest@example.org"]),
], ids=["detailed", "auto-link-email", "auto-link-phone", "search", "detailed-guest"])
def test_the_printed_curl_command_is_accepted_by_the_bridge(bridge, args, expected_ids):
    printed = run_cli("sign", "--url", bridge.url, *args, env={"BRIDGE_GLADLY_SIGNING_KEY": SIGNING_KEY})
    assert printed.returncode == 0, printed.stderr
    answer = subprocess.run(["sh", "-c", printed.stdout], capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    results = json.loads(answer.stdout)["results"]
    assert sorted(result["externalCustomerId"] for result in results) == expected_ids


def test_a_search_by_order_number_finds_the_shopper_who_placed_it(bridge):
    def signed_answer(*args: str) -> dict:
        printed = run_cli("sign", "--url", bridge.url, *args, env={"BRIDGE_GLADLY_SIGNING_KEY": SIGNING_KEY})
        answer = subprocess.run(["sh", "-c", printed.stdout], capture_output=True, text=True, timeout=60)
        return json.loads(answer.stdout)

    [found] = signed_answer("--order", "000000001")["results"]
    [profile] = signed_answer("--customer", found["externalCustomerId"])["results"]
    assert "000000001" in [order["orderNumber"] for order in profile["transactions"]]


def test_a_curl_signed_with_another_key_is_refused(bridge):
    printed = run_cli("sign", "--url", bridge.url, "--customer", "3", env={"BRIDGE_GLADLY_SIGNING_KEY": "not-it"})
    answer = subprocess.run(["sh", "-c", printed.stdout], capture_output=True, text=True, timeout=60)
    assert json.loads(answer.stdout)["errors"][0]["code"] == "invalid_signature"


def doctor_env(tmp_path: Path, shop, **overrides: str) -> dict[str, str]:
    env = {"BRIDGE_GLADLY_SIGNING_KEY": SIGNING_KEY, "BRIDGE_SECRET_KEY": "doctor-secret",
           "BRIDGE_DATA_DIR": str(tmp_path), **manual_connection_env(shop)}
    env.update(overrides)
    return env


def lines(output: str, status: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(status + " ")]


def test_doctor_on_a_good_set_up(tmp_path, sandbox):
    done = run_cli("doctor", env=doctor_env(tmp_path, sandbox))
    assert done.returncode == 0, done.stdout + done.stderr
    assert not lines(done.stdout, "FAIL")
    ok = "\n".join(lines(done.stdout, "OK"))
    for what in ("configuration", "database", "Magento connection", "answers (HTTP", "clock: within",
                 "GET /V1/orders (Magento_Sales::actions_view)"):
        assert what in ok, done.stdout
    assert "plain http on loopback" in done.stdout
    assert done.stdout.rstrip().endswith("Every check passed.")


def test_doctor_names_a_wrong_secret(tmp_path, sandbox):
    done = run_cli("doctor", env=doctor_env(tmp_path, sandbox, BRIDGE_MAGENTO_CONSUMER_SECRET="x" * 32))
    assert done.returncode == 1
    failed = lines(done.stdout, "FAIL")
    assert failed and all("signature is invalid" in line and "-- fix: " in line for line in failed), done.stdout
    assert "clock: within" in done.stdout  # the unsigned checks still pass


def test_doctor_on_an_unreachable_store(tmp_path, sandbox):
    nowhere = f"http://127.0.0.1:{free_port()}/"
    done = run_cli("doctor", env=doctor_env(tmp_path, sandbox, BRIDGE_MAGENTO_URL=nowhere))
    assert done.returncode == 1
    [failed] = lines(done.stdout, "FAIL")
    assert f"Magento at {nowhere} cannot be reached" in failed and "fix: check BRIDGE_MAGENTO_URL" in failed
    assert "GET /V1/" not in done.stdout  # no route check against a store that does not answer


def test_doctor_on_a_skewed_clock(tmp_path):
    # The store's clock runs 15 minutes behind: the bridge's OAuth timestamps are "in the future" there.
    shop = start_sandbox(tmp_path, "--clock-offset", "-900")
    try:
        done = run_cli("doctor", env=doctor_env(tmp_path, shop))
    finally:
        stop(shop.process)
    assert done.returncode == 1
    clock = next(line for line in lines(done.stdout, "FAIL") if "clock" in line)
    # Date has whole seconds, so the measured skew is 900 s give or take one.
    assert re.search(r"the bridge is (899|900|901) s ahead of Magento", clock), clock
    assert "oauth timestamps more than 600 s" in clock.lower()
    assert "fix: synchronise" in clock
    assert "Incorrect timestamp value" in done.stdout  # what Magento itself says about every signed call


@pytest.mark.parametrize("overrides, expected", [
    ({"BRIDGE_GLADLY_SIGNING_KEY": ""}, "FAIL configuration: BRIDGE_GLADLY_SIGNING_KEY is required"),
    ({"BRIDGE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"}, "FAIL database postgresql://"),
], ids=["configuration", "database"])
def test_doctor_stops_at_a_broken_foundation(tmp_path, sandbox, overrides, expected):
    done = run_cli("doctor", env=doctor_env(tmp_path, sandbox, **overrides))
    assert done.returncode == 1
    assert expected in done.stdout
    assert "Magento" not in done.stdout
