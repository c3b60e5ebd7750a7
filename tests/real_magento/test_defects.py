"""Regression tests for the defects a real Magento 2.4.6 found, each run against the real store.

Every test here failed before its fix. Tests that change the store (a saved setting, an order's status, an
integration's state) put it back, so the rest of the session sees the seeded shop.
"""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bridge.cli.doctor import CHECKED_ROUTES
from magento_bridges import bridge_log
from magento_bridges import gladly_integration
from magento_bridges import integration_role
from magento_bridges import line_of_new_product
from magento_kit import ROOT
from tests.processes import SIGNING_KEY
from tests.processes import stop

SETUP_CODE_PATH = "gladly_connector/general/setup_code"
BRIDGE_URL_PATH = "gladly_connector/general/bridge_url"


# --- helpers --------------------------------------------------------------------------------------------

@pytest.fixture
def fresh_bridge(pinned_bridge, activations):
    """A second bridge on the pinned bridge's stored connection, without a cache: every lookup reads the
    store's settings (module config, store views) anew, so a test sees what it just changed in Magento."""
    bridge = activations.start(pinned=True, env={"BRIDGE_DATA_DIR": str(pinned_bridge.workdir),
                                                 "BRIDGE_CACHE_TTL": "0"})
    bridge.workdir = pinned_bridge.workdir
    yield bridge
    stop(bridge.process)


def detailed(bridge, external_id: str) -> dict:
    """The one profile of a detailed lookup."""
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": external_id}})
    assert reply.status_code == 200, reply.text + bridge_log(bridge)[-3000:]
    [profile] = reply.json()["results"]
    return profile


def order_of(profile: dict, increment_id: str) -> dict:
    return next(order for order in profile["transactions"] if order["orderNumber"] == increment_id)


def stored_config(magento, path: str) -> str | None:
    """A default-scope setting as stored; None when there is no row or its value is NULL."""
    rows = magento.sql(f"SELECT value FROM core_config_data WHERE path = '{path}' AND scope = 'default'")
    return rows[0][0] if rows and rows[0][0] != "NULL" else None


@contextmanager
def restored_config(magento, path: str):
    """Put a default-scope setting back as it was (row, NULL or value) after the block."""
    rows = magento.sql(f"SELECT value IS NULL, value FROM core_config_data WHERE path = '{path}' "
                       "AND scope = 'default'")
    try:
        yield
    finally:
        if not rows:
            magento.sql(f"DELETE FROM core_config_data WHERE path = '{path}'")
        else:
            is_null, value = rows[0]
            value_sql = "NULL" if is_null == "1" else "'" + value.replace("'", "''") + "'"
            magento.sql(f"UPDATE core_config_data SET value = {value_sql} WHERE path = '{path}' "
                        "AND scope = 'default'")
        magento.clean_cache()


def config_set_in_mode(magento, mode: str, path: str, value: str) -> subprocess.CompletedProcess:
    """``bin/magento config:set`` with the deploy mode overridden for this one run (MAGE_MODE is read by
    Magento's bootstrap before app/etc/env.php), as on a store in that mode."""
    return subprocess.run(["php", "bin/magento", "config:set", path, value], cwd=magento.dir, text=True,
                          capture_output=True, timeout=600, env={**os.environ, "MAGE_MODE": mode})


def run_check(magento, bridge) -> subprocess.CompletedProcess:
    """``bridge magento check`` with the pinned bridge's settings and stored connection."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    env.update({"BRIDGE_MAGENTO_URL": magento.base_url, "BRIDGE_MAGENTO_ADMIN_URL": magento.admin_url,
                "BRIDGE_DATA_DIR": str(bridge.workdir), "BRIDGE_SECRET_KEY": "e2e-secret-key",
                "BRIDGE_GLADLY_SIGNING_KEY": SIGNING_KEY})
    return subprocess.run([str(Path(sys.executable).parent / "bridge"), "magento", "check"], cwd=ROOT, env=env,
                          text=True, capture_output=True, timeout=300)


# --- 1. the setup code is served in plain text ------------------------------------------------------------

def test_setup_code_is_served_as_saved_and_a_pinned_bridge_keeps_working(magento, seed, fresh_bridge):
    with restored_config(magento, SETUP_CODE_PATH):
        magento.config_set(SETUP_CODE_PATH, "ABCD-EFGH-2345")
        assert stored_config(magento, SETUP_CODE_PATH).startswith("0:3:")  # Magento stores it encrypted

        reply = magento.rest("GET", "/V1/gladly/config")
        assert reply.status_code == 200, reply.text  # was HTTP 500, "Malformed UTF-8" from a double decrypt
        assert reply.json()["setup_code"] == "ABCD-EFGH-2345"
        # A pinned bridge reads that route for every detailed lookup: it used to answer 502 while a code was saved.
        profile = detailed(fresh_bridge, str(seed.customers["bob"]["id"]))
        assert profile["transactions"]


# --- 2. http:// bridge URLs on loopback --------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"])
def test_an_http_bridge_url_on_loopback_is_accepted_even_in_production_mode(magento, url):
    with restored_config(magento, BRIDGE_URL_PATH):
        result = config_set_in_mode(magento, "production", BRIDGE_URL_PATH, url + "/")
        assert result.returncode == 0, result.stdout + result.stderr
        assert stored_config(magento, BRIDGE_URL_PATH) == url
        assert gladly_integration(magento)["endpoint"] == url + "/magento/oauth/callback"


def test_an_http_bridge_url_elsewhere_is_refused_in_production_mode_with_the_reason(magento):
    with restored_config(magento, BRIDGE_URL_PATH):
        before = stored_config(magento, BRIDGE_URL_PATH)
        result = config_set_in_mode(magento, "production", BRIDGE_URL_PATH, "http://bridge.example.com")
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "accepted only for a bridge on this machine" in output, output
        assert "production mode" in output
        assert stored_config(magento, BRIDGE_URL_PATH) == before

        # The kit's store runs in developer mode, where a test bridge elsewhere may use http.
        result = config_set_in_mode(magento, "developer", BRIDGE_URL_PATH, "http://bridge.example.com")
        assert result.returncode == 0, result.stdout + result.stderr
        assert stored_config(magento, BRIDGE_URL_PATH) == "http://bridge.example.com"


# --- 3. order status labels ------------------------------------------------------------------------------

@contextmanager
def order_status(magento, entity_id: int, state: str, status: str):
    """Give a seeded order another state and status for the block (the grid copy too)."""
    before = magento.sql(f"SELECT state, status FROM sales_order WHERE entity_id = {entity_id}")[0]
    magento.sql(f"UPDATE sales_order SET state = '{state}', status = '{status}' WHERE entity_id = {entity_id}")
    try:
        yield
    finally:
        magento.sql(f"UPDATE sales_order SET state = '{before[0]}', status = '{before[1]}' "
                    f"WHERE entity_id = {entity_id}")


def test_order_status_shows_the_stores_labels_custom_statuses_included(magento, seed, fresh_bridge):
    order = seed.orders["bob_canceled"]
    bob = str(seed.customers["bob"]["id"])
    magento.sql("INSERT INTO sales_order_status (status, label) VALUES ('gladly_awaiting_stock', 'Awaiting Stock')")
    try:
        with order_status(magento, order["entity_id"], "holded", "holded"):
            assert order_of(detailed(fresh_bridge, bob), order["increment_id"])["orderStatus"] == "On Hold"
        with order_status(magento, order["entity_id"], "processing", "fraud"):
            assert order_of(detailed(fresh_bridge, bob), order["increment_id"])["orderStatus"] == "Suspected Fraud"
        with order_status(magento, order["entity_id"], "processing", "gladly_awaiting_stock"):
            assert order_of(detailed(fresh_bridge, bob), order["increment_id"])["orderStatus"] == "Awaiting Stock"
            # A store view label (Stores > Order Status > Edit, "Store View Specific Labels") wins there.
            magento.sql("INSERT INTO sales_order_status_label (status, store_id, label) "
                        "VALUES ('gladly_awaiting_stock', 1, 'Back-ordered')")
            assert order_of(detailed(fresh_bridge, bob), order["increment_id"])["orderStatus"] == "Back-ordered"
    finally:
        magento.sql("DELETE FROM sales_order_status WHERE status = 'gladly_awaiting_stock'")  # labels cascade


# --- 4. customerSince in the store's timezone ------------------------------------------------------------

def test_customer_since_is_the_stores_date_for_a_customer_created_near_midnight(magento, pinned_bridge):
    customer = magento.post("/V1/customers", {"customer": {
        "email": "night.owl@example.com", "firstname": "Night", "lastname": "Owl", "website_id": 1}})
    try:
        # 03:30 UTC: the evening before in the kit's America/Chicago (as the admin's customer grid shows it).
        magento.sql(f"UPDATE customer_entity SET created_at = '2024-03-05 03:30:00' WHERE entity_id = {customer['id']}")
        store_id = int(magento.get(f"/V1/customers/{customer['id']}")["store_id"])
        expected = magento.local_time("2024-03-05 03:30:00", store_id or 1)
        assert expected != "2024-03-05"  # the store's zone is west of UTC, or this test proves nothing

        profile = detailed(pinned_bridge, str(customer["id"]))
        assert profile["customAttributes"]["customerSince"] == expected
    finally:
        magento.rest("DELETE", f"/V1/customers/{customer['id']}")


def test_guest_since_is_the_stores_date_of_the_first_guest_order(magento, seed, pinned_bridge):
    first = min((seed.orders[role] for role in ("guest_pending", "guest_invoiced")), key=lambda o: o["entity_id"])
    before = magento.sql(f"SELECT created_at, store_id FROM sales_order WHERE entity_id = {first['entity_id']}")[0]
    magento.sql(f"UPDATE sales_order SET created_at = '2020-01-02 04:15:00' WHERE entity_id = {first['entity_id']}")
    try:
        expected = magento.local_time("2020-01-02 04:15:00", int(before[1]))
        assert expected != "2020-01-02"  # the store's zone is west of UTC, or this test proves nothing
        profile = detailed(pinned_bridge, f"guest:{seed.guest['email']}")
        assert profile["customAttributes"]["customerSince"] == expected
    finally:
        magento.sql(f"UPDATE sales_order SET created_at = '{before[0]}' WHERE entity_id = {first['entity_id']}")


# --- 5. no product URL for a product without a storefront page -----------------------------------------------

def _assert_line_without_product_url(magento, bridge, seed, order, item, product):
    catalog_page = magento.base_url + f"catalog/product/view/id/{product['id']}"
    assert requests.get(catalog_page, timeout=120).status_code == 404  # where a link would lead
    line = next(line for line in order_of(detailed(bridge, str(seed.customers["bob"]["id"])),
                                          order["increment_id"])["products"]
                if line["id"] == str(item["item_id"]))
    assert not line.get("productUrl")
    assert line["name"] == item["name"]  # the line itself is still shown


def test_a_product_deleted_in_magento_gets_no_product_url(magento, seed, pinned_bridge):
    with line_of_new_product(magento, seed, sku="GLADLY-GONE") as (order, item, product):
        assert magento.rest("DELETE", "/V1/products/GLADLY-GONE").json() is True
        _assert_line_without_product_url(magento, pinned_bridge, seed, order, item, product)


@pytest.mark.parametrize("hidden", [{"status": 2}, {"visibility": 1}], ids=["disabled", "not-visible-individually"])
def test_a_product_the_storefront_does_not_show_gets_no_product_url(magento, seed, pinned_bridge, hidden):
    sku = "GLADLY-HIDDEN-" + "-".join(f"{key}{value}" for key, value in hidden.items())
    with line_of_new_product(magento, seed, sku=sku) as (order, item, product):
        # Hidden after creation, as a merchant would (created disabled, Magento 2.4.6 fails to save its stock).
        magento.put(f"/V1/products/{sku}", {"product": {"sku": sku, **hidden}})
        assert {key: magento.get(f"/V1/products/{sku}")[key] for key in hidden} == hidden
        _assert_line_without_product_url(magento, pinned_bridge, seed, order, item, product)


# --- 6. deep link while logged out ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["order", "customer"])
def test_a_deep_link_opened_logged_out_lands_on_its_page_after_login(magento, seed, admin_ui, kind):
    assert stored_config(magento, "admin/security/use_form_key") in (None, "1")  # secret keys on (default)
    if kind == "order":
        order = seed.orders["bob_shipped"]
        link, landing, shown = (f"gladlybridge/open/order/id/{order['entity_id']}/",
                                f"sales/order/view/order_id/{order['entity_id']}/", f"# {order['increment_id']}")
    else:
        bob = seed.customers["bob"]
        link, landing, shown = (f"gladlybridge/open/customer/id/{bob['id']}/",
                                f"customer/index/edit/id/{bob['id']}/", f"{bob['firstname']} {bob['lastname']}")
    with admin_ui.page(login=False) as page:
        admin_ui.login(page, magento.admin_url + link)  # the login form is shown at the deep link itself

        assert landing in page.url, page.url  # was admin/dashboard/
        assert "/key/" in page.url
        page.wait_for_selector(f"text={shown}")


# --- 7. `bridge magento check`: inactive, revoked, one missing grant ----------------------------------------

def test_check_says_an_inactive_integration_is_inactive(magento, pinned_bridge):
    magento.sql("UPDATE integration SET status = 0 WHERE name = 'Gladly'")
    try:
        result = run_check(magento, pinned_bridge)
    finally:
        magento.sql("UPDATE integration SET status = 1 WHERE name = 'Gladly'")
    assert result.returncode == 1
    assert "the Gladly integration is inactive" in result.stdout, result.stdout
    assert "Activate (or Reauthorize)" in result.stdout
    assert "missing ACL resource" not in result.stdout


def test_check_says_a_revoked_token_is_revoked(magento, pinned_bridge):
    consumer = gladly_integration(magento)["consumer_id"]
    magento.sql(f"UPDATE oauth_token SET revoked = 1 WHERE consumer_id = {consumer} AND type = 'access'")
    try:
        result = run_check(magento, pinned_bridge)
    finally:
        magento.sql(f"UPDATE oauth_token SET revoked = 0 WHERE consumer_id = {consumer} AND type = 'access'")
    # Unlike an inactive integration, Magento says so itself (Token\Provider::validateAccessTokenRequest).
    assert result.returncode == 1
    assert "FAIL GET /V1/orders: Magento refused the bridge's call: Access token has been revoked" in result.stdout, \
        result.stdout
    assert "Reauthorize" in result.stdout
    assert "missing ACL resource" not in result.stdout and "inactive" not in result.stdout


def test_check_names_one_missing_grant(magento, pinned_bridge):
    role = integration_role(magento)
    magento.sql(f"DELETE FROM authorization_rule WHERE role_id = {role} AND resource_id = 'Magento_Sales::shipment'")
    magento.clean_cache()  # Magento caches the ACL
    try:
        result = run_check(magento, pinned_bridge)
    finally:
        magento.sql("INSERT INTO authorization_rule (role_id, resource_id, privileges, permission) "
                    f"VALUES ({role}, 'Magento_Sales::shipment', NULL, 'allow')")
        magento.clean_cache()
    assert result.returncode == 1
    assert "FAIL GET /V1/shipments: missing ACL resource Magento_Sales::shipment" in result.stdout, result.stdout
    # The module's one-request read requires the shipments' resource too, and says so in Magento's own words.
    assert "FAIL GET /V1/gladly/profile: missing ACL resource Magento_Sales::shipment" in result.stdout
    assert "OK   GET /V1/orders " in result.stdout
    assert "inactive" not in result.stdout
    assert f"2 of {len(CHECKED_ROUTES)} routes failed." in result.stdout
