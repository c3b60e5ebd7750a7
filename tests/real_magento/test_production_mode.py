"""One pass in Magento's production mode behind PHP-FPM and nginx, as merchants run it (newest kit version).

``setup.sh --server fpm --mode production`` installs the store with the module (compiled DI, static content
deployed, no code generated on demand, admin URLs with secret keys). On it: the install, activation from the
admin in Chromium, the bridge's admin deep links opened in the signed-in admin, a signed lookup and an
action. Its own store (cache folder production-<version>, port and database after the versions' ones), built
once and cached like the others. It runs when BRIDGE_TEST_MAGENTO_THOROUGH=1 (CI); `make test` leaves it
out to stay within its time (a first production install takes 5 minutes on a busy 2-core machine).
"""
from __future__ import annotations

import time

import pytest
import requests

from magento_bridges import Activations
from magento_bridges import bridge_log
from magento_bridges import gladly_integration
from magento_bridges import is_connected
from magento_kit import Kit
from magento_kit import Seed
from magento_kit import selection
from magento_kit import skip_or_fail
from magento_kit import thorough_only
from magento_kit import unavailable_reason
from tests.gladly_client import open_form
from tests.gladly_client import submit


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """The production-mode store: (RealMagento, Seed)."""
    thorough_only("the production-mode pass")
    chosen = selection()
    archive = chosen.newest
    reason = chosen.reason or unavailable_reason(archive)
    if reason:
        skip_or_fail(reason)
    kit = Kit.for_archive(archive, chosen, production=True)
    magento, manifest, _ = kit.open(progress=lambda line: print(f"\n[magento] {line}", flush=True))
    yield magento, Seed(**manifest)
    magento.stop()


@pytest.fixture(scope="session")
def production_admin(production, artifacts, chromium):
    from magento_admin import AdminUI

    return AdminUI(production[0], artifacts, chromium)


@pytest.fixture(scope="session")
def production_bridge(production, production_admin, tmp_path_factory):
    """A bridge pinned to the production store, activated from its admin: (bridge, pop-up text)."""
    magento, seed = production
    activations = Activations(magento, production_admin, tmp_path_factory.mktemp("production-bridges"))
    bridge = activations.start(pinned=True)
    popup = activations.connect(bridge)
    deadline = time.monotonic() + 30
    while not is_connected(bridge, seed.customers["bob"]["email"]) and time.monotonic() < deadline:
        time.sleep(1)
    yield bridge, popup
    activations.stop_all()


def test_the_store_runs_in_production_mode_behind_php_fpm_and_nginx(production):
    magento, _ = production
    assert "application mode: production." in magento.cli("deploy:mode:show")
    assert "Module is enabled" in magento.cli("module:status", "Gladly_Connector")
    assert (magento.dir / "generated" / "metadata" / "global.php").is_file()  # setup:di:compile's output
    reply = requests.get(magento.base_url + "rest/V1/store/storeConfigs", timeout=60)
    assert reply.status_code == 401 and reply.headers["Server"].startswith("nginx")
    assert (magento.dir / "var" / "php-fpm.pid").is_file()
    assert magento.rest("GET", "/V1/gladly/config").json()["admin_base_url"] == magento.admin_url


def test_activation_from_the_admin(production, production_bridge):
    magento, seed = production
    bridge, popup = production_bridge
    assert "Connected" in popup, popup + bridge_log(bridge)[-3000:]
    assert gladly_integration(magento)["status"] == "1"  # Active
    assert is_connected(bridge, seed.customers["bob"]["email"])


def test_a_signed_lookup_carries_deep_links_that_open_their_page_in_the_signed_in_admin(
        production, production_bridge, production_admin):
    magento, seed = production
    bridge, _ = production_bridge
    bob, order = seed.customers["bob"], seed.orders["bob_shipped"]
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": str(bob["id"])}})
    assert reply.status_code == 200, reply.text
    [profile] = reply.json()["results"]
    [transaction] = [t for t in profile["transactions"] if t["orderNumber"] == order["increment_id"]]
    links = [(profile["customAttributes"]["customerLink"], f"customer/index/edit/id/{bob['id']}/",
              f"{bob['firstname']} {bob['lastname']}"),
             (transaction["orderLink"], f"sales/order/view/order_id/{order['entity_id']}/",
              f"# {order['increment_id']}")]
    with production_admin.page() as page:  # signed in first, then the links, as an agent would click them
        for link, landing, shown in links:
            assert link.startswith(magento.admin_url), link
            page.goto(link)
            page.wait_for_load_state("networkidle")
            assert landing in page.url, f"{link} landed on {page.url}"  # not the dashboard
            assert "/key/" in page.url  # the redirect added a valid secret key
            page.wait_for_selector(f"text={shown}")


def test_an_action_changes_the_order_in_magento(production, production_bridge):
    magento, seed = production
    bridge, _ = production_bridge
    order = seed.orders["act_hold"]
    customer = str(seed.customers["dora"]["id"])
    reply = submit(bridge, open_form(bridge, customer, order["increment_id"], "hold"), {"comment": "Address check"})
    assert reply.status_code == 200, reply.text
    assert magento.get(f"/V1/orders/{order['entity_id']}")["state"] == "holded"
