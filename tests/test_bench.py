"""The benchmark's pure parts (percentiles, stage counting, the JSON line, answer checks), and one tiny real run.

No test asserts a wall-clock figure: the real run only checks that the JSON line is complete.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import parse_args
from bench.__main__ import summary
from bench.lookups import check_answer
from bench.naive import search_query
from bench.procs import process_cpu_seconds
from bench.procs import process_memory_mb
from bench.stats import REQUIRED_FIELDS
from bench.stats import PhaseResult
from bench.stats import build_result
from bench.stats import check_targets
from bench.stats import json_line
from bench.stats import percentile
from bench.stats import stages_from_intervals
from bench.stats import stages_from_timing

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("values", "pct", "expected"), [
    ([5.0], 50, 5.0),
    ([5.0], 99, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
    ([4.0, 1.0, 3.0, 2.0], 0, 1.0),
    ([4.0, 1.0, 3.0, 2.0], 100, 4.0),
    (list(range(1, 101)), 95, 95.05),
    (list(range(1, 101)), 99, 99.01),
    ([10.0, 20.0], 25, 12.5),
])
def test_percentile_interpolates_between_closest_ranks(values, pct, expected):
    assert percentile(values, pct) == pytest.approx(expected)


def test_percentile_of_nothing_is_none_and_range_is_checked():
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


@pytest.mark.parametrize(("slow", "fast", "latency", "stages"), [
    (412.0, 9.0, 200, 2),    # two waves of concurrent calls
    (215.0, 12.0, 200, 1),   # auto-link: one call
    (1650.0, 20.0, 200, 8),  # a chain
    (5.0, 9.0, 200, 0),      # noise never goes negative
])
def test_stages_from_timing(slow, fast, latency, stages):
    assert stages_from_timing(slow, fast, latency) == stages


def test_stages_from_intervals_counts_waves_not_calls():
    two_waves = [(0, 100), (1, 101), (2, 99), (101, 201), (102, 203), (103, 200)]
    assert stages_from_intervals(two_waves) == 2
    chain = [(i * 10, i * 10 + 9) for i in range(5)]
    assert stages_from_intervals(chain) == 5
    assert stages_from_intervals([]) == 0


def _phase(name, latencies, *, errors=0, seconds=10.0, calls=None, cpu=None, concurrency=16):
    return PhaseResult(name=name, concurrency=concurrency, seconds=seconds, latencies_ms=list(latencies),
                       errors=errors, magento_calls=calls, cpu_seconds=cpu)


def _result():
    phases = {
        "detailed": _phase("detailed", [200.0, 220.0, 240.0, 260.0], calls=20, cpu=0.02),
        "detailed_c1": _phase("detailed_c1", [210.0, 230.0], concurrency=1),
        "auto_link": _phase("auto_link", [110.0, 120.0], errors=1, calls=3, cpu=0.006),
        "naive": _phase("naive", [8000.0, 9000.0], calls=164),
        "latency0": _phase("latency0", [5.0] * 2000, calls=10000, cpu=10.0),
    }
    return build_result(latency_ms=100, orders=20, concurrency=16, phases=phases,
                        stages={"detailed": 2, "auto_link": 1}, extra={"workers": 2})


def test_json_line_has_every_required_field():
    result = _result()
    result["worker_rss_mb"] = 80.0
    line = json_line(result)
    assert "\n" not in line
    parsed = json.loads(line)
    assert [key for key in REQUIRED_FIELDS if key not in parsed] == []
    assert parsed["lookups"] == 4
    assert parsed["errors"] == 1  # the auto-link failure; naive failures are not the bridge's
    assert parsed["p50_ms"] == 230.0
    assert parsed["throughput_rps"] == 0.4
    assert parsed["magento_calls_per_lookup"] == 5.0
    assert parsed["bridge_cpu_ms_per_lookup"] == 5.0
    assert parsed["ratio_vs_floor"] == 1.15
    assert parsed["ratio_vs_floor_c1"] == 1.1
    assert parsed["naive_p50_ms"] == 8500.0
    assert parsed["ratio_vs_naive"] == round(230 / 8500, 2)
    assert parsed["auto_link_ratio_vs_latency"] == 1.15
    assert parsed["auto_link_magento_calls_per_lookup"] == 1.0
    assert parsed["throughput_rps_latency0"] == 200.0
    assert parsed["workers"] == 2


def test_targets_pass_fail_and_unmeasured():
    result = _result()
    verdicts = check_targets(result)
    assert verdicts["detailed sequential_stages <= 2"] is True
    assert verdicts["0 errors"] is False
    assert verdicts["worker_rss_mb <= 120"] is None  # not measured
    assert verdicts[">= 150 detailed lookups/s at latency 0"] is True
    result["worker_rss_mb"] = 80.0
    text = summary({**result, "worker_rss_peak_mb": 90.0, "worker_class": "gevent", "worker_connections": 100})
    assert "[FAIL] 0 errors" in text and "[PASS] worker_rss_mb <= 120" in text


def test_missing_phases_give_none_not_errors():
    result = build_result(latency_ms=100, orders=20, concurrency=16, phases={}, stages={})
    assert result["p50_ms"] is None and result["ratio_vs_naive"] is None and result["lookups"] == 0


@pytest.mark.parametrize(("kind", "status", "payload", "ok"), [
    ("detailed", 200, {"results": [{"transactions": [{}] * 20}]}, True),
    ("detailed", 200, {"results": [{"transactions": [{}] * 19}]}, False),
    ("detailed", 200, {"results": []}, False),
    ("detailed", 502, {"errors": [{"code": "magento_unavailable"}]}, False),
    ("auto_link", 200, {"results": [{"externalCustomerId": "100"}]}, True),
    ("auto_link", 200, {"results": [{"externalCustomerId": "100"}, {"externalCustomerId": "7"}]}, False),
    ("auto_link", 200, {"results": [{"externalCustomerId": "7"}]}, False),
    ("auto_link", 200, "not json", False),
])
def test_check_answer(kind, status, payload, ok):
    assert (check_answer(kind, status, payload) is None) is ok


def test_naive_query_is_rfc3986_encoded():
    query = search_query("customer_id", 100, page_size=20, sort_field="created_at")
    assert query.startswith("searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=customer_id&")
    assert "searchCriteria%5BpageSize%5D=20" in query and "+" not in query


def test_proc_readings_of_this_process():
    assert process_cpu_seconds(os.getpid()) > 0
    assert process_memory_mb(os.getpid()) > 1
    assert process_cpu_seconds(2 ** 22 + 1) == 0.0  # gone: no exception


def test_arguments():
    args = parse_args(["--kinds", "auto_link", "--workers", "3", "--bridge-env", "BRIDGE_CACHE_TTL=60"])
    assert args.kinds == ["auto_link"] and args.workers == 3 and args.latency_ms == 100
    with pytest.raises(SystemExit):
        parse_args(["--kinds", "everything"])


@pytest.mark.e2e
def test_a_tiny_real_run_prints_a_complete_json_line():
    """Sandbox + gunicorn + every phase at a tiny duration and latency: the last line is the JSON."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--duration", "0.5", "--latency-ms", "5", "--concurrency", "2",
         "--workers", "1", "--worker-connections", "50", "--probe-latency-ms", "50", "--warmup", "0.5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert [key for key in REQUIRED_FIELDS if key not in result] == []
    assert result["errors"] == 0, completed.stderr[-3000:]
    assert result["lookups"] > 0 and result["naive_p50_ms"] > 0 and result["worker_rss_mb"] > 0
