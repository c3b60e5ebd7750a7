"""Deterministic datasets for the sandbox store: `sample` (every order situation) and `busy`.

Orders are built by placing them and then running the same operations the REST actions use
(invoice, ship, refund, cancel, hold), so totals and quantities are always consistent.
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from . import orders

# Store views (magento-rest.md §3.1): "default" on website 1 (USD) and "uk" on website 2 (GBP).
STORES = (
    {"id": 1, "code": "default", "name": "Default Store View", "website_id": 1,
     "store_group_id": 1, "is_active": 1, "currency": "USD", "locale": "en_US",
     "timezone": "America/Chicago", "weight_unit": "lbs", "link_path": ""},
    {"id": 2, "code": "uk", "name": "UK Store View", "website_id": 2,
     "store_group_id": 2, "is_active": 1, "currency": "GBP", "locale": "en_GB",
     "timezone": "Europe/London", "weight_unit": "kgs", "link_path": "uk/"},
)
ADMIN_STORE = {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0,
               "is_active": 1}
WEBSITES = {1: "Main Website", 2: "UK Website"}
# Order statuses and their labels as Magento 2.4.6 installs them (table sales_order_status); the UK view
# relabels one, as a merchant can per store view (sales_order_status_label).
ORDER_STATUSES = {
    "canceled": "Canceled", "closed": "Closed", "complete": "Complete", "fraud": "Suspected Fraud",
    "holded": "On Hold", "payment_review": "Payment Review", "paypal_canceled_reversal": "PayPal Canceled Reversal",
    "paypal_reversed": "PayPal Reversed", "pending": "Pending", "pending_payment": "Pending Payment",
    "pending_paypal": "Pending PayPal", "processing": "Processing",
}
ORDER_STATUS_STORE_LABELS = {("holded", 2): "On Hold (UK)"}
_SHIPPING = {1: ("flatrate_flatrate", "Flat Rate - Fixed"),
             2: ("tablerate_bestway", "Best Way - Table Rate")}
_PAYMENT_TITLES = {"checkmo": "Check / Money order", "braintree": "Credit Card (Braintree)"}


@dataclass
class Dataset:
    """Every entity of the store, keyed by entity id, plus id sequences."""

    customers: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    invoices: dict = field(default_factory=dict)
    shipments: dict = field(default_factory=dict)
    creditmemos: dict = field(default_factory=dict)
    sales_rules: dict = field(default_factory=dict)
    coupons: dict = field(default_factory=dict)  # code -> {"rule_id", "created_at"}
    goodwill_issued: list = field(default_factory=list)  # the module's gladly_goodwill_coupon table
    counters: dict = field(default_factory=lambda: defaultdict(int))

    def next_id(self, kind):
        """Return the next entity id of a kind."""
        self.counters[kind] += 1
        return self.counters[kind]

    def increment_id(self, kind, store_id):
        """Return the next customer-facing number: store 1 "000000001", store 2 "2000000001"."""
        prefix = "" if store_id == 1 else str(store_id)
        return f"{prefix}{self.next_id((kind, store_id)):09d}"

    def product_by_sku(self, sku):
        """Return the product with this SKU, or None."""
        return next((p for p in self.products.values() if p["sku"] == sku), None)

    def parent_of(self, product):
        """Return the configurable product that lists this product as a child, or None."""
        return next((p for p in self.products.values() if product["id"] in
                     p["extension_attributes"].get("configurable_product_links", [])), None)


def _product(ds, pid, sku, name, price, *, type_id="simple", visibility=4, links=()):
    url_key = name.lower().replace(" ", "-")
    image = f"/{sku[0].lower()}/{sku[1].lower()}/{sku.lower()}.jpg"
    extension = {"website_ids": [1, 2]}
    if links:
        extension["configurable_product_links"] = list(links)
    ds.products[pid] = {
        "id": pid, "sku": sku, "name": name, "attribute_set_id": 4, "price": price, "status": 1,
        "visibility": visibility, "type_id": type_id, "weight": 1.0,
        "created_at": "2019-01-01 00:00:00", "updated_at": "2019-01-01 00:00:00",
        "extension_attributes": extension, "product_links": [], "options": [],
        "media_gallery_entries": [], "tier_prices": [],
        "custom_attributes": [{"attribute_code": code, "value": value} for code, value in
                              (("url_key", url_key), ("image", image), ("small_image", image),
                               ("thumbnail", image))]}


def _catalog(ds):
    for pid, sku, name, price in ((1, "SB-MUG", "Sandbox Mug", 12.0),
                                  (2, "SB-TOTE", "Canvas Tote", 24.0),
                                  (3, "SB-WATCH", "Field Watch", 89.0),
                                  (4, "SB-NOTE", "Pocket Notebook", 6.5)):
        _product(ds, pid, sku, name, price)
    children = ((11, "SB-TEE-S-BLUE", "Blue S"), (12, "SB-TEE-M-BLUE", "Blue M"),
                (13, "SB-TEE-L-RED", "Red L"))
    _product(ds, 10, "SB-TEE", "Classic Tee", 25.0, type_id="configurable",
             links=[pid for pid, _, _ in children])
    for pid, sku, variant in children:
        # Children are "Not Visible Individually" (visibility 1), as configurable children usually are.
        _product(ds, pid, sku, f"Classic Tee {variant}", 25.0, visibility=1)


def _address(first, last, email, street, city, region_code, region, region_id, postcode, country,
             phone):
    return {"firstname": first, "lastname": last, "email": email, "street": [street], "city": city,
            "region_code": region_code, "region": region, "region_id": region_id,
            "postcode": postcode, "country_id": country, "telephone": phone}


def _customer(ds, cid, first, last, email, website, group, created, address):
    store = next(s for s in STORES if s["website_id"] == website)
    address = _address(first, last, email, *address)
    ds.customers[cid] = {
        "id": cid, "group_id": group, "default_billing": str(cid), "default_shipping": str(cid),
        "created_at": created, "updated_at": created, "created_in": store["name"], "email": email,
        "firstname": first, "lastname": last, "store_id": store["id"], "website_id": website,
        "disable_auto_group_change": 0, "extension_attributes": {"is_subscribed": False},
        "addresses": [{
            "id": cid, "customer_id": cid,
            "region": {"region_code": address["region_code"], "region": address["region"],
                       "region_id": address["region_id"]},
            "region_id": address["region_id"], "country_id": address["country_id"],
            "street": address["street"], "telephone": address["telephone"],
            "postcode": address["postcode"], "city": address["city"], "firstname": first,
            "lastname": last, "default_shipping": True, "default_billing": True}]}
    return ds.customers[cid]


def _people(ds):
    _customer(ds, 1, "Jane", "Doe", "jane@example.com", 1, 1, "2019-03-04 15:20:11",
              ("123 Oak Ave", "Austin", "TX", "Texas", 57, "78701", "US", "512-555-1111"))
    _customer(ds, 2, "Jane", "Doe", "jane@example.com", 2, 1, "2021-06-10 09:02:45",
              ("10 Downing Lane", "London", None, "London", None, "SW1A 2AA", "GB",
               "+44 20 7946 0018"))
    _customer(ds, 3, "Sam", "Smith", "sam@example.com", 1, 2, "2020-11-23 18:44:00",
              ("500 Market St", "San Francisco", "CA", "California", 12, "94105", "US",
               "+1 (415) 555-0134"))
    _customer(ds, 4, "Pat", "Quinn", "pat@example.com", 1, 1, "2023-02-14 08:00:00",
              ("77 Elm St", "Portland", "OR", "Oregon", 49, "97201", "US", "503-555-0177"))


GUEST = _address("Gail", "Guest", "guest@example.org", "9 Pine Rd", "Denver", "CO", "Colorado", 13,
                 "80202", "US", "(303) 555-0147")


def _rows(ds, order_id, lines, created):
    """Build order rows; a configurable child SKU becomes a parent row plus a dummy child row (§6)."""
    rows = []
    for sku, qty in lines:
        product = ds.product_by_sku(sku)
        parent = ds.parent_of(product)
        head = parent or product
        row = {"item_id": ds.next_id("order_item"), "order_id": order_id, "sku": sku,
               "name": head["name"], "product_id": head["id"], "product_type": head["type_id"],
               "qty_ordered": qty, "qty_invoiced": 0, "qty_shipped": 0, "qty_refunded": 0,
               "qty_canceled": 0, "price": head["price"], "original_price": head["price"],
               "row_total": round(head["price"] * qty, 2), "discount_amount": 0.0,
               "tax_amount": 0.0, "amount_refunded": 0.0, "is_virtual": 0, "weight": 1.0,
               "created_at": created, "updated_at": created}
        rows.append(row)
        if parent:
            rows.append(dict(row, item_id=ds.next_id("order_item"), parent_item_id=row["item_id"],
                             name=product["name"], product_id=product["id"],
                             product_type="simple", price=0.0, original_price=0.0,
                             row_total=0.0))
    return rows


def _place(ds, who, store_id, lines, created, *, payment="checkmo", shipping=5.0, discount=0.0,
           coupon=None):
    """Place a new order (state new, status pending) for a customer dict or a guest address."""
    store = STORES[store_id - 1]
    entity_id = ds.next_id("order")
    rows = _rows(ds, entity_id, lines, created)
    subtotal = round(sum(row["row_total"] for row in rows), 2)
    for row in rows:  # spread the discount over the lines, positive per row, negative on the order
        row["discount_amount"] = round(discount * row["row_total"] / subtotal, 2)
    customer = who if "addresses" in who else None
    address = _address(who["firstname"], who["lastname"], who["email"],
                       *_flat_address(customer["addresses"][0])) if customer else dict(who)
    method, description = _SHIPPING[store_id]
    grand_total = round(subtotal - discount + shipping, 2)
    order = {
        "entity_id": entity_id, "increment_id": ds.increment_id("order", store_id),
        "state": "new", "status": "pending", "created_at": created, "updated_at": created,
        "store_id": store_id, "store_name": f"{WEBSITES[store['website_id']]}\n{store['name']}",
        "customer_email": who["email"], "customer_id": customer and customer["id"],
        "customer_firstname": who["firstname"], "customer_lastname": who["lastname"],
        "customer_is_guest": 0 if customer else 1,
        "customer_group_id": customer["group_id"] if customer else 0,
        "grand_total": grand_total, "subtotal": subtotal, "discount_amount": -discount,
        "discount_description": coupon, "coupon_code": coupon, "shipping_amount": shipping,
        "shipping_description": description, "tax_amount": 0.0, "total_paid": 0.0,
        "total_invoiced": 0.0, "total_refunded": 0.0, "total_due": grand_total,
        "total_canceled": 0.0, "subtotal_invoiced": 0.0, "subtotal_refunded": 0.0,
        "subtotal_canceled": 0.0, "shipping_invoiced": 0.0, "shipping_refunded": 0.0,
        "shipping_canceled": 0.0, "discount_refunded": 0.0,
        "order_currency_code": store["currency"], "base_currency_code": store["currency"],
        "global_currency_code": "USD", "store_currency_code": store["currency"],
        "total_item_count": len(rows),
        "total_qty_ordered": sum(row["qty_ordered"] for row in orders.visible_rows({"items": rows})),
        "items": rows, "status_histories": [], "email_sent": 1,
        "billing_address": dict(address, address_type="billing", entity_id=2 * entity_id - 1,
                                parent_id=entity_id),
        "payment": {"entity_id": entity_id, "parent_id": entity_id, "method": payment,
                    "amount_ordered": grand_total, "amount_paid": 0.0, "account_status": None,
                    "additional_information": [_PAYMENT_TITLES[payment]], "cc_last4": None},
        "extension_attributes": {"shipping_assignments": [{
            "shipping": {"method": method,
                         "address": dict(address, address_type="shipping",
                                         entity_id=2 * entity_id, parent_id=entity_id),
                         "total": {"shipping_amount": shipping}},
            "items": rows}],
            # OrderRepository adds the payment's additional information, method_title included.
            "payment_additional_info": [{"key": "method_title", "value": _PAYMENT_TITLES[payment]}]}}
    ds.orders[entity_id] = order
    return order


def _flat_address(address):
    region = address["region"]
    return (address["street"][0], address["city"], region["region_code"], region["region"],
            region["region_id"], address["postcode"], address["country_id"], address["telephone"])


def _day(day, hour=10):
    return f"2024-{(day - 1) // 28 + 1:02d}-{(day - 1) % 28 + 1:02d} {hour:02d}:00:00"


def _ship_all(ds, order, tracks, now):
    quantities = {row["item_id"]: row["qty_ordered"] for row in orders.visible_rows(order)}
    return orders.ship(ds, order, quantities, tracks, now)


def _sample_orders(ds):
    jane, jane_uk, sam = ds.customers[1], ds.customers[2], ds.customers[3]
    # 1: pending, uninvoiced, cancellable
    _place(ds, jane, 1, [("SB-MUG", 2), ("SB-NOTE", 1)], _day(60))
    # 2: paid online (Braintree capture), partly shipped in two shipments, configurable line
    order = _place(ds, jane, 1, [("SB-WATCH", 1), ("SB-TEE-M-BLUE", 2), ("SB-TOTE", 1)], _day(61),
                   payment="braintree")
    orders.invoice(ds, order, _day(61, 11), transaction_id="bt-7h2k9q")
    watch, tee = order["items"][0], order["items"][1]
    orders.ship(ds, order, {watch["item_id"]: 1}, [("ups", "United Parcel Service",
                                                     "1Z999AA10123456784")], _day(62))
    orders.ship(ds, order, {tee["item_id"]: 1},
                [("usps", "United States Postal Service", "9400111899223856927735"),
                 ("custom", "Local Courier", "LC-2231")], _day(63))
    # 3: complete, fully shipped
    order = _place(ds, jane, 1, [("SB-TOTE", 1)], _day(40))
    orders.invoice(ds, order, _day(40, 11))
    _ship_all(ds, order, [("fedex", "Federal Express", "794698765432")], _day(41))
    # 4: partly refunded (the mug)
    order = _place(ds, sam, 1, [("SB-WATCH", 1), ("SB-MUG", 1)], _day(30))
    orders.invoice(ds, order, _day(30, 11))
    _ship_all(ds, order, [("ups", "United Parcel Service", "1Z999AA10123456785")], _day(31))
    orders.refund(ds, order, {"items": [{"order_item_id": order["items"][1]["item_id"], "qty": 1}],
                              "arguments": {"shipping_amount": 0}}, _day(35))
    # 5: fully refunded, closed
    order = _place(ds, sam, 1, [("SB-NOTE", 3)], _day(20))
    orders.invoice(ds, order, _day(20, 11))
    orders.refund(ds, order, {}, _day(22))
    # 6: canceled
    order = _place(ds, sam, 1, [("SB-MUG", 1)], _day(25))
    orders.cancel(ds, order, _day(25, 12))
    # 7: guest order on hold
    order = _place(ds, GUEST, 1, [("SB-TEE-S-BLUE", 1)], _day(50))
    orders.hold(order, _day(50, 12))
    # 8: guest order with a coupon discount, invoiced, not shipped
    order = _place(ds, GUEST, 1, [("SB-WATCH", 1), ("SB-TOTE", 2)], _day(55), discount=10.0,
                   coupon="SAVE10")
    orders.invoice(ds, order, _day(55, 11))
    # 9: GBP order on the UK website
    order = _place(ds, jane_uk, 2, [("SB-MUG", 1), ("SB-TEE-L-RED", 1)], _day(58), shipping=4.5)
    orders.invoice(ds, order, _day(58, 11))


def _busy(ds):
    """One customer (id 100) with 20 orders, 60 lines over 40 products and 25 shipments."""
    for n in range(1, 41):
        _product(ds, 100 + n, f"BUSY-{n:03d}", f"Busy Item {n:03d}", round(5 + n * 1.25, 2))
    busy = _customer(ds, 100, "Bea", "Busy", "busy@example.com", 1, 1, "2018-05-05 05:05:05",
                     ("1 Busy Way", "Chicago", "IL", "Illinois", 23, "60601", "US", "312-555-0100"))
    for i in range(20):
        lines = [(f"BUSY-{(3 * i + k) % 40 + 1:03d}", 1 + k % 2) for k in range(3)]
        order = _place(ds, busy, 1, lines, _day(i + 1))
        orders.invoice(ds, order, _day(i + 1, 11))
        rows = orders.visible_rows(order)
        splits = [rows[:2], rows[2:]] if i < 5 else [rows]  # 5 orders x 2 + 15 x 1 = 25
        for n, part in enumerate(splits):
            orders.ship(ds, order, {row["item_id"]: row["qty_ordered"] for row in part},
                        [("fedex" if n else "ups", "Carrier", f"BUSY{i:02d}{n}")], _day(i + 2))


def _sales_rules(ds):
    """Cart price rules: two that generate codes (one expiring), one "Specific Coupon" typed by hand, one
    without coupon (coupon_type 1 no coupon, 2 specific; SalesRule/Model/Rule.php)."""
    for rule_id, name, action, amount, auto, coupon_type, to_date in (
            (1, "Goodwill 10%", "by_percent", 10.0, 1, 2, None),
            (2, "Goodwill $5", "cart_fixed", 5.0, 1, 2, "2030-12-31"),
            (3, "Spring sale", "cart_fixed", 15.0, 0, 2, None),
            (4, "Free tote", "buy_x_get_y", 1.0, 0, 1, None)):
        ds.sales_rules[rule_id] = {
            "rule_id": rule_id, "name": name, "is_active": True, "simple_action": action,
            "discount_amount": amount, "use_auto_generation": bool(auto), "coupon_type": coupon_type,
            "to_date": to_date, "uses_per_coupon": 1, "website_ids": [1, 2], "customer_group_ids": [0, 1, 2, 3]}


def build_dataset(name):
    """Build a fresh dataset: "sample", or "busy" (the sample plus the benchmark customer)."""
    if name not in ("sample", "busy"):
        raise ValueError(f"unknown dataset {name!r}")
    ds = Dataset()
    _catalog(ds)
    _people(ds)
    _sales_rules(ds)
    _sample_orders(ds)
    if name == "busy":
        _busy(ds)
    return ds
