"""The connected Magento store, as a client built once per worker.

The connection comes from storage once the merchant activated the integration, else from
``BRIDGE_MAGENTO_*`` credentials (manual set-up). Every worker polls the stored connection's fingerprint
at most every ``CHECK_INTERVAL`` seconds, so an activation or reauthorize handled by one worker reaches
all of them. Views call :func:`get_client`.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone

from flask import Flask
from flask import current_app

from bridge.errors import NotConnected
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.magento.store import clear_catalogs
from bridge.storage.connection import ConnectionStore
from bridge.storage.database import STORAGE_FAILURES

log = logging.getLogger(__name__)

CHECK_INTERVAL = 2.0  # seconds between fingerprint reads of the stored connection
SUCCESS_INTERVAL = 60.0  # seconds between writes of last_success_at


@dataclass(frozen=True)
class Connection:
    """Where the store is and how to sign for it."""

    base_url: str
    credentials: Credentials
    source: str  # "environment" or "activation"


class MagentoRegistry:
    """Holds the worker's Magento client and rebuilds it when the connection changes."""

    def __init__(self, app: Flask | None = None):
        self._lock = threading.Lock()
        self._client: MagentoClient | None = None
        self._connection: Connection | None = None
        self._stored: Connection | None = None
        self._fingerprint: tuple | None = None
        self._checked_at = float("-inf")
        self._success_recorded_at = float("-inf")
        self.last_success: datetime | None = None  # this worker's newest 2xx from Magento (for /readyz)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Bind to the app's configuration; say what to do next when a real store has no connection yet."""
        self.config = app.config
        self.connection_store: ConnectionStore = app.extensions["storage"].connection
        app.extensions["magento"] = self
        if self.config.get("MAGENTO_URL") and not self.environment_connection():
            try:
                connected = bool(self.connection_store.fingerprint())
            except STORAGE_FAILURES:  # not upgraded yet, or down: /readyz and the doctor say so
                connected = True
            if not connected:
                log.warning("%s", next_step(self.config))

    def environment_connection(self) -> Connection | None:
        """The manual connection from ``BRIDGE_MAGENTO_*``, if configured."""
        config = self.config
        if not config["MAGENTO_CONSUMER_KEY"]:
            return None
        return Connection(
            base_url=config["MAGENTO_URL"],
            credentials=Credentials(
                consumer_key=config["MAGENTO_CONSUMER_KEY"],
                consumer_secret=config["MAGENTO_CONSUMER_SECRET"],
                access_token=config["MAGENTO_ACCESS_TOKEN"],
                access_token_secret=config["MAGENTO_ACCESS_TOKEN_SECRET"],
            ),
            source="environment",
        )

    def stored_connection(self) -> Connection | None:
        """The activated connection from storage, re-read only when its fingerprint changed."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked_at >= CHECK_INTERVAL:
                self._checked_at = now
                try:
                    self._reload()
                except STORAGE_FAILURES as error:  # a database outage must not stop lookups: keep what we had
                    log.warning("could not read the stored Magento connection: %s", error.__class__.__name__)
            return self._stored

    def _reload(self) -> None:
        fingerprint = self.connection_store.fingerprint()
        if fingerprint == self._fingerprint:
            return
        stored = self.connection_store.get() if fingerprint else None
        self._stored = stored and Connection(
            base_url=stored.store_base_url,
            credentials=Credentials(stored.consumer_key, stored.consumer_secret, stored.access_token,
                                    stored.access_token_secret),
            source=stored.source,
        )
        self._fingerprint = fingerprint

    def current_connection(self) -> Connection | None:
        """The connection in force: the stored one when present, else the environment's."""
        return self.stored_connection() or self.environment_connection()

    def invalidate(self) -> None:
        """Re-read the stored connection on next use (this worker just changed it)."""
        with self._lock:
            self._checked_at = float("-inf")

    def _on_response(self, response) -> None:
        if 200 <= response.status_code < 300:
            self.record_success()

    def record_success(self) -> None:
        """Note a successful Magento call; written to storage at most once per ``SUCCESS_INTERVAL``."""
        self.last_success = datetime.now(timezone.utc)
        now = time.monotonic()
        with self._lock:
            if now - self._success_recorded_at < SUCCESS_INTERVAL:
                return
            self._success_recorded_at = now
        try:
            self.connection_store.record_success()
        except STORAGE_FAILURES as error:  # bookkeeping only; the Magento call itself succeeded
            log.warning("could not record the last successful Magento call: %s", error.__class__.__name__)

    def client(self) -> MagentoClient:
        """The client for the connection in force; raises NotConnected when there is none."""
        connection = self.current_connection()
        if connection is None:
            raise NotConnected()
        with self._lock:
            if connection != self._connection or self._client is None:
                if self._client is not None:
                    self._client.close()
                    # Another store, new grants or a newly installed module: the cached store facts may be wrong.
                    clear_catalogs()
                self._client = MagentoClient.from_config(connection.base_url, connection.credentials, self.config,
                                                         on_response=self._on_response)
                self._connection = connection
            return self._client


def next_step(config) -> str:
    """What a merchant does when the bridge has no Magento connection yet: activate, or set the credentials."""
    admin = config.get("MAGENTO_ADMIN_URL") or ""
    where = f"the Magento admin ({admin})" if admin else "the Magento admin"
    return (f"No Magento connection yet for {config.get('MAGENTO_URL')}. Next: in {where}, System > Extensions > "
            "Integrations, click Activate on \"Gladly\" and Allow (the bridge receives its tokens; set the module's "
            "Bridge URL to this bridge first), or set BRIDGE_MAGENTO_CONSUMER_KEY, BRIDGE_MAGENTO_CONSUMER_SECRET, "
            "BRIDGE_MAGENTO_ACCESS_TOKEN and BRIDGE_MAGENTO_ACCESS_TOKEN_SECRET.")


def init_app(app: Flask) -> None:
    """Create the worker's registry."""
    MagentoRegistry(app)


def get_client() -> MagentoClient:
    """The Magento client of the current app."""
    return current_app.extensions["magento"].client()
