"""The two call plans of a detailed lookup (bridge/magento/read_plan.py) against the sandbox, which serves the
module's GET /V1/gladly/profile too: the same profiles from both, and the fallback to the stock plan."""
import pytest
from prometheus_client import REGISTRY

from bridge.errors import MagentoUnauthorized
from bridge.errors import MagentoUnavailable
from bridge.lookup.model import DETAILED
from bridge.lookup.model import LookupQuery
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.magento.store import clear_catalogs

PROFILE = "GET /V1/gladly/profile"
STOCK_ORDERS = "GET /V1/orders"


@pytest.fixture
def shop(live_sandbox):
    clear_catalogs()
    client = MagentoClient(live_sandbox.url, Credentials(**live_sandbox.store.credentials), retries=0)
    yield client
    client.close()
    clear_catalogs()


def shoppers(store) -> list[str]:
    """Every customer, and every guest-only shopper, of the sandbox's data."""
    guests = {order["customer_email"] for order in store.data.orders.values() if order.get("customer_is_guest")}
    return [str(customer_id) for customer_id in store.data.customers] + [f"guest:{email}" for email in sorted(guests)]


def detailed(shop, live_sandbox, external_id, plan, order_limit=20):
    settings = LookupSettings(magento_url=live_sandbox.url, admin_url=live_sandbox.url + "admin/",
                              order_limit=order_limit, read_plan=plan, deadline=30)
    return run_lookup(LookupQuery(kind=DETAILED, external_customer_id=external_id), shop, settings)


def plan_count(plan, outcome) -> float:
    return REGISTRY.get_sample_value("bridge_magento_read_plan_total", {"plan": plan, "outcome": outcome}) or 0.0


@pytest.mark.parametrize("order_limit", [1, 20])  # 1: shoppers with more orders than the limit need the totals
def test_both_plans_give_the_same_profiles(shop, live_sandbox, order_limit):
    for external_id in [*shoppers(live_sandbox.store), "987", "guest:nobody@example.org"]:
        answers = []
        for plan in ("stock", "module"):
            clear_catalogs()  # each plan reads the products itself
            live_sandbox.store.reset_stats()
            answers.append(detailed(shop, live_sandbox, external_id, plan, order_limit))
            calls = live_sandbox.store.stats()["by_route"]
            assert (calls.get(PROFILE, 0), calls.get(STOCK_ORDERS, 0) > 0) == (
                (0, True) if plan == "stock" else (1, False)), (external_id, plan, calls)
        assert answers[0] == answers[1], external_id
    assert detailed(shop, live_sandbox, "1", "module")  # the shoppers are there


def test_auto_reads_the_store_facts_with_the_stock_plan_then_uses_the_module(shop, live_sandbox):
    before = plan_count("module", "ok")
    first = detailed(shop, live_sandbox, "1", "auto")
    live_sandbox.store.reset_stats()
    assert detailed(shop, live_sandbox, "1", "auto") == first
    # One call: the store facts are cached, and the module reads everything else.
    assert live_sandbox.store.stats() == {"calls": 1, "by_route": {PROFILE: 1}}
    assert plan_count("module", "ok") == before + 1


def test_without_the_module_auto_keeps_to_the_stock_plan(shop, live_sandbox):
    live_sandbox.store.deny("Gladly_Connector::config")  # the module is absent or not granted: no capabilities
    for _ in range(2):
        assert detailed(shop, live_sandbox, "3", "auto")
    assert live_sandbox.store.stats()["by_route"].get(PROFILE, 0) == 0


def test_an_older_module_keeps_auto_to_the_stock_plan(shop, live_sandbox):
    live_sandbox.store.module_capabilities = ["order_address", "goodwill_coupon"]
    for _ in range(2):
        assert detailed(shop, live_sandbox, "3", "auto")
    assert live_sandbox.store.stats()["by_route"].get(PROFILE, 0) == 0


def test_a_failing_module_falls_back_to_the_stock_plan_and_rests(shop, live_sandbox):
    expected = detailed(shop, live_sandbox, "3", "stock")
    detailed(shop, live_sandbox, "3", "auto")  # store facts cached: the module plan is next
    fallbacks = plan_count("module", "fallback")
    live_sandbox.store.configure({"fail_next": [{"route_contains": "/gladly/profile", "mode": "500"}]})
    live_sandbox.store.reset_stats()

    assert detailed(shop, live_sandbox, "3", "auto") == expected
    assert plan_count("module", "fallback") == fallbacks + 1
    calls = live_sandbox.store.stats()["by_route"]
    assert calls[PROFILE] == 1 and calls[STOCK_ORDERS] == 1
    # The module plan rests until the store cache's next refresh: the next lookup goes straight to stock.
    live_sandbox.store.reset_stats()
    assert detailed(shop, live_sandbox, "3", "auto") == expected
    assert PROFILE not in live_sandbox.store.stats()["by_route"]


def test_the_forced_module_plan_surfaces_its_errors(shop, live_sandbox):
    live_sandbox.store.configure({"fail_next": [{"route_contains": "/gladly/profile", "mode": "500"}]})
    with pytest.raises(MagentoUnavailable):
        detailed(shop, live_sandbox, "3", "module")
    assert STOCK_ORDERS not in live_sandbox.store.stats()["by_route"]


def test_a_missing_resource_is_refused_by_name_by_either_plan(shop, live_sandbox):
    detailed(shop, live_sandbox, "3", "auto")  # store facts cached: the module plan is next
    live_sandbox.store.deny("Magento_Sales::shipment", "Magento_Catalog::products")
    with pytest.raises(MagentoUnauthorized, match="Magento_Sales::shipment, Magento_Catalog::products"):
        detailed(shop, live_sandbox, "3", "module")
    # Auto falls back: the stock plan gives Magento's authoritative answer, here the same refusal.
    live_sandbox.store.reset_stats()
    with pytest.raises(MagentoUnauthorized, match="Magento_(Sales::shipment|Catalog::products)"):
        detailed(shop, live_sandbox, "3", "auto")
    assert live_sandbox.store.stats()["by_route"][PROFILE] == 1
