"""Seeds the real Magento through its REST API (and SQL only where Magento has no REST route).

The shop: simple products and a configurable one, customers on two websites sharing an e-mail, a phone
on a default billing address, guest orders, orders pending / invoiced / shipped with tracking / partly
shipped / partly refunded / canceled, a coupon discount, and one order per write action so that action
tests never share an order. The manifest returned names every entity by its role.
"""
from __future__ import annotations

from magento_kit import RealMagento

PASSWORD = "Gladly-Seed-42!"
COUPON = "SAVE10"


def address(first: str, last: str, phone: str, street: str = "1 Congress Ave") -> dict:
    """A cart address in Texas (cart addresses carry region fields flat, magento-rest.md §11)."""
    return {"firstname": first, "lastname": last, "street": [street], "city": "Austin", "region": "Texas",
            "region_id": 57, "region_code": "TX", "postcode": "78701", "country_id": "US", "telephone": phone}


CUSTOMERS = {
    # name: (e-mail, first, last, billing phone, website code)
    "alice": ("alice.shared@example.com", "Alice", "Archer", "+1 (512) 555-0101", "base"),
    "alice_second_site": ("alice.shared@example.com", "Alice", "Second", "+1 512 555 0199", "second"),
    "bob": ("bob.builder@example.com", "Bob", "Builder", "512-555-0102", "base"),
    "carol": ("carol.noorders@example.com", "Carol", "Quietly", "512-555-0103", "base"),
    "dora": ("dora.actions@example.com", "Dora", "Actor", "512-555-0104", "base"),
}
GUEST = ("gus.guest@example.com", "Gus", "Guest", "+1 737 555 0105")

# role: (customer or "guest", [(sku, qty)], what happens after it is placed)
ORDERS = {
    "bob_shipped": ("bob", [("GLADLY-TEE", 2), ("GLADLY-MUG", 1)], "invoice+ship"),
    "bob_partly_shipped": ("bob", [("GLADLY-TEE", 1), ("GLADLY-MUG", 2)], "invoice+ship-first"),
    "bob_partly_refunded": ("bob", [("GLADLY-TEE", 2)], "invoice+refund-one"),
    "bob_canceled": ("bob", [("GLADLY-MUG", 1)], "cancel"),
    "alice_discounted": ("alice", [("GLADLY-HOODIE:S", 1), ("GLADLY-TEE", 1)], "coupon"),
    "guest_pending": ("guest", [("GLADLY-TEE", 1)], ""),
    "guest_invoiced": ("guest", [("GLADLY-MUG", 1)], "invoice"),
    "act_cancel": ("dora", [("GLADLY-TEE", 1)], ""),
    "act_hold": ("dora", [("GLADLY-TEE", 1)], ""),
    "act_comment": ("dora", [("GLADLY-MUG", 1)], ""),
    "act_email": ("dora", [("GLADLY-MUG", 1)], ""),
    "act_refund_full": ("dora", [("GLADLY-TEE", 1), ("GLADLY-MUG", 1)], "invoice"),
    "act_refund_partial": ("dora", [("GLADLY-TEE", 2), ("GLADLY-MUG", 1)], "invoice"),
    "act_refund_double": ("dora", [("GLADLY-TEE", 1)], "invoice"),
    # Gladly AI's (test_ai.py): a cancel, a partial then a refused refund, a guest's refund.
    "ai_cancel": ("dora", [("GLADLY-MUG", 1)], ""),
    "ai_refund": ("dora", [("GLADLY-TEE", 2), ("GLADLY-MUG", 1)], "invoice"),
    "ai_guest_refund": ("guest", [("GLADLY-TEE", 1)], "invoice"),
}


def _second_website(magento: RealMagento) -> dict:
    """A second website, store and store view (REST has no write route for them: magento-rest.md §9)."""
    if not magento.sql("SELECT website_id FROM store_website WHERE code = 'second'"):
        magento.sql(
            "INSERT INTO store_website (code, name, sort_order, default_group_id, is_default) "
            "VALUES ('second', 'Second Website', 1, 0, 0);"
            "INSERT INTO store_group (website_id, name, root_category_id, default_store_id, code) "
            "SELECT website_id, 'Second Store', 2, 0, 'second_store' FROM store_website WHERE code = 'second';"
            "INSERT INTO store (code, website_id, group_id, name, sort_order, is_active) "
            "SELECT 'second_view', g.website_id, g.group_id, 'Second View', 1, 1 FROM store_group g "
            "WHERE g.code = 'second_store';"
            "UPDATE store_group g JOIN store s ON s.group_id = g.group_id SET g.default_store_id = s.store_id "
            "WHERE g.code = 'second_store';"
            "UPDATE store_website w JOIN store_group g ON g.website_id = w.website_id "
            "SET w.default_group_id = g.group_id WHERE w.code = 'second';")
        # Rows written by SQL skip what a store view's save does: creating its Category Products index
        # tables (catalog_category_product_index_store<id>). Magento 2.4.8 reindexes a saved product's
        # categories in every store view inside the request, and without them answers POST /V1/products
        # with "The product was unable to be saved" (the PDOException "Table ... doesn't exist" is not
        # logged). A full reindex of that indexer creates them (Action\Full, TableMaintainer).
        magento.cli("indexer:reindex", "catalog_category_product")
        magento.clean_cache()
    row = magento.sql("SELECT w.website_id, s.store_id FROM store_website w JOIN store s ON s.website_id = "
                      "w.website_id WHERE w.code = 'second'")[0]
    return {"website_id": int(row[0]), "store_id": int(row[1])}


def _product(sku: str, name: str, price: float | None, **extra) -> dict:
    product = {"sku": sku, "name": name, "attribute_set_id": 4, "status": 1, "visibility": 4,
               "type_id": "simple", "weight": 1,
               "extension_attributes": {"website_ids": [1], "stock_item": {"qty": 1000, "is_in_stock": True}}}
    if price is not None:
        product["price"] = price
    product.update(extra)
    return product


def _products(magento: RealMagento) -> dict:
    """Two simple products and a configurable hoodie with sizes S and M."""
    made = {}
    for sku, name, price in (("GLADLY-TEE", "Gladly Tee", 25), ("GLADLY-MUG", "Gladly Mug", 12)):
        made[sku] = magento.post("/V1/products", {"product": _product(sku, name, price)})
    attribute = magento.post("/V1/products/attributes", {"attribute": {
        "attribute_code": "gladly_size", "frontend_input": "select", "default_frontend_label": "Size",
        "is_required": False, "is_user_defined": True, "scope": "global",
        "options": [{"label": "S"}, {"label": "M"}]}})
    options = {option["label"]: option["value"] for option in
               magento.get("/V1/products/attributes/gladly_size/options") if option["value"]}
    groups = magento.search("/V1/products/attribute-sets/groups/list", ("attribute_set_id", 4, "eq"))
    group = next(g for g in groups if g["attribute_group_name"] == "Product Details")
    magento.post("/V1/products/attribute-sets/attributes", {
        "attributeSetId": 4, "attributeGroupId": group["attribute_group_id"], "attributeCode": "gladly_size",
        "sortOrder": 99})
    for size in ("S", "M"):
        sku = f"GLADLY-HOODIE-{size}"
        made[sku] = magento.post("/V1/products", {"product": _product(
            sku, f"Gladly Hoodie {size}", 40, visibility=1,
            custom_attributes=[{"attribute_code": "gladly_size", "value": options[size]}])})
    parent = _product("GLADLY-HOODIE", "Gladly Hoodie", None, type_id="configurable")
    parent["extension_attributes"]["stock_item"] = {"is_in_stock": True}
    made["GLADLY-HOODIE"] = magento.post("/V1/products", {"product": parent})
    magento.post("/V1/configurable-products/GLADLY-HOODIE/options", {"option": {
        "attribute_id": str(attribute["attribute_id"]), "label": "Size", "position": 0, "is_use_default": True,
        "values": [{"value_index": int(options[size])} for size in ("S", "M")]}})
    for size in ("S", "M"):
        magento.post("/V1/configurable-products/GLADLY-HOODIE/child", {"childSku": f"GLADLY-HOODIE-{size}"})
    made["_size"] = {"attribute_id": int(attribute["attribute_id"]), "options": options}
    return made


def _coupon(magento: RealMagento) -> dict:
    rule = magento.post("/V1/salesRules", {"rule": {
        "name": "Ten percent off", "website_ids": [1], "customer_group_ids": [0, 1, 2, 3], "is_active": True,
        "coupon_type": "SPECIFIC_COUPON", "simple_action": "by_percent", "discount_amount": 10,
        "stop_rules_processing": False, "uses_per_coupon": 0, "uses_per_customer": 0}})
    magento.post("/V1/coupons", {"coupon": {"rule_id": rule["rule_id"], "code": COUPON, "is_primary": True}})
    return rule


def _customers(magento: RealMagento, second: dict) -> dict:
    made = {}
    for name, (email, first, last, phone, website) in CUSTOMERS.items():
        body = {"email": email, "firstname": first, "lastname": last,
                "website_id": second["website_id"] if website == "second" else 1,
                "addresses": [{**address(first, last, phone), "region": {
                    "region_code": "TX", "region": "Texas", "region_id": 57},
                    "default_billing": True, "default_shipping": True}]}
        for key in ("region_code", "region_id"):
            body["addresses"][0].pop(key)
        if website == "second":
            body["store_id"] = second["store_id"]
        made[name] = magento.post("/V1/customers", {"customer": body, "password": PASSWORD})
    return made


def _place(magento: RealMagento, who: str, lines: list[tuple[str, int]], coupon: bool, size: dict) -> int:
    """Place one order as the customer (their own token) or as a guest; returns its entity id."""
    import requests

    if who == "guest":
        email, first, last, phone = GUEST
        token = None
        base = magento.base_url + "rest/default/V1/guest-carts"
        cart = requests.post(base, timeout=120).json()
        prefix = f"{base}/{cart}"
    else:
        email, first, last, phone, _ = CUSTOMERS[who]
        token = requests.post(magento.base_url + "rest/default/V1/integration/customer/token", timeout=120,
                              json={"username": email, "password": PASSWORD}).json()
        prefix = magento.base_url + "rest/default/V1/carts/mine"
        cart = requests.post(prefix, headers={"Authorization": f"Bearer {token}"}, timeout=120).json()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(method: str, path: str, payload=None):
        reply = requests.request(method, prefix + path, json=payload, headers=headers, timeout=120)
        if not reply.ok:
            raise RuntimeError(f"{method} {path} for {who} -> {reply.status_code}: {reply.text[:1000]}")
        return reply.json()

    for sku, qty in lines:
        item = {"sku": sku, "qty": qty, "quote_id": str(cart)}
        if ":" in sku:
            item["sku"], option = sku.split(":")
            item["product_option"] = {"extension_attributes": {"configurable_item_options": [
                {"option_id": str(size["attribute_id"]), "option_value": int(size["options"][option])}]}}
        call("POST", "/items", {"cartItem": item})
    if coupon:
        call("PUT", f"/coupons/{COUPON}")
    where = {**address(first, last, phone), "email": email}
    call("POST", "/shipping-information", {"addressInformation": {
        "shipping_address": where, "billing_address": where, "shipping_carrier_code": "flatrate",
        "shipping_method_code": "flatrate"}})
    payment = {"paymentMethod": {"method": "checkmo"}, "billingAddress": where}
    if who == "guest":
        payment["email"] = email
    return int(call("POST", "/payment-information", payment))


def _after(magento: RealMagento, order_id: int, plan: str) -> None:
    """Move a placed order on: invoice, ship (all or the first line), refund one unit, cancel."""
    steps = plan.split("+")
    if "invoice" in steps:
        magento.post(f"/V1/order/{order_id}/invoice", {"capture": True})
    items = [item for item in magento.get(f"/V1/orders/{order_id}")["items"] if not item.get("parent_item_id")]
    if "ship" in steps:
        magento.post(f"/V1/order/{order_id}/ship", {"tracks": [
            {"track_number": f"1Z999AA1{order_id:08d}", "title": "United Parcel Service", "carrier_code": "ups"}]})
    if "ship-first" in steps:
        magento.post(f"/V1/order/{order_id}/ship", {
            "items": [{"order_item_id": items[0]["item_id"], "qty": items[0]["qty_ordered"]}],
            "tracks": [{"track_number": f"9400100000000{order_id:08d}", "title": "USPS", "carrier_code": "usps"}]})
    if "refund-one" in steps:
        magento.post(f"/V1/order/{order_id}/refund", {
            "items": [{"order_item_id": items[0]["item_id"], "qty": 1}], "notify": False,
            "arguments": {"shipping_amount": 0, "adjustment_positive": 0, "adjustment_negative": 0}})
    if "cancel" in steps:
        magento.post(f"/V1/orders/{order_id}/cancel")


def place_order(magento: RealMagento, who: str, lines: list[tuple[str, int]], plan: str = "") -> int:
    """One more order of simple products as ``who`` (a seeded customer or "guest"), moved on by ``plan`` as
    the seed's are (``invoice``, ``invoice+ship``, ...); its entity id."""
    order_id = _place(magento, who, lines, False, {})
    _after(magento, order_id, plan)
    return order_id


def seed_shop(magento: RealMagento) -> dict:
    """Create the shop described in the module docstring; returns the manifest of what was made."""
    second = _second_website(magento)
    products = _products(magento)
    rule = _coupon(magento)
    customers = _customers(magento, second)
    orders = {}
    for role, (who, lines, plan) in ORDERS.items():
        order_id = _place(magento, who, lines, "coupon" in plan, products["_size"])
        _after(magento, order_id, plan.replace("coupon", ""))
        orders[role] = {"entity_id": order_id, "increment_id": magento.get(f"/V1/orders/{order_id}")["increment_id"],
                        "customer": who}
    return {
        "second_website": second,
        "customers": {name: {"id": c["id"], "email": c["email"], "website_id": c["website_id"],
                             "firstname": c["firstname"], "lastname": c["lastname"],
                             "phone": CUSTOMERS[name][3]} for name, c in customers.items()},
        "guest": {"email": GUEST[0], "firstname": GUEST[1], "lastname": GUEST[2], "phone": GUEST[3]},
        "orders": orders,
        "products": {sku: {"id": p["id"], "sku": p["sku"]} for sku, p in products.items() if not sku.startswith("_")},
        "coupon": {"code": COUPON, "rule_id": rule["rule_id"]},
    }
