"""make soak: argument handling, how answers are classified, the JSON line, and one tiny real run.

No test asserts a wall-clock figure: the real run only checks that the line is complete and honest.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import REQUIRED_FIELDS
from bench.soak import Tally
from bench.soak import breaker_openings
from bench.soak import build_result
from bench.soak import classify
from bench.soak import parse_args

ROOT = Path(__file__).resolve().parents[1]
PROFILE = {"results": [{"transactions": [{}] * 20}]}


def test_defaults_are_the_issue_s_soak():
    args = parse_args([])
    assert (args.duration, args.concurrency, args.latency_ms, args.fault_mode) == (60.0, 200, 100, "hang")
    assert 0 <= args.fault_start and args.fault_start + args.fault_seconds <= args.duration


@pytest.mark.parametrize("argv", [
    ["--duration", "10", "--fault-start", "5", "--fault-seconds", "6"],
    ["--fault-seconds", "0"],
    ["--concurrency", "0"],
    ["--hang-seconds", "0"],
    ["--fault-mode", "explode"],
    ["--bridge-env", "MAGENTO_POOL_SIZE=8"],
])
def test_bad_arguments_stop_with_a_message(argv, capsys):
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert "error:" in capsys.readouterr().err


def test_the_fault_window_does_not_matter_without_faults():
    assert parse_args(["--duration", "5", "--skip-faults"]).skip_faults


@pytest.mark.parametrize(("status", "payload", "ms", "faults", "kind"), [
    (200, PROFILE, 300.0, False, "ok"),
    (200, PROFILE, 5200.0, False, "error"),  # Gladly gave up at 5 s
    (200, {"results": []}, 300.0, False, "error"),
    (503, {"errors": [{"code": "magento_unavailable"}]}, 5.0, True, "unavailable"),
    (504, {"errors": [{"code": "magento_timeout"}]}, 4000.0, True, "unavailable"),
    (502, {"errors": [{"code": "magento_unavailable"}]}, 600.0, True, "unavailable"),
    (503, {"errors": [{"code": "magento_unavailable"}]}, 5.0, False, "error"),  # not expected without faults
    (504, {"errors": [{"code": "magento_timeout"}]}, 5100.0, True, "error"),
    (502, {"errors": [{"code": "magento_error"}]}, 600.0, True, "error"),
    (500, "<html>Internal Server Error</html>", 20.0, True, "error"),
    (503, {"errors": "nope"}, 5.0, True, "error"),
])
def test_classify(status, payload, ms, faults, kind):
    found, problem = classify(status, payload, ms, faults_allowed=faults)
    assert found == kind and (problem is None) == (kind != "error")


def test_json_line_sums_phases_and_keeps_each():
    steady, faults = Tally("steady"), Tally("faults")
    for ms in (100.0, 200.0, 300.0):
        steady.add("ok", ms, "200")
    faults.add("ok", 400.0, "200")
    faults.add("unavailable", 4000.0, "504")
    faults.add("unavailable", 2.0, "503")
    faults.add("error", 6000.0, "200", "answered after Gladly's 5 s cut-off")
    result = build_result({"steady": steady, "faults": faults}, rss_start=80.0, rss_end=82.5, breaker_opened=3)
    assert [key for key in REQUIRED_FIELDS if key not in result] == []
    assert (result["requests"], result["errors"], result["unavailable"]) == (7, 1, 2)
    assert result["p50_ms"] == 300.0 and result["max_ms"] == 6000.0  # every request, the late one too
    assert result["faults"]["statuses"] == {"200": 2, "504": 1, "503": 1}
    assert result["faults"]["error_samples"] == ["answered after Gladly's 5 s cut-off"]
    assert result["steady"]["p99_ms"] == pytest.approx(298.0)
    assert (result["rss_mb_start"], result["rss_mb_end"], result["breaker_opened"]) == (80.0, 82.5, 3)
    json.dumps(result)


def test_breaker_openings_are_read_from_the_bridge_log(tmp_path):
    log = tmp_path / "bridge.log"
    log.write_text("x WARNING 12 bridge.magento.breaker [-] magento circuit for http://a/ is open: 5 consecutive\n"
                   "x INFO 12 bridge.magento.breaker [-] magento circuit for http://a/ is half-open: probe\n"
                   "x WARNING 13 bridge.magento.breaker [-] magento circuit for http://a/ is open: 1 consecutive\n"
                   "x WARNING 13 bridge.magento.breaker [-] magento circuit for http://a/ is closed: answers\n")
    assert breaker_openings(log) == 2
    assert breaker_openings(tmp_path / "missing.log") == 0


@pytest.mark.e2e
def test_a_tiny_real_soak_prints_a_complete_json_line():
    """Sandbox + gunicorn, a few seconds with a fault window: the last line is the JSON, and it adds up."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--duration", "4", "--concurrency", "2", "--latency-ms", "5",
         "--fault-start", "0.5", "--fault-seconds", "3", "--hang-seconds", "0.3", "--warmup", "0.5",
         "--workers", "1", "--worker-connections", "50"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert [key for key in REQUIRED_FIELDS if key not in result] == []
    assert result["steady"]["ok"] > 0 and result["steady"]["unavailable"] == 0
    assert result["faults"]["unavailable"] > 0  # the store failed for 3 s: clean 502/503 answers
    assert result["faults"]["statuses"].get("503", 0) > 0 and result["breaker_opened"] >= 1
    assert result["requests"] == result["steady"]["requests"] + result["faults"]["requests"]
    assert result["rss_mb_start"] > 0 and result["rss_mb_end"] > 0
