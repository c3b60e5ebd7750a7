"""``python -m bench.magento`` (``make bench-magento``): both call plans side by side on a production-like Magento.

Installs (or restores from its cache) the kit's Magento in production mode behind PHP-FPM and nginx with a store
made by Magento's performance fixture generator (bench/magento/store.py), then starts two bridges under
gunicorn against it, one with BRIDGE_READ_PLAN=module and one with BRIDGE_READ_PLAN=stock, and sends both the
same signed detailed lookups for a sample of the generated customers: at each concurrency, ``--rounds`` rounds
of one ``--duration`` phase per plan, the plans alternating which goes first. Around every phase it reads the
PHP-FPM workers' CPU from /proc and the SQL statements of the store's database user. Prints a table, then one
JSON line as the last line of output (see docs/performance.md).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import requests

from bench import procs
from bench.__main__ import Progress
from bench.__main__ import run_and_print
from bench.load import run_phase
from bench.magento.measure import PLAN_FIELDS
from bench.magento.measure import PLANS
from bench.magento.measure import QueryCounter
from bench.magento.measure import Sample
from bench.magento.measure import Shopper
from bench.magento.measure import build_result
from bench.magento.measure import cycling_attempt
from bench.magento.measure import database_server_pid
from bench.magento.measure import detailed_body
from bench.magento.measure import metric_total
from bench.magento.measure import read_plans
from bench.magento.measure import signed_lookup
from bench.magento.store import ARCHIVES
from bench.magento.store import KIT
from bench.magento.store import ORDER_LIMIT
from bench.magento.store import BenchStore
from bench.magento.store import FpmMagento
from bridge.config import SETTINGS

SIGNING_KEY = "bench-magento-signing-key-0123456789"
# The X-Forwarded-For a trusted local proxy sends: the bridge lets it read /metrics (tests/processes.py).
LOCAL_CLIENT = {"X-Forwarded-For": "127.0.0.1"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.magento", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--magento", default="2.4.8-p2", choices=sorted(ARCHIVES),
                        help="the kit's Magento version (2.4.8-p2)")
    parser.add_argument("--kit", default=str(KIT), help=f"the Magento kit's folder ({KIT})")
    parser.add_argument("--fpm-workers", type=int, default=4, help="PHP-FPM workers of the store (4)")
    parser.add_argument("--port", type=int, default=8590, help="the store's port on 127.0.0.1 (8590)")
    parser.add_argument("--db", default="gladly_bench", help="the store's database and database user (gladly_bench)")
    parser.add_argument("--cache", default=str(procs.ROOT / "var" / "magento-bench"),
                        help="where the installed store and its dump are kept (var/magento-bench)")
    parser.add_argument("--customers", type=int, default=200, help="generated customers looked up, in turn (200)")
    parser.add_argument("--concurrency", default="1,8", help="concurrencies measured, comma-separated (1,8)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per concurrency; each runs both plans (5)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of one plan's phase in a round (20)")
    parser.add_argument("--warmup", type=int, default=16, help="lookups per plan before measuring (16)")
    parser.add_argument("--lookup-deadline", type=float, default=60.0,
                        help="BRIDGE_LOOKUP_DEADLINE of both bridges, seconds (60: a slow lookup is measured, not cut)")
    parser.add_argument("--bridge-workers", type=int, help="gunicorn workers per bridge (default: gunicorn.conf.py)")
    parser.add_argument("--keep-logs", metavar="DIR", help="write the bridges' logs to DIR and keep them")
    parser.add_argument("--keep-store", action="store_true", help="leave PHP-FPM and nginx running at the end")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    try:
        args.concurrency = sorted({int(value) for value in args.concurrency.split(",") if value.strip()})
    except ValueError:
        parser.error(f"--concurrency takes numbers, got {args.concurrency!r}")
    if not args.concurrency or min(args.concurrency) < 1 or args.rounds < 1 or args.duration <= 0 \
            or args.customers < 1 or args.lookup_deadline < 2:
        parser.error("--concurrency, --rounds and --customers must be >= 1, --duration > 0, --lookup-deadline >= 2")
    return args


def read_plan_supported() -> bool:
    """Whether this bridge knows BRIDGE_READ_PLAN (an unknown BRIDGE_* variable is ignored, not refused)."""
    return "READ_PLAN" in SETTINGS


def sample_shoppers(magento: FpmMagento, count: int) -> list[Shopper]:
    """``count`` generated customers with orders, spread over the whole customer table (every n-th)."""
    rows = magento.sql("SELECT c.entity_id, c.email, COUNT(o.entity_id) FROM customer_entity c "
                       "JOIN sales_order o ON o.customer_id = c.entity_id GROUP BY c.entity_id ORDER BY c.entity_id")
    step = max(1, len(rows) // count)
    return [Shopper(int(row[0]), row[1], int(row[2])) for row in rows[::step][:count]]


def metrics_text(bridge: procs.Bridge) -> str:
    return requests.get(bridge.url + "/metrics", headers=LOCAL_CLIENT, timeout=10).text


def differential(bridges: dict[str, procs.Bridge], shoppers: list[Shopper]) -> dict:
    """The same lookups through both plans: how many answers are identical (the mapping is the same)."""
    same = 0
    differing = []
    with requests.Session() as session:
        for shopper in shoppers:
            answers = [signed_lookup(session, bridges[plan].url, SIGNING_KEY, detailed_body(shopper)).json()
                       for plan in PLANS]
            if answers[0] == answers[1]:
                same += 1
            else:
                differing.append(shopper.customer_id)
    return {"compared": len(shoppers), "identical": same, "differing_customers": differing[:10]}


def run(args: argparse.Namespace, workdir: Path, say: Progress) -> dict:
    started = time.monotonic()
    store = BenchStore(Path(args.cache), version=args.magento, port=args.port, db=args.db, workers=args.fpm_workers,
                       kit=Path(args.kit))
    magento, credentials, build = store.open(say)
    supported = read_plan_supported()
    if not supported:
        say("BRIDGE_READ_PLAN is unknown to this bridge (bridge/config.py): both bridges run the stock plan, "
            "the 'module' figures measure the stock plan too")
    counter = None
    try:
        counter = QueryCounter(args.db, magento.sql)
        shoppers = sample_shoppers(magento, args.customers)
        say(f"{len(shoppers)} customers sampled, {sum(s.orders for s in shoppers) / len(shoppers):.1f} orders each "
            f"on average")
        connection = procs.manual_connection_env(SimpleNamespace(url=magento.base_url, credentials=credentials))
        with procs.Children() as children:
            bridges = {}
            for plan in PLANS:
                folder = workdir / f"bridge-{plan}"
                (folder / "metrics").mkdir(parents=True, exist_ok=True)
                say(f"starting the bridge with BRIDGE_READ_PLAN={plan}")
                bridges[plan] = procs.start_bridge(
                    children, folder, connection, signing_key=SIGNING_KEY, workers=args.bridge_workers,
                    extra_env={"BRIDGE_READ_PLAN": plan, "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
                               # A slow lookup is measured, not cut at Gladly's budget (errors would hide it).
                               "BRIDGE_LOOKUP_DEADLINE": str(args.lookup_deadline),
                               "BRIDGE_MAGENTO_READ_TIMEOUT": str(max(1.0, args.lookup_deadline - 1))})
            attempts = {plan: cycling_attempt(bridges[plan].url, SIGNING_KEY, shoppers, ORDER_LIMIT) for plan in PLANS}
            say(f"warming up: {args.warmup} lookups per plan")
            for plan in PLANS:
                warm = run_phase("warmup", attempts[plan], concurrency=max(args.concurrency), duration=0.001,
                                 min_per_thread=max(1, args.warmup // max(args.concurrency)),
                                 origin=bridges[plan].url)
                if warm.errors:
                    say(f"  {plan}: {warm.errors} errors while warming up, e.g. {warm.error_samples[0]}")
            compared = differential(bridges, shoppers[:5])
            calls_before = {plan: metric_total(metrics_text(bridges[plan]), "bridge_magento_calls_total")
                            for plan in PLANS}
            samples = measure(args, magento, bridges, attempts, counter, say)
            calls = {plan: metric_total(metrics_text(bridges[plan]), "bridge_magento_calls_total") - calls_before[plan]
                     for plan in PLANS}
            plans_read = {plan: read_plans(metrics_text(bridges[plan])) for plan in PLANS}
    finally:
        if counter:
            counter.close()
        if not args.keep_store:
            magento.stop()
    result = build_result(samples, {
        "read_plan_setting": supported, "magento": args.magento, "fpm_workers": args.fpm_workers,
        "store": {key: build.get(key) for key in ("orders", "customers", "shipments")},
        "customers_sampled": len(shoppers), "rounds": args.rounds, "duration_s": args.duration,
        "queries_method": counter.method, "answers": compared,
        "timings_s": {key: value for key, value in build.items() if key.endswith("_s")},
        "run_seconds": round(time.monotonic() - started, 1)})
    for plan in PLANS:
        result[plan]["magento_calls_per_lookup"] = (round(calls[plan] / result[plan]["lookups"], 2)
                                                    if result[plan]["lookups"] else None)
        result[plan]["reads_by_plan"] = plans_read[plan]
    return result


def measure(args, magento: FpmMagento, bridges, attempts, counter: QueryCounter, say) -> list[Sample]:
    """Every concurrency, ``rounds`` rounds, one phase per plan in each, the plans' order alternating."""
    samples = []
    db_pid = database_server_pid()
    for concurrency in args.concurrency:
        for index in range(args.rounds):
            for plan in (PLANS if index % 2 == 0 else tuple(reversed(PLANS))):
                before = (magento.fpm_cpu_seconds(), counter.read(), bridges[plan].cpu_seconds(),
                          procs.process_cpu_seconds(db_pid) if db_pid else 0.0)
                phase = run_phase(f"{plan}_c{concurrency}", attempts[plan], concurrency=concurrency,
                                  duration=args.duration, origin=bridges[plan].url)
                sample = Sample(plan=plan, phase=phase, fpm_cpu_seconds=magento.fpm_cpu_seconds() - before[0],
                                queries=counter.read() - before[1],
                                bridge_cpu_seconds=bridges[plan].cpu_seconds() - before[2],
                                db_cpu_seconds=(procs.process_cpu_seconds(db_pid) if db_pid else 0.0) - before[3])
                samples.append(sample)
                p50 = phase.pct(50)
                say(f"round {index + 1}, {plan}, concurrency {concurrency}: {phase.lookups} ok, {phase.errors} errors, "
                    f"p50 {p50 if p50 is None else round(p50)} ms, Magento CPU "
                    f"{sample.fpm_cpu_seconds / max(1, phase.attempts) * 1000:.0f} ms and "
                    f"{sample.queries / max(1, phase.attempts):.0f} queries per lookup")
                for error in phase.error_samples[:2]:
                    say(f"  error: {error}")
    return samples


def summary(result: dict) -> str:
    """The human table: one row per plan."""
    header = ("plan", *PLAN_FIELDS, "magento_calls_per_lookup", "lookups", "errors")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for plan in PLANS:
        lines.append("| " + " | ".join([plan, *(str(result[plan].get(name, "-")) for name in header[1:])]) + " |")
    lines.append("")
    lines.append(f"cpu_ratio {result['cpu_ratio']} (target <= 0.5), p50_ratio {result['p50_ratio']} (target <= 0.6); "
                 f"answers identical {result['answers']['identical']}/{result['answers']['compared']}")
    if not result["read_plan_setting"]:
        lines.append("BRIDGE_READ_PLAN is unknown to this bridge: both columns are the stock plan.")
    lines.append("seconds: " + json.dumps(result.get("timings_s")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return run_and_print(parse_args(argv), run, "bridge-bench-magento-", summary)


if __name__ == "__main__":
    sys.exit(main())
