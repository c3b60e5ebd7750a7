"""Every order action through the pinned bridge, and its effect read back from Magento."""
from __future__ import annotations

import threading

from tests.gladly_client import offered
from tests.gladly_client import open_form
from tests.gladly_client import submit


def order_state(magento, entity_id: int) -> dict:
    return magento.get(f"/V1/orders/{entity_id}")


def credit_memos(magento, entity_id: int) -> list[dict]:
    return magento.search("/V1/creditmemos", ("order_id", entity_id, "eq"))


def latest_comment(order: dict) -> dict:
    return max(order["status_histories"], key=lambda note: (note["created_at"], note["entity_id"]))


def dora(seed) -> str:
    return str(seed.customers["dora"]["id"])


def test_actions_offered_follow_magentos_state(pinned_bridge, seed):
    number = {role: order["increment_id"] for role, order in seed.orders.items()}
    # Nothing of these two has shipped: the module's address change is offered too.
    assert offered(pinned_bridge, dora(seed), number["act_comment"]) == {"cancel", "hold", "comment", "email",
                                                                         "address"}
    assert offered(pinned_bridge, dora(seed), number["act_refund_double"]) == {"refund", "hold", "comment", "email",
                                                                               "address"}
    bob = str(seed.customers["bob"]["id"])
    assert offered(pinned_bridge, bob, number["bob_canceled"]) == {"comment"}
    assert offered(pinned_bridge, bob, number["bob_shipped"]) == {"refund", "comment", "email"}  # complete


def test_cancel(pinned_bridge, seed, magento):
    order = seed.orders["act_cancel"]
    form = open_form(pinned_bridge, dora(seed), order["increment_id"], "cancel")
    reply = submit(pinned_bridge, form, {"reason": "customer", "comment": "Asked by phone", "notify": False})
    assert reply.status_code == 200, reply.text
    state = order_state(magento, order["entity_id"])
    assert (state["state"], state["status"]) == ("canceled", "canceled")
    assert "from Gladly" in latest_comment(state)["comment"]
    assert offered(pinned_bridge, dora(seed), order["increment_id"]) == {"comment"}


def test_full_refund_offline(pinned_bridge, seed, magento):
    order = seed.orders["act_refund_full"]
    form = open_form(pinned_bridge, dora(seed), order["increment_id"], "refund")
    assert "offline" in form["sections"][0]["text"]  # check / money order cannot refund online
    reply = submit(pinned_bridge, form, {"mode": "full"})
    assert reply.status_code == 200, reply.text
    state = order_state(magento, order["entity_id"])
    [memo] = credit_memos(magento, order["entity_id"])
    assert state["state"] == "closed"
    assert memo["grand_total"] == state["grand_total"] == state["total_refunded"]
    assert memo["increment_id"] in reply.json()["detail"]
    assert "refund" not in offered(pinned_bridge, dora(seed), order["increment_id"])


def test_partial_refund_of_one_line(pinned_bridge, seed, magento):
    order = seed.orders["act_refund_partial"]
    before = order_state(magento, order["entity_id"])
    tee = next(item for item in before["items"] if item["sku"] == "GLADLY-TEE")
    form = open_form(pinned_bridge, dora(seed), order["increment_id"], "refund")
    reply = submit(pinned_bridge, form, {"mode": "partial", f"qty_{tee['item_id']}": "1", "shipping_amount": "0",
                                         "return_to_stock": True, "comment": "One tee was torn"})
    assert reply.status_code == 200, reply.text
    [memo] = credit_memos(magento, order["entity_id"])
    refunded = {item["order_item_id"]: item["qty"] for item in memo["items"] if item["qty"]}
    assert refunded == {tee["item_id"]: 1}
    state = order_state(magento, order["entity_id"])
    assert state["total_refunded"] == memo["grand_total"] == tee["price"]
    assert state["state"] == "processing"
    refreshed = open_form(pinned_bridge, dora(seed), order["increment_id"], "refund")
    hints = {section["attr"]: section.get("hint") for section in refreshed["sections"] if section.get("attr")}
    assert hints[f"qty_{tee['item_id']}"] == "max 1"


def test_comment(pinned_bridge, seed, magento):
    order = seed.orders["act_comment"]
    form = open_form(pinned_bridge, dora(seed), order["increment_id"], "comment")
    reply = submit(pinned_bridge, form, {"comment": "Customer called about the mug", "notify": False,
                                         "visible_on_front": True})
    assert reply.status_code == 200, reply.text
    note = latest_comment(order_state(magento, order["entity_id"]))
    assert note["comment"].startswith("Customer called about the mug") and "from Gladly" in note["comment"]
    assert note["is_visible_on_front"] == 1


def test_hold_then_unhold(pinned_bridge, seed, magento):
    order = seed.orders["act_hold"]
    reply = submit(pinned_bridge, open_form(pinned_bridge, dora(seed), order["increment_id"], "hold"),
                   {"comment": "Address check"})
    assert reply.status_code == 200, reply.text
    assert order_state(magento, order["entity_id"])["state"] == "holded"
    assert offered(pinned_bridge, dora(seed), order["increment_id"]) == {"unhold", "comment", "email", "address"}
    reply = submit(pinned_bridge, open_form(pinned_bridge, dora(seed), order["increment_id"], "unhold"), {})
    assert reply.status_code == 200, reply.text
    state = order_state(magento, order["entity_id"])
    assert (state["state"], state["status"]) == ("new", "pending")


def test_resend_order_email(pinned_bridge, seed, magento):
    order = seed.orders["act_email"]
    reply = submit(pinned_bridge, open_form(pinned_bridge, dora(seed), order["increment_id"], "email"), {})
    assert reply.status_code == 200, reply.text
    assert reply.json()["message"] == "Order e-mail sent"
    assert "from Gladly" in latest_comment(order_state(magento, order["entity_id"]))["comment"]


def test_double_and_concurrent_submissions_make_one_credit_memo(pinned_bridge, seed, magento):
    order = seed.orders["act_refund_double"]
    form = open_form(pinned_bridge, dora(seed), order["increment_id"], "refund")
    replies = []
    threads = [threading.Thread(target=lambda: replies.append(submit(pinned_bridge, form, {"mode": "full"})))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replies.append(submit(pinned_bridge, form, {"mode": "full"}))  # and a late double click
    assert [reply.status_code for reply in replies] == [200] * 5, [reply.text for reply in replies]
    assert len({reply.text for reply in replies}) == 1
    assert len(credit_memos(magento, order["entity_id"])) == 1
