"""gunicorn settings for the bridge: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Lookups spend most of their time waiting on Magento, so each worker runs threads (gthread): two
processes use both cores of a small VM, and their threads keep many slow upstream calls in flight.
Every value can be overridden with the usual gunicorn flags or ``GUNICORN_CMD_ARGS``.

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

bind = os.environ.get("BRIDGE_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("BRIDGE_WORKERS", min(multiprocessing.cpu_count(), 4)))
threads = int(os.environ.get("BRIDGE_THREADS", 24))  # see above: headroom over ~16 busy, a FIFO queue
# Above Gladly's 15 s cut-off (gladly-lookup-adaptor.md §4), so gunicorn never kills a worker first.
timeout = 30
graceful_timeout = 20
keepalive = 75  # Gladly and load balancers reuse connections.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms corr=%({gladly-correlation-id}i)s'
# Trust X-Forwarded-* only from the proxy in front of the bridge: signed paths depend on them.
forwarded_allow_ips = os.environ.get("BRIDGE_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Not preloaded: each worker builds its own HTTP pool, thread pool and database engine after fork.
preload_app = False

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "bridge.log.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(process)d %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request"],
                    "stream": "ext://sys.stderr"},
    },
    "root": {"level": os.environ.get("BRIDGE_LOG_LEVEL", "INFO"), "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        # urllib3 logs full URLs at DEBUG, and Magento query strings carry shoppers' e-mails and phones.
        "urllib3": {"level": "WARNING"},
    },
}
