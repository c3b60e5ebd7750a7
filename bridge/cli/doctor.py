"""Checks of a bridge's set-up for ``bridge doctor`` and ``bridge magento check``: each a Finding, OK or FAIL
with the fix.

The order matters: configuration, then the database, then the Magento connection, the store's clock and
TLS, and last one signed call per route the bridge reads (its ACL). A check that cannot run because an
earlier one failed is left out rather than failing twice.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from flask import Flask

from bridge import config as bridge_config
from bridge.errors import BridgeError
from bridge.errors import ConfigError
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoUnauthorized
from bridge.magento.client import MagentoClient
from bridge.magento.routes import READS
from bridge.magento.routes import Route
from bridge.magento.search import SearchCriteria
from bridge.storage.database import database_url
from bridge.storage.database import describe_url
from bridge.storage.database import get_engine

OK = "OK"
FAIL = "FAIL"
NOTE = "note"

# The read routes one list call (pageSize 1) can check; each {id} route shares its ACL resource with one.
CHECKED_ROUTES = tuple(route for route in READS if "{" not in route.path)
# §14: "The consumer isn't authorized to access %resources." with the resources substituted by the client.
MISSING_ACL = re.compile(r"The consumer isn't authorized to access (?P<resources>[^ ]+?)\.(?:\s|$)")
REACTIVATE = ("in the Magento admin, System > Extensions > Integrations: Activate (or Reauthorize) \"Gladly\" and "
              "Allow; the bridge receives new tokens")

# Magento refuses an oauth_timestamp more than 600 s ahead of its clock (magento-rest.md §1.4), and the
# bridge refuses a Gladly-Time outside BRIDGE_GLADLY_TIME_TOLERANCE: a clock this far off is a problem
# long before either limit, and a synchronised one is within a second or two.
MAX_CLOCK_SKEW = 60
MAGENTO_TIMESTAMP_AHEAD = 600
CERT_RENEW_DAYS = 14  # a certificate expiring sooner fails the check: renew it before Gladly's lookups do


@dataclass(frozen=True)
class Finding:
    """One checked fact: OK, FAIL (with the fix) or a note."""

    status: str
    what: str
    fix: str = ""

    def line(self) -> str:
        """The finding as one line of output."""
        return f"{self.status:<4} {self.what}" + (f" -- fix: {self.fix}" if self.fix else "")


def load_configuration() -> tuple[Finding, dict | None]:
    """The ``BRIDGE_*`` configuration, validated as the server validates it at start."""
    app = Flask("bridge-doctor")
    try:
        bridge_config.load_config(app)
    except ConfigError as error:
        return Finding(FAIL, f"configuration: {error.detail}", "correct the BRIDGE_* variable it names"), None
    return Finding(OK, "configuration: every BRIDGE_* setting is valid"), app.config


def check_database(url: str, timeout: float = 5.0) -> Finding:
    """Whether the database answers a query within ``timeout`` seconds."""
    parsed = database_url(url)
    shown = describe_url(url)
    # The server's engine waits as long as the driver does; the doctor must not hang on a dropped packet.
    sqlite = parsed.get_backend_name() == "sqlite"
    engine = get_engine(url) if sqlite else sa.create_engine(parsed, connect_args={"connect_timeout": int(timeout)})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return Finding(FAIL, f"database {shown}: {reason}",
                       "start the database, or correct BRIDGE_DATABASE_URL (or BRIDGE_DATA_DIR for SQLite)")
    finally:
        if not sqlite:
            engine.dispose()
    return Finding(OK, f"database {shown} answers")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_tls(url: str, *, timeout: float = 5.0, cafile: str | None = None, now: datetime | None = None) -> Finding:
    """The store's TLS: a certificate the system trusts for its host, not about to expire; http only on loopback."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    if parts.scheme == "http":
        if _loopback(host):
            return Finding(NOTE, f"TLS: {url} is plain http on loopback (a local or sandbox store)")
        return Finding(FAIL, f"TLS: {url} is plain http, so signed calls and customer data travel unencrypted",
                       "serve the store over https and set BRIDGE_MAGENTO_URL to its https:// URL")
    context = ssl.create_default_context(cafile=cafile)
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                certificate = tls.getpeercert()
    except ssl.SSLCertVerificationError as error:
        return Finding(FAIL, f"TLS: the certificate of {host} is not valid: {error.verify_message}",
                       "install a certificate for this host issued by a public CA, with its intermediate chain")
    except (OSError, ssl.SSLError) as error:
        return Finding(FAIL, f"TLS: no TLS connection to {host}:{port}: {error}",
                       "check BRIDGE_MAGENTO_URL, DNS and the firewall between the bridge and the store")
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(certificate["notAfter"]), timezone.utc)
    days = (expires - (now or datetime.now(timezone.utc))).days
    if days < CERT_RENEW_DAYS:
        return Finding(FAIL, f"TLS: the certificate of {host} expires {expires:%Y-%m-%d} (in {days} days)",
                       "renew the store's certificate")
    return Finding(OK, f"TLS: certificate of {host} valid until {expires:%Y-%m-%d} ({days} days)")


def clock_finding(skew: float) -> Finding:
    """The verdict on the bridge's clock minus Magento's, in seconds."""
    if abs(skew) <= MAX_CLOCK_SKEW:
        return Finding(OK, f"clock: within {max(abs(skew), 1):.0f} s of Magento's")
    direction = "ahead of" if skew > 0 else "behind"
    effect = (f"Magento refuses OAuth timestamps more than {MAGENTO_TIMESTAMP_AHEAD} s ahead of its clock"
              if skew > MAGENTO_TIMESTAMP_AHEAD else "Gladly-Time checks compare against this clock")
    return Finding(FAIL, f"clock: the bridge is {abs(skew):.0f} s {direction} Magento ({effect})",
                   "synchronise both machines with NTP (timedatectl set-ntp true)")


def check_reach_and_clock(base_url: str, timeout: tuple[float, float]) -> list[Finding]:
    """Whether Magento answers, then this machine's clock against the ``Date`` header of its reply."""
    before = time.time()
    try:
        # An unsigned GET Magento answers fast ("Request does not match any route"), whatever the clocks say.
        reply = requests.get(base_url + "rest/V1/", timeout=timeout, allow_redirects=False)
    except requests.RequestException as error:
        return [Finding(FAIL, f"Magento at {base_url} cannot be reached: {error.__class__.__name__}: {error}",
                        "check BRIDGE_MAGENTO_URL (or the activated store), DNS, the firewall and that Magento runs")]
    local = (before + time.time()) / 2
    reached = Finding(OK, f"Magento at {base_url} answers (HTTP {reply.status_code})")
    try:
        magento = parsedate_to_datetime(reply.headers["Date"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return [reached, Finding(FAIL, f"clock: Magento's reply has no usable Date header "
                                       f"({reply.headers.get('Date')!r})",
                                 "let the web server in front of Magento send Date (RFC 9110 requires it)")]
    return [reached, clock_finding(local - magento)]


def route_findings(client: MagentoClient) -> list[Finding]:
    """One signed call per route the bridge reads: a refusal names the missing ACL resource, unless Magento
    refuses every route that way, which means the integration is inactive.

    Magento answers an inactive integration exactly like a missing grant, 401 "The consumer isn't authorized
    to access <resources>" (magento-rest.md §14: it has no ACL role then), so only the pattern tells them
    apart. A revoked token or a bad signature has a 401 of its own, shown as Magento words it.
    """
    outcomes = [(route.path, _route_outcome(client, route)) for route in CHECKED_ROUTES]
    checked = [outcome for _, outcome in outcomes if not (isinstance(outcome, Finding) and outcome.status == NOTE)]
    inactive = bool(checked) and all(isinstance(outcome, MagentoUnauthorized) and MISSING_ACL.search(outcome.detail)
                                     for outcome in checked)
    findings = []
    for path, outcome in outcomes:
        if isinstance(outcome, Finding):
            findings.append(outcome)
        elif inactive:
            findings.append(Finding(FAIL, f"GET {path}: refused (HTTP 401)"))
        elif match := MISSING_ACL.search(outcome.detail):
            findings.append(Finding(FAIL, f"GET {path}: missing ACL resource {match['resources']}",
                                    "grant it to the Gladly integration, or reactivate the integration if "
                                    "it was recreated"))
        else:
            findings.append(Finding(FAIL, f"GET {path}: {outcome.detail}", "check the integration's tokens: "
                                    f"{REACTIVATE}, or correct BRIDGE_MAGENTO_* credentials"))
    if inactive:
        findings.append(Finding(NOTE, "Magento refused every route as if nothing were granted: the Gladly "
                                "integration is inactive (Magento answers that like a missing grant)", REACTIVATE))
    return findings


def _route_outcome(client: MagentoClient, route: Route) -> Finding | MagentoUnauthorized:
    """The finding of one route's read, or Magento's refusal, which only the whole pattern explains."""
    path = route.path
    try:
        client.get(path, SearchCriteria().limit(1))
    except MagentoUnauthorized as error:
        return error
    except MagentoNotFound as error:
        if route.needs_module:
            return Finding(NOTE, f"GET {path}: the Gladly module is not installed; the bridge links to core admin "
                           "pages and uses its BRIDGE_* settings only")
        return Finding(FAIL, f"GET {path}: {error.detail}", "check BRIDGE_MAGENTO_STORE_CODE and that the URL is "
                       "the store's base URL")
    except MagentoError as error:
        return Finding(FAIL, f"GET {path}: {error.detail}", "see the README's troubleshooting table")
    return Finding(OK, f"GET {path} ({route.resource})")


def diagnose(create_app: Callable[[], Flask]) -> Iterator[Finding]:
    """Every check in order, for the bridge configured by the ``BRIDGE_*`` environment and built by
    ``create_app`` once the configuration and the database have passed."""
    finding, config = load_configuration()
    yield finding
    if config is None:
        return
    finding = check_database(config["DATABASE_URL"])
    yield finding
    if finding.status == FAIL:
        return
    try:
        app = create_app()
    except (ConfigError, sa.exc.SQLAlchemyError) as error:  # unreadable stored secrets, or no schema rights
        detail = error.detail if isinstance(error, ConfigError) else str(error).splitlines()[0]
        yield Finding(FAIL, f"start-up: {detail}", "fix the cause named, then run bridge doctor again")
        return
    with app.app_context():
        registry = app.extensions["magento"]
        connection = registry.current_connection()
        if connection is None:
            yield Finding(FAIL, "Magento connection: none", "activate the Gladly integration in Magento, or set "
                          "BRIDGE_MAGENTO_URL and the four BRIDGE_MAGENTO_* credentials")
            return
        yield Finding(OK, f"Magento connection: {connection.base_url} ({connection.source})")
        timeout = (app.config["MAGENTO_CONNECT_TIMEOUT"], app.config["MAGENTO_READ_TIMEOUT"])
        reach = check_reach_and_clock(connection.base_url, timeout)
        yield from reach
        yield check_tls(connection.base_url, timeout=sum(timeout))
        if reach[0].status == FAIL:  # unreachable: every route would fail the same way
            return
        try:
            client = registry.client()
        except BridgeError as error:  # a store URL the signer refuses
            yield Finding(FAIL, f"Magento client: {error.detail}", "correct BRIDGE_MAGENTO_URL")
            return
        yield from route_findings(client)
