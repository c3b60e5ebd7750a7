"""The bridge's one database layer: SQLAlchemy Core on SQLite (default) or PostgreSQL.

What is stored: the Magento connection (one active store), pending activations, one-time setup codes,
and the order-action journal and audit trail. OAuth secrets are encrypted at rest with Fernet (AES-128-CBC
plus HMAC-SHA256) under a key derived from ``BRIDGE_SECRET_KEY`` by HKDF-SHA256 with the fixed salt
``gladly-bridge`` and info ``storage-secrets-v1``; changing the secret key makes stored secrets unreadable,
and the bridge then refuses to start instead of signing with garbage.

Every write is one statement (conditional UPDATE, or INSERT that may hit a unique key), so it stays
atomic across gunicorn workers and across nodes sharing one PostgreSQL database.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask
from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bridge.errors import ConfigError
from bridge.errors import StorageUnavailable
from bridge.errors import error_response

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# Statements that bring a database from version N-1 to N; create_all adds new tables by itself.
UPGRADES: dict[int, tuple[str, ...]] = {
    # The journal's checkpoint: what an action saw just before its Magento write, for crash recovery.
    2: ("ALTER TABLE action_journal ADD COLUMN checkpoint JSON",
        "CREATE INDEX ix_action_journal_order_action ON action_journal (order_id, action)"),
}
# Errors that mean "the database cannot be reached right now", as opposed to a bug in a statement.
STORAGE_FAILURES = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, StorageUnavailable)
SCHEMA_RETRY_SECONDS = 2.0  # a worker that could not create the schema tries again at most this often
WAL_ATTEMPTS = 20
CONNECT_TIMEOUT = 5  # seconds; a blackholed PostgreSQL host must not outlast gunicorn's worker boot
ACTION_STATUSES = ("pending", "succeeded", "failed", "unknown")
STALE_ACTIVATION = timedelta(days=1)
# Magento accepts the request-token call for 300 s after its POST (magento-rest.md §1.2); an exchange
# still pending or running after that can only fail, so it stops counting as pending.
ACTIVATION_TTL = timedelta(seconds=300)
ACTIVATION_WINDOW = timedelta(seconds=60)
EXPIRED = "The activation expired before its token exchange finished: click Reauthorize in Magento."
_LOCK_ID = zlib.crc32(b"gladly-bridge")  # PostgreSQL advisory lock shared by every node


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on both back ends (SQLite hands back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

# One row (id = 1): the store every worker signs for. ``version`` counts token changes; together with
# ``updated_at`` it is the fingerprint workers poll to notice a new connection.
magento_connection = sa.Table(
    "magento_connection", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("store_base_url", sa.Text, nullable=False),
    sa.Column("consumer_key", sa.String(64), nullable=False),
    sa.Column("consumer_secret", sa.Text, nullable=False),  # encrypted
    sa.Column("access_token", sa.Text, nullable=False),  # encrypted
    sa.Column("access_token_secret", sa.Text, nullable=False),  # encrypted
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("connected_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("last_success_at", UTCDateTime),
    sa.Column("version", sa.Integer, nullable=False),
)

# Magento's activation POSTs (magento-rest.md §1.2), keyed by consumer key; ``attempt`` grows with each
# new verifier (reauthorize, §1.5) so a late finish of an older exchange cannot overwrite a newer one.
activation = sa.Table(
    "activation", metadata,
    sa.Column("consumer_key", sa.String(64), primary_key=True),
    sa.Column("store_base_url", sa.Text, nullable=False),
    sa.Column("consumer_secret", sa.Text, nullable=False),  # encrypted
    sa.Column("verifier", sa.Text, nullable=False),  # encrypted
    sa.Column("setup_code_hash", sa.String(64)),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, exchanging, succeeded, failed
    sa.Column("error", sa.Text),
    sa.Column("finished_at", UTCDateTime),
)

# Fixed-window counter of new activation attempts per store (issue 11): shared by every worker and node.
activation_throttle = sa.Table(
    "activation_throttle", metadata,
    sa.Column("store", sa.String(512), primary_key=True),
    sa.Column("window_start", UTCDateTime, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)

setup_code = sa.Table(
    "setup_code", metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
)

action_journal = sa.Table(
    "action_journal", metadata,
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("input", sa.JSON),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("result", sa.JSON),
    sa.Column("checkpoint", sa.JSON),  # set just before the Magento write: the run may have changed the order
    sa.Column("gladly_agent_id", sa.String(128)),
    sa.Column("correlation_id", sa.String(128)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Every submission looks for expired claims on its order and action (crash recovery).
    sa.Index("ix_action_journal_order_action", "order_id", "action"),
)

action_audit = sa.Table(
    "action_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("increment_id", sa.String(64)),
    sa.Column("agent_id", sa.String(128)),
    sa.Column("correlation_id", sa.String(128)),
    sa.Column("input", sa.JSON),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("magento_result", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Index("ix_action_audit_order_id", "order_id"),
)


@dataclass(frozen=True)
class StoredConnection:
    """The stored Magento connection with its secrets decrypted."""

    store_base_url: str
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str
    source: str
    connected_at: datetime
    updated_at: datetime
    last_success_at: datetime | None
    version: int


@dataclass(frozen=True)
class Activation:
    """A pending or finished activation, secrets decrypted."""

    consumer_key: str
    store_base_url: str
    consumer_secret: str
    verifier: str
    setup_code_hash: str | None
    attempt: int
    received_at: datetime
    status: str
    error: str | None
    finished_at: datetime | None


class ActivationLimit(Exception):
    """A new activation attempt was refused by the rate or pending limit; the message says which."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def database_url(url: str) -> sa.URL:
    """The SQLAlchemy URL for a configured one: ``postgresql://`` goes through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # busy_timeout first: every later statement then waits for the write lock instead of failing with
    # "database is locked".
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL lets readers run beside the one writer; it is a property of the file, so it is set once. Switching
        # takes an exclusive lock and answers "database is locked" at once, without the busy handler, when another
        # connection holds the file: two gunicorn workers opening a new database together (issue 11). Retry a
        # little; a connection that still cannot switch works in the rollback journal, which is only slower.
        for attempt in range(WAL_ATTEMPTS):
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                failure = error
                time.sleep(0.01 * (attempt + 1))
        log.warning("SQLite could not switch to WAL (%s); continuing in rollback-journal mode", failure)
    finally:
        cursor.close()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """The process's engine for ``url``, created on first use (folder included for SQLite)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = database_url(url)
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args={"timeout": 30})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = sa.create_engine(parsed, pool_pre_ping=True,
                                          connect_args={"connect_timeout": CONNECT_TIMEOUT})
            _engines[url] = engine
        return engine


def close_engine(url: str) -> None:
    """Close the engine for ``url`` and its pooled connections, if one was created."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _dispose_engines_after_fork() -> None:
    # A forked gunicorn worker must not reuse the parent's sockets (SQLAlchemy "Pooling and fork").
    for engine in _engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_engines_after_fork)


def fernet_for(secret_key: str) -> Fernet:
    """The Fernet cipher for a ``BRIDGE_SECRET_KEY`` (HKDF-SHA256, fixed salt and info)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gladly-bridge",
               info=b"storage-secrets-v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def hash_setup_code(code: str) -> str:
    """SHA-256 of a setup code, ignoring case, spaces and dashes."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


class Storage:
    """Every read and write the bridge persists, on one engine."""

    def __init__(self, url: str, secret_key: str | None):
        self.engine = get_engine(url)
        self._fernet = fernet_for(secret_key) if secret_key else None
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._schema_retry_at = float("-inf")

    def _db(self) -> Engine:
        """The engine, once the schema exists: created here, with retries, when the worker started without it."""
        if not self._schema_ready:
            with self._schema_lock:
                if not self._schema_ready:
                    if time.monotonic() < self._schema_retry_at:
                        raise StorageUnavailable()
                    try:
                        self.create_schema()
                    except STORAGE_FAILURES as error:
                        self._schema_retry_at = time.monotonic() + SCHEMA_RETRY_SECONDS
                        raise StorageUnavailable() from error
        return self.engine

    def _lock(self, conn: sa.Connection) -> None:
        """Begin a transaction that excludes every other worker and node until commit."""
        if self.engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes SQLite's write lock now, not at the first write

    # -- schema -------------------------------------------------------------------------------

    def create_schema(self) -> int:
        """Create missing tables and apply upgrades (``bridge db upgrade``); safe to run from many workers at once.
        Returns the schema version."""
        with self.engine.connect() as conn:
            # DDL is transactional on both back ends, so a second starting worker waits for the lock and
            # then finds everything in place.
            self._lock(conn)
            metadata.create_all(conn)
            current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
            if current > SCHEMA_VERSION:
                raise ConfigError(f"The database has schema version {current}, newer than this bridge "
                                  f"({SCHEMA_VERSION}): upgrade the bridge.")
            # A new database got every table at the latest shape from create_all: nothing to alter.
            for version in range(current + 1, SCHEMA_VERSION + 1) if current else (SCHEMA_VERSION,):
                for statement in UPGRADES.get(version, ()) if current else ():
                    conn.exec_driver_sql(statement)
                conn.execute(schema_version.insert().values(version=version, applied_at=utcnow()))
            conn.commit()
        self._schema_ready = True
        return SCHEMA_VERSION

    # -- secrets ------------------------------------------------------------------------------

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a secret for storage; refuses without ``BRIDGE_SECRET_KEY``."""
        if self._fernet is None:
            raise ConfigError("BRIDGE_SECRET_KEY is required to store Magento credentials: set it to a long "
                              "random value and keep it stable across restarts.")
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Decrypt a stored secret; a key that cannot is a configuration error."""
        if self._fernet is None:
            raise ConfigError("Magento credentials are stored but BRIDGE_SECRET_KEY is not set: set the key "
                              "they were stored with, or run `bridge magento disconnect`.")
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigError("BRIDGE_SECRET_KEY cannot decrypt the stored Magento credentials (the key changed): "
                              "restore the previous key, or run `bridge magento disconnect` and activate "
                              "the integration again.") from None

    def check_secrets(self) -> None:
        """Refuse to start when stored credentials exist but cannot be decrypted."""
        self.get_connection()

    def _one(self, query) -> dict | None:
        """The first row of ``query`` as a dict, or None."""
        with self._db().connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def _upsert(self, update, insert) -> Any:
        """Run ``update``, else ``insert`` (both RETURNING one value); a racing insert makes the retry an update."""
        for _ in range(3):
            with self._db().begin() as conn:
                value = conn.execute(update).scalar()
            if value is not None:
                return value
            try:
                with self._db().begin() as conn:
                    return conn.execute(insert).scalar()
            except IntegrityError:
                continue
        raise RuntimeError("row vanished and reappeared three times")  # pragma: no cover

    # -- Magento connection -------------------------------------------------------------------

    def get_connection(self) -> StoredConnection | None:
        """The stored connection, decrypted, or None."""
        values = self._one(sa.select(magento_connection).where(magento_connection.c.id == 1))
        if values is None:
            return None
        values.pop("id")
        for name in ("consumer_secret", "access_token", "access_token_secret"):
            values[name] = self.decrypt(values[name])
        return StoredConnection(**values)

    def connection_fingerprint(self) -> tuple | None:
        """(version, updated_at) of the stored connection, or None: one indexed read, no decryption."""
        with self._db().connect() as conn:
            row = conn.execute(sa.select(magento_connection.c.version, magento_connection.c.updated_at)
                               .where(magento_connection.c.id == 1)).first()
        return tuple(row) if row else None

    def save_connection(self, *, store_base_url: str, consumer_key: str, consumer_secret: str, access_token: str,
                        access_token_secret: str, source: str = "activation") -> int:
        """Store (or replace) the active connection; returns its new version."""
        now = utcnow()
        values = {
            "store_base_url": store_base_url,
            "consumer_key": consumer_key,
            "consumer_secret": self.encrypt(consumer_secret),
            "access_token": self.encrypt(access_token),
            "access_token_secret": self.encrypt(access_token_secret),
            "source": source,
            "updated_at": now,
            "last_success_at": None,
        }
        update = (magento_connection.update().where(magento_connection.c.id == 1)
                  .values(version=magento_connection.c.version + 1, **values).returning(magento_connection.c.version))
        insert = (magento_connection.insert().values(id=1, version=1, connected_at=now, **values)
                  .returning(magento_connection.c.version))
        return self._upsert(update, insert)

    def delete_connection(self) -> bool:
        """Forget the stored connection; True when there was one."""
        with self._db().begin() as conn:
            return bool(conn.execute(magento_connection.delete()).rowcount)

    def record_success(self, at: datetime | None = None) -> None:
        """Stamp the stored connection's last successful Magento call (does not change its fingerprint)."""
        with self._db().begin() as conn:
            conn.execute(magento_connection.update().where(magento_connection.c.id == 1)
                         .values(last_success_at=at or utcnow()))

    def last_success(self) -> datetime | None:
        """When the stored connection last reached Magento, or None; also proves the database answers."""
        with self._db().connect() as conn:
            return conn.execute(sa.select(magento_connection.c.last_success_at)
                                .where(magento_connection.c.id == 1)).scalar()

    # -- activations --------------------------------------------------------------------------

    def get_activation(self, consumer_key: str) -> Activation | None:
        """The activation for a consumer key, decrypted, or None."""
        values = self._one(sa.select(activation).where(activation.c.consumer_key == consumer_key))
        if values is None:
            return None
        values["consumer_secret"] = self.decrypt(values["consumer_secret"])
        values["verifier"] = self.decrypt(values["verifier"])
        return Activation(**values)

    def save_activation(self, *, consumer_key: str, store_base_url: str, consumer_secret: str, verifier: str,
                        setup_code_hash: str | None, store_key: str, per_store_limit: int, max_pending: int) -> int:
        """Record a new POST (a new attempt for a known key) as pending; returns the attempt number.

        One transaction under the all-workers lock, so the limits hold across workers and nodes: at most
        ``per_store_limit`` new attempts per ``store_key`` per minute (fixed window, so at most twice that in
        any 60 s), and at most ``max_pending`` other activations pending or exchanging, all stores together;
        raises ActivationLimit otherwise. On the way, attempts older than ACTIVATION_TTL stop being pending
        (failed, "expired"), and unfinished or failed activations older than a day are dropped.
        """
        now = utcnow()
        values = {
            "store_base_url": store_base_url,
            "consumer_secret": self.encrypt(consumer_secret),
            "verifier": self.encrypt(verifier),
            "setup_code_hash": setup_code_hash,
            "received_at": now,
            "status": "pending",
            "error": None,
            "finished_at": None,
        }
        unfinished = activation.c.status.in_(("pending", "exchanging"))
        with self._db().connect() as conn:
            self._lock(conn)
            conn.execute(activation.delete().where(activation.c.status != "succeeded",
                                                   activation.c.received_at < now - STALE_ACTIVATION))
            conn.execute(activation.update().where(unfinished, activation.c.received_at < now - ACTIVATION_TTL)
                         .values(status="failed", error=EXPIRED, finished_at=now))
            pending = conn.execute(sa.select(sa.func.count()).select_from(activation).where(
                unfinished, activation.c.consumer_key != consumer_key)).scalar()
            if pending >= max_pending:
                raise ActivationLimit(f"{pending} activations are already waiting for their token exchange.",
                                      retry_after=int(ACTIVATION_TTL.total_seconds()))
            window = conn.execute(sa.select(activation_throttle).where(activation_throttle.c.store == store_key)
                                  ).mappings().first()
            if window is None:
                conn.execute(activation_throttle.insert().values(store=store_key, window_start=now, count=1))
            elif window["window_start"] <= now - ACTIVATION_WINDOW:
                conn.execute(activation_throttle.update().where(activation_throttle.c.store == store_key)
                             .values(window_start=now, count=1))
            elif window["count"] >= per_store_limit:
                left = window["window_start"] + ACTIVATION_WINDOW - now
                raise ActivationLimit(f"{window['count']} activation attempts for this store in the last minute.",
                                      retry_after=max(1, int(left.total_seconds()) + 1))
            else:
                conn.execute(activation_throttle.update().where(activation_throttle.c.store == store_key)
                             .values(count=activation_throttle.c.count + 1))
            attempt = conn.execute(activation.update().where(activation.c.consumer_key == consumer_key)
                                   .values(attempt=activation.c.attempt + 1, **values)
                                   .returning(activation.c.attempt)).scalar()
            if attempt is None:
                attempt = 1
                conn.execute(activation.insert().values(consumer_key=consumer_key, attempt=attempt, **values))
            conn.commit()
        return attempt

    def count_activations(self) -> int:
        """How many activations are stored (any status)."""
        with self._db().connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(activation)).scalar()

    def claim_activation(self, consumer_key: str, attempt: int) -> bool:
        """Move a pending attempt to ``exchanging``; exactly one caller across all workers wins."""
        with self._db().begin() as conn:
            return bool(conn.execute(activation.update().where(
                activation.c.consumer_key == consumer_key, activation.c.attempt == attempt,
                activation.c.status == "pending").values(status="exchanging")).rowcount)

    def finish_activation(self, consumer_key: str, attempt: int, status: str, error: str | None = None) -> None:
        """Mark an attempt succeeded or failed (ignored if a newer attempt replaced it)."""
        with self._db().begin() as conn:
            conn.execute(activation.update().where(
                activation.c.consumer_key == consumer_key, activation.c.attempt == attempt,
            ).values(status=status, error=error, finished_at=utcnow()))

    # -- setup codes --------------------------------------------------------------------------

    def add_setup_code(self, code: str, *, replace: bool = False) -> bool:
        """Store a setup code's hash. ``replace`` voids unused codes first; otherwise the code is only added
        while no store is connected and no unused code exists (so several starting workers issue one)."""
        with self._db().connect() as conn:
            self._lock(conn)
            if replace:
                conn.execute(setup_code.delete().where(setup_code.c.used_at.is_(None)))
            elif (conn.execute(sa.select(magento_connection.c.id)).first()
                  or conn.execute(sa.select(setup_code.c.code_hash).where(setup_code.c.used_at.is_(None))).first()):
                return False
            conn.execute(setup_code.insert().values(code_hash=hash_setup_code(code), created_at=utcnow()))
            conn.commit()
            return True

    def setup_code_valid(self, code_hash: str) -> bool:
        """Whether a setup code (by hash) exists and is unused."""
        with self._db().connect() as conn:
            return conn.execute(sa.select(setup_code.c.code_hash).where(
                setup_code.c.code_hash == code_hash, setup_code.c.used_at.is_(None))).first() is not None

    def use_setup_code(self, code_hash: str) -> bool:
        """Spend a setup code; True for exactly one caller."""
        with self._db().begin() as conn:
            return bool(conn.execute(setup_code.update().where(
                setup_code.c.code_hash == code_hash, setup_code.c.used_at.is_(None)).values(used_at=utcnow())).rowcount)

    # -- order actions ------------------------------------------------------------------------

    def claim_action(self, key: str, *, order_id: str, action: str, input: Any = None,
                     agent_id: str | None = None, correlation_id: str | None = None) -> tuple[bool, dict]:
        """Insert a pending journal row for ``key``; (False, existing row) when another request owns it."""
        now = utcnow()
        row = {"idempotency_key": key, "order_id": str(order_id), "action": action, "input": input,
               "status": "pending", "result": None, "checkpoint": None, "gladly_agent_id": agent_id,
               "correlation_id": correlation_id, "created_at": now, "updated_at": now}
        try:
            with self._db().begin() as conn:
                conn.execute(action_journal.insert().values(**row))
            return True, row
        except IntegrityError:
            return False, self.get_action(key)

    def checkpoint_action(self, key: str, checkpoint: dict) -> None:
        """Note, just before the Magento write, what recovery needs to recognise its effect; renews the lease."""
        with self._db().begin() as conn:
            conn.execute(action_journal.update()
                         .where(action_journal.c.idempotency_key == key, action_journal.c.status == "pending")
                         .values(checkpoint=checkpoint, updated_at=utcnow()))

    def finish_action(self, key: str, status: str, result: Any = None, *, keep_checkpoint: bool = False) -> None:
        """Record how a claimed action ended: succeeded, failed or unknown. The checkpoint is kept only when the
        run ended without knowing whether its write happened, so the next run reconciles first."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown action status {status!r}")
        values = {"status": status, "result": result, "updated_at": utcnow()}
        if not keep_checkpoint:
            values["checkpoint"] = None
        with self._db().begin() as conn:
            conn.execute(action_journal.update().where(action_journal.c.idempotency_key == key).values(**values))

    def reclaim_failed_action(self, key: str) -> dict | None:
        """Take over a key whose last run failed; one conditional UPDATE, so one process wins. The row as it
        was (its checkpoint says whether that run may have written), or None for the losers."""
        return self._take_over(key, action_journal.c.status == "failed")

    def take_over_expired_action(self, key: str, expired_before: datetime) -> dict | None:
        """Take over a pending claim not renewed since ``expired_before`` (its worker died); one process wins.
        The row as the dead worker left it, or None."""
        return self._take_over(key, action_journal.c.status == "pending", action_journal.c.updated_at < expired_before)

    def _take_over(self, key: str, *conditions) -> dict | None:
        row = self.get_action(key)
        with self._db().begin() as conn:
            result = conn.execute(action_journal.update()
                                  .where(action_journal.c.idempotency_key == key, *conditions)
                                  .values(status="pending", result=None, updated_at=utcnow()))
        return row if result.rowcount == 1 else None

    def expired_actions(self, order_id: str, action: str, expired_before: datetime) -> list[str]:
        """Keys of pending claims on this order and action not renewed since ``expired_before``."""
        with self._db().connect() as conn:
            return list(conn.execute(sa.select(action_journal.c.idempotency_key).where(
                action_journal.c.order_id == str(order_id), action_journal.c.action == action,
                action_journal.c.status == "pending", action_journal.c.updated_at < expired_before)).scalars())

    def get_action(self, key: str) -> dict | None:
        """The journal row for an idempotency key."""
        return self._one(sa.select(action_journal).where(action_journal.c.idempotency_key == key))

    def record_audit(self, *, action: str, order_id: str, outcome: str, increment_id: str | None = None,
                     agent_id: str | None = None, correlation_id: str | None = None, input: Any = None,
                     magento_result: Any = None, error: str | None = None) -> int:
        """Append one audit row; returns its id."""
        with self._db().begin() as conn:
            result = conn.execute(action_audit.insert().values(
                at=utcnow(), action=action, order_id=str(order_id), increment_id=increment_id, agent_id=agent_id,
                correlation_id=correlation_id, input=input, outcome=outcome, magento_result=magento_result,
                error=error))
            return result.inserted_primary_key[0]

    def audit_entries(self, order_id: str | None = None) -> list[dict]:
        """Audit rows, oldest first, optionally for one order."""
        query = sa.select(action_audit).order_by(action_audit.c.id)
        if order_id is not None:
            query = query.where(action_audit.c.order_id == str(order_id))
        with self._db().connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]


def describe_url(url: str) -> str:
    """A database URL fit for a log line: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _storage_failure(error: Exception):
    log.warning("database unavailable: %s", _first_line(error))
    return error_response(error if isinstance(error, StorageUnavailable) else StorageUnavailable())


def _first_line(error: Exception) -> str:
    cause = error.__cause__ if isinstance(error, StorageUnavailable) and error.__cause__ else error
    text = str(getattr(cause, "orig", None) or cause).strip().splitlines()
    return f"{cause.__class__.__name__}: {text[0] if text else ''}"


def init_app(app: Flask) -> None:
    """Open the database, create or upgrade the schema and refuse to start with unreadable credentials.

    An unreachable database never stops a worker from booting (issue 11): lookups do not need it. The bridge says
    so loudly, answers 503 ``storage_unavailable`` where the database is needed, and creates the schema on first
    use once the database is back.
    """
    storage = Storage(app.config["DATABASE_URL"], app.config["SECRET_KEY"])
    app.extensions["storage"] = storage
    for failure in STORAGE_FAILURES[:-1]:
        app.register_error_handler(failure, _storage_failure)
    app.register_error_handler(StorageUnavailable, _storage_failure)
    try:
        storage.create_schema()
        storage.check_secrets()
    except STORAGE_FAILURES as error:
        log.error("DATABASE UNAVAILABLE at %s (%s). The bridge starts anyway: lookups work, order actions and "
                  "activation answer 503 until the database is reachable. Check BRIDGE_DATABASE_URL and the "
                  "database server.", describe_url(app.config["DATABASE_URL"]), _first_line(error))


def get_storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions["storage"]
