"""The connected Magento store, as a client built once per worker.

The connection comes from ``BRIDGE_MAGENTO_*`` credentials (manual set-up) or, once the merchant
activated the integration, from storage. Views call :func:`get_client`.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from flask import current_app

from bridge.errors import NotConnected
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient


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
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Bind to the app's configuration."""
        self.config = app.config
        app.extensions["magento"] = self

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

    def current_connection(self) -> Connection | None:
        """The connection in force."""
        return self.environment_connection()

    def client(self) -> MagentoClient:
        """The client for the connection in force; raises NotConnected when there is none."""
        connection = self.current_connection()
        if connection is None:
            raise NotConnected()
        with self._lock:
            if connection != self._connection or self._client is None:
                if self._client is not None:
                    self._client.close()
                self._client = MagentoClient.from_config(connection.base_url, connection.credentials, self.config)
                self._connection = connection
            return self._client


def init_app(app: Flask) -> None:
    """Create the worker's registry."""
    MagentoRegistry(app)


def get_client() -> MagentoClient:
    """The Magento client of the current app."""
    return current_app.extensions["magento"].client()
