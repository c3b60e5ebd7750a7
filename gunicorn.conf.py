"""gunicorn settings for the bridge: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Lookups spend most of their time waiting on Magento, so each worker runs threads (gthread):
two processes use both cores of a small VM, and their threads keep many slow upstream calls in
flight. Values come from the ``BRIDGE_*`` settings (bridge/config.py); any can be overridden with the
usual gunicorn flags or ``GUNICORN_CMD_ARGS``.

Threads per worker (issue 11; figures in README, "Capacity and make soak"). At 200 concurrent detailed
lookups against the sandbox at 100 ms this 2-core machine is CPU-bound: bridge, sandbox and load
generator need about 15 ms of CPU per lookup when the machine is quiet and 25-40 ms when other work
shares it, so threads only decide where the queue forms. A worker needs about (its throughput) x
(Magento wait per lookup) threads: 70 lookups/s x 0.225 s = 16 when quiet, so 16 threads is exactly at
the limit; 24 gives headroom and beat 16 in both paired runs under load (p99 6.7 s vs 8.8 s, 9.9 s vs
14.1 s). 32 or 64 threads, or 4 workers x 50, let more lookups share the GIL at once: a lower p50 but
no better p99 and more answers after Gladly's 5 s (e.g. 191 late of 2,238 at 32 threads against 0 of
2,125 at 16 in the same round), and 4 workers double the memory. gevent (tried with gunicorn's
gevent worker) used about a third less CPU per lookup, but admits every connection at once, so under
saturation lookups ran into their 4 s deadline (64 x 504 and the circuit breaker in 566 lookups);
bounding it with ``worker_connections`` starves keep-alive clients, whose connection holds its slot.
It would also block its hub on SQLite calls (psycopg >= 3.1.14 is gevent-aware). gthread it is.
"""
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

# Prometheus multiprocess mode (bridge/metrics.py): every worker writes its samples under this folder and
# /metrics adds them up. prometheus_client picks the mode when first imported, so the variable is set before
# any bridge import. Without a folder given (systemd's RuntimeDirectory in deploy/), the master uses a
# private one, made at start and removed at exit; only naming it here keeps tools that merely read this
# file (bench) from leaving folders behind.
_PRIVATE_METRICS_DIR = os.path.join(tempfile.gettempdir(), f"bridge-metrics-{os.getpid()}")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", _PRIVATE_METRICS_DIR)

from bridge.config import environ_value  # noqa: E402
from bridge.log import logging_config  # noqa: E402

bind = environ_value("BIND")
worker_class = "gthread"
workers = environ_value("WORKERS") or min(multiprocessing.cpu_count(), 4)
threads = environ_value("THREADS")  # 24 by default: see above
# Above Gladly's 15 s cut-off (gladly-lookup-adaptor.md §4), so gunicorn never kills a worker first.
timeout = 30
graceful_timeout = 20
keepalive = 75  # Gladly and load balancers reuse connections.
# A keep-alive connection is served by the worker that accepted it for as long as it lives, so under
# steady load the split the accept race made at the start stays: seen 146 to 83 client connections between
# the two workers, the busier one's clients waiting twice as long. Closing a connection after this many
# requests (as nginx's keepalive_requests does) lets clients reconnect, and the less busy worker, whose
# accepting thread gets the GIL sooner, takes more of them (issue 11, "Capacity and make soak" in README).
KEEPALIVE_REQUESTS = 100
# bridge.request logs one line per request (bridge/log.py); gunicorn's access log would repeat it.
accesslog = None
# Trust X-Forwarded-* only from the proxy in front of the bridge: signed paths depend on them.
forwarded_allow_ips = ",".join(environ_value("FORWARDED_ALLOW_IPS"))
# Not preloaded: each worker builds its own HTTP pool, thread pool and database engine after fork.
preload_app = False

logconfig_dict = logging_config()


def on_starting(server):
    """Make or empty the metrics folder: samples of a previous run's workers must not be added to this one's."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Another local user could have made the predictable private folder first, to read or skew the metrics.
    if folder.is_symlink() or folder.stat().st_uid != os.getuid():
        raise RuntimeError(f"PROMETHEUS_MULTIPROC_DIR {folder} must be a folder owned by this user.")
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """Drop a dead worker's live gauges; its counters stay, so totals survive worker restarts."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the master's private metrics folder."""
    if os.environ["PROMETHEUS_MULTIPROC_DIR"] == _PRIVATE_METRICS_DIR:
        shutil.rmtree(_PRIVATE_METRICS_DIR, ignore_errors=True)


def pre_request(worker, req):
    """Answer the ``KEEPALIVE_REQUESTS``-th request of a connection with ``Connection: close``."""
    if req.req_number >= KEEPALIVE_REQUESTS:
        req.must_close = True
