"""Prometheus metrics at ``GET /metrics``, correct across gunicorn workers.

Under gunicorn every worker writes its samples to memory-mapped files in ``PROMETHEUS_MULTIPROC_DIR``
(set up, and emptied at master start, by gunicorn.conf.py), and ``/metrics`` adds up the files of all
workers, past ones included, so a scrape sees every lookup whichever worker it lands on. prometheus-client
decides between that mode and plain in-process counters when it is first imported, from that variable.

Label values come from fixed sets only (lookup kinds, route templates, error codes), never from shoppers'
input, so the number of series stays bounded. This module does not import Flask: the Magento client and the
lookup cache report into it too.
"""
from __future__ import annotations

import contextvars
import os
import re
import threading

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

LOOKUPS = Counter("bridge_lookups", "Gladly lookups answered, by kind and outcome.", ["kind", "outcome"])
LOOKUP_SECONDS = Histogram("bridge_lookup_duration_seconds", "Time to answer a Gladly lookup, by kind.", ["kind"],
                           buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 3, 4, 5, 10))
MAGENTO_CALLS = Counter("bridge_magento_calls", "Magento REST calls (each attempt), by route template and status.",
                        ["route", "status"])
MAGENTO_SECONDS = Histogram("bridge_magento_call_duration_seconds", "Time of one Magento REST call, by route.",
                            ["route"], buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3.5, 5))
ACTIONS = Counter("bridge_actions", "Order action submissions, by action and outcome.", ["action", "outcome"])
AI_ACTIONS = Counter("bridge_ai_actions", "Gladly AI requests, by action (the endpoint's view) and outcome "
                     "(succeeded, refused, unauthorized, failed).", ["action", "outcome"])
AI_REFUSALS = Counter("bridge_ai_refusals", "Gladly AI requests refused (HTTP 422), by code.", ["code"])
CACHE = Counter("bridge_cache_requests", "Reads of the per-worker store cache, by entry and result (hit, miss).",
                ["entry", "result"])
READ_PLAN = Counter("bridge_magento_read_plan", "Detailed lookups' reads of Magento, by call plan (module, stock) "
                    "and outcome (ok, error, fallback: the module failed and the stock plan ran).", ["plan", "outcome"])
ACTIVATIONS = Counter("bridge_activation_attempts", "Magento activation attempts, by step (callback, exchange) "
                      "and outcome.", ["step", "outcome"])

# A path segment that names a route, not a value: ids, e-mails and SKUs become placeholders.
_ROUTE_WORD = re.compile(r"V\d+|[A-Za-z][A-Za-z_]*")


def route_template(method: str, path: str) -> str:
    """``GET /V1/orders/{id}`` for ``GET /V1/orders/42``: the route, never the values in it."""
    segments = [segment if _ROUTE_WORD.fullmatch(segment) or not segment
                else "{id}" if segment.isdigit() else "{value}" for segment in path.split("?")[0].split("/")]
    return f"{method} {'/'.join(segments)}"


class CallTally:
    """Magento calls made for one Gladly request, counted across the threads it fans out to."""

    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0
        self.read_plan: str | None = None  # the call plan that read a detailed lookup's records

    def add(self) -> None:
        """Count one call."""
        with self._lock:
            self.count += 1


# Set per request by bridge.ops.logs; MagentoClient.parallel copies the context, so pool threads share the tally.
current_tally: contextvars.ContextVar[CallTally | None] = contextvars.ContextVar("magento_calls", default=None)


def observe_magento_call(method: str, path: str, status: int | str, seconds: float) -> None:
    """Record one Magento call attempt; ``status`` is the HTTP status or the transport failure's name."""
    route = route_template(method, path)
    MAGENTO_CALLS.labels(route, str(status)).inc()
    MAGENTO_SECONDS.labels(route).observe(seconds)
    tally = current_tally.get()
    if tally is not None:
        tally.add()


def observe_read_plan(plan: str, outcome: str) -> None:
    """Record how a call plan read a detailed lookup's records; the request's log line names the last one."""
    READ_PLAN.labels(plan, outcome).inc()
    tally = current_tally.get()
    if tally is not None:
        tally.read_plan = plan


def observe_cache(entry: str, *, hits: int = 0, misses: int = 0) -> None:
    """Record cache reads of one kind of entry (``site``, ``product``, ...)."""
    if hits:
        CACHE.labels(entry, "hit").inc(hits)
    if misses:
        CACHE.labels(entry, "miss").inc(misses)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every worker's metrics (or this process's, outside gunicorn)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
