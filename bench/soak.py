"""``python -m bench.soak`` (``make soak``): sustained load, then the same load through a Magento outage.

Starts the sandbox store (dataset "busy", ``--latency-ms`` per call) and the bridge under gunicorn with
gunicorn.conf.py, then runs one closed loop of ``--concurrency`` clients sending signed detailed lookups:
``--warmup`` seconds not counted, then two phases of ``--duration`` seconds each:

1. ``steady``: the store answers normally;
2. ``faults``: from ``--fault-start`` for ``--fault-seconds`` every Magento GET fails (``--fault-mode
   hang``: it hangs for ``--hang-seconds`` and then answers 500, as a store whose PHP workers are stuck;
   ``500``: it fails at once), then the store recovers for the rest of the phase.

Every answer is sorted into one of three kinds:

* ``ok``: HTTP 200 with the busy shopper's profile and all its orders, within Gladly's 5 s;
* ``unavailable``: only in the fault phase, the bridge's clean JSON error for a failing store (503
  ``magento_unavailable`` from the open circuit breaker, 502 ``magento_unavailable`` or 504
  ``magento_timeout``) within 5 s: what Gladly expects and shows as "try again";
* ``errors``: anything else: a wrong or malformed answer, any other status or code, a clean error
  during the steady phase, no answer, or any answer after Gladly's 5 s cut-off.

``p50_ms``/``p99_ms``/``max_ms`` cover every request of both phases (ok, unavailable and errors alike,
a request that got no answer with the time it took to fail), so the slow answers while the circuit is
still closed at the start of the outage are in them. RSS is the sum of the
gunicorn workers' resident memory after the warm-up (``rss_mb_start``) and after both phases
(``rss_mb_end``). ``breaker_opened`` counts the circuit openings the workers logged. The last line of
output is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import requests

from bench import procs
from bench.__main__ import Progress
from bench.__main__ import bridge_env
from bench.__main__ import check_run_options
from bench.__main__ import gunicorn_overrides
from bench.__main__ import gunicorn_settings
from bench.__main__ import run_in_workdir
from bench.__main__ import run_parser
from bench.__main__ import start_processes
from bench.load import run_phase
from bench.lookups import BODIES
from bench.lookups import LOOKUP_PATH
from bench.lookups import REQUEST_TIMEOUT
from bench.lookups import check_answer
from bench.lookups import parse_answer
from bench.stats import json_line
from bench.stats import percentile
from bridge.gladly.signature import build_headers

SIGNING_KEY = "soak-signing-key-0123456789abcdef"
GLADLY_CUTOFF_MS = 5000.0  # Gladly drops a lookup answer after 5 s (gladly-lookup-adaptor.md §4)
CLEAN_UNAVAILABLE = {(503, "magento_unavailable"), (502, "magento_unavailable"), (504, "magento_timeout")}
OPENED_MARK = "magento circuit for "  # the breaker's log line: "magento circuit for <store> is open: ..."
MAX_SAMPLES = 5
REQUIRED_FIELDS = ("requests", "errors", "p50_ms", "p99_ms", "max_ms", "rss_mb_start", "rss_mb_end",
                   "breaker_opened")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; bad values stop with a message naming the flag."""
    parser = run_parser("python -m bench.soak", __doc__, concurrency=200, duration=60.0)
    parser.add_argument("--fault-start", type=float, default=15.0,
                        help="seconds into the fault phase when the store starts failing (15)")
    parser.add_argument("--fault-seconds", type=float, default=20.0, help="how long the store fails (20)")
    parser.add_argument("--fault-mode", choices=("hang", "500"), default="hang",
                        help="hang: calls hang, then 500; 500: calls fail at once (hang)")
    parser.add_argument("--hang-seconds", type=float, default=5.0,
                        help="how long a hanging call stalls, above the bridge's read timeout (5)")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds before measuring (5)")
    parser.add_argument("--skip-faults", action="store_true", help="run the steady phase only")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.concurrency < 1 or args.latency_ms < 0 or args.warmup < 0:
        parser.error("--duration must be > 0, --concurrency >= 1, --latency-ms and --warmup >= 0")
    if not args.skip_faults and (args.fault_start < 0 or args.fault_seconds <= 0
                                 or args.fault_start + args.fault_seconds > args.duration):
        parser.error("the fault window (--fault-start + --fault-seconds) must lie inside --duration")
    if args.hang_seconds <= 0:
        parser.error("--hang-seconds must be > 0")
    check_run_options(parser, args)
    return args


@dataclass
class Tally:
    """What one phase's answers were: latencies of ok and clean-unavailable answers, error count and samples."""

    name: str
    ok_ms: list[float] = field(default_factory=list)
    unavailable_ms: list[float] = field(default_factory=list)
    error_ms: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    cpu: dict = field(default_factory=dict)  # CPU ms per lookup of the bridge, the sandbox and this load generator
    started: float = field(default_factory=time.perf_counter)  # the phase's start, to date the error samples
    rss_mb: float | None = None  # the workers' resident memory when the phase ended
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def errors(self) -> int:
        return len(self.error_ms)

    @property
    def requests(self) -> int:
        return len(self.ok_ms) + len(self.unavailable_ms) + self.errors

    def add(self, kind: str, elapsed_ms: float, status: str, problem: str | None = None,
            sent: float | None = None) -> None:
        """Record one answer of ``kind`` ok, unavailable or error; ``sent`` (perf_counter) dates a sample."""
        with self._lock:
            self.statuses[status] += 1
            if kind == "ok":
                self.ok_ms.append(elapsed_ms)
            elif kind == "unavailable":
                self.unavailable_ms.append(elapsed_ms)
            else:
                self.error_ms.append(elapsed_ms)
                if problem and len(self.samples) < MAX_SAMPLES:
                    when = "" if sent is None else f"sent {sent - self.started:.1f} s into the phase: "
                    self.samples.append((when + problem)[:300])

    def summary(self) -> dict:
        """The phase's figures for the JSON line."""
        every = self.ok_ms + self.unavailable_ms + self.error_ms
        return {"requests": self.requests, "ok": len(self.ok_ms), "unavailable": len(self.unavailable_ms),
                "errors": self.errors, "p50_ms": _round(percentile(every, 50)),
                "p99_ms": _round(percentile(every, 99)), "max_ms": _round(max(every, default=None)),
                "ok_p99_ms": _round(percentile(self.ok_ms, 99)), "statuses": dict(self.statuses),
                "cpu_ms_per_lookup": self.cpu, "rss_mb_end": self.rss_mb, "error_samples": self.samples}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def classify(status: int, payload, elapsed_ms: float, *, faults_allowed: bool) -> tuple[str, str | None]:
    """(kind, problem) of one answer: ``ok``, ``unavailable`` (clean, fault phase only) or ``error``."""
    if elapsed_ms > GLADLY_CUTOFF_MS:
        return "error", f"answered after Gladly's 5 s cut-off ({elapsed_ms:.0f} ms, HTTP {status})"
    problem = check_answer("detailed", status, payload)
    if problem is None:
        return "ok", None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    code = errors[0].get("code") if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    if faults_allowed and (status, code) in CLEAN_UNAVAILABLE:
        return "unavailable", None
    return "error", problem


def soak_attempt(bridge_url: str, current: dict):
    """A run_phase attempt that posts one signed detailed lookup and records its kind in the tally of the
    phase it was sent in (``current["tally"]`` and ``current["faults"]`` when it starts)."""
    raw = json.dumps(BODIES["detailed"], separators=(",", ":")).encode()
    url = bridge_url + LOOKUP_PATH

    def attempt(session: requests.Session) -> None:
        tally, faults_allowed = current["tally"], current["faults"]
        headers = build_headers(SIGNING_KEY, method="POST", path=LOOKUP_PATH, body=raw)
        started = time.perf_counter()
        try:
            response = session.post(url, data=raw, headers=headers, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as exc:
            tally.add("error", (time.perf_counter() - started) * 1000, exc.__class__.__name__,
                      f"{exc.__class__.__name__}: {exc}", started)
            return None
        elapsed_ms = (time.perf_counter() - started) * 1000
        kind, problem = classify(response.status_code, parse_answer(response), elapsed_ms,
                                 faults_allowed=faults_allowed)
        tally.add(kind, elapsed_ms, str(response.status_code), problem, started)
        return None

    return attempt


def workers_rss_mb(bridge: procs.Bridge) -> float:
    """Resident memory of every gunicorn worker, summed, in MiB."""
    return round(sum(filter(None, (procs.process_memory_mb(pid) for pid in bridge.worker_pids()))), 1)


def breaker_openings(log_path: Path) -> int:
    """How many times a worker logged its circuit opening."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return 0
    return sum(1 for line in text.splitlines() if OPENED_MARK in line and " is open: " in line)


def cpu_readings(bridge: procs.Bridge, sandbox: procs.Sandbox) -> dict:
    """CPU seconds used so far by the bridge, the sandbox and this process, and the machine's busy/total ticks."""
    busy, total = procs.machine_cpu_ticks()
    return {"bridge": bridge.cpu_seconds(), "sandbox": sandbox.cpu_seconds(), "load_generator": time.process_time(),
            "busy": busy, "total": total}


def cpu_per_lookup(before: dict, after: dict, lookups: int) -> dict:
    """Where the CPU went during a phase: ms per lookup of each process, and how busy the machine was."""
    result = {name: round((after[name] - before[name]) * 1000 / max(1, lookups), 2)
              for name in ("bridge", "sandbox", "load_generator")}
    busy, total = after["busy"] - before["busy"], after["total"] - before["total"]
    result["machine_busy_pct"] = round(100 * busy / max(1, total), 1)
    return result


def fault_schedule(sandbox: procs.Sandbox, args: argparse.Namespace, say: Progress) -> threading.Thread:
    """A thread that breaks the store at ``--fault-start`` and repairs it ``--fault-seconds`` later."""
    mode = "timeout" if args.fault_mode == "hang" else "500"

    def run() -> None:
        time.sleep(args.fault_start)
        say(f"faults on: every Magento GET {'hangs, then ' if mode == 'timeout' else ''}fails")
        requests.post(sandbox.url + "sandbox/config", timeout=10, json={
            "fault_rate": 1.0, "fault_mode": mode, "hang_seconds": args.hang_seconds}).raise_for_status()
        time.sleep(args.fault_seconds)
        requests.post(sandbox.url + "sandbox/config", timeout=10, json={"fault_rate": 0.0}).raise_for_status()
        say("faults off: the store answers again")

    return threading.Thread(target=run, name="fault-schedule", daemon=True)


def run(args: argparse.Namespace, workdir: Path, say: Progress) -> dict:
    """Both phases against one sandbox and one bridge; returns the JSON line's dict.

    One closed loop of ``--concurrency`` clients runs from the warm-up to the end: the phases are windows
    of it, and a lookup counts in the phase it was sent in. Starting new clients for each phase would send
    them all at the same instant, a burst Gladly does not make, and measure that instead of the load.
    """
    started = time.monotonic()
    names = ["steady"] if args.skip_faults else ["steady", "faults"]
    phases = {name: Tally(name) for name in names}
    current = {"tally": Tally("warmup"), "faults": False}
    cpu: dict[str, list[dict]] = {}
    with procs.Children() as children:
        sandbox, bridge = start_processes(children, workdir, args, say, SIGNING_KEY)
        attempt = soak_attempt(bridge.url, current)
        say(f"{args.concurrency} clients for {args.warmup + args.duration * len(names):g} s: "
            f"warm-up {args.warmup:g} s, then {', '.join(names)} {args.duration:g} s each")
        load = threading.Thread(target=run_phase, args=("soak", attempt), daemon=True, kwargs={
            "concurrency": args.concurrency, "duration": args.warmup + args.duration * len(names),
            "origin": bridge.url})
        load.start()
        phase_end = time.monotonic() + args.warmup
        time.sleep(max(0.0, phase_end - time.monotonic()))
        rss_start = workers_rss_mb(bridge)
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        for name in names:
            phases[name].started = time.perf_counter()
            current["tally"], current["faults"] = phases[name], name == "faults"
            say(f"{name}: {args.duration:g} s")
            schedule = fault_schedule(sandbox, args, say) if name == "faults" else None
            if schedule:
                schedule.start()
            cpu[name] = [cpu_readings(bridge, sandbox)]
            phase_end += args.duration
            time.sleep(max(0.0, phase_end - time.monotonic()))
            cpu[name].append(cpu_readings(bridge, sandbox))
            phases[name].rss_mb = workers_rss_mb(bridge)
            if schedule:
                schedule.join()
        load.join()  # the lookups still in flight finish and count in the phase they were sent in
        for name, tally in phases.items():
            tally.cpu = cpu_per_lookup(*cpu[name], tally.requests)
            figures = tally.summary()
            say(f"{name}: {figures['requests']} lookups, {figures['ok']} ok, {figures['unavailable']} clean "
                f"unavailable, {figures['errors']} errors; p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
                f"max {figures['max_ms']} ms")
            for sample in figures["error_samples"]:
                say(f"  error: {sample}")
        rss_end = workers_rss_mb(bridge)
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        settings = gunicorn_settings({**bridge_env(args), **gunicorn_overrides(args)})
        opened = breaker_openings(bridge.log_path)
        workers = len(bridge.worker_pids())
    return build_result(phases, rss_start=rss_start, rss_end=rss_end, breaker_opened=opened, extra={
        "concurrency": args.concurrency, "latency_ms": args.latency_ms, "duration_s": args.duration,
        "fault_mode": None if args.skip_faults else args.fault_mode,
        "fault_window_s": None if args.skip_faults else [args.fault_start, args.fault_start + args.fault_seconds],
        "workers": workers, "worker_class": settings["worker_class"],
        "worker_connections": settings["worker_connections"],
        "loadavg_before": load_before, "loadavg_after": load_after,
        "run_seconds": round(time.monotonic() - started, 1)})


def build_result(phases: dict[str, Tally], *, rss_start: float, rss_end: float, breaker_opened: int,
                 extra: dict | None = None) -> dict:
    """The JSON line: the headline figures over every phase, then each phase's own."""
    combined = Tally("all")
    for tally in phases.values():
        combined.ok_ms += tally.ok_ms
        combined.unavailable_ms += tally.unavailable_ms
        combined.error_ms += tally.error_ms
    overall = combined.summary()
    result = {
        "requests": overall["requests"],
        "errors": overall["errors"],
        "unavailable": overall["unavailable"],
        "p50_ms": overall["p50_ms"],
        "p99_ms": overall["p99_ms"],
        "max_ms": overall["max_ms"],
        "rss_mb_start": rss_start,
        "rss_mb_end": rss_end,
        "breaker_opened": breaker_opened,
        **{name: tally.summary() for name, tally in phases.items()},
    }
    result.update(extra or {})
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    code, result = run_in_workdir(args, run, "bridge-soak-")
    if result is not None:
        print(json_line(result), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
