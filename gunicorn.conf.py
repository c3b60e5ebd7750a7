"""gunicorn settings for the bridge: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Lookups spend most of their time waiting on Magento, so each worker serves many at once. Values come from
the ``BRIDGE_*`` settings (bridge/config.py); any can be overridden with the usual gunicorn flags or
``GUNICORN_CMD_ARGS``.

Worker class: gevent (greenlets, one OS thread per worker), because at 200 concurrent lookups on 2 cores
the bridge is CPU-bound and many OS threads in one process pay for every hand-off of the GIL (figures in
docs/performance.md, "Performance devices"). gevent admits every connection up to ``worker_connections``
and shares the CPU between them, so an overload slows every lookup alike rather than queueing some; the
circuit breaker and the 4 s deadline bound the worst. Blocking calls that gevent cannot patch stop the
whole worker while they run: SQLite (a few ms per action write, never on lookups) is the only one;
psycopg 3 waits cooperatively.
"""
import gc
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
from bridge.ops.logs import logging_config  # noqa: E402

bind = environ_value("BIND")
worker_class = "bridge.ops.worker.BalancedGeventWorker"
workers = environ_value("WORKERS") or min(multiprocessing.cpu_count(), 4)
worker_connections = environ_value("WORKER_CONNECTIONS")
# Above Gladly's 15 s cut-off (gladly-lookup-adaptor.md §4), so gunicorn never kills a worker first.
timeout = 30
graceful_timeout = 20
# Gladly and load balancers reuse connections, but briefly: a gevent worker that is stopping waits for its
# idle keep-alive connections to time out (up to graceful_timeout), so a long keep-alive made every restart
# take 20 s. The proxy in front must give up on idle connections sooner (deploy/nginx: 4 s), or it could
# send a request on one the bridge is closing.
keepalive = 5
# bridge.request logs one line per request (bridge/ops/logs.py); gunicorn's access log would repeat it.
accesslog = None
logger_class = "bridge.ops.worker.GunicornLogger"
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


def post_worker_init(worker):
    """Leave the loaded app out of garbage collection: every full pass walked its modules too.

    The collection thresholds stay CPython's: larger ones let an outage's exception cycles pile up
    (docs/performance.md, "Tried and dropped").
    """
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    """Drop a dead worker's live gauges; its counters stay, so totals survive worker restarts."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the master's private metrics folder."""
    if os.environ["PROMETHEUS_MULTIPROC_DIR"] == _PRIVATE_METRICS_DIR:
        shutil.rmtree(_PRIVATE_METRICS_DIR, ignore_errors=True)

