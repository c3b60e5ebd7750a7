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
import os
import threading
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

SCHEMA_VERSION = 1
# Statements that bring a database from version N-1 to N; create_all adds new tables by itself.
UPGRADES: dict[int, tuple[str, ...]] = {}
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
    sa.Column("gladly_agent_id", sa.String(128)),
    sa.Column("correlation_id", sa.String(128)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
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
    # WAL lets readers run beside the one writer; busy_timeout makes workers wait for the write lock
    # instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
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
                engine = sa.create_engine(parsed, pool_pre_ping=True)
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

    def _lock(self, conn: sa.Connection) -> None:
        """Begin a transaction that excludes every other worker and node until commit."""
        if self.engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes SQLite's write lock now, not at the first write

    # -- schema -------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create missing tables and apply upgrades; safe to run from many workers at once."""
        with self.engine.connect() as conn:
            # DDL is transactional on both back ends, so a second starting worker waits for the lock and
            # then finds everything in place.
            self._lock(conn)
            metadata.create_all(conn)
            current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
            if current > SCHEMA_VERSION:
                raise ConfigError(f"The database has schema version {current}, newer than this bridge "
                                  f"({SCHEMA_VERSION}): upgrade the bridge.")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in UPGRADES.get(version, ()):
                    conn.exec_driver_sql(statement)
                conn.execute(schema_version.insert().values(version=version, applied_at=utcnow()))
            conn.commit()

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
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def _upsert(self, update, insert) -> Any:
        """Run ``update``, else ``insert`` (both RETURNING one value); a racing insert makes the retry an update."""
        for _ in range(3):
            with self.engine.begin() as conn:
                value = conn.execute(update).scalar()
            if value is not None:
                return value
            try:
                with self.engine.begin() as conn:
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
        with self.engine.connect() as conn:
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
        with self.engine.begin() as conn:
            return bool(conn.execute(magento_connection.delete()).rowcount)

    def record_success(self, at: datetime | None = None) -> None:
        """Stamp the stored connection's last successful Magento call (does not change its fingerprint)."""
        with self.engine.begin() as conn:
            conn.execute(magento_connection.update().where(magento_connection.c.id == 1)
                         .values(last_success_at=at or utcnow()))

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
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(activation)).scalar()

    def claim_activation(self, consumer_key: str, attempt: int) -> bool:
        """Move a pending attempt to ``exchanging``; exactly one caller across all workers wins."""
        with self.engine.begin() as conn:
            return bool(conn.execute(activation.update().where(
                activation.c.consumer_key == consumer_key, activation.c.attempt == attempt,
                activation.c.status == "pending").values(status="exchanging")).rowcount)

    def finish_activation(self, consumer_key: str, attempt: int, status: str, error: str | None = None) -> None:
        """Mark an attempt succeeded or failed (ignored if a newer attempt replaced it)."""
        with self.engine.begin() as conn:
            conn.execute(activation.update().where(
                activation.c.consumer_key == consumer_key, activation.c.attempt == attempt,
            ).values(status=status, error=error, finished_at=utcnow()))

    # -- setup codes --------------------------------------------------------------------------

    def add_setup_code(self, code: str, *, replace: bool = False) -> bool:
        """Store a setup code's hash. ``replace`` voids unused codes first; otherwise the code is only added
        while no store is connected and no unused code exists (so several starting workers issue one)."""
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            return conn.execute(sa.select(setup_code.c.code_hash).where(
                setup_code.c.code_hash == code_hash, setup_code.c.used_at.is_(None))).first() is not None

    def use_setup_code(self, code_hash: str) -> bool:
        """Spend a setup code; True for exactly one caller."""
        with self.engine.begin() as conn:
            return bool(conn.execute(setup_code.update().where(
                setup_code.c.code_hash == code_hash, setup_code.c.used_at.is_(None)).values(used_at=utcnow())).rowcount)

    # -- order actions ------------------------------------------------------------------------

    def claim_action(self, key: str, *, order_id: str, action: str, input: Any = None,
                     agent_id: str | None = None, correlation_id: str | None = None) -> tuple[bool, dict]:
        """Insert a pending journal row for ``key``; (False, existing row) when another request owns it."""
        now = utcnow()
        row = {"idempotency_key": key, "order_id": str(order_id), "action": action, "input": input,
               "status": "pending", "result": None, "gladly_agent_id": agent_id, "correlation_id": correlation_id,
               "created_at": now, "updated_at": now}
        try:
            with self.engine.begin() as conn:
                conn.execute(action_journal.insert().values(**row))
            return True, row
        except IntegrityError:
            return False, self.get_action(key)

    def finish_action(self, key: str, status: str, result: Any = None) -> None:
        """Record how a claimed action ended: succeeded, failed or unknown."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown action status {status!r}")
        with self.engine.begin() as conn:
            conn.execute(action_journal.update().where(action_journal.c.idempotency_key == key)
                         .values(status=status, result=result, updated_at=utcnow()))

    def reclaim_failed_action(self, key: str) -> bool:
        """Take over a key whose last run failed; one conditional UPDATE, so one process wins."""
        with self.engine.begin() as conn:
            result = conn.execute(action_journal.update()
                                  .where(action_journal.c.idempotency_key == key, action_journal.c.status == "failed")
                                  .values(status="pending", result=None, updated_at=utcnow()))
        return result.rowcount == 1

    def get_action(self, key: str) -> dict | None:
        """The journal row for an idempotency key."""
        return self._one(sa.select(action_journal).where(action_journal.c.idempotency_key == key))

    def record_audit(self, *, action: str, order_id: str, outcome: str, increment_id: str | None = None,
                     agent_id: str | None = None, correlation_id: str | None = None, input: Any = None,
                     magento_result: Any = None, error: str | None = None) -> int:
        """Append one audit row; returns its id."""
        with self.engine.begin() as conn:
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
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]


def init_app(app: Flask) -> None:
    """Open the database, create or upgrade the schema and refuse to start with unreadable credentials."""
    storage = Storage(app.config["DATABASE_URL"], app.config["SECRET_KEY"])
    storage.create_schema()
    storage.check_secrets()
    app.extensions["storage"] = storage


def get_storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions["storage"]
