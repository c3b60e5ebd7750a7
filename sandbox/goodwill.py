"""The companion module's goodwill features: coupon codes from cart price rules, shipping address changes.

Both follow the module: ``Model/Coupon/GoodwillCouponManagement`` (one code per call, only for a registered
customer's order that is not canceled, from an allowed rule of the order's website and customer group, within
the per-customer cap), ``Model/Order/ShippingAddressManagement`` and the published ``Model/Coupon/RuleList``.
"""

import calendar
import secrets
import time

from .data import STORES
from .errors import MagentoError
from .errors import required_field

COUPON_TYPE_SPECIFIC = 2
_ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# Regions the sandbox's addresses use (Magento's directory ids for US states).
REGIONS = {"US": {"TX": (57, "Texas"), "CA": (12, "California"), "OR": (49, "Oregon"), "IL": (23, "Illinois"),
                  "CO": (13, "Colorado"), "NY": (43, "New York")}, "GB": {}, "DE": {}}
REQUIRED = (("firstname", "First Name"), ("lastname", "Last Name"), ("street", "Street Address"),
            ("city", "City"), ("postcode", "Zip/Postal Code"), ("country_id", "Country"),
            ("telephone", "Phone Number"))


def _code():
    """A code as the module asks CouponGenerator for: 12 letters and digits, a dash every 4."""
    raw = "".join(secrets.choice(_ALPHANUM) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def _days_before(now, days):
    """``now`` ("YYYY-MM-DD HH:MM:SS", UTC) minus ``days`` days, in the same format."""
    moment = calendar.timegm(time.strptime(now, "%Y-%m-%d %H:%M:%S")) - days * 86400
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment))


def issue_coupon(ds, order, body, allowed_ids, cap, now):
    """One goodwill code for the order's customer (module rules); ``cap`` is (limit, days)."""
    number = order["increment_id"]
    if order.get("customer_is_guest") or not order.get("customer_id"):
        raise MagentoError(400, "Order %1 was placed as a guest; goodwill coupons go to registered customers only.",
                           [number])
    if order["state"] == "canceled":
        raise MagentoError(400, "Order %1 is canceled; goodwill coupons are issued on orders that went ahead.",
                           [number])
    rule_id = body.get("ruleId", body.get("rule_id"))
    if rule_id in (None, ""):
        raise required_field("ruleId")
    rule = ds.sales_rules.get(int(rule_id))
    if not any(published["id"] == int(rule_id) for published in published_rules(ds, allowed_ids, now[:10])):
        raise MagentoError(400, "Rule %1 is not one of the goodwill coupon rules this store allows now.", [rule_id])
    website = next(store["website_id"] for store in STORES if store["id"] == order["store_id"])
    if website not in rule["website_ids"]:
        raise MagentoError(400, 'Rule "%1" does not apply to the website of order %2.', [rule["name"], number])
    if order.get("customer_group_id") not in rule["customer_group_ids"]:
        raise MagentoError(400, 'Rule "%1" does not apply to the customer group of order %2.', [rule["name"], number])
    limit, days = cap
    since = _days_before(now, days)
    if sum(1 for row in ds.goodwill_issued if row["customer_id"] == order["customer_id"]
           and row["created_at"] >= since) >= limit:
        raise MagentoError(400, "The customer of order %1 has already received %2 goodwill coupon(s) in the last %3 "
                                "days, the most this store allows; no code was issued.", [number, limit, days])
    code = _code()
    ds.coupons[code] = {"rule_id": rule["rule_id"], "created_at": now, "expiration_date": rule["to_date"],
                        "usage_limit": rule["uses_per_coupon"]}
    issued = {"code": code, "rule_id": rule["rule_id"], "order_id": order["entity_id"],
              "customer_id": order["customer_id"], "issued_at": now}
    ds.goodwill_issued.append({**issued, "created_at": now})
    note = (body.get("note") or "").strip()
    ending = f" {note}" if note else "."
    _comment(ds, order, f"Goodwill coupon {code} ({rule['name']}: {_describe(rule)}) issued{ending}", now)
    return issued


def _comment(ds, order, text, now):
    """A staff-only history comment, newest first, as Order::addCommentToStatusHistory adds it."""
    order["updated_at"] = now
    order["status_histories"].insert(0, {
        "entity_id": ds.next_id("history"), "parent_id": order["entity_id"], "entity_name": "order",
        "comment": text, "created_at": now, "is_customer_notified": None, "is_visible_on_front": 0,
        "status": order["status"]})


def _describe(rule, currency="USD"):
    amount = rule["discount_amount"]
    text = {"by_percent": f"{amount:g}% off matching items",
            "by_fixed": f"{currency} {amount:,.2f} off each matching item",
            "cart_fixed": f"{currency} {amount:,.2f} off the cart"}.get(rule["simple_action"], rule["simple_action"])
    return text


def published_rules(ds, allowed_ids, today):
    """``coupon_rules`` of GET /V1/gladly/config: allowed, auto-generating, active and current rules."""
    rules = []
    for rule_id in allowed_ids:
        rule = ds.sales_rules.get(rule_id)
        if (rule and rule["is_active"] and rule["use_auto_generation"] and rule["coupon_type"] == COUPON_TYPE_SPECIFIC
                and not (rule["to_date"] and rule["to_date"] < today)):
            rules.append({"id": rule_id, "name": rule["name"], "amount": _describe(rule),
                          "expires_on": rule["to_date"] or ""})
    return rules


def _one_line(address):
    region = " ".join(part for part in (address.get("region") or "", address.get("postcode") or "") if part)
    parts = [f"{address.get('firstname', '')} {address.get('lastname', '')}".strip(), address.get("company") or "",
             ", ".join(address.get("street") or []), address.get("city") or "", region,
             address.get("country_id") or "", address.get("telephone") or ""]
    return ", ".join(part for part in parts if part)


def _shipping(order):
    for assignment in order.get("extension_attributes", {}).get("shipping_assignments") or []:
        address = assignment.get("shipping", {}).get("address")
        if address:
            return address
    return None


def change_shipping_address(ds, order, request, note, now):
    """Replace an unshipped order's shipping address and comment the old and new one (module rules)."""
    number = order["increment_id"]
    current = _shipping(order)
    if current is None:
        raise MagentoError(400, "Order %1 has no shipping address: nothing in it ships.", [number])
    if order["state"] in ("complete", "closed", "canceled"):
        raise MagentoError(400, "Order %1 is %2; its shipping address can no longer be changed.",
                           [number, order["state"]])
    if any(shipment["order_id"] == order["entity_id"] for shipment in ds.shipments.values()):
        raise MagentoError(400, "Order %1 has already shipped (in part or in full); its shipping address can no "
                                "longer be changed.", [number])
    if not isinstance(request, dict):
        raise required_field("address")
    street = request.get("street") or []
    values = {name: str(request.get(name) or "").strip() for name in
              ("firstname", "lastname", "company", "city", "postcode", "country_id", "telephone")}
    values["street"] = [line.strip() for line in (street if isinstance(street, list) else [street]) if line.strip()]
    values["country_id"] = values["country_id"].upper()
    missing = [label for name, label in REQUIRED if not values[name]]
    if missing:
        raise MagentoError(400, "Enter the new address in full; missing: %1.", [", ".join(missing)])
    if values["country_id"] not in REGIONS:
        raise MagentoError(400, '"%1" is not a country this store ships to; enter its two-letter code.',
                           [values["country_id"]])
    typed = str(request.get("region") or request.get("region_code") or "").strip()
    regions = REGIONS[values["country_id"]]
    if regions:
        match = next(((code, rid, name) for code, (rid, name) in regions.items()
                      if typed.casefold() in (code.casefold(), name.casefold())), None)
        if match is None:
            raise MagentoError(400, '"%1" is not a region of %2; enter one of: %3.',
                               [typed, values["country_id"], ", ".join(regions)])
        values.update(region_code=match[0], region_id=match[1], region=match[2])
    else:
        values.update(region_code=None, region_id=None, region=typed or None)
    values["company"] = values["company"] or None
    before = _one_line(current)
    if _one_line({**current, **values}) == before:
        raise MagentoError(400, "The new address is the same as the current one; nothing was changed.")
    current.update(values)
    _comment(ds, order, f"Shipping address changed{' ' + note.strip() if note and note.strip() else ''}.\n"
                        f"Was: {before}\nNow: {_one_line(current)}", now)
    return dict(current)
