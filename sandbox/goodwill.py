"""The companion module's goodwill features: coupon codes from cart price rules, shipping address changes.

Coupons follow ``SalesRule/Model/Service/CouponManagementService::generate`` (every failure inside it is
rewrapped as "Error occurred when generating coupons: %1"); the address change and the published rule list
follow the module's ``Model/Order/ShippingAddressManagement`` and ``Model/Coupon/RuleList``.
"""

import secrets

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


def _generation_error(reason, parameters=None):
    text = reason if parameters is None else reason.replace("%fieldName", "rule_id").replace(
        "%fieldValue", str(parameters))
    return MagentoError(400, "Error occurred when generating coupons: %1", [text])


def generate(ds, spec, now):
    """Codes for ``couponSpec``; the rule must exist and allow auto-generation."""
    if not isinstance(spec, dict):
        raise required_field("couponSpec")
    for name in ("rule_id", "format", "quantity", "length"):
        if spec.get(name) in (None, ""):
            raise MagentoError(400, "One or more input exceptions have occurred.")
    rule = ds.sales_rules.get(int(spec["rule_id"]))
    if rule is None:
        raise _generation_error("No such entity with %fieldName = %fieldValue", spec["rule_id"])
    if not rule["use_auto_generation"]:
        raise _generation_error("Specified rule does not allow automatic coupon generation")
    every, dash = int(spec.get("delimiter_at_every") or 0), spec.get("delimiter") or "-"
    codes = []
    for _ in range(int(spec["quantity"])):
        raw = "".join(secrets.choice(_ALPHANUM) for _ in range(int(spec["length"])))
        code = dash.join(raw[i:i + every] for i in range(0, len(raw), every)) if every else raw
        ds.coupons[code] = {"rule_id": rule["rule_id"], "created_at": now, "expiration_date": rule["to_date"],
                            "usage_limit": rule["uses_per_coupon"]}
        codes.append(code)
    return codes


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
    order["updated_at"] = now
    text = f"Shipping address changed{' ' + note.strip() if note and note.strip() else ''}.\n" \
           f"Was: {before}\nNow: {_one_line(current)}"
    order["status_histories"].insert(0, {
        "entity_id": ds.next_id("history"), "parent_id": order["entity_id"], "entity_name": "order",
        "comment": text, "created_at": now, "is_customer_notified": None, "is_visible_on_front": 0,
        "status": order["status"]})
    return dict(current)
