"""Magento JSON → lookup model: customers, guest shoppers, orders, lines and shipments. Pure, no HTTP.

Field sources follow magento-rest.md §19's table; Gladly's field meanings are gladly-lookup-adaptor.md §3.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from bridge.lookup.model import Action
from bridge.lookup.model import Address
from bridge.lookup.model import Fulfillment
from bridge.lookup.model import Order
from bridge.lookup.model import OrderLine
from bridge.lookup.model import Phone
from bridge.lookup.model import Profile
from bridge.lookup.model import Refund
from bridge.magento import formatting as fmt
from bridge.magento.orders import line_total
from bridge.magento.orders import number
from bridge.magento.orders import qty
from bridge.magento.orders import shipping_address
from bridge.magento.orders import visible_lines
from bridge.magento.store import Product
from bridge.magento.store import Site

# Magento's default customer groups; names of merchant-made groups need a call the lookup does not make.
GROUP_NAMES = {0: "NOT LOGGED IN", 1: "General", 2: "Wholesale", 3: "Retailer"}
GUEST_PREFIX = "guest:"
# The order history shown in `note`: the newest comments only (the rest is one click away in the admin),
# each cut to a length a transaction card can show.
NOTE_COMMENTS = 3
NOTE_COMMENT_CHARS = 300
# Titles of Magento's own offline methods, for orders whose payment carries no method_title.
PAYMENT_TITLES = {"checkmo": "Check / Money order", "banktransfer": "Bank Transfer Payment",
                  "cashondelivery": "Cash On Delivery", "purchaseorder": "Purchase Order",
                  "free": "No Payment Information Required"}


def guest_id(email: str) -> str:
    """The externalCustomerId of a guest-only shopper: Magento has no record, so it encodes the email (§19)."""
    return GUEST_PREFIX + email.strip().lower()


def parse_external_id(external_id: str | None) -> tuple[str, int | str] | None:
    """``("customer", 12)`` or ``("guest", "a@b.c")``; None for anything the bridge never issued."""
    value = (external_id or "").strip()
    if value.isascii() and value.isdigit():
        return "customer", int(value)
    if value.lower().startswith(GUEST_PREFIX) and "@" in value:
        return "guest", value[len(GUEST_PREFIX):].lower()
    return None


# --- shoppers -------------------------------------------------------------------------------------------

def _default_address(customer: dict) -> dict | None:
    """The default billing address, else the default shipping one, else the first."""
    addresses = customer.get("addresses") or []
    for flag in ("default_billing", "default_shipping"):
        # Customer search replies flag the address; a customer record names its id.
        default_id = str(customer.get(flag) or "")
        for address in addresses:
            if address.get(flag) or (default_id and str(address.get("id")) == default_id):
                return address
    return addresses[0] if addresses else None


def customer_phones(customer: dict) -> list[Phone]:
    """The default billing address's phone as MOBILE, other addresses' phones as OTHER.

    Magento does not type phones. The default billing phone is the shopper's own and the only searchable
    one (magento-rest.md §5); other addresses often belong to gift recipients, and only MOBILE numbers
    auto-link in Gladly (gladly-lookup-adaptor.md §3.1), so they must not link this profile.
    """
    primary = _default_address(customer)
    addresses = [primary, *(a for a in customer.get("addresses") or [] if a is not primary)] if primary else []
    phones: dict[str, Phone] = {}
    for address in addresses:
        number = fmt.to_e164(address.get("telephone"), address.get("country_id"))
        if number and number not in phones:
            phones[number] = Phone(number, "MOBILE" if address is primary else "OTHER")
    return list(phones.values())


def customer_profile(customer: dict) -> Profile:
    """A registered customer as a lookup result (no transactions)."""
    return Profile(
        external_customer_id=str(customer["id"]),
        name=fmt.person_name(customer.get("firstname"), customer.get("lastname")),
        address=fmt.address_line(_default_address(customer)),
        emails=[customer["email"]] if customer.get("email") else [],
        phones=customer_phones(customer),
    )


def _billing_phones(billing: dict) -> list[Phone]:
    number = fmt.to_e164(billing.get("telephone"), billing.get("country_id"))
    return [Phone(number, "MOBILE")] if number else []


def guest_profile(order: dict) -> Profile:
    """A guest-only shopper, named and reached through the billing address of an order (their newest)."""
    billing = order.get("billing_address") or {}
    email = (order.get("customer_email") or "").lower()
    return Profile(
        external_customer_id=guest_id(email),
        name=fmt.person_name(billing.get("firstname") or order.get("customer_firstname"),
                             billing.get("lastname") or order.get("customer_lastname")),
        address=fmt.address_line(billing),
        emails=[email],
        phones=_billing_phones(billing),
    )


def order_owner_profile(order: dict) -> Profile:
    """Whoever placed an order found by number: its customer (as the order names them) or its guest."""
    if not order.get("customer_id"):
        return guest_profile(order)
    billing = order.get("billing_address") or {}
    return Profile(
        external_customer_id=str(order["customer_id"]),
        name=fmt.person_name(order.get("customer_firstname"), order.get("customer_lastname")),
        address=fmt.address_line(billing),
        emails=[order["customer_email"]] if order.get("customer_email") else [],
        phones=_billing_phones(billing),
    )


# --- customer attributes --------------------------------------------------------------------------------

def lifetime_value(order_totals: list[dict], fallback_currency: str) -> str:
    """Money paid over all orders, net of refunds, in the base currency; canceled orders excluded.

    Base amounts make orders in different display currencies addable (magento-rest.md §3.1). Should a
    shopper span websites with different base currencies, each currency is summed on its own.
    """
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for order in order_totals:
        if order.get("state") == "canceled":
            continue
        currency = order.get("base_currency_code") or order.get("order_currency_code") or fallback_currency
        net = (fmt.to_decimal(order.get("base_grand_total", order.get("grand_total")))
               - fmt.to_decimal(order.get("base_total_refunded", order.get("total_refunded"))))
        sums[currency] += net
    if not sums:
        return fmt.format_money(0, fallback_currency)
    return " + ".join(fmt.format_money(total, currency) for currency, total in sums.items())


def customer_attributes(customer: dict, site: Site, order_count: int, order_totals: list[dict]) -> dict[str, str]:
    """Custom attributes of a registered customer; every value a string (gladly-lookup-adaptor.md §3.3)."""
    group_id = customer.get("group_id")
    return {
        "customerSince": site.local_date(customer.get("store_id"), customer.get("created_at")),
        "customerLink": site.links.customer(customer["id"]),
        "customerGroup": GROUP_NAMES.get(group_id, f"Group {group_id}") if group_id is not None else "",
        "website": site.website_name(customer.get("website_id")),
        "orderCount": str(order_count),
        "lifetimeValue": lifetime_value(order_totals, site.view(customer.get("store_id")).base_currency),
    }


def guest_attributes(latest_order: dict, site: Site, order_count: int, order_totals: list[dict]) -> dict[str, str]:
    """Custom attributes of a guest-only shopper: no account, so "since" is the first order's date (in the
    timezone of the store view it was placed in)."""
    view = site.view(latest_order.get("store_id"))
    dated = [order for order in order_totals if order.get("created_at")]
    first = min(dated, key=lambda order: order["created_at"]) if dated else latest_order
    return {
        "customerSince": site.local_date(first.get("store_id", latest_order.get("store_id")),
                                         first.get("created_at")),
        "customerGroup": GROUP_NAMES[0],
        "website": site.website_name(view.website_id),
        "orderCount": str(order_count),
        "lifetimeValue": lifetime_value(order_totals, view.base_currency),
    }


# --- orders ---------------------------------------------------------------------------------------------

def _delivered(item: dict) -> Decimal:
    # A virtual line (virtual, downloadable) needs no shipment: it is delivered once invoiced.
    return qty(item, "qty_invoiced" if item.get("is_virtual") else "qty_shipped")


def line_done(item: dict) -> bool:
    """Whether nothing of a line is left to deliver: delivered, refunded or canceled in full."""
    return _delivered(item) + qty(item, "qty_refunded") + qty(item, "qty_canceled") >= qty(item, "qty_ordered")


def is_fulfilled(lines: list[dict]) -> bool:
    """Every visible line is done and something was delivered: a wholly canceled order is not fulfilled."""
    return bool(lines) and all(map(line_done, lines)) and any(_delivered(line) > 0 for line in lines)


def line_status(item: dict) -> str:
    """One short word or two: canceled, refunded, shipped, partially shipped, invoiced or ordered."""
    ordered, shipped = qty(item, "qty_ordered"), qty(item, "qty_shipped")
    refunded, canceled = qty(item, "qty_refunded"), qty(item, "qty_canceled")
    open_qty = ordered - refunded - canceled
    if open_qty <= 0:
        return "refunded" if refunded > 0 else "canceled"
    if shipped >= open_qty:
        return "shipped"
    if shipped > 0:
        return "partially shipped"
    return "invoiced" if qty(item, "qty_invoiced") > 0 else "ordered"


def order_line(item: dict, currency: str, store_id, site: Site, products: dict[int, Product | None]) -> OrderLine:
    """A visible row; its URL and image come from its own product, the configurable parent for such rows."""
    product = products.get(item.get("product_id"))
    return OrderLine(
        id=str(item["item_id"]),
        name=item.get("name") or "",
        sku=item.get("sku") or "",
        quantity=number(item.get("qty_ordered")),
        unit_price=fmt.format_money(item.get("price"), currency),
        total=fmt.format_money(line_total(item), currency),
        status=line_status(item),
        product_url=site.product_url(store_id, item.get("product_id"), product) or None,
        image_url=site.image_url(store_id, product),
    )


def order_address(address: dict | None) -> Address | None:
    """An order's billing or shipping address in Gladly's address shape (§3.4 ``billingAddress``)."""
    if not address:
        return None
    lines = fmt.street_lines(address.get("street"))
    return Address(
        name=fmt.person_name(address.get("firstname"), address.get("lastname")),
        phone=address.get("telephone") or "",
        street1=lines[0] if lines else "",
        street2=", ".join(lines[1:]),
        city=address.get("city") or "",
        state=fmt.region_code(address),
        country=address.get("country_id") or "",
        zip=address.get("postcode") or "",
    )


def payment_title(order: dict) -> str:
    """The payment method as the shopper chose it at checkout: the ``method_title`` Magento stores with the
    payment (``payment_additional_info`` of order reads), else a known offline method's title, else its code."""
    for entry in (order.get("extension_attributes") or {}).get("payment_additional_info") or []:
        if entry.get("key") == "method_title" and entry.get("value"):
            return str(entry["value"])
    method = (order.get("payment") or {}).get("method") or ""
    return PAYMENT_TITLES.get(method, method)


def customer_order_url(order: dict, site: Site) -> str | None:
    """The storefront "My Orders" page of the order (``sales/order/view``); guests have no account page."""
    if not order.get("customer_id") or order.get("customer_is_guest"):
        return None
    return f"{site.view(order.get('store_id')).link_url}sales/order/view/order_id/{order['entity_id']}/"


def order_note(order: dict, site: Site) -> str:
    """The newest comments of the order history, one per line, newest first, each at its time in the store's
    timezone: what agents read in the admin's "Comments History" (status changes without a comment say
    nothing and are left out)."""
    entries = [entry for entry in order.get("status_histories") or [] if (entry.get("comment") or "").strip()]
    entries.sort(key=lambda entry: (entry.get("created_at") or "", entry.get("entity_id") or 0), reverse=True)
    lines = []
    for entry in entries[:NOTE_COMMENTS]:
        text = " ".join(str(entry["comment"]).split())
        if len(text) > NOTE_COMMENT_CHARS:
            text = text[:NOTE_COMMENT_CHARS - 1] + "…"
        lines.append(f"{site.local_minute(order.get('store_id'), entry.get('created_at'))} {text}".strip())
    return "\n".join(lines)


def refunds(memos: list[dict], site: Site, store_id) -> list[Refund]:
    """An order's credit memos, oldest first, dated in the timezone of the order's store view. One with a
    gateway ``transaction_id`` was refunded online; Magento records none for an offline refund (§9)."""
    ordered = sorted(memos, key=lambda memo: (memo.get("created_at") or "", memo.get("entity_id") or 0))
    return [Refund(number=str(memo.get("increment_id") or memo.get("entity_id") or ""),
                   date=site.local_date(store_id, memo.get("created_at")),
                   amount=fmt.format_money(memo.get("grand_total"), memo.get("order_currency_code")),
                   online=bool(memo.get("transaction_id")))
            for memo in ordered]


def fulfillments(order: dict, shipments: list[dict], ship_to: Address | None = None) -> list[Fulfillment]:
    """One fulfillment per track of each shipment (one without tracking when it has none).

    Gladly shows one tracking number per fulfillment, so a multi-parcel shipment keeps every number.
    Shipment rows may name a configurable's child row; it is mapped to its visible parent's id. Magento
    ships an order to one address, ``ship_to``, which each fulfillment repeats (§3.4 ``shippingAddress``).
    """
    visible_of = {item["item_id"]: item.get("parent_item_id") or item["item_id"] for item in order.get("items") or []}
    result = []
    for shipment in sorted(shipments, key=lambda s: (s.get("created_at") or "", s.get("entity_id") or 0)):
        rows = [row.get("order_item_id") for row in shipment.get("items") or []]
        ids = [visible_of.get(item_id, item_id) for item_id in rows]
        product_ids = [str(item_id) for item_id in dict.fromkeys(ids) if item_id is not None]
        for track in shipment.get("tracks") or [{}]:
            result.append(Fulfillment(
                product_ids=product_ids,
                status="shipped",
                carrier=track.get("title") or track.get("carrier_code") or "",
                shipping_speed=order.get("shipping_description") or "",
                tracking_number=track.get("track_number") or "",
                tracking_url=fmt.tracking_url(track.get("carrier_code"), track.get("track_number")),
                shipping_address=ship_to,
            ))
    return result


def _amount_or_blank(amount, currency: str) -> str:
    # None at all reads better as "" than "$0.00".
    return fmt.format_money(amount, currency) if amount else ""


def build_order(order: dict, shipments: list[dict], site: Site, products: dict[int, Product | None],
                order_actions: Callable[[dict], list[Action]] | None = None, memos: list[dict] = ()) -> Order:
    """One ORDER transaction (gladly-lookup-adaptor.md §3.4) from an order, its shipments and credit memos."""
    currency = order.get("order_currency_code") or ""
    lines = visible_lines(order)
    ship_to = order_address(shipping_address(order))
    return Order(
        order_number=str(order.get("increment_id") or ""),
        created_at=fmt.iso_utc(order.get("created_at")),
        order_status=site.statuses.label(order.get("status") or order.get("state"), order.get("store_id")),
        order_total=fmt.format_money(order.get("grand_total"), currency),
        currency_code=currency,
        order_link=site.links.order(order["entity_id"]),
        item_count=len(lines),
        # Magento reports discounts as negative amounts (§6).
        discount=_amount_or_blank(abs(fmt.to_decimal(order.get("discount_amount"))), currency),
        fulfilled="Yes" if is_fulfilled(lines) else "No",
        shipping_method=order.get("shipping_description") or "",
        products=[order_line(item, currency, order.get("store_id"), site, products) for item in lines],
        fulfillments=fulfillments(order, shipments, ship_to),
        actions=order_actions(order) if order_actions else [],
        billing_address=order_address(order.get("billing_address")),
        shipping_address=ship_to,
        payment_method=payment_title(order),
        customer_order_url=customer_order_url(order, site),
        refunds=refunds(memos, site, order.get("store_id")),
        total_refunded=_amount_or_blank(fmt.to_decimal(order.get("total_refunded")), currency),
        note=order_note(order, site),
    )


def _by_order(documents: list[dict]) -> dict:
    grouped: dict = defaultdict(list)
    for document in documents:
        grouped[document.get("order_id")].append(document)
    return grouped


def build_orders(orders: list[dict], shipments: list[dict], site: Site, products: dict[int, Product | None],
                 order_actions: Callable[[dict], list[Action]] | None = None, memos: list[dict] = ()) -> list[Order]:
    """Every order with its own shipments and credit memos, in the order given (newest first)."""
    shipped, refunded = _by_order(shipments), _by_order(list(memos))
    return [build_order(order, shipped[order["entity_id"]], site, products, order_actions,
                        refunded[order["entity_id"]]) for order in orders]
