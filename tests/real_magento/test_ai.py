"""Gladly AI's surface against real Magento 2.4.6: identity, cancel, refund preview and refund (read back from
Magento), the refusals, and the limits the merchant sets in the admin (Stores > Configuration > Gladly > Gladly AI),
the stricter of which and the bridge's wins.

Gladly AI's bridge shares the session's pinned bridge's database, so it signs with the same activated connection.
"""
from __future__ import annotations

import time

import pytest
import requests

from magento_bridges import goodwill_rule
from tests.processes import start_bridge
from tests.processes import stop

TOKEN = "real-magento-gladly-ai-token-0123456789"
# The bridge caches the module's settings per worker for BRIDGE_CACHE_TTL (2 s here).
SETTINGS_WAIT = 30
AI_PATH = "gladly_connector/ai/"


@pytest.fixture(scope="module")
def gladly_ai(_pinned, magento, tmp_path_factory):
    """A bridge with Gladly AI on (every action, loose caps of its own) on the pinned bridge's connection."""
    bridge = start_bridge(tmp_path_factory.mktemp("ai-bridge"), {
        "BRIDGE_DATA_DIR": str(_pinned.workdir), "BRIDGE_MAGENTO_URL": magento.base_url,
        "BRIDGE_MAGENTO_ADMIN_URL": magento.admin_url, "BRIDGE_MAGENTO_READ_TIMEOUT": "14",
        "BRIDGE_CACHE_TTL": "2", "BRIDGE_AI_TOKENS": TOKEN, "BRIDGE_AI_ACTIONS": "lookup,cancel,refund,address,coupon",
        "BRIDGE_AI_REFUND_MAX": "1000", "BRIDGE_AI_REFUND_DAILY_MAX": "5000"})
    yield bridge
    stop(bridge.process)


@pytest.fixture(autouse=True)
def _connected(pinned_bridge):
    """The pinned bridge's connection is active (a test elsewhere may have re-bound the integration)."""


@pytest.fixture
def module_ai(magento):
    """Set the module's Gladly AI settings for one test as the admin would; the defaults come back after."""
    changed: list[str] = []

    def configure(**values: str) -> None:
        for name, value in values.items():
            magento.config_set(AI_PATH + name, value)
            changed.append(name)

    yield configure
    defaults = {"actions": "lookup", "refund_max": "50", "refund_daily_max": "200", "order_max_age_days": "0",
                "coupon_period_days": "90", "coupon_rule": ""}
    for name in dict.fromkeys(changed):
        magento.config_set(AI_PATH + name, defaults[name])


def ask(bridge, path: str, body: dict) -> requests.Response:
    return requests.post(f"{bridge.url}/gladly/ai/{path}", json=body, timeout=60,
                         headers={"Authorization": f"Bearer {TOKEN}"})


def until(check, seconds: float = SETTINGS_WAIT) -> requests.Response:
    """``check()``'s reply once it is what the test expects (the module's settings reach the bridge within the
    cache's lifetime); its last reply otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        ok, reply = check()
        if ok or time.monotonic() > deadline:
            return reply
        time.sleep(1)


def code(reply: requests.Response) -> str | None:
    return reply.json()["errors"][0]["code"] if reply.status_code == 422 else None


def ordered(seed, role: str) -> dict:
    order = seed.orders[role]
    email = seed.guest["email"] if order["customer"] == "guest" else seed.customers[order["customer"]]["email"]
    return {"orderNumber": order["increment_id"], "customerEmail": email}


def line(magento, entity_id: int, sku: str) -> dict:
    return next(item for item in magento.get(f"/V1/orders/{entity_id}")["items"] if item["sku"] == sku)


def memos(magento, entity_id: int) -> list[dict]:
    return magento.search("/V1/creditmemos", ("order_id", entity_id, "eq"))


def test_the_module_allows_gladly_ai_only_lookups_by_default(gladly_ai, seed, module_ai):
    body = {**ordered(seed, "ai_refund"), "items": [{"sku": "GLADLY-TEE", "quantity": 1}]}
    module_ai(actions="lookup")
    refused = until(lambda: (code(r := ask(gladly_ai, "orders/refund/preview", body)) == "action_disabled", r))
    assert code(refused) == "action_disabled", refused.text
    lookup = ask(gladly_ai, "orders/lookup", ordered(seed, "ai_refund"))
    assert lookup.status_code == 200 and lookup.json()["availableActions"] == []


def test_lookup_proves_identity_for_customers_and_guests(gladly_ai, seed, magento, module_ai):
    module_ai(actions="lookup,cancel,refund")
    mine = ordered(seed, "ai_refund")
    reply = until(lambda: ("refund" in (r := ask(gladly_ai, "orders/lookup", {
        **mine, "customerEmail": mine["customerEmail"].upper()})).json().get("availableActions", []), r))
    assert reply.status_code == 200, reply.text
    order = reply.json()["order"]
    placed = magento.get(f"/V1/orders/{seed.orders['ai_refund']['entity_id']}")
    assert (order["type"], order["orderNumber"], order["currencyCode"]) == ("ORDER", mine["orderNumber"],
                                                                           placed["order_currency_code"])
    assert order["createdAt"] == placed["created_at"].replace(" ", "T") + "Z"
    assert {product["sku"] for product in order["products"]} == {"GLADLY-TEE", "GLADLY-MUG"}
    assert reply.json()["availableActions"] == ["refund"]  # invoiced: no longer cancelable
    guest = ask(gladly_ai, "orders/lookup", ordered(seed, "ai_guest_refund"))
    assert guest.status_code == 200 and "customerOrderUrl" not in guest.json()["order"]
    wrong = ask(gladly_ai, "orders/lookup", {**ordered(seed, "ai_guest_refund"),
                                             "customerEmail": mine["customerEmail"]})
    unknown = ask(gladly_ai, "orders/lookup", {**mine, "orderNumber": "999999999"})
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    assert code(wrong) == "order_not_found"


def test_a_wrong_token_and_bad_input_are_refused_before_magento_is_asked(gladly_ai, seed, magento):
    body = ordered(seed, "guest_pending")
    for header in ({}, {"Authorization": "Bearer not-the-token-0123456789"}):
        reply = requests.post(f"{gladly_ai.url}/gladly/ai/orders/lookup", json=body, headers=header, timeout=60)
        assert (reply.status_code, reply.json()["errors"][0]["code"]) == (401, "invalid_token")
    bad = ask(gladly_ai, "orders/cancel", {**body, "customerEmail": "not an e-mail", "reason": ""})
    assert bad.status_code == 422
    assert {(entry["attr"], entry["code"]) for entry in bad.json()["errors"]} == {
        ("customerEmail", "invalid_input"), ("reason", "invalid_input")}
    assert magento.get(f"/V1/orders/{seed.orders['guest_pending']['entity_id']}")["state"] == "new"


def test_the_admins_order_age_window(gladly_ai, seed, magento, module_ai):
    """An order placed before the admin's window (Gladly AI > Order age limit) is left to human agents."""
    entity_id = seed.orders["guest_pending"]["entity_id"]
    [(placed,)] = magento.sql(f"SELECT created_at FROM sales_order WHERE entity_id = {entity_id}")
    body = {**ordered(seed, "guest_pending"), "reason": "Ordered the wrong size"}
    module_ai(actions="lookup,cancel", order_max_age_days="30")
    magento.sql(f"UPDATE sales_order SET created_at = DATE_SUB(created_at, INTERVAL 45 DAY) "
                f"WHERE entity_id = {entity_id}")
    try:
        refused = until(lambda: (code(r := ask(gladly_ai, "orders/cancel", body)) == "order_too_old", r))
        looked_up = ask(gladly_ai, "orders/lookup", ordered(seed, "guest_pending"))
    finally:
        magento.sql(f"UPDATE sales_order SET created_at = '{placed}' WHERE entity_id = {entity_id}")
    assert code(refused) == "order_too_old", refused.text
    assert looked_up.status_code == 200 and looked_up.json()["availableActions"] == []
    assert magento.get(f"/V1/orders/{entity_id}")["state"] == "new"
    # Back inside the window, the same order may be canceled by Gladly AI again.
    offered = until(lambda: ("cancel" in (r := ask(gladly_ai, "orders/lookup", ordered(
        seed, "guest_pending"))).json().get("availableActions", []), r))
    assert offered.json()["availableActions"] == ["cancel"], offered.text


def test_cancel_is_done_and_noted_as_gladly_ai(gladly_ai, seed, magento, module_ai):
    module_ai(actions="lookup,cancel")
    body = {**ordered(seed, "ai_cancel"), "reason": "Bought the wrong colour"}
    reply = until(lambda: ((r := ask(gladly_ai, "orders/cancel", body)).status_code == 200, r))
    assert reply.status_code == 200, reply.text
    assert reply.json()["result"]["status"] == "canceled"
    state = magento.get(f"/V1/orders/{seed.orders['ai_cancel']['entity_id']}")
    assert state["state"] == "canceled"
    notes = [entry["comment"] for entry in state["status_histories"] if "Gladly AI" in (entry["comment"] or "")]
    assert len(notes) == 1 and "Bought the wrong colour" in notes[0]
    assert code(ask(gladly_ai, "orders/cancel", {**ordered(seed, "bob_shipped"), "reason": "late"})) \
        == "not_allowed_in_state"


def test_refund_previewed_confirmed_once_and_tampering_refused(gladly_ai, seed, magento, module_ai):
    module_ai(actions="lookup,refund", refund_max="1000", refund_daily_max="5000")
    entity_id = seed.orders["ai_refund"]["entity_id"]
    tee = line(magento, entity_id, "GLADLY-TEE")
    asked = {**ordered(seed, "ai_refund"), "items": [{"sku": "GLADLY-TEE", "quantity": 1}]}
    preview = until(lambda: ((r := ask(gladly_ai, "orders/refund/preview", asked)).status_code == 200, r))
    assert preview.status_code == 200, preview.text
    refund = preview.json()["refund"]
    assert refund["items"][0]["sku"] == "GLADLY-TEE" and refund["items"][0]["quantity"] == 1
    assert memos(magento, entity_id) == []  # a preview writes nothing
    body = {**ordered(seed, "ai_refund"), "confirmationToken": refund["confirmationToken"]}
    signed, mac = refund["confirmationToken"].rsplit(".", 1)
    assert code(ask(gladly_ai, "orders/refund", {**body, "confirmationToken": f"{signed}x.{mac}"})) \
        == "confirmation_invalid"
    done = ask(gladly_ai, "orders/refund", body)
    assert done.status_code == 200, done.text
    [memo] = memos(magento, entity_id)
    assert {item["order_item_id"]: item["qty"] for item in memo["items"] if item["qty"]} == {tee["item_id"]: 1}
    assert done.json()["result"]["creditMemo"] == memo["increment_id"]
    assert ask(gladly_ai, "orders/refund", body).json() == done.json()  # replayed: the first answer
    assert len(memos(magento, entity_id)) == 1
    state = magento.get(f"/V1/orders/{entity_id}")
    assert any("from Gladly by Gladly AI" in (entry["comment"] or "") for entry in state["status_histories"])


def test_a_guests_whole_refund(gladly_ai, seed, magento, module_ai):
    module_ai(actions="lookup,refund", refund_max="1000", refund_daily_max="5000")
    entity_id = seed.orders["ai_guest_refund"]["entity_id"]
    preview = until(lambda: ((r := ask(gladly_ai, "orders/refund/preview",
                                       ordered(seed, "ai_guest_refund"))).status_code == 200, r))
    assert preview.status_code == 200, preview.text
    done = ask(gladly_ai, "orders/refund", {**ordered(seed, "ai_guest_refund"),
                                            "confirmationToken": preview.json()["refund"]["confirmationToken"]})
    assert done.status_code == 200, done.text
    state = magento.get(f"/V1/orders/{entity_id}")
    assert state["state"] == "closed" and state["total_refunded"] == state["grand_total"]


def test_the_admins_stricter_limits_win(gladly_ai, seed, module_ai):
    module_ai(actions="lookup,refund", refund_max="1", refund_daily_max="5000")
    asked = {**ordered(seed, "ai_refund"), "items": [{"sku": "GLADLY-MUG", "quantity": 1}]}
    over = until(lambda: (code(r := ask(gladly_ai, "orders/refund/preview", asked)) == "over_refund_limit", r))
    assert code(over) == "over_refund_limit", over.text
    module_ai(refund_max="1000", refund_daily_max="0.5")
    # The admin's daily cap of 0.50 is below any line's price, though the bridge's allows 5,000.
    off = until(lambda: (code(r := ask(gladly_ai, "orders/refund/preview", asked)) == "over_daily_limit", r))
    assert code(off) == "over_daily_limit", off.text


def test_shipping_address_through_the_module(gladly_ai, seed, magento, module_ai):
    module_ai(actions="lookup,address")
    address = {"firstName": "Dora", "lastName": "Actor", "street": ["500 Congress Ave", "Floor 2"], "city": "Austin",
               "region": "TX", "postcode": "78701", "countryId": "US", "telephone": "512-555-0199"}
    body = {**ordered(seed, "ai_refund"), "address": address}
    moved = until(lambda: ((r := ask(gladly_ai, "orders/shipping-address", body)).status_code == 200, r))
    assert moved.status_code == 200, moved.text
    state = magento.get(f"/V1/orders/{seed.orders['ai_refund']['entity_id']}")
    shipping = state["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
    assert (shipping["street"], shipping["telephone"]) == (["500 Congress Ave", "Floor 2"], "512-555-0199")
    assert any("Gladly AI" in (entry["comment"] or "") for entry in state["status_histories"])


def test_one_goodwill_coupon_from_the_rule_chosen_for_gladly_ai(gladly_ai, seed, magento, module_ai):
    with goodwill_rule(magento, "AI goodwill") as rule:
        module_ai(actions="lookup,coupon", coupon_rule=str(rule))
        body = {"customerEmail": seed.customers["dora"]["email"], "reason": "The parcel came a week late"}
        issued = until(lambda: ((r := ask(gladly_ai, "customers/coupon", body)).status_code == 200, r))
        assert issued.status_code == 200, issued.text
        code_issued = issued.json()["result"]["code"]
        assert magento.sql(f"SELECT COUNT(*) FROM salesrule_coupon WHERE code = '{code_issued}' "
                           f"AND rule_id = {rule}") == [("1",)]
        assert code(ask(gladly_ai, "customers/coupon", body)) == "coupon_limit"
