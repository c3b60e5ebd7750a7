"""``python -m bench`` (``make bench``): the lookup benchmark in one run.

Starts the sandbox store (dataset "busy") and the bridge under gunicorn with gunicorn.conf.py, then
measures, in order: the calls of a cold lookup; a warm-up; the sequential stages of each lookup kind;
detailed lookups at the given concurrency and at concurrency 1; auto-link lookups; the naive chain at
the same concurrency against the same sandbox; detailed lookups at latency 0 for throughput. Prints a
summary table, then one JSON line as the last line of output.
"""
from __future__ import annotations

import argparse
import os
import runpy
import signal
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from bench import procs
from bench.load import run_phase
from bench.load import time_once
from bench.lookups import KINDS
from bench.lookups import lookup_attempt
from bench.naive import naive_attempt
from bench.stats import PhaseResult
from bench.stats import build_result
from bench.stats import check_targets
from bench.stats import json_line
from bench.stats import stages_from_timing

SIGNING_KEY = "bench-signing-key-0123456789abcdef"
PROBE_LATENCY_MS = 200  # per-call latency while counting stages: large against the bridge's own time
PROBE_REPEATS = 5
WARMUP_SECONDS = 3.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = run_parser("python -m bench", __doc__, concurrency=16, duration=10.0)
    parser.add_argument("--orders", type=int, default=20,
                        help="orders of the shopper (informational: the sandbox's 'busy' dataset has 20)")
    parser.add_argument("--kinds", default="detailed,auto_link",
                        help="lookup kinds to measure, comma-separated (detailed,auto_link)")
    parser.add_argument("--probe-latency-ms", type=int, default=PROBE_LATENCY_MS,
                        help=f"sandbox latency while counting sequential stages ({PROBE_LATENCY_MS})")
    parser.add_argument("--warmup", type=float, default=WARMUP_SECONDS,
                        help=f"warm-up seconds before measuring ({WARMUP_SECONDS:g})")
    parser.add_argument("--skip-naive", action="store_true", help="do not measure the naive chain")
    args = parser.parse_args(argv)
    args.kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    unknown = sorted(set(args.kinds) - set(KINDS))
    if unknown or not args.kinds:
        parser.error(f"--kinds takes {', '.join(KINDS)}; got {args.kinds}")
    if args.latency_ms < 0 or args.concurrency < 1 or args.duration <= 0:
        parser.error("--latency-ms must be >= 0, --concurrency >= 1 and --duration > 0")
    check_run_options(parser, args)
    return args


def run_parser(prog: str, description: str, *, concurrency: int, duration: float) -> argparse.ArgumentParser:
    """A parser with the options of the load, the bridge under test and the run (benchmark and soak)."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=int, default=100, help="sandbox latency per Magento call (100)")
    parser.add_argument("--concurrency", type=int, default=concurrency,
                        help=f"concurrent Gladly lookups ({concurrency})")
    parser.add_argument("--duration", type=float, default=duration, help=f"seconds per load phase ({duration:g})")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--worker-connections", type=int,
                        help="connections each gunicorn worker serves at once (default: gunicorn.conf.py)")
    parser.add_argument("--bridge-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra BRIDGE_* setting for the bridge, repeatable (e.g. BRIDGE_MAGENTO_POOL_SIZE=64)")
    parser.add_argument("--keep-logs", metavar="DIR", help="write the sandbox and bridge logs to DIR and keep them")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    return parser


def check_run_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Stop with a message on a malformed --bridge-env."""
    for item in args.bridge_env:
        if "=" not in item or not item.startswith("BRIDGE_"):
            parser.error(f"--bridge-env takes BRIDGE_NAME=value, got {item!r}")


def gunicorn_overrides(args: argparse.Namespace) -> dict[str, str]:
    """BRIDGE_WORKERS/BRIDGE_WORKER_CONNECTIONS for the --workers/--worker-connections given."""
    return {**({"BRIDGE_WORKERS": str(args.workers)} if args.workers else {}),
            **({"BRIDGE_WORKER_CONNECTIONS": str(args.worker_connections)} if args.worker_connections else {})}


def run_in_workdir(args: argparse.Namespace, run, prefix: str) -> tuple[int, dict | None]:
    """``run(args, workdir, say)`` in a temporary folder (or --keep-logs); (exit code, its result)."""
    say = Progress(args.json_only)
    try:
        with sigterm_exits(), tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            workdir = Path(args.keep_logs or tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            return 0, run(args, workdir, say)
    except KeyboardInterrupt:
        print("interrupted; every process stopped", file=sys.stderr)
        return 130, None


class Progress:
    """Progress lines on stderr (stdout carries only the summary and the JSON line)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)


@contextmanager
def sigterm_exits():
    """Turn SIGTERM into SystemExit so the children are stopped as on Ctrl-C."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def gunicorn_settings(env: dict[str, str]) -> dict:
    """The worker class, workers and connections gunicorn.conf.py resolves to under ``env``."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        conf = runpy.run_path(str(procs.ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {"worker_class": conf.get("worker_class"), "workers": conf.get("workers"),
            "worker_connections": conf.get("worker_connections")}


def start_processes(children: procs.Children, workdir: Path, args: argparse.Namespace, say: Progress,
                    signing_key: str) -> tuple[procs.Sandbox, procs.Bridge]:
    """The sandbox store (dataset busy, --latency-ms) and the bridge under gunicorn with the run's options."""
    say(f"starting the sandbox store (dataset busy, {args.latency_ms} ms per call)")
    sandbox = procs.start_sandbox(children, workdir, latency_ms=args.latency_ms)
    say("starting the bridge under gunicorn (gunicorn.conf.py)")
    bridge = procs.start_bridge(children, workdir, procs.manual_connection_env(sandbox), signing_key=signing_key,
                                workers=args.workers, worker_connections=args.worker_connections,
                                extra_env=bridge_env(args))
    return sandbox, bridge


def bridge_env(args: argparse.Namespace) -> dict[str, str]:
    """The --bridge-env settings as a mapping."""
    return dict(item.split("=", 1) for item in args.bridge_env)


def measure_stages(session: requests.Session, attempt, sandbox: procs.Sandbox, latency_ms: int,
                   probe_ms: int = PROBE_LATENCY_MS) -> tuple[int, dict]:
    """Sequential Magento round trips of one lookup, from its wall time at two sandbox latencies.

    Median of PROBE_REPEATS lookups at latency 0 and at ``probe_ms``, one after another on one
    keep-alive session: stages = round((t_slow - t_fast) / probe_ms). Concurrent calls of one
    stage overlap, so each stage adds one latency whatever its number of calls.
    """
    timings = {}
    try:
        for latency in (0, probe_ms):
            sandbox.set_latency(latency)
            time_once(attempt, session)  # discarded: a fresh latency, a fresh connection state
            samples = []
            for _ in range(PROBE_REPEATS):
                elapsed, problem = time_once(attempt, session)
                if problem:
                    raise RuntimeError(f"stage probe lookup failed: {problem}")
                samples.append(elapsed)
            timings[latency] = statistics.median(samples)
    finally:
        sandbox.set_latency(latency_ms)
    stages = stages_from_timing(timings[probe_ms], timings[0], probe_ms)
    return stages, {"fast_ms": round(timings[0], 1), "slow_ms": round(timings[probe_ms], 1),
                    "probe_latency_ms": probe_ms}


def measured_phase(name: str, attempt, *, bridge: procs.Bridge, sandbox: procs.Sandbox, concurrency: int,
                   duration: float, min_per_thread: int = 0, say: Progress) -> PhaseResult:
    """A load phase with the sandbox's call count and the bridge's CPU time around it."""
    say(f"{name}: {concurrency} clients for {duration:g} s")
    sandbox.reset_stats()
    before = (bridge.cpu_seconds(), sandbox.cpu_seconds(), time.process_time(),
              procs.machine_cpu_ticks())
    phase = run_phase(name, attempt, concurrency=concurrency, duration=duration, min_per_thread=min_per_thread,
                      origin=bridge.url)
    busy, total = procs.machine_cpu_ticks()
    phase.cpu_seconds = bridge.cpu_seconds() - before[0]
    phase.sandbox_cpu_seconds = sandbox.cpu_seconds() - before[1]
    phase.client_cpu_seconds = time.process_time() - before[2]
    phase.machine_busy = (busy - before[3][0]) / max(1, total - before[3][1])
    phase.magento_calls = sandbox.calls()
    p50 = phase.pct(50)
    say(f"{name}: {phase.lookups} ok, {phase.errors} errors, p50 {p50 if p50 is None else round(p50)} ms; "
        f"CPU ms/lookup bridge {phase.cpu_ms_per_lookup or 0:.1f}, sandbox "
        f"{phase.per_lookup_ms(phase.sandbox_cpu_seconds) or 0:.1f}, load generator "
        f"{phase.per_lookup_ms(phase.client_cpu_seconds) or 0:.1f}; machine {phase.machine_busy:.0%} busy")
    for sample in phase.error_samples:
        say(f"  error: {sample}")
    return phase


def run(args: argparse.Namespace, workdir: Path, say: Progress) -> dict:
    """Every phase against one sandbox and one bridge; returns the JSON line's dict."""
    started = time.monotonic()
    phases: dict[str, PhaseResult] = {}
    stages: dict[str, int | None] = {}
    extra: dict = {}
    with procs.Children() as children:
        sandbox, bridge = start_processes(children, workdir, args, say, SIGNING_KEY)
        attempts = {kind: lookup_attempt(bridge.url, bridge.signing_key, kind) for kind in KINDS}
        session = requests.Session()

        # The first lookup of a fresh worker: nothing cached yet.
        first = args.kinds[0]
        sandbox.reset_stats()
        elapsed, problem = time_once(attempts[first], session)
        if problem:
            raise RuntimeError(f"first {first} lookup failed: {problem}\n{procs.log_tail(bridge.log_path)}")
        extra[f"{first}_cold_magento_calls"] = sandbox.calls()
        extra[f"{first}_cold_ms"] = round(elapsed, 1)

        say(f"warming up every worker for {args.warmup:g} s")
        for kind in args.kinds:
            run_phase("warmup", attempts[kind], concurrency=args.concurrency, duration=args.warmup / len(args.kinds),
                      origin=bridge.url)

        for kind in args.kinds:
            say(f"counting the sequential stages of a {kind} lookup (latency 0 vs {args.probe_latency_ms} ms)")
            stages[kind], probe = measure_stages(session, attempts[kind], sandbox, args.latency_ms,
                                                 args.probe_latency_ms)
            extra[f"{kind}_stage_probe"] = probe
        session.close()

        common = {"bridge": bridge, "sandbox": sandbox, "say": say, "duration": args.duration}
        if "detailed" in args.kinds:
            phases["detailed"] = measured_phase("detailed", attempts["detailed"], concurrency=args.concurrency,
                                                **common)
            phases["detailed_c1"] = measured_phase("detailed_c1", attempts["detailed"], concurrency=1, **common)
        if "auto_link" in args.kinds:
            phases["auto_link"] = measured_phase("auto_link", attempts["auto_link"], concurrency=args.concurrency,
                                                 **common)
        if "detailed" in args.kinds and not args.skip_naive:
            phases["naive"] = measured_phase("naive", naive_attempt(sandbox.url, sandbox.credentials),
                                             concurrency=args.concurrency, min_per_thread=1, **common)
        if "detailed" in args.kinds:
            sandbox.set_latency(0)
            phases["latency0"] = measured_phase("latency0", attempts["detailed"], concurrency=args.concurrency,
                                                **common)
            sandbox.set_latency(args.latency_ms)

        workers = bridge.worker_pids()
        rss = [procs.process_memory_mb(pid) for pid in workers]
        peak = [procs.process_memory_mb(pid, "VmHWM") for pid in workers]
        settings = gunicorn_settings({**os.environ, **gunicorn_overrides(args)})
    result = build_result(latency_ms=args.latency_ms, orders=args.orders, concurrency=args.concurrency,
                          phases=phases, stages=stages, extra={
                              "workers": len(workers), "worker_class": settings["worker_class"],
                              "worker_connections": settings["worker_connections"], "cpu_count": os.cpu_count(),
                              "duration_s": args.duration, "stages_method": "wall_time_latency_delta",
                              **extra, "worker_rss_peak_mb": max(filter(None, peak), default=None)})
    result["worker_rss_mb"] = round(max(filter(None, rss), default=0.0), 1) or None
    verdicts = check_targets(result)
    result["targets_failed"] = [name for name, met in verdicts.items() if met is False]
    result["run_seconds"] = round(time.monotonic() - started, 1)
    return result


def summary(result: dict) -> str:
    """The human table: one row per lookup kind and phase, then the targets."""
    def show(value, unit=""):
        if value is None:
            return "-"
        return f"{value:.2f}{unit}" if isinstance(value, float) else f"{value}{unit}"

    lat = result["latency_ms"]
    rows = [
        (f"detailed, concurrency {result['concurrency']}", result["lookups"], result["p50_ms"], result["p95_ms"],
         result["p99_ms"], result["throughput_rps"], result["magento_calls_per_lookup"],
         result["bridge_cpu_ms_per_lookup"]),
        ("detailed, concurrency 1", None, result["detailed_c1_p50_ms"], None, None, None, None, None),
        (f"auto-link, concurrency {result['concurrency']}", result["auto_link_lookups"], result["auto_link_p50_ms"],
         result["auto_link_p95_ms"], None, None, result["auto_link_magento_calls_per_lookup"],
         result["auto_link_cpu_ms_per_lookup"]),
        (f"naive chain, concurrency {result['concurrency']}", result["naive_lookups"], result["naive_p50_ms"],
         None, None, None, result["naive_magento_calls_per_lookup"], None),
        ("detailed, latency 0", None, result["latency0_p50_ms"], None, None, result["throughput_rps_latency0"],
         None, result["latency0_cpu_ms_per_lookup"]),
    ]
    header = (f"phase (sandbox latency {lat} ms)", "lookups", "p50 ms", "p95 ms", "p99 ms", "lookups/s",
              "calls/lookup", "CPU ms/lookup")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(show(cell) for cell in row) + " |" for row in rows]
    lines.append("")
    lines.append(f"sequential stages: detailed {show(result['sequential_stages'])}, "
                 f"auto-link {show(result['auto_link_sequential_stages'])}; errors {result['errors']}; "
                 f"worker RSS {show(result['worker_rss_mb'])} MB (peak {show(result['worker_rss_peak_mb'])} MB); "
                 f"{result['workers']} {result['worker_class']} workers x {result['worker_connections']} connections")
    lines.append(f"ratio vs floor (2 x {lat} ms): {show(result['ratio_vs_floor'])} at concurrency "
                 f"{result['concurrency']}, {show(result['ratio_vs_floor_c1'])} at concurrency 1; "
                 f"ratio vs naive: {show(result['ratio_vs_naive'])}")
    lines.append("")
    for name, met in check_targets(result).items():
        lines.append(f"  [{'PASS' if met else 'FAIL' if met is False else 'n/a '}] {name}")
    return "\n".join(lines)


def run_and_print(args: argparse.Namespace, run, prefix: str, summary) -> int:
    """``run`` in a work folder, then its table (unless --json-only) and the JSON line last; the exit code."""
    code, result = run_in_workdir(args, run, prefix)
    if result is None:
        return code
    if not args.json_only:
        print(summary(result))
    print(json_line(result), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_and_print(parse_args(argv), run, "bridge-bench-", summary)


if __name__ == "__main__":
    sys.exit(main())
