"""The pure arithmetic of the benchmark: percentiles, phase summaries, the JSON line and the benchmark's targets."""
from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

# The figures the JSON line always carries in this order.
REQUIRED_FIELDS = (
    "latency_ms", "orders", "concurrency", "lookups", "errors", "p50_ms", "p95_ms", "p99_ms", "throughput_rps",
    "magento_calls_per_lookup", "sequential_stages", "naive_p50_ms", "ratio_vs_naive", "ratio_vs_floor",
    "bridge_cpu_ms_per_lookup", "worker_rss_mb",
)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The ``pct`` percentile (0-100) with linear interpolation between closest ranks; None when empty.

    Same definition as ``numpy.percentile(..., method="linear")`` and ``statistics.quantiles(method="inclusive")``.
    """
    if not values:
        return None
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be within 0..100, got {pct}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is unknown or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def stages_from_timing(slow_ms: float, fast_ms: float, latency_ms: float) -> int:
    """Sequential Magento round trips of one lookup: the time a higher per-call latency adds, in latencies.

    Each stage of concurrent calls waits one latency, however many calls it holds, so the difference
    between a lookup at ``latency_ms`` and the same lookup at latency 0 is ``stages x latency_ms``.
    """
    if latency_ms <= 0:
        raise ValueError("latency_ms must be positive")
    return max(0, round((slow_ms - fast_ms) / latency_ms))


def stages_from_intervals(intervals: Sequence[tuple[float, float]]) -> int:
    """Sequential waves in a set of (start, end) call intervals: the longest chain of calls each starting
    after the previous one ended (calls that overlap in time belong to the same wave)."""
    ordered = sorted(intervals, key=lambda interval: interval[1])
    depth: list[int] = []  # depth[i]: the longest chain ending with call i
    for start, _ in ordered:
        before = [depth[j] for j, (_, end) in enumerate(ordered[:len(depth)]) if end <= start]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)


@dataclass
class PhaseResult:
    """What one load phase measured: per-request latencies in ms, errors and side figures."""

    name: str
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    magento_calls: int | None = None
    cpu_seconds: float | None = None  # the bridge's (gunicorn master + workers)
    sandbox_cpu_seconds: float | None = None
    client_cpu_seconds: float | None = None  # the benchmark's own load generator
    machine_busy: float | None = None  # share of all cores busy during the phase, 0..1

    @property
    def lookups(self) -> int:
        """Lookups answered correctly."""
        return len(self.latencies_ms)

    @property
    def attempts(self) -> int:
        return self.lookups + self.errors

    def pct(self, value: float) -> float | None:
        return percentile(self.latencies_ms, value)

    @property
    def throughput_rps(self) -> float | None:
        return ratio(self.lookups, self.seconds)

    @property
    def calls_per_lookup(self) -> float | None:
        return ratio(self.magento_calls, self.attempts)

    @property
    def cpu_ms_per_lookup(self) -> float | None:
        return self.per_lookup_ms(self.cpu_seconds)

    def other_cpu_cores(self, cores: int | None = None) -> float | None:
        """Cores busy with processes outside the run (a shared machine makes every figure noisier)."""
        ours = [self.cpu_seconds, self.sandbox_cpu_seconds, self.client_cpu_seconds]
        if self.machine_busy is None or None in ours or not self.seconds:
            return None
        return max(0.0, self.machine_busy * (cores or os.cpu_count() or 1) - sum(ours) / self.seconds)

    def per_lookup_ms(self, seconds: float | None) -> float | None:
        """CPU seconds spread over the phase's lookups, in ms per lookup."""
        return ratio(None if seconds is None else seconds * 1000, self.attempts)


def _rounded(value, digits: int = 2):
    return round(value, digits) if isinstance(value, float) else value


def build_result(*, latency_ms: int, orders: int, concurrency: int, phases: dict[str, PhaseResult],
                 stages: dict[str, int | None], extra: dict | None = None) -> dict:
    """The JSON line: headline figures of the detailed lookup at ``concurrency`` plus per-kind figures.

    ``phases`` may hold "detailed", "detailed_c1", "auto_link", "naive" and "latency0"; missing phases
    give None figures. ``errors`` counts every failed bridge lookup in every phase.
    """
    detailed = phases.get("detailed")
    c1 = phases.get("detailed_c1")
    auto = phases.get("auto_link")
    naive = phases.get("naive")
    zero = phases.get("latency0")
    floor_ms = 2 * latency_ms
    p50 = detailed.pct(50) if detailed else None
    naive_p50 = naive.pct(50) if naive else None
    bridge_phases = [phase for key, phase in phases.items() if key != "naive"]
    result = {
        "latency_ms": latency_ms,
        "orders": orders,
        "concurrency": concurrency,
        "lookups": detailed.lookups if detailed else 0,
        "errors": sum(phase.errors for phase in bridge_phases),
        "p50_ms": p50,
        "p95_ms": detailed.pct(95) if detailed else None,
        "p99_ms": detailed.pct(99) if detailed else None,
        "throughput_rps": detailed.throughput_rps if detailed else None,
        "magento_calls_per_lookup": detailed.calls_per_lookup if detailed else None,
        "sequential_stages": stages.get("detailed"),
        "naive_p50_ms": naive_p50,
        "ratio_vs_naive": ratio(p50, naive_p50),
        "ratio_vs_floor": ratio(p50, floor_ms),
        "bridge_cpu_ms_per_lookup": detailed.cpu_ms_per_lookup if detailed else None,
        "worker_rss_mb": None,
        "detailed_c1_p50_ms": c1.pct(50) if c1 else None,
        "ratio_vs_floor_c1": ratio(c1.pct(50), floor_ms) if c1 else None,
        "auto_link_lookups": auto.lookups if auto else None,
        "auto_link_errors": auto.errors if auto else None,
        "auto_link_p50_ms": auto.pct(50) if auto else None,
        "auto_link_p95_ms": auto.pct(95) if auto else None,
        "auto_link_magento_calls_per_lookup": auto.calls_per_lookup if auto else None,
        "auto_link_sequential_stages": stages.get("auto_link"),
        "auto_link_ratio_vs_latency": ratio(auto.pct(50), latency_ms) if auto else None,
        "auto_link_cpu_ms_per_lookup": auto.cpu_ms_per_lookup if auto else None,
        "naive_lookups": naive.lookups if naive else None,
        "naive_errors": naive.errors if naive else None,
        "naive_magento_calls_per_lookup": naive.calls_per_lookup if naive else None,
        "throughput_rps_latency0": zero.throughput_rps if zero else None,
        "latency0_p50_ms": zero.pct(50) if zero else None,
        "latency0_cpu_ms_per_lookup": zero.cpu_ms_per_lookup if zero else None,
        # A projection, not a measurement: every core busy with the bridge alone at its measured CPU cost.
        "bridge_only_capacity_rps_latency0": ratio((os.cpu_count() or 1) * 1000.0,
                                                   zero.cpu_ms_per_lookup if zero else None),
    }
    # Where the machine's CPU went: the sandbox and the load generator share the cores with the bridge.
    for key, phase in (("", detailed), ("latency0_", zero)):
        result[f"{key}sandbox_cpu_ms_per_lookup"] = phase.per_lookup_ms(phase.sandbox_cpu_seconds) if phase else None
        result[f"{key}client_cpu_ms_per_lookup"] = phase.per_lookup_ms(phase.client_cpu_seconds) if phase else None
        result[f"{key}machine_cpu_busy_pct"] = (phase.machine_busy * 100 if phase and phase.machine_busy is not None
                                                 else None)
        result[f"{key}other_cpu_cores"] = phase.other_cpu_cores() if phase else None
    result.update(extra or {})
    return {key: _rounded(value) for key, value in result.items()}


# (name, JSON key, comparison, limit): each target as a check on the JSON line.
TARGETS = (
    ("detailed sequential_stages <= 2", "sequential_stages", "<=", 2),
    ("detailed magento_calls_per_lookup <= 6", "magento_calls_per_lookup", "<=", 6),
    ("ratio_vs_floor <= 1.3 at concurrency 1", "ratio_vs_floor_c1", "<=", 1.3),
    ("ratio_vs_floor <= 1.6 at concurrency 16", "ratio_vs_floor", "<=", 1.6),
    ("ratio_vs_naive <= 0.1", "ratio_vs_naive", "<=", 0.1),
    ("auto-link one stage", "auto_link_sequential_stages", "<=", 1),
    ("auto-link p50 <= 1.3 x latency", "auto_link_ratio_vs_latency", "<=", 1.3),
    ("0 errors", "errors", "<=", 0),
    ("bridge_cpu_ms_per_lookup <= 10", "bridge_cpu_ms_per_lookup", "<=", 10),
    ("worker_rss_mb <= 120", "worker_rss_mb", "<=", 120),
    (">= 150 detailed lookups/s at latency 0", "throughput_rps_latency0", ">=", 150),
)


def check_targets(result: dict) -> dict[str, bool | None]:
    """Each target: True (met), False (missed) or None (not measured in this run)."""
    verdicts: dict[str, bool | None] = {}
    for name, key, comparison, limit in TARGETS:
        value = result.get(key)
        if value is None:
            verdicts[name] = None
        else:
            verdicts[name] = value <= limit if comparison == "<=" else value >= limit
    return verdicts


def json_line(result: dict) -> str:
    """The machine-readable last line: compact, keys in insertion order."""
    return json.dumps(result, separators=(",", ":"))
