"""gunicorn settings for the bridge: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Lookups spend most of their time waiting on Magento, so each worker runs threads (gthread):
two processes use both cores of a small VM, and their threads keep many slow upstream calls in
flight. Every value can be overridden with the usual gunicorn flags or ``GUNICORN_CMD_ARGS``.
"""
import multiprocessing
import os

bind = os.environ.get("BRIDGE_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("BRIDGE_WORKERS", min(multiprocessing.cpu_count(), 4)))
threads = int(os.environ.get("BRIDGE_THREADS", 16))
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
