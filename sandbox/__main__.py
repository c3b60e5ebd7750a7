"""Command line: `python -m sandbox --port 8081 ...` serves the sandbox store."""

import argparse
import json
import socket
import sys
import threading
import time

from gunicorn.app.base import BaseApplication

from .app import create_sandbox_app
from .integrations import RESOURCES
from .store import SandboxStore

BANNER = "SANDBOX STORE - a test double that imitates Magento 2 REST shapes; it is NOT Magento"
_CREDENTIAL_FLAGS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=BANNER)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--dataset", choices=("sample", "busy"), default="sample")
    for name in _CREDENTIAL_FLAGS:
        parser.add_argument("--" + name.replace("_", "-"), help="32 chars [0-9a-z]; default random")
    parser.add_argument("--credentials-file", help="write the credentials in use here as JSON")
    parser.add_argument("--deny", default="", help="ACL resources to withhold, comma-separated")
    parser.add_argument("--activate-to", metavar="URL", help="POST a new integration's credentials here")
    parser.add_argument("--identity-url", help="identity link URL recorded for --activate-to")
    parser.add_argument("--activate-delay", type=float, default=1.0)
    parser.add_argument("--clock-offset", type=float, default=0.0, metavar="SECONDS",
                        help="run the store's clock this far ahead (negative: behind): its Date header and "
                             "OAuth timestamp checks, as on a server whose clock drifted")
    args = parser.parse_args(argv)
    given = [getattr(args, name) for name in _CREDENTIAL_FLAGS]
    if any(given) and not all(given):
        parser.error("give all four credentials or none")
    unknown = {r for r in args.deny.split(",") if r} - set(RESOURCES)
    if unknown:
        parser.error(f"unknown ACL resources: {', '.join(sorted(unknown))}")
    return args


def _shift_date_header(offset):
    """Send the drifted time in ``Date``, which gunicorn writes itself from ``util.http_date()``."""
    from gunicorn import util

    real = util.http_date
    util.http_date = lambda timestamp=None: real(time.time() + offset if timestamp is None else timestamp)


def _activate_later(store, args):
    time.sleep(args.activate_delay)
    result = store.activate(args.activate_to, args.identity_url)
    print(f"activation POST to {args.activate_to}: {json.dumps(result)}", flush=True)


class SandboxServer(BaseApplication):
    """The sandbox app under gunicorn: one worker process (the store lives in its memory) serving many
    keep-alive connections at once, as a web server in front of Magento serves them.

    A gevent worker, not threads: the benchmarks run the sandbox on the bridge's cores, and 64 threads
    spent a quarter more CPU per call on handing the GIL around. Its views never wait while holding the
    store's lock, which the worker makes again once gevent has patched threading (``on_ready``).
    """

    def __init__(self, app, bind, on_ready):
        self.application = app
        self.options = {
            "bind": bind, "workers": 1, "worker_class": "gevent", "worker_connections": 1000, "keepalive": 75,
            # Injected "timeout" faults stall a request for hang_seconds; never let gunicorn kill it first.
            "timeout": 600, "graceful_timeout": 1, "accesslog": None, "loglevel": "warning",
            "post_worker_init": lambda worker: on_ready(),
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def _free_port(host):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def main(argv=None):
    """Build the store, print the banner and credentials, and serve until interrupted."""
    args = parse_args(argv)
    credentials = {name: getattr(args, name) for name in _CREDENTIAL_FLAGS}
    store = SandboxStore(args.dataset, credentials=credentials if all(credentials.values()) else None,
                         deny=[r for r in args.deny.split(",") if r],
                         clock=lambda: time.time() + args.clock_offset)
    app = create_sandbox_app(store, latency_ms=args.latency_ms, fault_rate=args.fault_rate)
    port = args.port or _free_port(args.host)
    store.base_url = f"http://{args.host}:{port}/"
    info = dict(store.credentials, store_base_url=store.base_url)
    print(BANNER)
    print(f"base URL:     {store.base_url}  (REST: {store.base_url}rest/V1/...)")
    print(f"dataset:      {args.dataset}")
    for name in _CREDENTIAL_FLAGS:
        print(f"{name + ':':<21} {info[name]}")
    if store.denied:
        print(f"denied ACL:   {', '.join(sorted(store.denied))}")
    sys.stdout.flush()

    def on_ready():
        """In the worker, once it serves: publish the credentials, then run --activate-to."""
        # The store was built before the worker's gevent patched threading; a lock of that time would not
        # make one greenlet wait for another.
        store.lock = threading.RLock()
        if args.clock_offset:
            _shift_date_header(args.clock_offset)
        if args.credentials_file:
            with open(args.credentials_file, "w", encoding="utf-8") as handle:
                json.dump(info, handle, indent=2)
        if args.activate_to:
            threading.Thread(target=_activate_later, args=(store, args), daemon=True).start()

    SandboxServer(app, f"{args.host}:{port}", on_ready).run()


if __name__ == "__main__":
    main()
