"""The Magento replies the bridge reads: each resource's shape, beside the ``fields=`` projections that ask for it.

A projection trims a reply to the fields the bridge maps (magento-rest.md §3.3); the shape beside it checks
those fields before any use (shapes.py). A field added to one belongs in the other.
"""
from __future__ import annotations

from typing import Any

from bridge.magento.shapes import Shape
from bridge.magento.shapes import anything
from bridge.magento.shapes import check
from bridge.magento.shapes import either
from bridge.magento.shapes import flag
from bridge.magento.shapes import integer
from bridge.magento.shapes import list_of
from bridge.magento.shapes import number
from bridge.magento.shapes import obj
from bridge.magento.shapes import text


def search_result(item: Shape) -> Shape:
    """A search reply, ``{"items": [...], "total_count": n}`` (magento-rest.md §3.2)."""
    return obj({"items": list_of(item), "total_count": integer})


def get(client, path: str, shape: Shape, params=None, *, deadline=None) -> Any:
    """``client.get`` whose reply is checked against ``shape``."""
    return check(client.get(path, params, deadline=deadline), shape, f"GET {path}")


ID_OR_TEXT = either(integer, text, expected="an id")

# --- addresses (of customers and orders) ----------------------------------------------------------------------

# Objects and lists first: either() passes strings outright, so a member tried in vain costs an exception.
REGION = either(obj({"region_code": text, "region": text}), text, expected="a region")
STREET = either(list_of(either(text, number, expected="a street line")), text, expected="a street")
_ADDRESS = {"firstname": text, "lastname": text, "telephone": text, "street": STREET, "city": text,
            "region": REGION, "region_code": text, "postcode": text, "country_id": text}
ORDER_ADDRESS = obj(_ADDRESS)
ADDRESS_FIELDS = "firstname,lastname,telephone,street,city,region,region_code,postcode,country_id"

# --- GET /V1/customers/{id}, GET /V1/customers/search -----------------------------------------------------------

CUSTOMER = obj({
    "id": integer, "email": text, "firstname": text, "lastname": text, "group_id": integer, "website_id": integer,
    "store_id": integer, "created_at": text, "default_billing": ID_OR_TEXT, "default_shipping": ID_OR_TEXT,
    "addresses": list_of(obj({**_ADDRESS, "id": integer, "default_billing": flag, "default_shipping": flag})),
}, required=("id",))
CUSTOMERS = search_result(CUSTOMER)
CUSTOMER_FIELDS = ("id,email,firstname,lastname,group_id,website_id,store_id,created_at,default_billing,"
                   "default_shipping,addresses[id,firstname,lastname,telephone,street,city,region,postcode,"
                   "country_id,default_billing,default_shipping]")

# --- GET /V1/orders/{id}, GET /V1/orders ----------------------------------------------------------------------

ORDER_LINE = obj({
    "item_id": integer, "parent_item_id": integer, "product_id": integer, "product_type": text, "sku": text,
    "name": text, "is_virtual": flag, "is_qty_decimal": flag,
    **{name: number for name in ("qty_ordered", "qty_invoiced", "qty_shipped", "qty_refunded", "qty_canceled",
                                 "price", "row_total", "row_total_incl_tax", "tax_amount", "discount_amount",
                                 "discount_tax_compensation_amount", "weee_tax_applied_row_amount")},
}, required=("item_id",))
_ORDER = {
    "entity_id": integer, "increment_id": ID_OR_TEXT, "created_at": text, "state": text, "status": text,
    "store_id": integer, "customer_id": integer, "customer_email": text, "customer_firstname": text,
    "customer_lastname": text, "customer_is_guest": flag, "order_currency_code": text, "base_currency_code": text,
    "shipping_description": text, "payment": obj({"method": text}), "billing_address": ORDER_ADDRESS,
    "items": list_of(ORDER_LINE),
    "status_histories": list_of(obj({"entity_id": integer, "comment": text, "created_at": text})),
    "extension_attributes": obj({
        "shipping_assignments": list_of(obj({"shipping": obj({"address": ORDER_ADDRESS})})),
        "payment_additional_info": list_of(obj({"key": text, "value": anything})),
    }),
    **{name: number for name in ("grand_total", "base_grand_total", "total_refunded", "base_total_refunded",
                                 "discount_amount", "total_invoiced", "total_paid", "total_due", "shipping_amount",
                                 "shipping_invoiced", "shipping_refunded")},
}
ORDER = obj(_ORDER, required=("entity_id",))
ORDERS = search_result(ORDER)
# Only what lookup/mapping.py maps, plus the state and totals order actions read to decide what is possible.
# The shipping address and the payment title live in extension_attributes (magento-rest.md §6).
ORDER_FIELDS = (
    "entity_id,increment_id,created_at,state,status,store_id,customer_id,customer_email,customer_is_guest,"
    "grand_total,base_grand_total,base_total_refunded,order_currency_code,base_currency_code,discount_amount,"
    "shipping_description,total_invoiced,total_paid,total_refunded,total_due,payment[method],"
    f"billing_address[{ADDRESS_FIELDS}],status_histories[entity_id,comment,created_at],"
    f"extension_attributes[shipping_assignments[shipping[address[{ADDRESS_FIELDS}]]],"
    "payment_additional_info[key,value]],"
    "items[item_id,parent_item_id,product_id,product_type,sku,name,qty_ordered,qty_invoiced,qty_shipped,"
    "qty_refunded,qty_canceled,price,row_total,is_virtual]"
)
# Who placed an order, for matching shoppers by order number or guest email.
OWNER_ORDER_FIELDS = ("entity_id,increment_id,created_at,store_id,customer_id,customer_email,customer_firstname,"
                      f"customer_lastname,customer_is_guest,billing_address[{ADDRESS_FIELDS}]")
# The money of every order, for the lifetime value: a few bytes per order, and no entity_id.
ORDER_TOTAL = obj(_ORDER)
ORDER_TOTALS = search_result(ORDER_TOTAL)
ORDER_TOTAL_FIELDS = ("state,created_at,store_id,grand_total,total_refunded,base_grand_total,base_total_refunded,"
                      "order_currency_code,base_currency_code")
TOTAL_FIELDS = f"items[{ORDER_TOTAL_FIELDS}],total_count"

# --- GET /V1/shipments ------------------------------------------------------------------------------------------

SHIPMENT = obj({
    "entity_id": integer, "order_id": integer, "created_at": text,
    "items": list_of(obj({"order_item_id": integer, "qty": number})),
    "tracks": list_of(obj({"track_number": text, "title": text, "carrier_code": text})),
})
SHIPMENTS = search_result(SHIPMENT)
SHIPMENT_ITEM_FIELDS = "entity_id,order_id,created_at,items[order_item_id,qty],tracks[track_number,title,carrier_code]"
SHIPMENT_FIELDS = f"items[{SHIPMENT_ITEM_FIELDS}]"

# --- GET /V1/invoices, GET /V1/creditmemos ----------------------------------------------------------------------

INVOICES = search_result(obj({
    "entity_id": integer, "increment_id": ID_OR_TEXT, "state": integer, "transaction_id": ID_OR_TEXT,
    "items": list_of(obj({"order_item_id": integer, "qty": number})),
}, required=("entity_id",)))
CREDIT_MEMO = obj({
    "entity_id": integer, "order_id": integer, "increment_id": ID_OR_TEXT, "created_at": text,
    "invoice_id": integer, "grand_total": number, "order_currency_code": text, "transaction_id": ID_OR_TEXT,
}, required=("entity_id",))
CREDIT_MEMOS = search_result(CREDIT_MEMO)
CREDIT_MEMO_ITEM_FIELDS = "entity_id,order_id,increment_id,created_at,grand_total,order_currency_code,transaction_id"
CREDIT_MEMO_FIELDS = f"items[{CREDIT_MEMO_ITEM_FIELDS}]"

# --- GET /V1/products -------------------------------------------------------------------------------------------

PRODUCT = obj({
    "id": integer, "status": integer, "visibility": integer,
    "custom_attributes": list_of(obj({"attribute_code": text, "value": anything})),
})
PRODUCTS = search_result(PRODUCT)
PRODUCT_ITEM_FIELDS = "id,status,visibility,custom_attributes[attribute_code,value]"
PRODUCT_FIELDS = f"items[{PRODUCT_ITEM_FIELDS}]"

# --- GET /V1/store/storeConfigs, GET /V1/store/websites (whole replies: no projection) ----------------------------

STORE_CONFIGS = list_of(obj({
    "id": integer, "website_id": integer, "base_link_url": text, "secure_base_link_url": text,
    "base_media_url": text, "secure_base_media_url": text, "base_currency_code": text, "timezone": text,
}))
WEBSITES = list_of(obj({"id": integer, "name": text}))

# --- GET /V1/gladly/config: the companion module's settings (whole reply) ---------------------------------------

COMPANION_CONFIG = obj({"admin_base_url": text, "product_url_suffix": text, "allowed_actions": list_of(text),
                        "setup_code": text, "capabilities": list_of(text),
                        "coupon_rules": list_of(obj({"id": integer, "name": text, "amount": text,
                                                     "expires_on": text}, required=("id",))),
                        "order_statuses": list_of(obj({"store_id": integer, "code": text, "label": text})),
                        # Gladly AI's limits the merchant set in the admin (Stores > Configuration > Gladly).
                        "ai_actions": list_of(text), "ai_refund_max": number, "ai_refund_daily_max": number,
                        "ai_order_max_age_days": integer, "ai_coupon_period_days": integer,
                        "ai_coupon_rule": integer})

# --- POST /V1/gladly/orders/{id}/goodwill-coupon: the module's Api/Data/GoodwillCouponInterface ------------------

GOODWILL_COUPON = obj({"code": text, "rule_id": integer, "order_id": integer, "customer_id": integer,
                       "issued_at": text}, required=("code", "customer_id"))

# --- GET /V1/gladly/profile: the module's Api/Data/ProfileInterface, the stock replies above in one ----------------

# Magento's fields filter turns an empty list into null (FieldsFilter::applyFilter), which a shape reads as absent.
PROFILE = obj({"customer": CUSTOMER, "orders": list_of(ORDER), "order_count": integer,
               "totals": list_of(ORDER_TOTAL), "shipments": list_of(SHIPMENT), "credit_memos": list_of(CREDIT_MEMO),
               "products": list_of(PRODUCT)})
PROFILE_FIELDS = (f"customer[{CUSTOMER_FIELDS}],orders[{ORDER_FIELDS}],order_count,totals[{ORDER_TOTAL_FIELDS}],"
                  f"shipments[{SHIPMENT_ITEM_FIELDS}],credit_memos[{CREDIT_MEMO_ITEM_FIELDS}],"
                  f"products[{PRODUCT_ITEM_FIELDS}]")
