"""gunicorn settings for the bridge: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Lookups spend most of their time waiting on Magento, so each worker runs threads (gthread):
two processes use both cores of a small VM, and their threads keep many slow upstream calls in
flight. Values come from the ``BRIDGE_*`` settings (bridge/config.py); any can be overridden with the
usual gunicorn flags or ``GUNICORN_CMD_ARGS``.
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
threads = environ_value("THREADS")
# Above Gladly's 15 s cut-off (gladly-lookup-adaptor.md §4), so gunicorn never kills a worker first.
timeout = 30
graceful_timeout = 20
keepalive = 75  # Gladly and load balancers reuse connections.
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
