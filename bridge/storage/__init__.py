"""The bridge's persistent state: one small store per aggregate over one shared database.

What is stored: the Magento connection (one active store, ``connection.py``), pending activations and one-time
setup codes (``activations.py``), the order-action journal (``journal.py``), the audit trail (``audit.py``) and
Gladly AI's reservations against its refund cap and coupon limit (``reservations.py``).
The tables, engines and schema upgrades are in ``database.py``; whether the database may be written (a SQLite file
replaced under the bridge, a read-only database) in ``writable.py``; encryption at rest in ``secrets.py``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask
from flask import current_app

from bridge import errors
from bridge.storage.activations import ActivationStore
from bridge.storage.audit import AuditLog
from bridge.storage.connection import ConnectionStore
from bridge.storage.database import STORAGE_FAILURES
from bridge.storage.database import Database
from bridge.storage.database import describe_url
from bridge.storage.journal import JournalStore
from bridge.storage.reservations import Reservations
from bridge.storage.secrets import SecretBox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stores:
    """The stores of one app, sharing one database; kept in ``app.extensions["storage"]``."""

    database: Database
    connection: ConnectionStore
    activations: ActivationStore
    journal: JournalStore
    audit: AuditLog
    reservations: Reservations

    @classmethod
    def open(cls, url: str, secret_key: str | None) -> Stores:
        """The stores on the database at ``url``, secrets under ``secret_key``; nothing is read yet."""
        database, box = Database(url), SecretBox(secret_key)
        return cls(database, ConnectionStore(database, box), ActivationStore(database, box), JournalStore(database),
                   AuditLog(database), Reservations(database))


def init_app(app: Flask) -> None:
    """Open the database, create or upgrade the schema and refuse to start with unreadable credentials.

    An unreachable database never stops a worker from booting: lookups do not need it. The bridge says
    so loudly, answers 503 ``storage_unavailable`` where the database is needed, and creates the schema on first
    use once the database is back.
    """
    stores = Stores.open(app.config["DATABASE_URL"], app.config["SECRET_KEY"])
    app.extensions["storage"] = stores
    errors.handle_storage_failures(app, STORAGE_FAILURES)
    try:
        stores.database.create_schema()
        stores.connection.check_secrets()
    except STORAGE_FAILURES as error:
        log.error("DATABASE UNAVAILABLE at %s (%s). The bridge starts anyway: lookups work, order actions and "
                  "activation answer 503 until the database is reachable. Check BRIDGE_DATABASE_URL and the "
                  "database server.", describe_url(app.config["DATABASE_URL"]), errors.failure_line(error))


def get_stores() -> Stores:
    """The current app's stores."""
    return current_app.extensions["storage"]
