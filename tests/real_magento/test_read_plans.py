"""The two call plans of a lookup on real Magento (bridge/magento/read_plan.py): the stock routes and the
module's GET /V1/gladly/profile give the identical answer for every kind of seeded shopper, and a token
missing one of the stock routes' ACL resources gets Magento's own refusal from the module's route.

The lookups run in-process with the pinned bridge's credentials, like test_contract.py.
"""
from __future__ import annotations

import pytest

from bridge.errors import MagentoUnauthorized
from bridge.gladly.requests import load_lookup_request
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento.client import MagentoClient
from bridge.magento.store import clear_catalogs
from magento_bridges import bridge_credentials
from magento_bridges import ensure_pinned
from magento_bridges import integration_role
from magento_bridges import line_of_new_product

PLANS = ("stock", "module")


@pytest.fixture(scope="module")
def client(_pinned, activations, magento, seed):
    ensure_pinned(_pinned, activations, seed)  # its token is the integration's live one
    client = MagentoClient(magento.base_url, bridge_credentials(_pinned), read_timeout=60, retries=0)
    yield client
    client.close()
    clear_catalogs()


def answers(client, magento, body: dict, order_limit: int = 20) -> dict:
    """The lookup's answer by each plan, each from a cold cache (so that each reads the products itself)."""
    found = {}
    for plan in PLANS:
        clear_catalogs()
        settings = LookupSettings(magento_url=magento.base_url, admin_url=magento.base_url + "admin/",
                                  order_limit=order_limit, deadline=60, read_plan=plan)
        found[plan] = run_lookup(load_lookup_request(body), client, settings)
    return found


def detailed(external_id: str) -> dict:
    return {"lookupLevel": "DETAILED", "uniqueMatchRequired": True, "query": {"externalCustomerId": external_id}}


def shoppers(seed) -> dict[str, str]:
    """Every seeded kind of shopper by external id: customers (one on the second website, one with refunds and
    shipments, one with a configurable line, one without orders, one with many), the guest, and nobody."""
    return {**{name: str(customer["id"]) for name, customer in seed.customers.items()},
            "guest": f"guest:{seed.guest['email']}", "unknown customer": "987654",
            "unknown guest": "guest:nobody@example.com"}


@pytest.mark.parametrize("order_limit", [20, 2])  # 2: Bob and Dora have more orders, so the totals are read too
def test_both_plans_give_the_identical_detailed_answer(client, magento, seed, order_limit):
    for name, external_id in shoppers(seed).items():
        found = answers(client, magento, detailed(external_id), order_limit)
        assert found["stock"] == found["module"], name
        assert bool(found["stock"]) == ("unknown" not in name), name


def test_both_plans_agree_on_a_line_whose_product_was_deleted(client, magento, seed):
    with line_of_new_product(magento, seed, sku="GLADLY-GONE-PLANS") as (order, item, product):
        assert magento.rest("DELETE", "/V1/products/GLADLY-GONE-PLANS").json() is True
        found = answers(client, magento, detailed(str(seed.customers["bob"]["id"])))
    assert found["stock"] == found["module"]
    [profile] = found["module"]
    [transaction] = [t for t in profile.transactions if t.order_number == order["increment_id"]]
    [line] = [line for line in transaction.products if line.id == str(item["item_id"])]
    assert not line.product_url


def test_both_plans_give_the_identical_auto_link_and_search_answers(client, magento, seed):
    bob, alice = seed.customers["bob"], seed.customers["alice"]
    bodies = [
        {"lookupLevel": "BASIC", "uniqueMatchRequired": True, "query": {"emails": [bob["email"]]}},
        {"lookupLevel": "BASIC", "uniqueMatchRequired": True, "query": {"emails": [alice["email"]]}},
        {"lookupLevel": "BASIC", "uniqueMatchRequired": True, "query": {"emails": [seed.guest["email"]]}},
        {"lookupLevel": "BASIC", "uniqueMatchRequired": False, "query": {"name": "Bob Builder"}},
        {"lookupLevel": "BASIC", "uniqueMatchRequired": False,
         "query": {"orderNumber": seed.orders["bob_shipped"]["increment_id"]}},
    ]
    for body in bodies:
        found = answers(client, magento, body)
        assert found["stock"] and found["stock"] == found["module"], body


def test_a_token_missing_one_resource_gets_magentos_refusal_from_the_module(client, magento, seed):
    role = integration_role(magento)
    magento.sql(f"DELETE FROM authorization_rule WHERE role_id = {role} "
                "AND resource_id = 'Magento_Sales::sales_creditmemo'")
    magento.clean_cache()  # Magento caches the ACL
    try:
        # The route itself admits the token (it holds Magento_Sales::actions_view); the service refuses it.
        with pytest.raises(MagentoUnauthorized) as refused:
            client.get("/V1/gladly/profile", [("customerId", seed.customers["bob"]["id"])])
    finally:
        magento.sql("INSERT INTO authorization_rule (role_id, resource_id, privileges, permission) "
                    f"VALUES ({role}, 'Magento_Sales::sales_creditmemo', NULL, 'allow')")
        magento.clean_cache()
    assert refused.value.magento_status == 401
    assert "The consumer isn't authorized to access Magento_Sales::sales_creditmemo." in refused.value.detail
