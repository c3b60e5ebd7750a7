"""One-click activation end to end: the sandbox plays Magento's side, the bridge runs under gunicorn."""
from __future__ import annotations

import re
import time

import pytest
import requests

from bridge.magento.registry import CHECK_INTERVAL
from tests.e2e.conftest import start_bridge
from tests.e2e.conftest import start_sandbox
from tests.e2e.conftest import stop

pytestmark = pytest.mark.e2e

DETAILED = {"lookupLevel": "DETAILED", "uniqueMatchRequired": True, "query": {"externalCustomerId": "3"}}


def wait_for_lookup_status(bridge, status: int, seconds: float = 15.0) -> requests.Response:
    """Poll a detailed lookup until it answers ``status``, then a lookup once every worker has seen the change.

    The worker that answered first may be the only one yet: each worker reads the stored connection at
    most every CHECK_INTERVAL seconds (bridge/magento/registry.py), so a sibling that looked just before
    still answers from what it had until then.
    """
    deadline = time.monotonic() + seconds
    while True:
        reply = bridge.lookup(DETAILED)
        if reply.status_code == status:
            time.sleep(CHECK_INTERVAL + 0.5)
            return bridge.lookup(DETAILED)
        if time.monotonic() > deadline:
            return reply
        time.sleep(0.3)


@pytest.fixture
def stores(tmp_path):
    """The merchant's store, an attacker's store, and a bridge bound to the merchant's store."""
    shop = start_sandbox(tmp_path)
    attacker = start_sandbox(tmp_path)
    bridge = start_bridge(tmp_path, {"BRIDGE_MAGENTO_URL": shop.url, "BRIDGE_MAGENTO_ADMIN_URL": shop.url + "admin/"})
    yield shop, attacker, bridge
    for process in (bridge.process, shop.process, attacker.process):
        stop(process)


def activate(store, bridge) -> str:
    reply = store.call("POST", "/sandbox/activate", json={
        "endpoint_url": bridge.url + "/magento/oauth/callback",
        "identity_url": bridge.url + "/magento/oauth/identity"}).json()
    assert reply["post_status"] == 200
    return reply["consumer_key"]


def test_activation_then_lookup_then_reauthorize(stores):
    shop, attacker, bridge = stores
    assert bridge.lookup(DETAILED).status_code == 503  # not connected yet

    consumer_key = activate(shop, bridge)
    # The identity pop-up finishes the exchange and sends the admin back to Magento.
    popup = requests.get(bridge.url + "/magento/oauth/identity", timeout=20, allow_redirects=False, params={
        "oauth_consumer_key": consumer_key,
        "success_call_back": shop.url + "admin/admin/integration/loginSuccessCallback"})
    assert popup.status_code in (200, 302, 303)
    reply = wait_for_lookup_status(bridge, 200)
    assert reply.status_code == 200
    assert reply.json()["results"][0]["externalCustomerId"] == "3"

    # A stranger's store cannot take over the bridge: its post is refused and lookups keep working.
    forged = attacker.call("POST", "/sandbox/activate", json={
        "endpoint_url": bridge.url + "/magento/oauth/callback",
        "identity_url": bridge.url + "/magento/oauth/identity"}).json()
    assert forged["post_status"] >= 400
    assert bridge.lookup(DETAILED).status_code == 200

    # A replayed callback for the same consumer with made-up secrets fails its exchange and changes nothing.
    replay = requests.post(bridge.url + "/magento/oauth/callback", timeout=10, data={
        "oauth_consumer_key": consumer_key, "oauth_consumer_secret": "x" * 32,
        "store_base_url": shop.url, "oauth_verifier": "y" * 32})
    assert replay.status_code < 500
    time.sleep(1.0)
    assert bridge.lookup(DETAILED).status_code == 200

    # Reauthorize: Magento revokes the old token and posts a new verifier; the bridge swaps tokens.
    shop.call("POST", "/sandbox/reauthorize")
    reply = wait_for_lookup_status(bridge, 200)
    assert reply.status_code == 200
    stats = shop.call("GET", "/sandbox/stats").json()
    assert stats["calls"] > 0


def test_unpinned_bridge_activates_only_the_store_that_holds_its_setup_code(tmp_path):
    """No BRIDGE_MAGENTO_URL: the store must publish the printed setup code through the module's config."""
    shop, stranger = start_sandbox(tmp_path), start_sandbox(tmp_path)
    bridge = start_bridge(tmp_path, {})
    try:
        log = next(tmp_path.glob("bridge-*.log")).read_text()
        [code] = set(re.findall(r"Setup code for the Magento module: ([A-Z0-9]{4}-[A-Z0-9]{4})", log))
        stranger.call("POST", "/sandbox/config", json={"setup_code": "AAAA-BBBB"})
        activate(stranger, bridge)
        assert wait_for_lookup_status(bridge, 200, seconds=3).status_code == 503  # still not connected

        shop.call("POST", "/sandbox/config", json={"setup_code": code})
        activate(shop, bridge)
        reply = wait_for_lookup_status(bridge, 200)
        assert reply.status_code == 200
        assert reply.json()["results"][0]["customAttributes"]["customerLink"].startswith(shop.url)
    finally:
        for process in (bridge.process, shop.process, stranger.process):
            stop(process)
