"""The stored Magento connection: encrypted at rest, versioned, and a key that cannot read it stops the start."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bridge import create_app
from bridge.errors import ConfigError
from bridge.storage import Stores
from bridge.storage.database import magento_connection

CONNECTION = {
    "store_base_url": "https://shop.test/",
    "consumer_key": "a" * 32,
    "consumer_secret": "plain-consumer-secret-0000000000",
    "access_token": "plain-access-token-0000000000000",
    "access_token_secret": "plain-access-secret-000000000000",
}


def test_secrets_are_encrypted_at_rest(stores):
    stores.connection.save(**CONNECTION)
    with stores.database.engine.connect() as conn:
        raw = conn.execute(sa.select(magento_connection)).mappings().one()
    for name in ("consumer_secret", "access_token", "access_token_secret"):
        assert CONNECTION[name] not in raw[name]
    assert raw["consumer_key"] == CONNECTION["consumer_key"]
    stored = stores.connection.get()
    assert {name: getattr(stored, name) for name in CONNECTION} == CONNECTION
    assert stored.source == "activation" and stored.version == 1


def test_refuses_to_start_with_stored_credentials_and_no_key(app_config, database_url):
    app_config["DATABASE_URL"] = database_url
    create_app(app_config).extensions["storage"].connection.save(**CONNECTION)
    app_config["SECRET_KEY"] = None
    with pytest.raises(ConfigError, match="BRIDGE_SECRET_KEY is not set"):
        create_app(app_config)


def test_refuses_to_start_when_the_key_changed(app_config, database_url):
    app_config["DATABASE_URL"] = database_url
    create_app(app_config).extensions["storage"].connection.save(**CONNECTION)
    app_config["SECRET_KEY"] = "another-key"
    with pytest.raises(ConfigError, match="cannot decrypt the stored Magento credentials"):
        create_app(app_config)


def test_starts_without_key_while_nothing_is_stored_but_cannot_store(database_url):
    stores = Stores.open(database_url, None)
    stores.database.create_schema()
    stores.connection.check_secrets()
    with pytest.raises(ConfigError, match="BRIDGE_SECRET_KEY is required"):
        stores.connection.save(**CONNECTION)


def test_connection_version_and_fingerprint(stores):
    connection = stores.connection
    assert connection.fingerprint() is None
    assert connection.save(**CONNECTION) == 1
    first = connection.fingerprint()
    connection.record_success()
    assert connection.fingerprint() == first
    assert connection.get().last_success_at is not None
    assert connection.save(**{**CONNECTION, "access_token": "b" * 32}) == 2
    assert connection.get().access_token == "b" * 32
    assert connection.get().last_success_at is None
    assert connection.delete() is True
    assert connection.fingerprint() is None
    assert connection.delete() is False
    connection.save(**CONNECTION)
    assert connection.fingerprint() != first
