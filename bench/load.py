"""Closed-loop load: N client threads, each with its own keep-alive ``requests.Session``, for a fixed time.

Requests to the bridge go over the bridge's own lean HTTP/1.1 transport (bridge/magento/transport.py, which
serves any one origin): the load generator shares the bridge's two cores, and urllib3 with http.client cost
it 0.3-0.4 ms more per lookup (one process, 1,000 calls each way).

A thread starts a new lookup only before the deadline and always finishes the one in flight, so slow
phases (the naive chain) still yield whole lookups; a phase's length is from the common start to the
last answer. Lookups are the signed Gladly requests of :mod:`bench.lookups` or any callable that
returns an error message (``None`` when the answer is right).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

from bench.stats import PhaseResult
from bridge.magento.transport import MagentoTransport

# One lookup attempt on a session: returns None when answered correctly, else what was wrong.
Attempt = Callable[[requests.Session], "str | None"]
MAX_ERROR_SAMPLES = 5


def run_phase(name: str, attempt: Attempt, *, concurrency: int, duration: float,
              min_per_thread: int = 0, origin: str | None = None) -> PhaseResult:
    """Drive ``attempt`` from ``concurrency`` threads for ``duration`` seconds and time each call.

    ``min_per_thread`` makes each thread complete at least that many attempts even past the deadline.
    Requests to ``origin`` (the bridge's) use the lean transport; any others requests' own adapter.
    """
    result = PhaseResult(name=name, concurrency=concurrency, seconds=0.0)
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    box: dict[str, float] = {}

    def client() -> None:
        session = requests.Session()
        # The bridge is on this machine: no proxies or .netrc to look up from the environment on each request
        # (the load generator shares the bridge's CPU).
        session.trust_env = False
        if origin:
            session.mount(origin, MagentoTransport(origin, pool_size=1, verify=True))
        done = 0
        try:
            ready.wait()
            deadline = box["deadline"]
            while done < min_per_thread or time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    problem = attempt(session)
                except requests.RequestException as exc:
                    problem = f"{exc.__class__.__name__}: {exc}"
                elapsed_ms = (time.perf_counter() - started) * 1000
                done += 1
                with lock:
                    if problem is None:
                        result.latencies_ms.append(elapsed_ms)
                    else:
                        result.errors += 1
                        if len(result.error_samples) < MAX_ERROR_SAMPLES:
                            result.error_samples.append(problem[:300])
        finally:
            session.close()

    threads = [threading.Thread(target=client, name=f"{name}-{index}", daemon=True) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    box["deadline"] = start + duration
    ready.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result


def time_once(attempt: Attempt, session: requests.Session) -> tuple[float, str | None]:
    """One attempt on ``session``: (elapsed ms, problem or None)."""
    started = time.perf_counter()
    problem = attempt(session)
    return (time.perf_counter() - started) * 1000, problem
