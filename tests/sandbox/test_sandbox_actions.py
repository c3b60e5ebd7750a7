"""Order actions with Magento's rules (magento-rest.md §9-12), faults, latency and concurrency."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sandbox_helpers import criteria
from sandbox_helpers import oauth_client

HOLD_UNAVAILABLE = {"message": "A hold action is not available."}
VALIDATION = "Creditmemo Document Validation Error(s):\n"


def state(sandbox_client, order_id):
    return sandbox_client.get(f"/sandbox/orders/{order_id}").get_json()


def test_cancel_pending_order(signed, sandbox_client):
    reply = signed("POST", "/rest/V1/orders/1/cancel")
    assert (reply.status_code, reply.get_json()) == (200, True)
    order = state(sandbox_client, 1)["order"]
    assert (order["state"], order["status"], order["total_canceled"]) == ("canceled", "canceled", 35.5)
    assert all(row["qty_canceled"] == row["qty_ordered"] for row in order["items"])
    assert signed("POST", "/rest/V1/orders/1/cancel").get_json() is False


def test_reads_after_a_write_show_the_write(signed, sandbox_store):
    """Cached GET replies never outlive a write, a reset or a configuration change."""
    path = "/rest/V1/orders/1?fields=state,status"
    assert signed("GET", path).get_json() == {"state": "new", "status": "pending"}
    assert signed("GET", path).get_json() == {"state": "new", "status": "pending"}  # served from the cache
    signed("POST", "/rest/V1/orders/1/cancel")
    assert signed("GET", path).get_json() == {"state": "canceled", "status": "canceled"}
    sandbox_store.reset()
    assert signed("GET", path).get_json() == {"state": "new", "status": "pending"}


@pytest.mark.parametrize("order_id", [3, 5, 6, 7, 8])  # complete, closed, canceled, holded, all invoiced
def test_cancel_refused(signed, order_id):
    reply = signed("POST", f"/rest/V1/orders/{order_id}/cancel")
    assert (reply.status_code, reply.get_json()) == (200, False)


def test_cancel_unknown_order_is_404(signed):
    assert signed("POST", "/rest/V1/orders/404/cancel").status_code == 404


def test_hold_and_unhold(signed, sandbox_client):
    assert signed("POST", "/rest/V1/orders/1/hold").get_json() is True
    assert state(sandbox_client, 1)["order"]["state"] == "holded"
    reply = signed("POST", "/rest/V1/orders/1/hold")
    assert (reply.status_code, reply.get_json()) == (400, HOLD_UNAVAILABLE)
    assert signed("POST", "/rest/V1/orders/1/unhold").get_json() is True
    assert state(sandbox_client, 1)["order"]["status"] == "pending"
    reply = signed("POST", "/rest/V1/orders/1/unhold")
    assert (reply.status_code, reply.get_json()) == (400, {"message": "You cannot remove the hold."})
    assert signed("POST", "/rest/V1/orders/3/hold").get_json() == HOLD_UNAVAILABLE


def test_comment_without_status_nulls_the_status(signed):
    history = {"comment": "Customer called", "is_customer_notified": 0, "is_visible_on_front": 0,
               "parent_id": 8}
    reply = signed("POST", "/rest/V1/orders/8/comments", json={"statusHistory": history})
    assert reply.get_json() is True
    order = signed("GET", "/rest/V1/orders/8").get_json()
    assert "status" not in order and order["state"] == "processing"
    assert order["status_histories"][0]["comment"] == "Customer called"
    history["status"] = "processing"
    signed("POST", "/rest/V1/orders/8/comments", json={"statusHistory": history})
    assert signed("GET", "/rest/V1/orders/8").get_json()["status"] == "processing"


@pytest.mark.parametrize("body, field", [
    ({}, "statusHistory"),
    ({"statusHistory": {"comment": "x", "is_customer_notified": 0, "parent_id": 8}},
     "is_visible_on_front"),
])
def test_comment_requires_fields(signed, body, field):
    reply = signed("POST", "/rest/V1/orders/8/comments", json=body)
    assert reply.status_code == 400 and reply.get_json()["parameters"] == {"fieldName": field}


def test_email(signed):
    assert signed("POST", "/rest/V1/orders/3/emails").get_json() is True


def test_partial_offline_refund(signed):
    body = {"items": [{"order_item_id": 7, "qty": 1}], "notify": False,
            "arguments": {"shipping_amount": 0}}
    reply = signed("POST", "/rest/V1/order/3/refund", json=body)
    assert (reply.status_code, reply.get_json()) == (200, 3)
    memos = signed("GET", "/rest/V1/creditmemos", criteria([("order_id", "3", "eq")])).get_json()
    assert [(m["entity_id"], m["grand_total"], m["state"]) for m in memos["items"]] == [(3, 24.0, 2)]
    order = signed("GET", "/rest/V1/orders/3").get_json()
    assert (order["total_refunded"], order["base_total_refunded"], order["state"]) == \
        (24.0, 24.0, "processing")
    assert order["items"][0]["qty_refunded"] == 1
    assert order["status_histories"][0]["comment"] == "We refunded $24.00 offline."


def test_empty_items_refund_everything(signed):
    assert signed("POST", "/rest/V1/order/8/refund", json={}).status_code == 200
    order = signed("GET", "/rest/V1/orders/8").get_json()
    assert (order["total_refunded"], order["state"], order["status"]) == (132.0, "closed", "closed")


@pytest.mark.parametrize("order_id, body, lines", [
    (1, {}, ["We can't create creditmemo for the order.",
             "The most money available to refund is 0."]),
    (5, {}, ["A creditmemo can not be created when an order has a status of closed",
             "The credit memo's total must be positive."]),
    (3, {"items": [{"order_item_id": 7, "qty": 5}, {"order_item_id": 999, "qty": 1}],
         "arguments": {"extension_attributes": {"return_to_stock_items": [7, 999]}}},
     ['The quantity to creditmemo must not be greater than the unrefunded quantity for product '
      'SKU "SB-TOTE".',
      'The creditmemo contains product SKU "999" that is not part of the original order.',
      'The "SB-TOTE" product is not part of the current creditmemo.',
      "The return to stock argument contains product item that is not part of the original order."]),
    (3, {"items": [{"order_item_id": 7, "qty": 1}], "arguments": {"adjustment_positive": 100}},
     ["The most money available to refund is 29."]),
    (3, {"items": [{"order_item_id": 7, "qty": 1}],
         "arguments": {"shipping_amount": 0, "adjustment_negative": 50}},
     ["The credit memo's total must be positive."]),
    (3, {"items": [{"order_item_id": 7, "qty": 0}], "arguments": {"shipping_amount": 0}},
     ["The credit memo's total must be positive."]),
    (3, {"items": [{"order_item_id": 7, "qty": 0}],
         "arguments": {"shipping_amount": 0, "adjustment_positive": 1}},
     ["You can't create a creditmemo without products."]),
])
def test_refund_validation(signed, order_id, body, lines):
    reply = signed("POST", f"/rest/V1/order/{order_id}/refund", json=body)
    assert reply.status_code == 400
    assert reply.get_json() == {"message": VALIDATION + "\n".join(lines)}


def test_refund_item_fields_are_required(signed):
    reply = signed("POST", "/rest/V1/order/3/refund", json={"items": [{"qty": 1}]})
    assert reply.get_json()["parameters"] == {"fieldName": "order_item_id"}


def test_online_invoice_refund(signed, sandbox_client):
    body = {"items": [{"order_item_id": 4, "qty": 1}], "isOnline": True,
            "arguments": {"shipping_amount": 0}}
    memo_id = signed("POST", "/rest/V1/invoice/1/refund", json=body).get_json()
    memo = signed("GET", f"/rest/V1/creditmemo/{memo_id}").get_json()
    assert (memo["grand_total"], memo["invoice_id"], memo["transaction_id"]) == \
        (25.0, 1, "bt-7h2k9q-refund")
    order = state(sandbox_client, 2)["order"]
    assert order["total_online_refunded"] == 25.0 and order["state"] == "processing"
    assert [row["qty_refunded"] for row in order["items"]] == [0, 1, 1, 0]  # parent and child row


def test_online_refund_needs_an_online_capture(signed):
    body = {"isOnline": True, "arguments": {"shipping_amount": 0}}
    reply = signed("POST", "/rest/V1/invoice/2/refund", json=body)
    assert reply.status_code == 400
    assert "can't be processed online" in reply.get_json()["message"]
    assert signed("POST", "/rest/V1/invoice/2/refund", json={}).status_code == 200


def test_reset_restores_the_dataset(signed, sandbox_client):
    signed("POST", "/rest/V1/orders/1/cancel")
    assert sandbox_client.post("/sandbox/reset").get_json() == {"reset": True, "dataset": "sample"}
    assert state(sandbox_client, 1)["order"]["state"] == "new"
    assert signed("GET", "/rest/V1/orders/1").status_code == 200  # credentials survive a reset


def test_inspect_order_state(sandbox_client):
    body = state(sandbox_client, 2)
    assert [len(body[k]) for k in ("invoices", "shipments", "creditmemos")] == [1, 2, 0]
    assert sandbox_client.get("/sandbox/orders/99").status_code == 404


def test_fail_next_500_skips_the_write(signed, sandbox_client):
    sandbox_client.post("/sandbox/config", json={"fail_next": [{"route_contains": "/cancel",
                                                                "mode": "500"}]})
    reply = signed("POST", "/rest/V1/orders/1/cancel")
    assert reply.status_code == 500
    assert reply.get_json()["message"].startswith("Internal Error. Details are available in "
                                                  "Magento log file. Report ID: webapi-")
    assert state(sandbox_client, 1)["order"]["state"] == "new"
    assert signed("POST", "/rest/V1/orders/1/cancel").get_json() is True


def test_fault_rate_hits_gets_only(signed, sandbox_client):
    sandbox_client.post("/sandbox/config", json={"fault_rate": 1.0})
    assert signed("GET", "/rest/V1/orders/1").status_code == 500
    assert signed("POST", "/rest/V1/orders/1/emails").status_code == 200


def test_fault_mode_timeout_makes_random_faults_hang(signed, sandbox_client):
    config = sandbox_client.post("/sandbox/config", json={"fault_rate": 1.0, "fault_mode": "timeout",
                                                          "hang_seconds": 0.2}).get_json()
    assert (config["fault_mode"], config["hang_seconds"]) == ("timeout", 0.2)
    started = time.monotonic()
    assert signed("GET", "/rest/V1/orders/1").status_code == 500
    assert time.monotonic() - started >= 0.2  # it hung first (a lower bound, not a timing goal)


@pytest.mark.parametrize("config", [{"fail_next": [{"mode": "explode"}]}, {"fault_mode": "explode"}])
def test_bad_fault_mode_is_rejected(sandbox_client, config):
    reply = sandbox_client.post("/sandbox/config", json=config)
    assert reply.status_code == 400


def signed_call(live, method, path, **kwargs):
    uri, headers, _ = oauth_client(live.store.credentials).sign(live.url + path.lstrip("/"), method)
    return requests.request(method, uri, headers=headers, **kwargs)


def test_after_commit_timeout_writes_then_stalls(live_sandbox):
    requests.post(live_sandbox.url + "sandbox/config", timeout=5, json={
        "hang_seconds": 0.8,
        "fail_next": [{"route_contains": "/refund", "mode": "after_commit_timeout"}]})
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        signed_call(live_sandbox, "POST", "/rest/V1/order/3/refund", json={}, timeout=0.3)
    order = requests.get(live_sandbox.url + "sandbox/orders/3", timeout=5).json()
    assert order["order"]["state"] == "closed" and len(order["creditmemos"]) == 1
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))  # let the stalled thread finish


def test_timeout_fault_does_not_write(live_sandbox):
    live_sandbox.store.configure({"hang_seconds": 0.5,
                                  "fail_next": [{"route_contains": "/cancel", "mode": "timeout"}]})
    with pytest.raises(requests.Timeout):
        signed_call(live_sandbox, "POST", "/rest/V1/orders/1/cancel", timeout=0.2)
    time.sleep(0.5)
    assert live_sandbox.store.data.orders[1]["state"] == "new"


def test_latency_and_sixteen_concurrent_calls(live_sandbox):
    live_sandbox.store.configure({"latency_ms": 300})
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(
            lambda n: signed_call(live_sandbox, "GET", f"/rest/V1/orders/{n % 9 + 1}", timeout=5),
            range(16)))
    elapsed = time.monotonic() - started
    assert all(reply.status_code == 200 for reply in replies)
    assert 0.3 <= elapsed < 2.0  # served side by side, not 16 x 0.3 s
    assert live_sandbox.store.stats()["calls"] == 16


# -- the companion module's goodwill routes --------------------------------------------------------


def test_module_config_publishes_coupon_rules_and_the_address_capability(signed, sandbox_client):
    config = signed("GET", "/rest/V1/gladly/config").get_json()
    assert config["coupon_rules"] == [
        {"id": 1, "name": "Goodwill 10%", "amount": "10% off matching items", "expires_on": ""},
        {"id": 2, "name": "Goodwill $5", "amount": "USD 5.00 off the cart", "expires_on": "2030-12-31"}]
    assert config["capabilities"] == ["order_address", "goodwill_coupon", "profile_v1"]
    assert "coupon" in config["allowed_actions"]
    # Rules the merchant did not choose, or that cannot generate codes, are never published.
    sandbox_client.post("/sandbox/config", json={"coupon_rule_ids": [3, 4, 2]})
    assert [rule["id"] for rule in signed("GET", "/rest/V1/gladly/config").get_json()["coupon_rules"]] == [2]


def test_goodwill_coupon_issues_one_code_recorded_on_the_order(signed, sandbox_client, sandbox_store):
    reply = signed("POST", "/rest/V1/gladly/orders/1/goodwill-coupon", json={"ruleId": 2, "note": "from Gladly."})
    assert reply.status_code == 200, reply.get_json()
    issued = reply.get_json()
    assert (issued["rule_id"], issued["order_id"], issued["customer_id"]) == (2, 1, 1)
    assert len(issued["code"]) == 14 and issued["code"][4] == issued["code"][9] == "-"
    assert sandbox_store.data.coupons[issued["code"]]["rule_id"] == 2
    assert state(sandbox_client, 1)["order"]["status_histories"][0]["comment"] == (
        f"Goodwill coupon {issued['code']} (Goodwill $5: USD 5.00 off the cart) issued from Gladly.")


def test_goodwill_coupon_cap_counts_the_customers_codes_in_the_period(signed, sandbox_client, sandbox_store):
    sandbox_client.post("/sandbox/config", json={"coupon_limit": 2, "coupon_period_days": 30})
    assert signed("POST", "/rest/V1/gladly/orders/1/goodwill-coupon", json={"ruleId": 1}).status_code == 200
    sandbox_store.data.goodwill_issued[0]["created_at"] = "2001-01-01 00:00:00"  # long before the period
    for order_id in (1, 3):  # any of Jane's orders: the cap is per customer
        path = f"/rest/V1/gladly/orders/{order_id}/goodwill-coupon"
        assert signed("POST", path, json={"ruleId": 1}).status_code == 200
    refused = signed("POST", "/rest/V1/gladly/orders/3/goodwill-coupon", json={"ruleId": 2})
    assert (refused.status_code, refused.get_json()["parameters"]) == (400, ["000000003", 2, 30])
    assert signed("POST", "/rest/V1/gladly/orders/4/goodwill-coupon", json={"ruleId": 1}).status_code == 200  # Sam


@pytest.mark.parametrize(("order_id", "body", "rule", "message"), [
    (7, {"ruleId": 1}, {}, "Order %1 was placed as a guest; goodwill coupons go to registered customers only."),
    (6, {"ruleId": 1}, {}, "Order %1 is canceled; goodwill coupons are issued on orders that went ahead."),
    (1, {"ruleId": 3}, {}, "Rule %1 is not one of the goodwill coupon rules this store allows now."),
    (1, {"ruleId": 1}, {"website_ids": [2]}, 'Rule "%1" does not apply to the website of order %2.'),
    (1, {"ruleId": 1}, {"customer_group_ids": [2]}, 'Rule "%1" does not apply to the customer group of order %2.'),
    (1, {}, {}, '"%fieldName" is required. Enter and try again.'),
], ids=["guest", "canceled", "rule-not-allowed", "other-website", "other-group", "no-rule"])
def test_goodwill_coupon_refused(signed, sandbox_store, order_id, body, rule, message):
    sandbox_store.data.sales_rules[1].update(rule)
    reply = signed("POST", f"/rest/V1/gladly/orders/{order_id}/goodwill-coupon", json=body)
    assert (reply.status_code, reply.get_json()["message"]) == (400, message)
    assert sandbox_store.data.goodwill_issued == []


ADDRESS = {"firstname": "Jane", "lastname": "Doe", "street": ["500 Market St"], "city": "San Francisco",
           "region": "CA", "postcode": "94105", "country_id": "US", "telephone": "415-555-0134"}


def test_shipping_address_change_records_the_old_and_new_address(signed, sandbox_client):
    reply = signed("PUT", "/rest/V1/gladly/orders/1/shipping-address",
                   json={"address": ADDRESS, "note": "from Gladly by agent 7"})
    assert reply.status_code == 200
    assert (reply.get_json()["region"], reply.get_json()["region_id"], reply.get_json()["region_code"]) == (
        "California", 12, "CA")
    order = state(sandbox_client, 1)["order"]
    shipping = order["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
    assert shipping["city"] == "San Francisco" and order["billing_address"]["city"] == "Austin"
    assert order["status_histories"][0]["comment"] == (
        "Shipping address changed from Gladly by agent 7.\n"
        "Was: Jane Doe, 123 Oak Ave, Austin, Texas 78701, US, 512-555-1111\n"
        "Now: Jane Doe, 500 Market St, San Francisco, California 94105, US, 415-555-0134")


@pytest.mark.parametrize(("order_id", "address", "message"), [
    (2, ADDRESS, "Order %1 has already shipped (in part or in full); its shipping address can no longer be changed."),
    (3, ADDRESS, "Order %1 is %2; its shipping address can no longer be changed."),
    (1, {**ADDRESS, "region": "Tx."}, '"%1" is not a region of %2; enter one of: %3.'),
    (1, {**ADDRESS, "city": ""}, "Enter the new address in full; missing: %1."),
])
def test_shipping_address_change_refused(signed, order_id, address, message):
    reply = signed("PUT", f"/rest/V1/gladly/orders/{order_id}/shipping-address", json={"address": address})
    assert (reply.status_code, reply.get_json()["message"]) == (400, message)


def test_the_module_routes_need_their_own_resources(signed, sandbox_client):
    sandbox_client.post("/sandbox/acl", json={"deny": ["Gladly_Connector::order_address",
                                                       "Gladly_Connector::goodwill_coupon"]})
    assert signed("PUT", "/rest/V1/gladly/orders/1/shipping-address", json={"address": ADDRESS}).status_code == 401
    assert signed("POST", "/rest/V1/gladly/orders/1/goodwill-coupon", json={"ruleId": 1}).status_code == 401
