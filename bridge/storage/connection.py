"""The Magento connection: the one store every worker signs for, its secrets encrypted at rest."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bridge.storage.database import Database
from bridge.storage.database import magento_connection
from bridge.storage.database import utcnow
from bridge.storage.secrets import SecretBox

ENCRYPTED = ("consumer_secret", "access_token", "access_token_secret")


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


class ConnectionStore:
    """Reads and writes the ``magento_connection`` row (id = 1)."""

    def __init__(self, db: Database, box: SecretBox):
        self.db = db
        self.box = box

    def get(self) -> StoredConnection | None:
        """The stored connection, decrypted, or None."""
        values = self.db.one(sa.select(magento_connection).where(magento_connection.c.id == 1))
        if values is None:
            return None
        values.pop("id")
        for name in ENCRYPTED:
            values[name] = self.box.decrypt(values[name])
        return StoredConnection(**values)

    def check_secrets(self) -> None:
        """Refuse to start when stored credentials exist but cannot be decrypted."""
        self.get()

    def fingerprint(self) -> tuple | None:
        """(version, updated_at) of the stored connection, or None: one indexed read, no decryption."""
        with self.db.connect() as conn:
            row = conn.execute(sa.select(magento_connection.c.version, magento_connection.c.updated_at)
                               .where(magento_connection.c.id == 1)).first()
        return tuple(row) if row else None

    def save(self, *, store_base_url: str, consumer_key: str, consumer_secret: str, access_token: str,
             access_token_secret: str, source: str = "activation") -> int:
        """Store (or replace) the active connection; returns its new version."""
        now = utcnow()
        values = {
            "store_base_url": store_base_url,
            "consumer_key": consumer_key,
            "consumer_secret": self.box.encrypt(consumer_secret),
            "access_token": self.box.encrypt(access_token),
            "access_token_secret": self.box.encrypt(access_token_secret),
            "source": source,
            "updated_at": now,
            "last_success_at": None,
        }
        update = (magento_connection.update().where(magento_connection.c.id == 1)
                  .values(version=magento_connection.c.version + 1, **values).returning(magento_connection.c.version))
        insert = (magento_connection.insert().values(id=1, version=1, connected_at=now, **values)
                  .returning(magento_connection.c.version))
        return self.db.upsert(update, insert)

    def delete(self) -> bool:
        """Forget the stored connection; True when there was one."""
        with self.db.begin() as conn:
            return bool(conn.execute(magento_connection.delete()).rowcount)

    def record_success(self, at: datetime | None = None) -> None:
        """Stamp the stored connection's last successful Magento call (does not change its fingerprint)."""
        with self.db.begin() as conn:
            conn.execute(magento_connection.update().where(magento_connection.c.id == 1)
                         .values(last_success_at=at or utcnow()))

    def last_success(self) -> datetime | None:
        """When the stored connection last reached Magento, or None; also proves the database answers."""
        with self.db.connect() as conn:
            return conn.execute(sa.select(magento_connection.c.last_success_at)
                                .where(magento_connection.c.id == 1)).scalar()
