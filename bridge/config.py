"""Configuration: defaults, ``BRIDGE_*`` environment variables, validation at start.

Every setting is read from ``BRIDGE_<NAME>`` (Flask's ``from_prefixed_env``, which parses JSON-looking
values) and then coerced to the type declared here, so ``BRIDGE_ORDER_LIMIT=20`` and
``BRIDGE_GLADLY_SIGNING_KEY=12345`` both end up as the type the code expects.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from bridge.errors import ConfigError

ACTION_NAMES = ("cancel", "refund", "comment", "hold", "unhold", "email", "coupon", "address")
# What Gladly AI may do through /gladly/ai/ (BRIDGE_AI_ACTIONS); "lookup" reads, the others write.
AI_ACTION_NAMES = ("lookup", "cancel", "refund", "address", "coupon")
MAGENTO_CREDENTIAL_KEYS = (
    "MAGENTO_CONSUMER_KEY",
    "MAGENTO_CONSUMER_SECRET",
    "MAGENTO_ACCESS_TOKEN",
    "MAGENTO_ACCESS_TOKEN_SECRET",
)


@dataclass(frozen=True)
class Setting:
    """One configuration key: its type, default and meaning."""

    kind: type
    default: Any
    help: str
    minimum: float | None = None


SETTINGS: dict[str, Setting] = {
    "GLADLY_SIGNING_KEY": Setting(str, None, "Signing Key of the Gladly Custom App (required)."),
    "GLADLY_BASIC_USER": Setting(str, None, "HTTP Basic user Gladly sends, if configured in the App."),
    "GLADLY_BASIC_PASSWORD": Setting(str, None, "HTTP Basic password Gladly sends, if configured."),
    "GLADLY_TIME_TOLERANCE": Setting(int, 300, "Accepted Gladly-Time skew, seconds.", 1),
    "GLADLY_PATH_PREFIX": Setting(str, "", "Path prefix a proxy strips before the bridge (signed paths)."),
    "MAGENTO_URL": Setting(str, None, "Magento store base URL, e.g. https://shop.example.com/; only this store "
                           "may activate."),
    "MAGENTO_ADMIN_URL": Setting(str, None, "Magento admin base URL with the admin path, e.g. "
                                 "https://shop.example.com/admin_x1y2/, for deep links."),
    "MAGENTO_STORE_CODE": Setting(str, "default", "Store view code used in /rest/<code>/V1 calls."),
    "MAGENTO_CONSUMER_KEY": Setting(str, None, "Integration consumer key (manual connection)."),
    "MAGENTO_CONSUMER_SECRET": Setting(str, None, "Integration consumer secret (manual connection)."),
    "MAGENTO_ACCESS_TOKEN": Setting(str, None, "Integration access token (manual connection)."),
    "MAGENTO_ACCESS_TOKEN_SECRET": Setting(str, None, "Integration access token secret (manual connection)."),
    "MAGENTO_CONNECT_TIMEOUT": Setting(float, 1.0, "Connect timeout per Magento call, seconds.", 0.01),
    "MAGENTO_READ_TIMEOUT": Setting(float, 3.5, "Read timeout per Magento call, seconds.", 0.01),
    "MAGENTO_RETRIES": Setting(int, 2, "Retries of idempotent GETs inside the lookup deadline.", 0),
    # A gevent worker serves many lookups at once: at 32, calls beyond the pool opened and dropped a connection
    # each (about 5,000 in one make soak, each logged by urllib3 as "Connection pool is full").
    "MAGENTO_POOL_SIZE": Setting(int, 64, "Keep-alive connections kept to Magento per worker.", 1),
    "ACTIVATION_RATE": Setting(int, 6, "New activation attempts accepted per store per minute, all workers.", 1),
    "ACTIVATION_MAX_PENDING": Setting(int, 10, "Activations waiting for their token exchange at once (300 s each).", 1),
    "BREAKER_FAILURES": Setting(int, 5, "Consecutive Magento failures or timeouts that open the circuit.", 1),
    "BREAKER_COOLDOWN": Setting(float, 5.0, "Seconds an open circuit refuses calls before one probe.", 0.1),
    "MAGENTO_PRODUCT_URL_SUFFIX": Setting(str, ".html", "catalog/seo/product_url_suffix of the store."),
    "LOOKUP_DEADLINE": Setting(float, 4.0, "Overall time budget of one lookup, seconds (under Gladly's 5 s).", 0.1),
    "ORDER_LIMIT": Setting(int, 20, "Most recent orders shown in a detailed lookup.", 1),
    "SEARCH_LIMIT": Setting(int, 10, "Most candidates returned by an agent search.", 1),
    "READ_PLAN": Setting(str, "auto", "How a detailed lookup reads Magento: `auto` (the module's one request when "
                         "it offers it, else the stock routes; the stock routes when the module fails), `module` "
                         "(the module only, errors surface) or `stock` (the stock routes only)."),
    "CACHE_TTL": Setting(int, 300, "Seconds product and store data stay cached.", 0),
    "CACHE_SIZE": Setting(int, 4096, "Most cached product and store entries per worker.", 1),
    "ACTIONS": Setting(list, list(ACTION_NAMES), "Actions offered to agents, comma-separated."),
    "COUPON_LIMIT": Setting(int, 1, "Goodwill coupons one customer may receive through the bridge per "
                            "COUPON_PERIOD_DAYS; the module's own cap applies too, the stricter wins.", 1),
    "COUPON_PERIOD_DAYS": Setting(int, 30, "Days over which COUPON_LIMIT counts a customer's coupons.", 1),
    "ACTION_LEASE": Setting(float, 60.0, "Seconds an order action may run before its claim counts as left by a "
                            "dead worker and is reconciled against Magento; above gunicorn's timeout.", 1),
    "AI_TOKENS": Setting(list, None, "Bearer tokens Gladly AI's App Actions send (comma-separated, to rotate one); "
                         "unset turns the AI surface (/gladly/ai/) off: it answers 404."),
    "AI_ACTIONS": Setting(list, ["lookup"], "What Gladly AI may do, comma-separated: lookup, cancel, refund, address, "
                          "coupon; the module's AI actions apply too."),
    "AI_REFUND_MAX": Setting(float, 50.0, "Largest refund Gladly AI may make, in the order currency; the module's "
                             "own limit applies too, the stricter wins.", 0),
    "AI_REFUND_DAILY_MAX": Setting(float, 200.0, "Most Gladly AI may refund per store per UTC day, all workers and "
                                   "nodes together (order-currency amounts added up).", 0),
    "AI_ORDER_MAX_AGE_DAYS": Setting(int, 0, "Gladly AI acts only on orders at most this many days old; 0 = no "
                                     "limit.", 0),
    "AI_COUPON_PERIOD_DAYS": Setting(int, 90, "Gladly AI issues one goodwill coupon per customer per this many "
                                     "days, all workers and nodes together; the module's own period applies too, "
                                     "the longer wins.", 1),
    "AI_COUPON_RULE": Setting(int, None, "Cart price rule (id) Gladly AI issues goodwill coupons from; the module's "
                              "choice wins when it makes one.", 1),
    "DATA_DIR": Setting(str, "var", "Folder for the SQLite database and generated files."),
    "DATABASE_URL": Setting(str, None, "SQLAlchemy URL; default SQLite `bridge.db` in DATA_DIR; `postgresql://…` "
                            "for several VMs."),
    "SECRET_KEY": Setting(str, None, "Encrypts the stored OAuth secrets; required once a store is connected; keep "
                          "it stable."),
    "LOG_LEVEL": Setting(str, "INFO", "Logging level."),
    "LOG_FORMAT": Setting(str, "auto", "Log lines as `json`, `text`, or `auto` (text when stderr is a terminal)."),
    "LOG_MASK": Setting(bool, True, "Mask e-mail addresses and phone numbers in every log line (off only to debug)."),
    "OPS_ALLOW": Setting(list, ["127.0.0.0/8", "::1"],
                         "Addresses or networks (comma-separated) that may read /readyz and /metrics."),
    "READY_MAX_AGE": Setting(int, 30, "Seconds after the last successful Magento call before /readyz calls "
                             "Magento itself to check (one probe per worker every 5 s at most).", 1),
    # Read by gunicorn.conf.py; listed here so they are validated and documented with the rest.
    "BIND": Setting(str, "127.0.0.1:8000", "Address gunicorn listens on (gunicorn.conf.py)."),
    "WORKERS": Setting(int, None, "gunicorn worker processes; default the CPU count, at most 4.", 1),
    "WORKER_CONNECTIONS": Setting(int, 1000, "Connections each gunicorn (gevent) worker serves at once; more wait "
                                  "in the listen queue (gunicorn.conf.py).", 1),
    "FORWARDED_ALLOW_IPS": Setting(list, ["127.0.0.1", "::1"], "Proxies (addresses or networks, comma-separated, "
                                   "or `*`) trusted for X-Forwarded-* headers (gunicorn `forwarded_allow_ips`)."),
    "PREVIEW_USER": Setting(str, None, "HTTP Basic user of the /preview page; the page is off without it."),
    "PREVIEW_PASSWORD": Setting(str, None, "HTTP Basic password of the /preview page: at least 15 characters, 8 of "
                                "them different (e.g. `openssl rand -hex 16`)."),
}
# NIST SP 800-63B-4 §3.1.1.2: a password used as the only factor has at least 15 characters; its blocklist of
# repetitive characters ("aaaaaa") is the distinct-character floor.
PASSWORD_LENGTH = 15
PASSWORD_DISTINCT = 8
LOG_FORMATS = ("auto", "json", "text")
# How a detailed lookup reads Magento (bridge/magento/read_plan.py).
READ_PLANS = ("auto", "module", "stock")
# A bearer token is the AI surface's only credential: 128 bits as hex at least (`openssl rand -hex 16`).
AI_TOKEN_LENGTH = 32

log = logging.getLogger(__name__)


def settings_table() -> str:
    """The Markdown table of every setting (README.md, "Configuration"; dev/readme_settings.py writes it)."""
    def shown(default: Any) -> str:
        if default is None or default == "":
            return "unset"
        if isinstance(default, bool):
            return f"`{str(default).lower()}`"
        return f"`{','.join(default) if isinstance(default, list) else default}`"

    rows = [f"| `BRIDGE_{name}` | {shown(setting.default)} | {setting.help.replace('|', '&#124;')} |"
            for name, setting in SETTINGS.items()]
    return "\n".join(["| Variable | Default | Meaning |", "|---|---|---|", *rows])


def load_config(app: Flask, test_config: dict | None = None) -> None:
    """Layer defaults, the environment and a test mapping, then validate."""
    app.config.from_mapping({name: setting.default for name, setting in SETTINGS.items()})
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.config.from_prefixed_env("BRIDGE")
    if test_config:
        app.config.update(test_config)
    validate(app.config)


def environ_value(name: str, environ=os.environ) -> Any:
    """One setting read from ``BRIDGE_<name>`` alone (gunicorn.conf.py, before any app exists), coerced and
    checked like :func:`load_config` does it."""
    raw = environ.get(f"BRIDGE_{name}")
    try:
        value = raw if raw is None else json.loads(raw)  # what from_prefixed_env does
    except ValueError:
        value = raw
    return _coerce(name, SETTINGS[name], value)


def networks(name: str, values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse a list of addresses or CIDR networks; raises ConfigError naming the setting."""
    try:
        return [ipaddress.ip_network(value, strict=False) for value in values]
    except ValueError as error:
        raise ConfigError(f"BRIDGE_{name} must list IP addresses or networks: {error}.") from None


def in_networks(address: str, allowed: list) -> bool:
    """Whether an IP address (IPv4-mapped IPv6 read as IPv4) is in one of ``allowed``; False for a non-address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed)


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted: list[str]) -> str | None:
    """The address a request came from: the peer, or, when the peer is a trusted proxy
    (``BRIDGE_FORWARDED_ALLOW_IPS``, gunicorn's rule), the last hop that proxy recorded in X-Forwarded-For;
    None when a trusted proxy recorded none.

    A local proxy makes every request arrive from 127.0.0.1, so the peer alone would let the whole internet
    through a loopback allowlist; for the same reason a trusted proxy that sends no X-Forwarded-For, a blank
    one, or only headers the bridge does not read (``Forwarded``, ``X-Real-IP``) names no client, and is not
    taken for one. Only the rightmost X-Forwarded-For entry is the proxy's own observation; entries to its
    left were sent by the client and prove nothing. A UNIX-socket peer has no address and is trusted, as
    gunicorn trusts it.
    """
    proxies = networks("FORWARDED_ALLOW_IPS", [value for value in trusted if value != "*"])
    if remote_addr and "*" not in trusted and not in_networks(remote_addr, proxies):
        return remote_addr
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    return hops[-1] if hops else None


def _coerce(name: str, setting: Setting, value: Any) -> Any:
    if value is None or value == "":
        return setting.default if value is None else ("" if setting.kind is str else setting.default)
    try:
        if setting.kind is list:
            items = value if isinstance(value, list) else str(value).split(",")
            return [str(item).strip() for item in items if str(item).strip()]
        if setting.kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
        if setting.kind is str:
            return str(value)
        if isinstance(value, bool):
            raise ValueError(value)
        coerced = setting.kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"BRIDGE_{name} must be a {setting.kind.__name__}, got {value!r}.") from None
    if setting.minimum is not None and coerced < setting.minimum:
        raise ConfigError(f"BRIDGE_{name} must be at least {setting.minimum}, got {coerced}.")
    return coerced


def _check_url(name: str, value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"BRIDGE_{name} must be an http(s) URL, got {value!r}.")
    return value.rstrip("/") + "/"


def validate(config: dict) -> None:
    """Coerce every setting and refuse combinations that cannot work, with a message naming the key."""
    for name, setting in SETTINGS.items():
        config[name] = _coerce(name, setting, config.get(name))
    if not config["GLADLY_SIGNING_KEY"]:
        raise ConfigError("BRIDGE_GLADLY_SIGNING_KEY is required: paste the Signing Key of the Gladly Custom App.")
    if bool(config["GLADLY_BASIC_USER"]) != bool(config["GLADLY_BASIC_PASSWORD"]):
        raise ConfigError("Set both BRIDGE_GLADLY_BASIC_USER and BRIDGE_GLADLY_BASIC_PASSWORD, or neither.")
    if bool(config["PREVIEW_USER"]) != bool(config["PREVIEW_PASSWORD"]):
        raise ConfigError("Set both BRIDGE_PREVIEW_USER and BRIDGE_PREVIEW_PASSWORD to turn the preview page on, "
                          "or neither.")
    password = config["PREVIEW_PASSWORD"] or ""
    if password and (len(password) < PASSWORD_LENGTH or len(set(password)) < PASSWORD_DISTINCT):
        raise ConfigError(f"BRIDGE_PREVIEW_PASSWORD must have at least {PASSWORD_LENGTH} characters, "
                          f"{PASSWORD_DISTINCT} of them different (NIST SP 800-63B-4 §3.1.1.2); it has "
                          f"{len(password)}, {len(set(password))} different. Make one with `openssl rand -hex 16`.")
    config["MAGENTO_URL"] = _check_url("MAGENTO_URL", config["MAGENTO_URL"])
    config["MAGENTO_ADMIN_URL"] = _check_url("MAGENTO_ADMIN_URL", config["MAGENTO_ADMIN_URL"])
    given = [key for key in MAGENTO_CREDENTIAL_KEYS if config[key]]
    if given and len(given) != len(MAGENTO_CREDENTIAL_KEYS):
        missing = ", ".join(f"BRIDGE_{key}" for key in MAGENTO_CREDENTIAL_KEYS if not config[key])
        raise ConfigError(f"Manual Magento connection is incomplete: also set {missing}.")
    if given and not config["MAGENTO_URL"]:
        raise ConfigError("BRIDGE_MAGENTO_URL is required with manual Magento credentials.")
    unknown = sorted(set(config["ACTIONS"]) - set(ACTION_NAMES))
    if unknown:
        raise ConfigError(f"BRIDGE_ACTIONS has unknown actions {unknown}; choose from {', '.join(ACTION_NAMES)}.")
    if config["READ_PLAN"] not in READ_PLANS:
        raise ConfigError(f"BRIDGE_READ_PLAN must be one of {', '.join(READ_PLANS)}, got {config['READ_PLAN']!r}.")
    unknown = sorted(set(config["AI_ACTIONS"]) - set(AI_ACTION_NAMES))
    if unknown:
        raise ConfigError(f"BRIDGE_AI_ACTIONS has unknown actions {unknown}; choose from "
                          f"{', '.join(AI_ACTION_NAMES)}.")
    if any(not token.isascii() or len(token) < AI_TOKEN_LENGTH for token in config["AI_TOKENS"] or ()):
        raise ConfigError(f"Every BRIDGE_AI_TOKENS token needs at least {AI_TOKEN_LENGTH} ASCII characters (e.g. "
                          "`openssl rand -hex 32`).")
    networks("OPS_ALLOW", config["OPS_ALLOW"])
    networks("FORWARDED_ALLOW_IPS", [value for value in config["FORWARDED_ALLOW_IPS"] if value != "*"])
    if "*" in config["FORWARDED_ALLOW_IPS"]:
        log.warning("BRIDGE_FORWARDED_ALLOW_IPS=* trusts X-Forwarded-For and X-Forwarded-Proto from any peer: every "
                    "client can then name its own address, past the /readyz and /metrics allowlist "
                    "(BRIDGE_OPS_ALLOW) and the /preview sign-in throttle. List the proxy's addresses instead.")
    prefix = config["GLADLY_PATH_PREFIX"].rstrip("/")
    if prefix and not prefix.startswith("/"):
        raise ConfigError("BRIDGE_GLADLY_PATH_PREFIX must start with '/'.")
    config["GLADLY_PATH_PREFIX"] = prefix
    data_dir = Path(config["DATA_DIR"])
    config["DATA_DIR"] = str(data_dir if data_dir.is_absolute() else Path(os.getcwd()) / data_dir)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(config['DATA_DIR']) / 'bridge.db'}"
