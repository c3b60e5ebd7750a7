"""Whether the database may be written: a SQLite file replaced under the bridge, a read-only database.

SQLite goes on writing into a database file deleted or moved while it is open, and that data is gone at the next
start (https://www.sqlite.org/howtocorrupt.html, "Unlinking or renaming a database file while in use"). The
bridge notices before every connection and refuses (503) rather than open a new file: a new, empty journal
would let a replayed signed POST or a resubmitted form run again. Moving the same file back resumes; a
replaced file needs a restart, which is the operator's decision.
"""
from __future__ import annotations

import logging
import os

from sqlalchemy.engine import Engine

from bridge.errors import StorageUnavailable

log = logging.getLogger(__name__)

READ_ONLY_SQLSTATE = "25006"  # PostgreSQL's read_only_sql_transaction
SQLITE_READ_ONLY = "attempt to write a readonly database"  # SQLITE_READONLY's message


class DatabaseUnwritable(StorageUnavailable):
    """The database answers but must not be written: its file was deleted or replaced, or it is read-only.

    Gladly gets StorageUnavailable's answer; ``reason`` (also the text of the exception) is for logs and /readyz.
    """

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def _identity(path: str) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the file at ``path``, None when there is none."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


class SqliteFile:
    """The SQLite file a database opened, recognised by its (st_dev, st_ino) at the path."""

    def __init__(self, path: str):
        self.path = path
        self.identity: tuple[int, int] | None = None
        self.lost = False

    def opened(self) -> None:
        """Remember the file now at the path as the database's own."""
        self.identity = _identity(self.path)

    def check(self, engine: Engine) -> None:
        """Raise DatabaseUnwritable while the file at the path is not the one opened; the first time, close
        ``engine``'s pooled connections to the old file and log an error."""
        if self.identity is None:
            return
        found = _identity(self.path)
        if found == self.identity:
            if self.lost:
                self.lost = False
                log.warning("the database file %s is back: order actions and activation resume", self.path)
            return
        problem = DatabaseUnwritable(f"the database file {self.path} was {'replaced' if found else 'deleted or moved'}"
                                     " while the bridge ran")
        if not self.lost:
            self.lost = True
            engine.dispose()
            log.error("DATABASE FILE LOST: %s. Order actions and activation answer 503 until the same file is back "
                      "at that path or the bridge is restarted; no new file is created, since an empty journal "
                      "would let replayed submissions run again.", problem)
        raise problem


def read_only_is_unavailable(context) -> None:
    """SQLAlchemy ``handle_error`` hook: a write refused because the database is read-only is an outage (503
    storage_unavailable), not a bug in a statement (500). SQLAlchemy chains the driver's error as the cause."""
    # PostgreSQL: SQLSTATE 25006 on a hot standby or under default_transaction_read_only
    # (https://www.postgresql.org/docs/current/errcodes-appendix.html); SQLite: SQLITE_READONLY, a file the
    # process may not write (https://www.sqlite.org/rescode.html#readonly).
    error = context.original_exception
    if getattr(error, "sqlstate", None) == READ_ONLY_SQLSTATE or str(error).startswith(SQLITE_READ_ONLY):
        first = str(error).strip().splitlines()[0]
        raise DatabaseUnwritable(f"the database is read-only ({first})")
