"""The database every store shares: engines, the schema and its upgrades, the cross-node lock.

SQLAlchemy Core on SQLite (default) or PostgreSQL. Every write is one statement (conditional UPDATE, or
INSERT that may hit a unique key), so it stays atomic across gunicorn workers and across nodes sharing one
PostgreSQL database; the few that need more run in one transaction under :meth:`Database.lock`.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import zlib
from contextlib import AbstractContextManager
from datetime import datetime
from datetime import timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bridge.errors import ConfigError
from bridge.errors import StorageUnavailable
from bridge.storage.writable import SqliteFile
from bridge.storage.writable import read_only_is_unavailable

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
# Statements that bring a database from version N-1 to N; create_all adds new tables by itself.
UPGRADES: dict[int, tuple[str, ...]] = {
    # The journal's checkpoint: what an action saw just before its Magento write, for crash recovery.
    2: ("ALTER TABLE action_journal ADD COLUMN checkpoint JSON",
        "CREATE INDEX ix_action_journal_order_action ON action_journal (order_id, action)"),
    # Keys are (action, order, form token): a resubmission is told apart by the digest of its validated input.
    3: ("ALTER TABLE action_journal ADD COLUMN input_digest VARCHAR(64)",),
    # 4 adds ai_reservation, which create_all creates.
}
# Errors that mean "the database cannot be reached right now", as opposed to a bug in a statement.
STORAGE_FAILURES = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, StorageUnavailable)
SCHEMA_RETRY_SECONDS = 2.0  # a worker that could not create the schema tries again at most this often
WAL_ATTEMPTS = 20
CONNECT_TIMEOUT = 5  # seconds; a blackholed PostgreSQL host must not outlast gunicorn's worker boot
WRITE_CHECK_SECONDS = 5.0  # how long /readyz trusts its last proof that the database takes writes
TRUNCATED = "\u2026"  # ends a value cut to its column's length
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

# Fixed-window counter of new activation attempts per store, against activation floods: shared by every worker and node.
activation_throttle = sa.Table(
    "activation_throttle", metadata,
    sa.Column("store", sa.String(512), primary_key=True),
    sa.Column("window_start", UTCDateTime, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)

# Fixed-window counter of /preview sign-in attempts per client address, against password guessing: shared by every
# worker and node.
preview_throttle = sa.Table(
    "preview_throttle", metadata,
    sa.Column("client", sa.String(64), primary_key=True),
    sa.Column("window_start", UTCDateTime, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Index("ix_preview_throttle_window_start", "window_start"),  # expired windows are deleted on every attempt
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
    sa.Column("input_digest", sa.String(64)),  # of the validated input, set with the checkpoint
    sa.Column("gladly_agent_id", sa.String(128)),
    sa.Column("correlation_id", sa.String(128)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Every submission looks for expired claims on its order and action (crash recovery).
    sa.Index("ix_action_journal_order_action", "order_id", "action"),
)

# Gladly AI's refunds counted against its daily cap per store: one row per refund (its journal key), held from
# before the Magento write until the run ends; spent when it refunded, deleted when it did not.
ai_reservation = sa.Table(
    "ai_reservation", metadata,
    sa.Column("key", sa.String(200), primary_key=True),  # the run's journal key
    # What the reservation counts against: the store (refund amounts, its daily cap) or
    # coupon:<store>:<customer id> (one goodwill coupon per customer per period).
    sa.Column("scope", sa.String(700), nullable=False),
    sa.Column("store", sa.String(512), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),  # the operation whose journal settles a dead run's hold
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("amount", sa.Numeric(20, 4), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # held or spent
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_ai_reservation_scope_created", "scope", "created_at"),
    sa.Index("ix_ai_reservation_store_status", "store", "status"),
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


def database_url(url: str) -> sa.URL:
    """The SQLAlchemy URL for a configured one: ``postgresql://`` goes through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def bounded(table: sa.Table, **values: Any) -> dict[str, Any]:
    """``values`` for ``table``, each string cut to its column's length and then ending in an ellipsis.

    Header values (Gladly-Agent-Id, Gladly-Correlation-Id) have no length limit of their own: PostgreSQL refuses a
    longer one (and the whole audit row with it) where SQLite would keep it whole.
    """
    def fit(name: str, value: Any) -> Any:
        length = getattr(table.c[name].type, "length", None)
        if not isinstance(value, str) or length is None or len(value) <= length:
            return value
        return value[:length - len(TRUNCATED)] + TRUNCATED

    return {name: fit(name, value) for name, value in values.items()}


def describe_url(url: str) -> str:
    """A database URL fit for a log line: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file(url: sa.URL) -> str | None:
    """The path of a SQLite database file, None for other back ends and in-memory databases."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return url.database
    return None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # busy_timeout first: every later statement then waits for the write lock instead of failing with
    # "database is locked".
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL lets readers run beside the one writer; it is a property of the file, so it is set once. Switching
        # takes an exclusive lock and answers "database is locked" at once, without the busy handler, when another
        # connection holds the file: two gunicorn workers opening a new database together. Retry a
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
            # hide_parameters: a failed statement's message (logged with its traceback) would carry the values
            # it wrote: comment text, a shopper's address (SQLAlchemy's create_engine, "hide_parameters").
            if parsed.get_backend_name() == "sqlite":
                path = _sqlite_file(parsed)
                if path:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                                          connect_args={"timeout": 30})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                                          connect_args={"connect_timeout": CONNECT_TIMEOUT})
            sa.event.listen(engine, "handle_error", read_only_is_unavailable)
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


class Database:
    """One engine whose schema is created on first use; the stores' connections and transactions. A SQLite file
    deleted, moved or replaced under a running bridge is noticed before every connection (``writable.py``)."""

    def __init__(self, url: str):
        self.engine = get_engine(url)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._schema_retry_at = float("-inf")
        path = _sqlite_file(database_url(url))
        self._file = SqliteFile(path) if path else None
        self._writable_at = float("-inf")

    def _ready(self) -> Engine:
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
        if self._file:
            self._file.check(self.engine)
        return self.engine

    def check_writable(self) -> None:
        """Raise StorageUnavailable unless the database takes writes now: a no-op UPDATE, rolled back, trusted
        for WRITE_CHECK_SECONDS."""
        if time.monotonic() - self._writable_at < WRITE_CHECK_SECONDS:
            self._ready()  # the file check stays cheap enough for every call
            return
        with self.connect() as conn:
            # Takes the write lock (SQLite) or meets the read-only check (PostgreSQL) without changing a row.
            conn.execute(schema_version.update().where(sa.false()).values(version=schema_version.c.version))
            conn.rollback()
        self._writable_at = time.monotonic()

    def connect(self) -> sa.Connection:
        """A connection (commit it yourself); raises StorageUnavailable while the schema cannot be created."""
        return self._ready().connect()

    def begin(self) -> AbstractContextManager[sa.Connection]:
        """A connection in a transaction committed on leaving the ``with`` block."""
        return self._ready().begin()

    def lock(self, conn: sa.Connection) -> None:
        """Begin a transaction that excludes every other worker and node until commit."""
        if self.engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes SQLite's write lock now, not at the first write

    def one(self, query) -> dict | None:
        """The first row of ``query`` as a dict, or None."""
        with self.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def upsert(self, update, insert) -> Any:
        """Run ``update``, else ``insert`` (both RETURNING one value); a racing insert makes the retry an update."""
        for _ in range(3):
            with self.begin() as conn:
                value = conn.execute(update).scalar()
            if value is not None:
                return value
            try:
                with self.begin() as conn:
                    return conn.execute(insert).scalar()
            except IntegrityError:
                continue
        raise RuntimeError("row vanished and reappeared three times")  # pragma: no cover

    def create_schema(self) -> int:
        """Create missing tables and apply upgrades (``bridge db upgrade``); safe to run from many workers at once.
        Returns the schema version."""
        with self.engine.connect() as conn:
            # DDL is transactional on both back ends, so a second starting worker waits for the lock and
            # then finds everything in place.
            self.lock(conn)
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
        if self._file:
            self._file.opened()
        self._schema_ready = True
        return SCHEMA_VERSION
