"""Order operations with Magento's rules: invoice, ship, cancel, hold, unhold, comment, refund.

Amounts are kept in the order currency only; every sandbox store has base currency = order
currency (rate 1), so base_* values are mirrored when rendering. Tax is always 0.
Rules and messages: magento-rest.md §9-12.
"""

from .errors import MagentoError

CLOSED_STATES = ("canceled", "complete", "closed")
NOT_REFUNDABLE_STATES = ("payment_review", "holded", "canceled", "closed")
# Wording chosen by the sandbox [I]: Magento fails inside the payment method's refund(); the exact
# text depends on the version and the method, so the bridge should show whatever message it gets.
ONLINE_REFUND_UNSUPPORTED = ("The refund can't be processed online because the payment method "
                             "doesn't support it.")
_SYMBOLS = {"USD": "$", "GBP": "£"}


def php_number(value):
    """Format a number as PHP prints a float: 12.5, 10, 0."""
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")


def money(value, currency):
    """Format an amount for history comments, e.g. $12.50."""
    return f"{_SYMBOLS.get(currency, currency + ' ')}{value:.2f}"


def visible_rows(order):
    """Return the visible lines: rows without parent_item_id (§6)."""
    return [row for row in order["items"] if not row.get("parent_item_id")]


def _children(order, row):
    return [child for child in order["items"] if child.get("parent_item_id") == row["item_id"]]


def _qty_to_invoice(row):
    return row["qty_ordered"] - row["qty_invoiced"] - row["qty_canceled"]


def _qty_to_ship(row):
    return row["qty_ordered"] - row["qty_shipped"] - row["qty_refunded"] - row["qty_canceled"]


def _set_state(order, state, now):
    order["state"] = order["status"] = state
    order["updated_at"] = now


def _history(ds, order, comment, now, *, notified=0, visible=0):
    """Prepend a status history entry and make its status the order's (Order::addStatusHistory)."""
    entry = {"entity_id": ds.next_id("history"), "parent_id": order["entity_id"],
             "entity_name": "order", "comment": comment, "created_at": now,
             "is_customer_notified": notified, "is_visible_on_front": visible,
             "status": order["status"]}
    order["status_histories"].insert(0, entry)
    return entry


def _document(ds, kind, order, now, **fields):
    """Create the common part of an invoice, shipment or credit memo."""
    return {"entity_id": ds.next_id(kind), "increment_id": ds.increment_id(kind, order["store_id"]),
            "order_id": order["entity_id"], "store_id": order["store_id"],
            "created_at": now, "updated_at": now, **fields}


def invoice(ds, order, now, transaction_id=None):
    """Invoice everything left to invoice; a transaction id marks an online capture."""
    rows = [row for row in order["items"] if _qty_to_invoice(row) > 0]
    doc = _document(
        ds, "invoice", order, now, state=2, transaction_id=transaction_id,
        order_currency_code=order["order_currency_code"],
        base_currency_code=order["base_currency_code"],
        subtotal=order["subtotal"], discount_amount=order["discount_amount"],
        shipping_amount=order["shipping_amount"], tax_amount=0.0,
        grand_total=order["grand_total"], total_refunded=0.0,
        total_qty=sum(_qty_to_invoice(row) for row in visible_rows(order)), comments=[],
        items=[{"entity_id": ds.next_id("invoice_item"), "order_item_id": row["item_id"],
                "sku": row["sku"], "name": row["name"], "product_id": row["product_id"],
                "qty": _qty_to_invoice(row), "price": row["price"], "row_total": row["row_total"],
                "discount_amount": row["discount_amount"], "tax_amount": 0.0} for row in rows])
    for item in doc["items"]:
        item["parent_id"] = doc["entity_id"]
    ds.invoices[doc["entity_id"]] = doc
    for row in rows:
        row["qty_invoiced"] += _qty_to_invoice(row)
    total = order["grand_total"]
    order.update(total_invoiced=total, total_paid=total, total_due=0.0,
                 subtotal_invoiced=order["subtotal"], shipping_invoiced=order["shipping_amount"])
    order["payment"].update(amount_paid=total, last_trans_id=transaction_id)
    _set_state(order, "processing", now)
    if transaction_id:
        order["payment"]["base_amount_paid_online"] = total
        _history(ds, order, f'Captured amount of {money(total, order["order_currency_code"])} '
                            f'online. Transaction ID: "{transaction_id}"', now)
    return doc


def ship(ds, order, quantities, tracks, now):
    """Ship {item_id: qty} of visible rows with tracks [(carrier_code, title, number)]."""
    rows = {row["item_id"]: row for row in order["items"]}
    doc = _document(
        ds, "shipment", order, now, customer_id=order.get("customer_id"), email_sent=1,
        total_qty=sum(quantities.values()), comments=[], packages=[],
        items=[{"entity_id": ds.next_id("shipment_item"), "order_item_id": item_id,
                "sku": rows[item_id]["sku"], "name": rows[item_id]["name"],
                "product_id": rows[item_id]["product_id"], "price": rows[item_id]["price"],
                "qty": qty, "weight": 1.0} for item_id, qty in quantities.items()])
    doc["tracks"] = [{"entity_id": ds.next_id("track"), "order_id": order["entity_id"],
                      "parent_id": doc["entity_id"], "carrier_code": carrier, "title": title,
                      "track_number": number, "description": None, "weight": 1.0, "qty": 1.0,
                      "created_at": now, "updated_at": now} for carrier, title, number in tracks]
    for item in doc["items"]:
        item["parent_id"] = doc["entity_id"]
    ds.shipments[doc["entity_id"]] = doc
    for item_id, qty in quantities.items():
        for row in [rows[item_id], *_children(order, rows[item_id])]:
            row["qty_shipped"] += qty
    if not any(_qty_to_ship(row) > 0 or _qty_to_invoice(row) > 0 for row in visible_rows(order)):
        _set_state(order, "complete", now)
    return doc


def can_cancel(order):
    """Order::canCancel: not held, in review or finished, and something still uninvoiced (§10)."""
    if order["state"] in ("holded", "payment_review", *CLOSED_STATES):
        return False
    return any(_qty_to_invoice(row) > 0 for row in visible_rows(order))


def cancel(ds, order, now):
    """Cancel the uninvoiced remainder; return False when canCancel() says no."""
    if not can_cancel(order):
        return False
    for row in order["items"]:
        row["qty_canceled"] = row["qty_ordered"] - row["qty_invoiced"]
    open_amount = round(order["grand_total"] - order["total_invoiced"], 2)
    order.update(
        total_canceled=open_amount, total_due=0.0,
        subtotal_canceled=round(sum(r["price"] * r["qty_canceled"] for r in visible_rows(order)), 2),
        shipping_canceled=round(order["shipping_amount"] - order["shipping_invoiced"], 2))
    # Order::registerCancellation keeps an order with invoiced items open instead of canceled.
    invoiced = any(row["qty_invoiced"] > row["qty_refunded"] for row in visible_rows(order))
    shippable = any(_qty_to_ship(row) > 0 for row in visible_rows(order))
    _set_state(order, ("processing" if shippable else "complete") if invoiced else "canceled", now)
    _history(ds, order, "Order canceled.", now)
    return True


def hold(order, now):
    """Put an order on hold or raise Magento's 400 (OrderManagement::hold)."""
    if order["state"] in ("payment_review", "holded", *CLOSED_STATES):
        raise MagentoError(400, "A hold action is not available.")
    order["hold_before_state"], order["hold_before_status"] = order["state"], order["status"]
    _set_state(order, "holded", now)


def unhold(order, now):
    """Release a held order or raise Magento's 400 (OrderManagement::unHold)."""
    if order["state"] != "holded":
        raise MagentoError(400, "You cannot remove the hold.")
    order["state"] = order.pop("hold_before_state")
    order["status"] = order.pop("hold_before_status")
    order["updated_at"] = now


def add_comment(ds, order, history, now):
    """Store a statusHistory entry; a missing status nulls the order status like older 2.4 (§11)."""
    entry = {"entity_id": ds.next_id("history"), "entity_name": "order", "created_at": now,
             "parent_id": history["parent_id"], "comment": history["comment"],
             "is_customer_notified": history["is_customer_notified"],
             "is_visible_on_front": history["is_visible_on_front"],
             "status": history.get("status")}
    order["status_histories"].insert(0, entry)
    order["status"] = entry["status"]
    order["updated_at"] = now


def _credit_lines(order, items, invoice):
    """Resolve requested {order_item_id, qty} into (row, qty) lines plus validation messages."""
    allowed = {item["order_item_id"] for item in invoice["items"]} if invoice else None
    rows = {row["item_id"]: row for row in order["items"]
            if allowed is None or row["item_id"] in allowed}
    if not items:  # CreditmemoFactory: no items means everything refundable
        return [(row, row["qty_invoiced"] - row["qty_refunded"]) for row in visible_rows(order)
                if row["item_id"] in rows and row["qty_invoiced"] > row["qty_refunded"]], []
    lines, messages = [], []
    for item in items:
        row = rows.get(item["order_item_id"])
        if row is None:
            # [I] Magento names the creditmemo item's SKU; a foreign id has none, so show the id.
            messages.append(f'The creditmemo contains product SKU "{item["order_item_id"]}" '
                            "that is not part of the original order.")
        elif item["qty"] > row["qty_invoiced"] - row["qty_refunded"]:
            messages.append("The quantity to creditmemo must not be greater than the unrefunded "
                            f'quantity for product SKU "{row["sku"]}".')
        elif item["qty"] > 0:
            lines.append((row, item["qty"]))
    return lines, messages


def _validate_refund(order, lines, messages, grand_total, shipping, return_to_stock):
    """Collect CanRefund, QuantityValidator, TotalsValidator and ReturnValidator messages (§9)."""
    head = []
    if order["state"] in NOT_REFUNDABLE_STATES:
        head.append(f"A creditmemo can not be created when an order has a status of {order['status']}")
    elif round(order["total_paid"] - order["total_refunded"], 2) <= 0:
        head.append("We can't create creditmemo for the order.")
    if grand_total <= 0:
        messages.append("The credit memo's total must be positive.")
    elif not lines and shipping <= 0:
        messages.append("You can't create a creditmemo without products.")
    available = round(order["total_paid"] - order["total_refunded"], 2)
    if round(grand_total, 2) > available:
        messages.append(f"The most money available to refund is {php_number(available)}.")
    order_ids = {row["item_id"]: row for row in order["items"]}
    credited = {row["item_id"] for row, _ in lines}
    for item_id in return_to_stock:
        if item_id not in order_ids:
            messages.append("The return to stock argument contains product item that is not part "
                            "of the original order.")
        elif item_id not in credited:
            messages.append(f'The "{order_ids[item_id]["sku"]}" product is not part of the '
                            "current creditmemo.")
    if head or messages:
        raise MagentoError(400, "Creditmemo Document Validation Error(s):\n"
                           + "\n".join(head + messages))


def refund(ds, order, request, now, invoice=None):
    """Create a credit memo from a RefundOrder/RefundInvoice body; return its entity id (§9)."""
    online = bool(request.get("isOnline"))
    if online and not (invoice and invoice.get("transaction_id")):
        raise MagentoError(400, ONLINE_REFUND_UNSUPPORTED)
    arguments = request.get("arguments") or {}
    return_to_stock = (arguments.get("extension_attributes") or {}).get("return_to_stock_items") or []
    lines, messages = _credit_lines(order, request.get("items") or [], invoice)
    # Total\Shipping: what is left of the order's shipping, unless an amount is given.
    remaining_shipping = round(order["shipping_amount"] - order["shipping_refunded"], 2)
    shipping = arguments.get("shipping_amount")
    shipping = remaining_shipping if shipping is None else float(shipping)
    if shipping > remaining_shipping:
        raise MagentoError(400, "Maximum shipping amount allowed to refund is: %1",
                           [php_number(remaining_shipping)])
    subtotal = round(sum(row["price"] * qty for row, qty in lines), 2)
    discount = round(sum(row["discount_amount"] * qty / row["qty_ordered"] for row, qty in lines), 2)
    positive = float(arguments.get("adjustment_positive") or 0)
    negative = float(arguments.get("adjustment_negative") or 0)
    grand_total = round(subtotal - discount + shipping + positive - negative, 2)
    _validate_refund(order, lines, messages, grand_total, shipping, return_to_stock)

    comment = request.get("comment") or {}
    memo = _document(
        ds, "creditmemo", order, now, state=2, invoice_id=invoice and invoice["entity_id"],
        transaction_id=f"{invoice['transaction_id']}-refund" if online else None,
        order_currency_code=order["order_currency_code"],
        base_currency_code=order["base_currency_code"], subtotal=subtotal,
        discount_amount=-discount, tax_amount=0.0, shipping_amount=shipping,
        adjustment_positive=positive, adjustment_negative=negative,
        adjustment=round(positive - negative, 2), grand_total=grand_total,
        email_sent=1 if request.get("notify") else 0,
        comments=[dict(comment, created_at=now)] if comment.get("comment") else [])
    memo["items"] = [{"entity_id": ds.next_id("creditmemo_item"), "parent_id": memo["entity_id"],
                      "order_item_id": row["item_id"], "sku": row["sku"], "name": row["name"],
                      "product_id": row["product_id"], "qty": qty, "price": row["price"],
                      "row_total": round(row["price"] * qty, 2), "base_cost": 0.0,
                      "discount_amount": round(row["discount_amount"] * qty / row["qty_ordered"], 2)}
                     for row, qty in lines]
    ds.creditmemos[memo["entity_id"]] = memo

    for row, qty in lines:
        for affected in [row, *_children(order, row)]:
            affected["qty_refunded"] += qty
        row["amount_refunded"] = round(row["amount_refunded"] + row["price"] * qty, 2)
    channel = "online" if online else "offline"
    for key, amount in (("total_refunded", grand_total), (f"total_{channel}_refunded", grand_total),
                        ("subtotal_refunded", subtotal), ("shipping_refunded", shipping),
                        ("discount_refunded", discount), ("adjustment_positive", positive),
                        ("adjustment_negative", negative)):
        order[key] = round(order.get(key, 0.0) + amount, 2)
    order["payment"]["amount_refunded"] = order["total_refunded"]
    if invoice:
        invoice["total_refunded"] = round(invoice["total_refunded"] + grand_total, 2)
        invoice["is_used_for_refund"] = 1
    fully = abs(order["total_paid"] - order["total_refunded"]) < 0.0001
    _set_state(order, "closed" if fully else "processing", now)
    _history(ds, order, f"We refunded {money(grand_total, order['order_currency_code'])} {channel}.",
             now, notified=1 if request.get("notify") else 0)
    return memo["entity_id"]
