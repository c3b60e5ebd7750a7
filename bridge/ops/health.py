"""Operations endpoints: liveness (``/healthz``), readiness (``/readyz``) and Prometheus metrics (``/metrics``).

``/healthz`` is open and only says the process answers. ``/readyz`` and ``/metrics`` tell more about the
store and the traffic, so only addresses in ``BRIDGE_OPS_ALLOW`` may read them.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from flask import Blueprint
from flask import current_app
from flask import request
from sqlalchemy.exc import SQLAlchemyError

from bridge import metrics
from bridge.config import client_address
from bridge.config import in_networks
from bridge.config import networks
from bridge.errors import BridgeError
from bridge.errors import MagentoError
from bridge.errors import StorageUnavailable
from bridge.magento.breaker import OPEN
from bridge.magento.client import Deadline
from bridge.storage import Stores
from bridge.storage import get_stores
from bridge.storage.writable import DatabaseUnwritable

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

PROBE_ROUTE = "/V1/store/storeConfigs"  # read by every lookup, so always granted; one small reply
PROBE_SECONDS = 3.0
PROBE_CACHE_SECONDS = 5.0  # a failed probe answers for this long: a probe storm cannot load Magento


class OpsForbidden(BridgeError):
    status_code = 403
    code = "forbidden"
    description = "This address may not read the bridge's operations endpoints (BRIDGE_OPS_ALLOW)."


def ops_only(view):
    """Refuse (403) requests from addresses outside ``BRIDGE_OPS_ALLOW``."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        config = current_app.config
        address = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                 config["FORWARDED_ALLOW_IPS"])
        if address is None:
            log.info("refused %s: the trusted proxy %s named no client", request.path, request.remote_addr or "-")
            raise OpsForbidden("A trusted proxy (BRIDGE_FORWARDED_ALLOW_IPS) sent this request without naming its "
                               "client in X-Forwarded-For.")
        if not in_networks(address, networks("OPS_ALLOW", config["OPS_ALLOW"])):
            log.info("refused %s to %s", request.path, address)
            raise OpsForbidden()
        return view(*args, **kwargs)
    return guarded


@bp.get("/healthz")
def healthz():
    """Answer 200 once the app is up."""
    return {"status": "ok"}


@bp.get("/readyz")
@ops_only
def readyz():
    """200 when the bridge can answer Gladly now, else 503 with the reasons (JSON)."""
    probe = current_app.extensions.setdefault("readiness_probe", MagentoProbe())
    checks, reasons = readiness(get_stores(), current_app.extensions["magento"], current_app.config["READY_MAX_AGE"],
                                probe)
    return {"status": "unavailable" if reasons else "ok", "reasons": reasons, "checks": checks}, \
        503 if reasons else 200


@bp.get("/metrics")
@ops_only
def metrics_view():
    """Prometheus text exposition of all workers' metrics."""
    body, content_type = metrics.exposition()
    return body, 200, {"Content-Type": content_type}


class MagentoProbe:
    """One probe call of Magento at a time, its outcome reused for PROBE_CACHE_SECONDS: a burst of /readyz calls
    costs Magento one request."""

    def __init__(self):
        self._lock = threading.Lock()
        self._at = float("-inf")
        self._error: str | None = None

    def check(self, client) -> str | None:
        """Why Magento failed the latest probe, or None when it answered."""
        with self._lock:
            if time.monotonic() - self._at >= PROBE_CACHE_SECONDS:
                try:
                    client.get(PROBE_ROUTE, deadline=Deadline(PROBE_SECONDS))
                    self._error = None
                except MagentoError as error:
                    self._error = error.detail
                self._at = time.monotonic()
            return self._error


def readiness(stores: Stores, registry, max_age: float, probe: MagentoProbe,
              now: datetime | None = None) -> tuple[dict, list[str]]:
    """Check the database (reachable and writable), the Magento connection, its circuit breaker and how recently
    Magento answered.

    The last success is the newest of this worker's and the one stored with an activated connection (shared
    by every worker and node). When it is older than ``max_age`` (a quiet night, or a new worker), a probe
    call decides, so an idle bridge stays ready while a broken store does not.
    """
    now = now or datetime.now(timezone.utc)
    checks: dict = {}
    reasons: list[str] = []
    stored_success = None
    try:
        stored_success = stores.connection.last_success()
        stores.database.check_writable()
        checks["database"] = {"ok": True}
    except (SQLAlchemyError, StorageUnavailable) as error:
        # Lookups still work without it, but order actions and activation do not.
        unwritable = isinstance(error, DatabaseUnwritable)
        name = (error if unwritable else error.__cause__ or error).__class__.__name__
        checks["database"] = {"ok": False, "error": name}
        problem = f"not writable: {error}" if unwritable else f"unreachable ({name})"
        reasons.append(f"database {problem}: order actions and activation are unavailable")
    connection = registry.current_connection()
    if connection is None:
        checks["magento"] = {"ok": False, "connected": False}
        reasons.append("no Magento connection: activate the Gladly integration in Magento or set BRIDGE_MAGENTO_*")
        return checks, reasons
    magento = checks["magento"] = {"ok": True, "connected": True, "source": connection.source}
    try:
        client = registry.client()
    except BridgeError as error:  # e.g. a stored store URL the signer refuses (plain http)
        magento.update(ok=False, error=error.detail)
        reasons.append(f"the Magento client cannot be built: {error.detail}")
        return checks, reasons
    magento["breaker"] = client.breaker.state
    if client.breaker.state == OPEN:
        magento["ok"] = False
        reasons.append("Magento circuit breaker is open: recent calls failed")
        return checks, reasons
    last = max(filter(None, (stored_success, registry.last_success)), default=None)
    magento["last_success"] = last.isoformat() if last else None
    if last is None or now - last > timedelta(seconds=max_age):
        failure = probe.check(client)
        magento["probed"] = True
        if failure is None:
            magento["last_success"] = registry.last_success and registry.last_success.isoformat()
        else:
            magento.update(ok=False, error=failure)
            age = f"last success {last.isoformat()}" if last else "no successful call yet"
            reasons.append(f"Magento is stale ({age}) and the probe failed: {failure}")
    return checks, reasons
