"""The two call plans of a detailed lookup: the stock routes in two stages, or the companion module's one request.

Both give the same :class:`ShopperRecords`, in the stock routes' own shapes, which ``lookup/mapping.py`` maps:
two call plans, one mapping. ``BRIDGE_READ_PLAN`` chooses:

* ``auto`` (default): the module plan when the module's ``GET /V1/gladly/config`` publishes ``profile_v1``,
  else the stock plan. When the module's answer fails (404: the module went away; 401: its route, or one of
  the stock resources it requires, is not granted; 400; 5xx; a reply of the wrong shape) the lookup falls
  back to the stock plan, and the module plan rests until the store cache's next refresh (``CACHE_TTL``).
  A 401 falls back too: the stock routes then give the authoritative answer, a lookup if only the module's
  route is refused, Magento's own refusal naming the resource otherwise. A timeout or an open circuit does
  not: the stock plan could not do better within the same deadline.
* ``module``: the module plan only, its errors surfacing (for benchmarks and diagnosis).
* ``stock``: the stock plan only.

Which plan ran is counted in ``bridge_magento_read_plan_total{plan, outcome}`` and named in the request's log
line (``read_plan=``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bridge.config import READ_PLANS
from bridge.errors import MagentoBadReply
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoRejected
from bridge.errors import MagentoTimeout
from bridge.errors import MagentoUnavailable
from bridge.magento import resources
from bridge.magento.client import Deadline
from bridge.magento.client import MagentoClient
from bridge.magento.formatting import to_decimal
from bridge.magento.orders import visible_lines
from bridge.magento.resources import CREDIT_MEMO_FIELDS
from bridge.magento.resources import CUSTOMER_FIELDS
from bridge.magento.resources import ORDER_FIELDS
from bridge.magento.resources import PROFILE_FIELDS
from bridge.magento.resources import SHIPMENT_FIELDS
from bridge.magento.resources import TOTAL_FIELDS
from bridge.magento.search import MAX_PAGE_SIZE
from bridge.magento.search import SearchCriteria
from bridge.magento.shapes import Shape
from bridge.magento.store import Catalog
from bridge.magento.store import Product
from bridge.magento.store import Site
from bridge.metrics import observe_read_plan

log = logging.getLogger(__name__)

AUTO, MODULE, STOCK = READ_PLANS  # BRIDGE_READ_PLAN's values
# The capability of GET /V1/gladly/config naming the reply shape this bridge reads; a module that changes the
# shape publishes a new name, so this bridge then keeps to the stock plan.
PROFILE_CAPABILITY = "profile_v1"
PROFILE_PATH = "/V1/gladly/profile"
_RESTING = "module_plan_resting"  # the catalog entry that holds the module plan back after a failure


@dataclass(frozen=True)
class ShopperRecords:
    """What Magento holds of one shopper for a detailed lookup, in the stock routes' shapes (resources.py)."""

    site: Site
    customer: dict | None
    orders: list[dict]  # the newest ORDER_LIMIT, newest first
    order_count: int
    totals: list[dict]  # the money fields of every order
    shipments: list[dict]
    products: dict[int, Product | None]
    memos: list[dict]


def read_shopper(client: MagentoClient, catalog: Catalog, kind: str, key: str | int, order_limit: int,
                 deadline: Deadline, plan: str = AUTO) -> ShopperRecords | None:
    """The records of a customer (``kind`` "customer", ``key`` its id) or guest-only shopper ("guest", the
    e-mail), or None when Magento has no such shopper."""
    if plan == STOCK or (plan == AUTO and not _module_plan_usable(catalog)):
        return _counted(STOCK, lambda: _stock(client, catalog, kind, key, order_limit, deadline))
    if plan == MODULE:
        return _counted(MODULE, lambda: _module(client, catalog, kind, key, order_limit, deadline))
    try:
        records = _module(client, catalog, kind, key, order_limit, deadline)
    except MagentoError as error:
        if not _stock_may_answer(error):
            observe_read_plan(MODULE, "error")
            raise
        observe_read_plan(MODULE, "fallback")
        catalog.cache.set(_RESTING, True)
        log.warning("magento read plan: the module failed (%s); the stock plan until the store cache's next "
                    "refresh", error.detail)
        return _counted(STOCK, lambda: _stock(client, catalog, kind, key, order_limit, deadline))
    observe_read_plan(MODULE, "ok")
    return records


def _module_plan_usable(catalog: Catalog) -> bool:
    """Whether the cached store facts say the module serves the plan, and it has not failed lately. With the
    store facts not cached yet the stock plan goes first: it reads them concurrently with its first stage (so
    with ``BRIDGE_CACHE_TTL=0``, which caches nothing, auto keeps to the stock plan)."""
    site = catalog.cached_site()
    return site is not None and PROFILE_CAPABILITY in site.capabilities and catalog.cache.get(_RESTING) is None


def _stock_may_answer(error: MagentoError) -> bool:
    """Whether the stock plan may succeed where the module failed: Magento answered 4xx, 5xx or a reply of
    the wrong shape; not after a timeout or with the circuit open, which the stock plan would meet too."""
    if isinstance(error, (MagentoRejected, MagentoBadReply)):
        return True
    return (isinstance(error, MagentoUnavailable) and not isinstance(error, MagentoTimeout)
            and (error.magento_status or 0) >= 500)


def _counted(plan: str, read):
    try:
        records = read()
    except MagentoError:
        observe_read_plan(plan, "error")
        raise
    observe_read_plan(plan, "ok")
    return records


def _module(client: MagentoClient, catalog: Catalog, kind: str, key: str | int, order_limit: int,
            deadline: Deadline) -> ShopperRecords | None:
    """ONE request, ``GET /V1/gladly/profile`` (magento-module/Api/ProfileReaderInterface.php), beside the store
    facts (cached, so a call only once per CACHE_TTL)."""
    params = [("customerId", key) if kind == "customer" else ("email", key), ("orderLimit", order_limit),
              ("fields", PROFILE_FIELDS)]

    def profile():
        return resources.get(client, PROFILE_PATH, resources.PROFILE, params, deadline=deadline)

    # Cached store facts (auto's case) need no second thread.
    site = catalog.cached_site()
    if site is None:
        site, reply = client.parallel(lambda: catalog.site(client, deadline), profile)
    else:
        reply = profile()
    # The fields filter turns empty lists into null (resources.PROFILE).
    customer, orders = reply.get("customer"), reply.get("orders") or []
    if (kind == "customer" and customer is None) or (kind == "guest" and not orders):
        return None
    order_count = reply.get("order_count") or len(orders)
    return ShopperRecords(
        site=site, customer=customer, orders=orders, order_count=order_count,
        totals=orders if order_count <= len(orders) else reply.get("totals") or [],
        shipments=reply.get("shipments") or [],
        products=catalog.remember_products(product_ids(orders), reply.get("products") or []),
        memos=reply.get("credit_memos") or [],
    )


def _stock(client: MagentoClient, catalog: Catalog, kind: str, key: str | int, order_limit: int,
           deadline: Deadline) -> ShopperRecords | None:
    """The stock routes (magento-rest.md §19), a fixed number of calls in two concurrent stages, whatever the
    number of orders:

      stage 1  GET /V1/customers/{id}                   (registered customers only)
               GET /V1/orders  newest ORDER_LIMIT of the shopper, trimmed to ORDER_FIELDS
               GET /V1/gladly/config, /V1/store/storeConfigs, /V1/store/websites   (cached; store-level)
      stage 2  GET /V1/shipments  order_id in the orders' ids, tracks embedded (§7)
               GET /V1/products   entity_id in the lines' product ids not yet cached (§13)
               GET /V1/orders     money fields of ALL the shopper's orders (300 a page), for the
                                  lifetime value; only when they have more than ORDER_LIMIT orders
               GET /V1/creditmemos  order_id in the ids of the orders with a refund (§9); only when
                                  one of them has one

    Warm caches leave three to six calls: customer, orders, shipments, and credit memos, totals or
    unseen products.
    """
    # Guest orders have no customer_id; they are the shopper's guest orders under that email (§6).
    owned = (SearchCriteria().where("customer_id", key) if kind == "customer"
             else SearchCriteria().where("customer_email", key).where("customer_is_guest", 1))

    # The store-level thunk goes first: parallel() runs it on this thread, where a cold cache may fan out.
    site, customer, recent = client.parallel(
        lambda: catalog.site(client, deadline),
        lambda: _customer(client, key, deadline) if kind == "customer" else None,
        lambda: resources.get(client, "/V1/orders", resources.ORDERS,
                              owned.order_by("created_at", "DESC").limit(order_limit)
                              .fields(f"items[{ORDER_FIELDS}],total_count"), deadline=deadline),
    )
    orders = recent.get("items") or []
    if (kind == "customer" and customer is None) or (kind == "guest" and not orders):
        return None

    order_ids = [order["entity_id"] for order in orders]
    order_count = recent.get("total_count") or len(orders)
    # The recent orders carry the money fields too: they are all the orders unless there are more.
    refunded_ids = [order["entity_id"] for order in orders if to_decimal(order.get("total_refunded")) > 0]
    shipments, products, totals, memos = client.parallel(
        lambda: _by_order_ids(client, "/V1/shipments", resources.SHIPMENTS, order_ids, SHIPMENT_FIELDS, deadline),
        lambda: catalog.products(client, product_ids(orders), deadline),
        lambda: orders if order_count <= len(orders) else _all_order_totals(client, owned, deadline),
        lambda: _by_order_ids(client, "/V1/creditmemos", resources.CREDIT_MEMOS, refunded_ids, CREDIT_MEMO_FIELDS,
                              deadline),
    )
    return ShopperRecords(site=site, customer=customer, orders=orders, order_count=order_count, totals=totals,
                          shipments=shipments, products=products, memos=memos)


def product_ids(orders: list[dict]) -> set[int]:
    """The catalog products of the orders' visible lines."""
    return {line["product_id"] for order in orders for line in visible_lines(order) if line.get("product_id")}


def _customer(client: MagentoClient, customer_id: str | int, deadline: Deadline) -> dict | None:
    """The customer record, or None when Magento has none (a lookup's "not found" is ``[]``, never an error)."""
    try:
        return resources.get(client, f"/V1/customers/{customer_id}", resources.CUSTOMER,
                             [("fields", CUSTOMER_FIELDS)], deadline=deadline)
    except MagentoNotFound:
        return None


def _all_order_totals(client: MagentoClient, owned: SearchCriteria, deadline: Deadline) -> list[dict]:
    """The money fields of every order of the shopper, paging by 300 (Magento's largest page, §3.2)."""
    criteria = owned.order_by("entity_id").fields(TOTAL_FIELDS)
    totals: list[dict] = []
    page = 1
    while True:
        reply = resources.get(client, "/V1/orders", resources.ORDER_TOTALS, criteria.limit(MAX_PAGE_SIZE, page),
                              deadline=deadline)
        items = reply.get("items") or []
        totals += items
        # Magento answers a page past the end with the last page again, so stop on total_count.
        if not items or page * MAX_PAGE_SIZE >= (reply.get("total_count") or 0):
            return totals
        page += 1


def _by_order_ids(client: MagentoClient, path: str, shape: Shape, order_ids: list[int], fields: str,
                  deadline: Deadline) -> list[dict]:
    """Every shipment (tracks embedded, magento-rest.md §7) or credit memo (§9) of the given orders in ONE
    call; none, and no call, without orders."""
    if not order_ids:
        return []
    criteria = SearchCriteria().where("order_id", order_ids, "in").limit(MAX_PAGE_SIZE).fields(fields)
    return resources.get(client, path, shape, criteria, deadline=deadline).get("items") or []
