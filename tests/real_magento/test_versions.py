"""What differs between the kit's Magento versions and touches the bridge: each difference shown on the version
that has it (skipped on the others, saying why), next to the bridge's answer, which is right on every version."""
from __future__ import annotations

from magento_bridges import money
from magento_kit import only_on
from tests.gladly_client import card
from tests.gladly_client import open_form
from tests.gladly_client import submit


def status_of(magento, entity_id: int) -> str | None:
    return magento.get(f"/V1/orders/{entity_id}").get("status")


def test_a_rest_comment_without_a_status_blanks_the_orders_status_on_2_4_6(magento, seed):
    only_on(magento, "2.4.6", why="since 2.4.7 a comment without a status keeps the order's status")
    order = seed.orders["guest_pending"]
    before = status_of(magento, order["entity_id"])
    try:
        assert magento.post(f"/V1/orders/{order['entity_id']}/comments", {"statusHistory": {
            "comment": "no status given", "is_customer_notified": 0, "is_visible_on_front": 0,
            "parent_id": order["entity_id"]}}) is True
        assert not status_of(magento, order["entity_id"])  # why the bridge always sends the current status
    finally:
        magento.sql(f"UPDATE sales_order SET status = '{before}' WHERE entity_id = {order['entity_id']};"
                    f"UPDATE sales_order_grid SET status = '{before}' WHERE entity_id = {order['entity_id']};"
                    f"DELETE FROM sales_order_status_history WHERE parent_id = {order['entity_id']} "
                    "AND comment = 'no status given'")


def test_the_bridges_comment_keeps_the_orders_status(magento, seed, pinned_bridge):
    order = seed.orders["act_comment"]
    customer = str(seed.customers["dora"]["id"])
    before = status_of(magento, order["entity_id"])
    reply = submit(pinned_bridge, open_form(pinned_bridge, customer, order["increment_id"], "comment"),
                   {"comment": "Status stays", "notify": False, "visible_on_front": False})
    assert reply.status_code == 200, reply.text
    assert before and status_of(magento, order["entity_id"]) == before


def test_rest_row_total_of_a_line_of_two_lacks_the_quantity_on_2_4_8(magento, seed, pinned_bridge):
    only_on(magento, "2.4.8-p2", why="2.4.6's REST row_total carries the quantity (magento/magento2#39984)")
    order = seed.orders["bob_shipped"]  # 2 x Gladly Tee at $25.00 and a mug, no discount
    tee = next(item for item in magento.get(f"/V1/orders/{order['entity_id']}")["items"] if item["sku"] == "GLADLY-TEE")
    [(stored,)] = magento.sql(f"SELECT row_total FROM sales_order_item WHERE item_id = {tee['item_id']}")
    assert (tee["qty_ordered"], tee["price"], float(stored)) == (2, 25, 50)
    assert tee["row_total"] == 25  # REST says one unit's price
    line = next(line for line in card(pinned_bridge, str(seed.customers["bob"]["id"]), order["increment_id"])[
        "products"] if line["sku"] == "GLADLY-TEE")
    assert line["total"] == money(50)  # the bridge: price x quantity


def test_the_extra_order_fields_of_2_4_8_leave_the_lookup_whole(magento, seed, pinned_bridge):
    only_on(magento, "2.4.8-p2", why="2.4.6 returns no such fields")
    order = seed.orders["alice_discounted"]
    extension = magento.get(f"/V1/orders/{order['entity_id']}")["extension_attributes"]
    assert {"taxes", "additional_itemized_taxes", "converting_from_quote"} <= set(extension)
    shown = card(pinned_bridge, str(seed.customers["alice"]["id"]), order["increment_id"])
    assert shown["orderNumber"] == order["increment_id"] and len(shown["products"]) == 2
