"""What differs between the kit's Magento versions and touches the bridge: each difference shown on the version
that has it (skipped on the others, saying why), next to the bridge's answer, which is right on every version."""
from __future__ import annotations

import threading
import time

from magento_bridges import money
from magento_kit import only_on
from magento_seed import place_order
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


def refund_at_once(magento, order_id: int, path: str, **body) -> list:
    """Two refunds of the order, meeting at its row (locked by the test until both wait there): both have read the
    order before either writes, as two requests a moment apart do. Their replies."""
    # A refund of more than was ordered runs the same code up to Magento's checks and writes nothing: in developer
    # mode it generates that code now, so that the two requests below reach the row in seconds, not minutes.
    [line] = magento.get(f"/V1/orders/{order_id}")["items"]
    warm = magento.rest("POST", path, json={**body, "items": [{"order_item_id": line["item_id"], "qty": 99}]})
    assert warm.status_code == 400, warm.text
    replies = []
    threads = [threading.Thread(target=lambda: replies.append(magento.rest("POST", path, json=body)))
               for _ in range(2)]
    with magento.row_locked("sales_order", order_id):
        # One after the other: a worker of PHP's built-in server takes every connection waiting when it looks and
        # serves them in turn, so two sent at the same instant may meet in one worker, the second never reaching
        # the row while the first waits there. A worker waiting at the row takes no new connection.
        for count, thread in enumerate(threads, 1):
            thread.start()
            waiting_at_the_row(magento, count)
    for thread in threads:
        thread.join(120)
    return replies


def waiting_at_the_row(magento, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    query = ("SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p "
             f"ON p.id = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.db = '{magento.db}'")
    while int(magento.sql(query)[0][0]) < count:
        assert time.monotonic() < deadline, (
            f"fewer than {count} requests came to wait at the order's row: " + repr(magento.sql(
                "SELECT command, time, state, LEFT(info, 200) FROM information_schema.processlist "
                f"WHERE db = '{magento.db}'")))
        time.sleep(0.2)


def test_two_simultaneous_refunds_of_one_invoice_both_pass_magentos_checks(magento, seed):
    """``POST /V1/invoice/{id}/refund`` (the online refund) twice at once makes two credit memos on 2.4.6 and
    2.4.8-p2 alike: 2.4.8 runs RefundInvoice's write under Magento\\Sales\\Model\\OrderMutex, but each request
    loaded the invoice and the order before taking it. Hence the bridge's one write per order at a time."""
    order_id = place_order(magento, "guest", [("GLADLY-MUG", 1)], "invoice")
    [invoice] = magento.search("/V1/invoices", ("order_id", order_id, "eq"))
    # An invoice refund needs a payment method that can refund (Invoice\Validation\CanRefund); the kit has no
    # gateway, and that check lets Zero Subtotal Checkout ("free") through.
    magento.sql(f"UPDATE sales_order_payment SET method = 'free' WHERE parent_id = {order_id}")
    replies = refund_at_once(magento, order_id, f"/V1/invoice/{invoice['entity_id']}/refund", notify=False)
    assert [reply.status_code for reply in replies] == [200, 200], [reply.text for reply in replies]
    memos = magento.search("/V1/creditmemos", ("order_id", order_id, "eq"))
    placed = magento.get(f"/V1/orders/{order_id}")
    assert len(memos) == 2 and sum(memo["grand_total"] for memo in memos) > placed["grand_total"]
    assert placed["total_refunded"] != sum(memo["grand_total"] for memo in memos)  # the order's own sums are off


def test_two_simultaneous_order_refunds_make_one_credit_memo(magento, seed):
    """``POST /V1/order/{id}/refund`` (the offline refund) twice at once: Magento refuses the second."""
    order_id = place_order(magento, "guest", [("GLADLY-MUG", 1)], "invoice")
    replies = refund_at_once(magento, order_id, f"/V1/order/{order_id}/refund", notify=False)
    assert sorted(reply.status_code for reply in replies) == [200, 400], [reply.text for reply in replies]
    assert len(magento.search("/V1/creditmemos", ("order_id", order_id, "eq"))) == 1


def test_the_bridge_sends_one_write_per_order_at_a_time(magento, seed, pinned_bridge):
    order_id = place_order(magento, "dora", [("GLADLY-MUG", 1)], "invoice")
    number = magento.get(f"/V1/orders/{order_id}")["increment_id"]
    customer = str(seed.customers["dora"]["id"])
    mine, theirs = (open_form(pinned_bridge, customer, number, "refund") for _ in range(2))
    first = []
    thread = threading.Thread(target=lambda: first.append(submit(pinned_bridge, mine, {"mode": "full"})))
    with magento.row_locked("sales_order", order_id):
        thread.start()
        waiting_at_the_row(magento, 1)  # the first agent's refund is at Magento, held at the order's row
        busy = submit(pinned_bridge, theirs, {"mode": "full"})
    thread.join(120)
    assert busy.status_code == 400 and busy.json()["errors"][0]["code"] == "order_busy", busy.text
    assert first[0].status_code == 200, first[0].text
    assert len(magento.search("/V1/creditmemos", ("order_id", order_id, "eq"))) == 1
    again = submit(pinned_bridge, theirs, {"mode": "full"})
    assert again.status_code == 406  # refunded meanwhile: the second agent's form is dismissed
