"""The REST subset under /rest/V1/... and /rest/<store_code>/V1/... (magento-rest.md §3-13).

Every route names one ACL resource (§4). `_dispatch` counts the call, applies latency, verifies
the OAuth signature and the ACL, injects faults, runs the view under the store lock and applies
the `fields` projection.
"""

import copy
import functools
import json
import re
import time

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request

from . import goodwill
from . import oauth
from . import orders
from . import search
from .data import ADMIN_STORE
from .data import ORDER_STATUS_STORE_LABELS
from .data import ORDER_STATUSES
from .data import STORES
from .data import WEBSITES
from .errors import MagentoError
from .errors import not_found
from .errors import required_field

bp = Blueprint("sandbox_rest", __name__)
ROUTES = []  # (method, "/V1/..." display path, ACL resource), for stats and tests
STORE_CODES = {store["code"] for store in STORES} | {"all"}

CUSTOMER = "Magento_Customer::customer"
ORDER_VIEW = "Magento_Sales::actions_view"
SHIPMENT = "Magento_Sales::shipment"
INVOICE = "Magento_Sales::sales_invoice"
CREDITMEMO_VIEW = "Magento_Sales::sales_creditmemo"
CATALOG = "Magento_Catalog::products"
STORE = "Magento_Backend::store"

# Sales amounts that also appear as base_* (base currency = order currency in the sandbox).
_MONEY = {"grand_total", "subtotal", "discount_amount", "shipping_amount", "tax_amount",
          "total_paid", "total_invoiced", "total_refunded", "total_due", "total_canceled",
          "subtotal_invoiced", "subtotal_refunded", "subtotal_canceled", "shipping_invoiced",
          "shipping_refunded", "shipping_canceled", "discount_refunded", "total_offline_refunded",
          "total_online_refunded", "adjustment_positive", "adjustment_negative", "adjustment",
          "price", "original_price", "row_total", "amount_refunded", "amount_paid",
          "amount_ordered"}


def store():
    """Return the SandboxStore of the current app."""
    return current_app.extensions["sandbox_store"]


def json_response(value, status=200):
    """Serialise any JSON value (objects, lists, bare true/false/integers) as Magento does."""
    return Response(json.dumps(value), status, mimetype="application/json")


def internal_error():
    """Return Magento's masked 500 (ErrorProcessor::maskException)."""
    report = f"webapi-{int(time.time() * 1000):x}"
    return MagentoError(500, "Internal Error. Details are available in Magento log file. "
                             f"Report ID: {report}")


def raw_path():
    """Return the path exactly as received (Magento signs getRequestUri, not a decoded path)."""
    environ = request.environ
    return environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.path


def authenticate():
    """Return the integration of a signed call, or None for an anonymous one (no OAuth header)."""
    header_params = oauth.parse_authorization(request.headers.get("Authorization"))
    if header_params is None:  # a Bearer token counts as anonymous too (§2.3)
        return None
    form = (request.get_data(as_text=True)
            if request.mimetype == "application/x-www-form-urlencoded" else None)
    params = oauth.collect_params(header_params, request.query_string.decode("utf-8", "replace"),
                                  form)
    url = oauth.normalize_url(request.scheme, request.host, raw_path())
    with store().lock:
        return store().registry.verify_access(params, request.method, url)


def _dispatch(view, route, resource, also, store_code=None, **kwargs):
    sandbox = store()
    sandbox.count(route)
    if store_code is not None and store_code not in STORE_CODES:
        # PathProcessor keeps an unknown code in the path, so no route matches [I].
        raise MagentoError(404, "Request does not match any route.")
    if sandbox.latency_ms:
        time.sleep(sandbox.latency_ms / 1000)
    integration = authenticate()
    if integration is None or not integration.active or resource not in integration.grants:
        raise MagentoError(401, "The consumer isn't authorized to access %resources.",
                           {"resources": resource})
    # A module service that requires more resources itself refuses, as Magento does, naming every one missing.
    missing = [name for name in also(request.args) if name not in integration.grants]
    if missing:
        raise MagentoError(401, "The consumer isn't authorized to access %resources.",
                           {"resources": ", ".join(missing)})
    fault = sandbox.take_fault(request.method, request.path)
    if fault in ("timeout", "slow"):  # "slow": then the request runs, as one queued behind a lock in Magento
        time.sleep(sandbox.hang_seconds)
    if fault in ("timeout", "500"):
        raise internal_error()
    # OAuth parameters travel in the header, so path and query identify a read completely.
    key = (request.host, request.full_path)
    cached = sandbox.cached_reply(key) if request.method == "GET" else None
    if cached is not None:
        return Response(cached, 200, mimetype="application/json")
    with sandbox.lock:
        result = view(sandbox, **kwargs)
        version = sandbox.version
        if request.method != "GET":
            sandbox.changed()
    if fault == "after_commit_timeout":  # the write happened; the caller just never hears of it
        time.sleep(sandbox.hang_seconds)
    if request.args.get("fields"):
        result = search.project(result, search.parse_fields(request.args["fields"]))
    body = json.dumps(result)
    if request.method == "GET":
        sandbox.keep_reply(key, version, body)
    return Response(body, 200, mimetype="application/json")


def rest_route(method, path, resource, also=lambda args: ()):
    """Register a view under /rest/V1 and /rest/<store_code>/V1 with its ACL resource; ``also(args)`` names the
    resources the service itself requires besides (Magento ORs a route's own)."""
    display = "/V1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)

    def decorator(view):
        dispatch = functools.partial(_dispatch, view, f"{method} {display}", resource, also)
        for prefix, suffix in (("/rest/V1", ""), ("/rest/<store_code>/V1", "_scoped")):
            bp.add_url_rule(prefix + path, view.__name__ + suffix, dispatch, methods=[method])
        ROUTES.append((method, display, resource))
        return view

    return decorator


def _rendered(value):
    """Deep-copy a sales document: drop null keys, mirror amounts as base_*."""
    if isinstance(value, list):
        return [_rendered(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: _rendered(item) for key, item in value.items() if item is not None}
    for key in [key for key in result if key in _MONEY]:
        result[f"base_{key}"] = result[key]
    return result


def render_order(order):
    """Return the order JSON; dummy child rows carry their parent row as parent_item (§6)."""
    result = _rendered(order)
    rows = {row["item_id"]: row for row in result["items"]}
    for row in result["items"]:
        if "parent_item_id" in row:
            row["parent_item"] = copy.deepcopy(rows[row["parent_item_id"]])
    return result


def _criteria():
    return search.parse_criteria(request.args.items(multi=True))


def _get(collection, entity_id):
    if entity_id not in collection:
        raise not_found()
    return collection[entity_id]


def _body():
    return request.get_json(silent=True) or {}


def _customer_view(customer):
    """Add CustomerRepository::getList's extra filter fields: name and default billing ones (§5)."""
    billing = next((a for a in customer["addresses"] if a.get("default_billing")), {})
    parts = (customer.get(k) for k in ("prefix", "firstname", "middlename", "lastname", "suffix"))
    return dict(customer, name=" ".join(p for p in parts if p),
                billing_telephone=billing.get("telephone"),
                billing_postcode=billing.get("postcode"), billing_city=billing.get("city"),
                billing_region=(billing.get("region") or {}).get("region"),
                billing_country_id=billing.get("country_id"), company=billing.get("company"))


def _product_view(product):
    """Expose the entity_id column and custom attribute codes as filter fields."""
    attributes = {a["attribute_code"]: a["value"] for a in product["custom_attributes"]}
    return dict(attributes, **product, entity_id=product["id"])


@rest_route("GET", "/customers/search", CUSTOMER)
def customers_search(sandbox):
    """Search customers, including by name and default billing address fields."""
    rows = copy.deepcopy(list(sandbox.data.customers.values()))
    return search.search(rows, _criteria(), view=_customer_view)


@rest_route("GET", "/customers/<int:customer_id>", CUSTOMER)
def customer_get(sandbox, customer_id):
    """Return one customer or Magento's NoSuchEntity 404 naming customerId."""
    if customer_id not in sandbox.data.customers:
        raise not_found("No such entity with %fieldName = %fieldValue",
                        {"fieldName": "customerId", "fieldValue": customer_id})
    return copy.deepcopy(sandbox.data.customers[customer_id])


@rest_route("GET", "/orders", ORDER_VIEW)
def orders_search(sandbox):
    """Search orders."""
    return search.search([render_order(o) for o in sandbox.data.orders.values()], _criteria())


@rest_route("GET", "/orders/<int:order_id>", ORDER_VIEW)
def order_get(sandbox, order_id):
    """Return one order."""
    return render_order(_get(sandbox.data.orders, order_id))


@rest_route("GET", "/orders/items", ORDER_VIEW)
def order_items_search(sandbox):
    """Search order rows across all orders."""
    rows = [row for order in sandbox.data.orders.values() for row in render_order(order)["items"]]
    return search.search(rows, _criteria())


@rest_route("POST", "/orders/<int:order_id>/cancel", "Magento_Sales::cancel")
def order_cancel(sandbox, order_id):
    """Cancel an order: true, or false when canCancel() refuses (§10)."""
    return orders.cancel(sandbox.data, _get(sandbox.data.orders, order_id), sandbox.now())


@rest_route("POST", "/orders/<int:order_id>/hold", "Magento_Sales::hold")
def order_hold(sandbox, order_id):
    """Hold an order."""
    orders.hold(_get(sandbox.data.orders, order_id), sandbox.now())
    return True


@rest_route("POST", "/orders/<int:order_id>/unhold", "Magento_Sales::unhold")
def order_unhold(sandbox, order_id):
    """Release a held order."""
    orders.unhold(_get(sandbox.data.orders, order_id), sandbox.now())
    return True


@rest_route("POST", "/orders/<int:order_id>/comments", "Magento_Sales::comment")
def order_comment(sandbox, order_id):
    """Add a statusHistory comment (§11)."""
    order = _get(sandbox.data.orders, order_id)
    history = _body().get("statusHistory")
    if not isinstance(history, dict):
        raise required_field("statusHistory")
    for name in ("comment", "is_customer_notified", "is_visible_on_front", "parent_id"):
        if history.get(name) is None:
            raise required_field(name)
    orders.add_comment(sandbox.data, order, history, sandbox.now())
    return True


@rest_route("POST", "/orders/<int:order_id>/emails", "Magento_Sales::emails")
def order_email(sandbox, order_id):
    """Re-send the order email (§12); the sandbox only counts it in email_sent."""
    order = _get(sandbox.data.orders, order_id)
    order["email_sent"] = order.get("email_sent", 0) + 1
    return True


def _refund_request():
    body = _body()
    for item in body.get("items") or []:
        for name in ("order_item_id", "qty"):
            if item.get(name) is None:
                raise required_field(name)
    return body


@rest_route("POST", "/order/<int:order_id>/refund", "Magento_Sales::creditmemo")
def order_refund(sandbox, order_id):
    """Refund offline; reply with the credit memo id (§9)."""
    order = _get(sandbox.data.orders, order_id)
    return orders.refund(sandbox.data, order, _refund_request(), sandbox.now())


@rest_route("POST", "/invoice/<int:invoice_id>/refund", INVOICE)
def invoice_refund(sandbox, invoice_id):
    """Refund an invoice, online when isOnline and the invoice was captured online (§9)."""
    invoice = _get(sandbox.data.invoices, invoice_id)
    order = sandbox.data.orders[invoice["order_id"]]
    return orders.refund(sandbox.data, order, _refund_request(), sandbox.now(), invoice=invoice)


@rest_route("GET", "/shipments", SHIPMENT)
def shipments_search(sandbox):
    """Search shipments; tracks are embedded (§7)."""
    return search.search(_rendered(list(sandbox.data.shipments.values())), _criteria())


@rest_route("GET", "/shipment/<int:shipment_id>", SHIPMENT)
def shipment_get(sandbox, shipment_id):
    """Return one shipment."""
    return _rendered(_get(sandbox.data.shipments, shipment_id))


@rest_route("GET", "/invoices", INVOICE)
def invoices_search(sandbox):
    """Search invoices (§8)."""
    return search.search(_rendered(list(sandbox.data.invoices.values())), _criteria())


@rest_route("GET", "/invoices/<int:invoice_id>", INVOICE)
def invoice_get(sandbox, invoice_id):
    """Return one invoice."""
    return _rendered(_get(sandbox.data.invoices, invoice_id))


@rest_route("GET", "/creditmemos", CREDITMEMO_VIEW)
def creditmemos_search(sandbox):
    """Search credit memos."""
    return search.search(_rendered(list(sandbox.data.creditmemos.values())), _criteria())


@rest_route("GET", "/creditmemo/<int:creditmemo_id>", CREDITMEMO_VIEW)
def creditmemo_get(sandbox, creditmemo_id):
    """Return one credit memo."""
    return _rendered(_get(sandbox.data.creditmemos, creditmemo_id))


@rest_route("GET", "/products", CATALOG)
def products_search(sandbox):
    """Search products, filterable by entity_id and custom attributes such as url_key (§13)."""
    rows = copy.deepcopy(list(sandbox.data.products.values()))
    return search.search(rows, _criteria(), view=_product_view)


@rest_route("GET", "/products/<path:sku>", CATALOG)
def product_get(sandbox, sku):
    """Return one product by SKU."""
    product = sandbox.data.product_by_sku(sku)
    if product is None:
        raise not_found("The product that was requested doesn't exist. Verify the product and "
                        "try again.")
    return copy.deepcopy(product)


def _store_config(view):
    """Return a StoreConfig whose URLs point at the sandbox as the client reached it (§13)."""
    base = request.host_url
    link = base + view["link_path"]
    currency = view["currency"]
    urls = {"base_url": base, "base_link_url": link, "base_static_url": base + "static/",
            "base_media_url": base + "media/"}
    return {"id": view["id"], "code": view["code"], "website_id": view["website_id"],
            "locale": view["locale"], "base_currency_code": currency,
            "default_display_currency_code": currency, "timezone": view["timezone"],
            "weight_unit": view["weight_unit"], **urls,
            **{f"secure_{key}": value for key, value in urls.items()}}


@rest_route("GET", "/store/storeConfigs", STORE)
def store_configs(sandbox):
    """Return the store configs, optionally only for storeCodes[i]."""
    wanted = search.nest_query(request.args.items(multi=True)).get("storeCodes")
    codes = set(wanted.values()) if isinstance(wanted, dict) else None
    return [_store_config(view) for view in STORES if codes is None or view["code"] in codes]


@rest_route("GET", "/store/storeViews", STORE)
def store_views(sandbox):
    """Return every store view, admin included."""
    fields = ADMIN_STORE.keys()
    return [ADMIN_STORE, *({k: view[k] for k in fields} for view in STORES)]


@rest_route("GET", "/store/websites", STORE)
def store_websites(sandbox):
    """Return every website, the admin website (id 0) included, as Magento's StoreWebsiteInterface list."""
    websites = {0: ("admin", "Admin"), **{wid: (f"base{wid}" if wid > 1 else "base", name)
                                          for wid, name in WEBSITES.items()}}
    return [{"id": wid, "code": code, "name": name, "default_group_id": wid}
            for wid, (code, name) in websites.items()]


@rest_route("GET", "/gladly/config", "Gladly_Connector::config")
def gladly_config(sandbox):
    """The companion module's configuration endpoint; ``order_statuses`` lists each status's own label
    (store 0) followed by its store view labels, as the module's OrderStatusLabels does."""
    statuses = []
    for code, label in sorted(ORDER_STATUSES.items()):
        statuses.append({"store_id": 0, "code": code, "label": label})
        statuses += [{"store_id": store_id, "code": code, "label": store_label}
                     for (status, store_id), store_label in ORDER_STATUS_STORE_LABELS.items() if status == code]
    return {"bridge_url": sandbox.bridge_url, "product_url_suffix": ".html",
            "admin_base_url": request.host_url + "admin/",
            "allowed_actions": ["cancel", "refund", "comment", "hold", "unhold", "email", "coupon", "address"],
            "coupon_rules": goodwill.published_rules(sandbox.data, sandbox.coupon_rule_ids, sandbox.now()[:10]),
            "capabilities": sandbox.module_capabilities, "setup_code": sandbox.setup_code,
            "order_statuses": statuses, **sandbox.ai}


@rest_route("PUT", "/gladly/orders/<int:order_id>/shipping-address", "Gladly_Connector::order_address")
def gladly_shipping_address(sandbox, order_id):
    """The companion module's address change: refused once anything shipped; comments old and new."""
    body = _body()
    return goodwill.change_shipping_address(sandbox.data, _get(sandbox.data.orders, order_id), body.get("address"),
                                            body.get("note") or "", sandbox.now())


@rest_route("POST", "/gladly/orders/<int:order_id>/goodwill-coupon", "Gladly_Connector::goodwill_coupon")
def gladly_goodwill_coupon(sandbox, order_id):
    """The companion module's goodwill coupon: one code for the order's registered customer, capped."""
    return goodwill.issue_coupon(sandbox.data, _get(sandbox.data.orders, order_id), _body(), sandbox.coupon_rule_ids,
                                 (sandbox.coupon_limit, sandbox.coupon_period_days), sandbox.now())


# The stock routes' resources GET /V1/gladly/profile requires, each (magento-module/Model/Profile/ProfileReader.php).
PROFILE_RESOURCES = (ORDER_VIEW, SHIPMENT, CREDITMEMO_VIEW, CATALOG)
ORDER_TOTAL_COLUMNS = ("state", "created_at", "store_id", "grand_total", "total_refunded", "base_grand_total",
                       "base_total_refunded", "order_currency_code", "base_currency_code")


def _profile_resources(args):
    return ((CUSTOMER,) if _int_arg(args, "customerId", 0) > 0 else ()) + PROFILE_RESOURCES


def _int_arg(args, name, default):
    try:
        return int(args.get(name) or default)
    except ValueError:
        return default


def _where(*filters, sort=(), size=None):
    """A searchCriteria of ANDed ``(field, value, condition)`` filters, as the module builds them."""
    groups = [[{"field": field, "value": value, "condition_type": condition}] for field, value, condition in filters]
    return search.Criteria(groups, [{"field": field, "direction": direction} for field, direction in sort], size, 1)


def _of_orders(documents, order_ids):
    """The shipments or credit memos of the orders (an ``in`` list), rendered; none without orders."""
    if not order_ids:
        return []
    return search.search(_rendered(list(documents.values())), _where(("order_id", order_ids, "in")))["items"]


# The custom attributes of a profile's products (magento-module/Api/Data/ProfileProductInterface.php ATTRIBUTES).
PROFILE_PRODUCT_ATTRIBUTES = ("url_key", "image")


@rest_route("GET", "/gladly/profile", ORDER_VIEW, also=_profile_resources)
def gladly_profile(sandbox):
    """The companion module's one-request read of a detailed lookup: the records GET /V1/customers/{id},
    /V1/orders, /V1/shipments, /V1/creditmemos and /V1/products would answer, with the same ACL (each)."""
    customer_id = _int_arg(request.args, "customerId", 0)
    email = request.args.get("email") or ""
    limit = max(1, min(_int_arg(request.args, "orderLimit", 20), 300))
    empty = {"order_count": 0}
    if customer_id > 0:
        if customer_id not in sandbox.data.customers:
            return empty
        customer = copy.deepcopy(sandbox.data.customers[customer_id])
        owner = [("customer_id", str(customer_id), "eq")]
    elif email:
        customer, owner = None, [("customer_email", email, "eq"), ("customer_is_guest", "1", "eq")]
    else:
        return empty
    rows = [render_order(order) for order in sandbox.data.orders.values()]
    found = search.search(rows, _where(*owner, sort=[("created_at", "DESC")], size=limit))
    recent, count = found["items"], found["total_count"]
    every = search.search(rows, _where(*owner, sort=[("entity_id", "ASC")]))["items"] if count > len(recent) else []
    product_ids = sorted({str(row["product_id"]) for order in recent for row in order["items"]
                          if not row.get("parent_item_id") and row.get("product_id")})
    products = (search.search(copy.deepcopy(list(sandbox.data.products.values())),
                              _where(("entity_id", ",".join(product_ids), "in")), view=_product_view)["items"]
                if product_ids else [])
    lists = {
        "orders": recent,
        "totals": [{key: order[key] for key in ORDER_TOTAL_COLUMNS if key in order} for order in every],
        "shipments": _of_orders(sandbox.data.shipments, ",".join(str(order["entity_id"]) for order in recent)),
        "credit_memos": _of_orders(sandbox.data.creditmemos, ",".join(str(order["entity_id"]) for order in recent
                                                                       if order.get("total_refunded"))),
        # The module's ProfileProductInterface: what a lookup reads of a product (ProfileReader::productsById).
        "products": [{"id": product["id"], "status": product["status"], "visibility": product["visibility"],
                      "custom_attributes": [attribute for attribute in product["custom_attributes"]
                                            if attribute["attribute_code"] in PROFILE_PRODUCT_ATTRIBUTES]}
                     for product in products],
    }
    # Magento's fields filter answers an empty list as null (FieldsFilter::applyFilter), and the bridge always
    # sends fields=; null for every empty list keeps the contract test's shapes alike.
    return {**({"customer": customer} if customer else {}), "order_count": count,
            **{name: items or None for name, items in lists.items()}}
