"""What ``make bench-magento`` measures, and its arithmetic: per-plan figures from interleaved load phases.

Each measured phase is one call plan at one concurrency for a fixed time. Around it the benchmark reads the
PHP-FPM workers' CPU (/proc, :meth:`bench.magento.store.FpmMagento.fpm_cpu_seconds`), the SQL statements the
store's database user sent (:class:`QueryCounter`) and the bridge's own CPU; :func:`plan_figures` turns the
phases of one plan into the JSON line's figures.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.lookups import parse_answer
from bench.lookups import single_profile
from bench.stats import PhaseResult
from bench.stats import percentile
from bench.stats import ratio
from bridge.gladly.signature import build_headers

PLANS = ("module", "stock")
LOOKUP_PATH = "/gladly/lookup"
REQUEST_TIMEOUT = 120  # above any --lookup-deadline worth running
# Per plan: p50/p95 at each concurrency, then the Magento side per lookup.
# The bridge's counter of detailed lookups' reads by plan and outcome (bridge/metrics.py, issue 21).
READ_PLAN_METRIC = "bridge_magento_read_plan_total"
PLAN_FIELDS = ("p50_c1", "p95_c1", "p50_c8", "p95_c8", "cpu_s_per_lookup", "queries_per_lookup")


@dataclass(frozen=True)
class Shopper:
    """A generated customer the lookups ask for: id, e-mail and how many orders the store holds for them."""

    customer_id: int
    email: str
    orders: int


def detailed_body(shopper: Shopper) -> dict:
    """Gladly's Detailed Lookup of a linked customer (gladly-lookup-adaptor.md §2.3)."""
    return {"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
            "query": {"externalCustomerId": str(shopper.customer_id), "id": f"bench-{shopper.customer_id}",
                      "emails": [shopper.email]}}


def check_detailed(shopper: Shopper, status: int, payload, order_limit: int) -> str | None:
    """None when the answer is this shopper's profile with their newest orders, else what was wrong."""
    profile, problem = single_profile(status, payload)
    if problem:
        return f"customer {shopper.customer_id}: {problem}"
    if str(profile.get("externalCustomerId")) != str(shopper.customer_id):
        return f"customer {shopper.customer_id}: got profile {profile.get('externalCustomerId')!r}"
    transactions = len(profile.get("transactions") or [])
    if transactions != min(shopper.orders, order_limit):
        return (f"customer {shopper.customer_id}: {transactions} transactions, expected "
                f"{min(shopper.orders, order_limit)} of {shopper.orders} orders")
    return None


def signed_lookup(session: requests.Session, bridge_url: str, signing_key: str, body: dict) -> requests.Response:
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = build_headers(signing_key, method="POST", path=LOOKUP_PATH, body=raw)
    return session.post(bridge_url + LOOKUP_PATH, data=raw, headers=headers, timeout=REQUEST_TIMEOUT)


def cycling_attempt(bridge_url: str, signing_key: str, shoppers: list[Shopper],
                    order_limit: int) -> Callable[[requests.Session], str | None]:
    """An attempt for bench.load.run_phase: each call looks up the next shopper of the list, round and round."""
    turn = itertools.cycle(shoppers)  # next() on a cycle is atomic under the GIL: threads share it

    def attempt(session: requests.Session) -> str | None:
        shopper = next(turn)
        response = signed_lookup(session, bridge_url, signing_key, detailed_body(shopper))
        return check_detailed(shopper, response.status_code, parse_answer(response), order_limit)

    return attempt


def database_server_pid(proc: Path = Path("/proc")) -> int | None:
    """The MariaDB (or MySQL) server's process, found by its name in /proc/<pid>/comm; None if not on this machine."""
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("mariadbd", "mysqld"):
                    return int(entry.name)
            except OSError:
                continue
    return None


class QueryCounter:
    """SQL statements the store's database user sent, from MariaDB's user statistics.

    ``userstat`` (MariaDB's per-user counters, information_schema.USER_STATISTICS) is switched on for the run
    and back off at :meth:`close`; the store's own user is the only one counted, so other stores on the shared
    server do not count. Without it the server-wide ``Questions`` counter is used, which counts every client.
    """

    def __init__(self, user: str, sql: Callable[[str], list[tuple[str, ...]]]) -> None:
        self.user = user
        self.sql = sql
        self.previous = sql("SELECT @@GLOBAL.userstat")[0][0]
        try:
            sql("SET GLOBAL userstat = 1")
            self.method = "user_statistics"
        except Exception:  # noqa: BLE001 - not MariaDB, or no privilege: fall back, and say so in the JSON line
            self.method = "global_questions"

    def read(self) -> int:
        if self.method == "user_statistics":
            rows = self.sql("SELECT SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS FROM "
                            f"information_schema.USER_STATISTICS WHERE USER = '{self.user}'")
            return int(rows[0][0]) if rows else 0
        return int(self.sql("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])

    def close(self) -> None:
        if self.method == "user_statistics" and self.previous in ("0", "OFF"):
            self.sql("SET GLOBAL userstat = 0")


@dataclass
class Sample:
    """One measured phase of one plan: its load result and the counters' deltas around it."""

    plan: str
    phase: PhaseResult
    fpm_cpu_seconds: float
    queries: int
    bridge_cpu_seconds: float
    db_cpu_seconds: float = 0.0  # the whole MariaDB server's: shared with every other store on the machine


def plan_figures(samples: list[Sample]) -> dict:
    """The JSON line's figures of one plan from its phases (any rounds, the concurrencies 1 and 8 among them)."""
    figures: dict = {}
    for concurrency in sorted({sample.phase.concurrency for sample in samples}):
        latencies = [ms for sample in samples if sample.phase.concurrency == concurrency
                     for ms in sample.phase.latencies_ms]
        figures[f"p50_c{concurrency}"] = percentile(latencies, 50)
        figures[f"p95_c{concurrency}"] = percentile(latencies, 95)
    attempts = sum(sample.phase.attempts for sample in samples)
    figures["cpu_s_per_lookup"] = ratio(sum(sample.fpm_cpu_seconds for sample in samples), attempts)
    figures["queries_per_lookup"] = ratio(sum(sample.queries for sample in samples), attempts)
    figures["db_server_cpu_s_per_lookup"] = ratio(sum(sample.db_cpu_seconds for sample in samples), attempts)
    figures["bridge_cpu_ms_per_lookup"] = ratio(sum(sample.bridge_cpu_seconds for sample in samples) * 1000, attempts)
    figures["lookups"] = sum(sample.phase.lookups for sample in samples)
    figures["errors"] = sum(sample.phase.errors for sample in samples)
    return figures


def build_result(samples: list[Sample], extra: dict) -> dict:
    """The JSON line: per plan its figures, then cpu_ratio and p50_ratio (module / stock, p50 at concurrency 8)."""
    plans = {plan: plan_figures([sample for sample in samples if sample.plan == plan]) for plan in PLANS}
    for figures in plans.values():
        for name in PLAN_FIELDS:
            figures.setdefault(name, None)
    result = {**{plan: _rounded(plans[plan]) for plan in PLANS},
              "cpu_ratio": ratio(plans["module"]["cpu_s_per_lookup"], plans["stock"]["cpu_s_per_lookup"]),
              "p50_ratio": ratio(plans["module"]["p50_c8"], plans["stock"]["p50_c8"])}
    for key in ("cpu_ratio", "p50_ratio"):
        result[key] = None if result[key] is None else round(result[key], 3)
    result.update(extra)
    return result


def _rounded(figures: dict) -> dict:
    """CPU seconds to 0.1 ms, everything else (ms, queries, calls) to one decimal."""
    return {key: round(value, 4 if key.endswith("cpu_s_per_lookup") else 1) if isinstance(value, float) else value
            for key, value in figures.items()}


def metric_samples(exposition: str, name: str) -> list[tuple[dict[str, str], float]]:
    """(labels, value) of every sample called ``name`` in a Prometheus text exposition."""
    return [(sample.labels, sample.value) for family in text_string_to_metric_families(exposition)
            for sample in family.samples if sample.name == name]


def metric_total(exposition: str, name: str) -> float:
    """The sum of every sample of a counter (all label sets)."""
    return sum(value for _, value in metric_samples(exposition, name))


def read_plans(exposition: str) -> dict[str, float]:
    """The bridge's detailed-lookup reads by call plan and outcome ("module ok", "module fallback", ...)."""
    return {f"{labels.get('plan')} {labels.get('outcome')}": value
            for labels, value in metric_samples(exposition, READ_PLAN_METRIC)}
