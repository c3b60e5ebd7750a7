"""One Gladly lookup against Magento: auto-link, agent search or the detailed profile of one shopper."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.errors import MagentoNotFound
from bridge.lookup import mapping as detail
from bridge.lookup.matching import find_candidates
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import Action
from bridge.lookup.model import LookupQuery
from bridge.lookup.model import Profile
from bridge.magento import resources
from bridge.magento.client import Deadline
from bridge.magento.client import MagentoClient
from bridge.magento.formatting import to_decimal
from bridge.magento.orders import visible_lines
from bridge.magento.resources import CREDIT_MEMO_FIELDS
from bridge.magento.resources import CUSTOMER_FIELDS
from bridge.magento.resources import ORDER_FIELDS
from bridge.magento.resources import SHIPMENT_FIELDS
from bridge.magento.resources import TOTAL_FIELDS
from bridge.magento.search import MAX_PAGE_SIZE
from bridge.magento.search import SearchCriteria
from bridge.magento.shapes import Shape
from bridge.magento.store import catalog_for

OrderActions = Callable[[dict], list[Action]]
ProfileActions = Callable[[list[dict]], list[Action]]


@dataclass(frozen=True)
class LookupSettings:
    """What a lookup reads from the bridge configuration."""

    magento_url: str
    admin_url: str
    order_limit: int = 20
    search_limit: int = 10
    product_url_suffix: str = ".html"
    deadline: float = 4.0
    cache_ttl: float = 300
    cache_size: int = 4096

    @classmethod
    def from_config(cls, config, magento_url: str | None = None) -> LookupSettings:
        """Settings from the validated ``BRIDGE_*`` config; ``magento_url`` is the connected store's URL
        when it came from an activation rather than ``BRIDGE_MAGENTO_URL``."""
        base = magento_url or config["MAGENTO_URL"] or ""
        base = base if base.endswith("/") else base + "/"
        return cls(
            magento_url=base,
            admin_url=config["MAGENTO_ADMIN_URL"] or base + "admin/",
            order_limit=config["ORDER_LIMIT"],
            search_limit=config["SEARCH_LIMIT"],
            product_url_suffix=config["MAGENTO_PRODUCT_URL_SUFFIX"],
            deadline=config["LOOKUP_DEADLINE"],
            cache_ttl=config["CACHE_TTL"],
            cache_size=config["CACHE_SIZE"],
        )


def run_lookup(query: LookupQuery, client: MagentoClient, settings: LookupSettings,
               order_actions: OrderActions | None = None,
               profile_actions: ProfileActions | None = None) -> list[Profile]:
    """Answer one lookup; ``[]`` when nothing matches. One deadline bounds every Magento call it makes."""
    deadline = Deadline(settings.deadline)
    if query.kind == DETAILED:
        return detailed_lookup(query.external_customer_id, client, settings, deadline, order_actions,
                               profile_actions)
    if query.kind == SEARCH:
        return find_candidates(query, client, deadline, search=True)[:settings.search_limit]
    if query.kind == AUTO_LINK:
        return find_candidates(query, client, deadline, search=False)
    raise ValueError(f"Unknown lookup kind {query.kind!r}.")


def detailed_lookup(external_id: str | None, client: MagentoClient, settings: LookupSettings, deadline: Deadline,
                    order_actions: OrderActions | None = None,
                    profile_actions: ProfileActions | None = None) -> list[Profile]:
    """The full profile of one customer or guest-only shopper, or ``[]`` (gladly-lookup-adaptor.md §3.2).

    Call plan (magento-rest.md §19), a fixed number of calls in two concurrent stages, whatever the
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
    owner = detail.parse_external_id(external_id)
    if owner is None:
        return []
    kind, key = owner
    catalog = catalog_for(settings)
    # Guest orders have no customer_id; they are the shopper's guest orders under that email (§6).
    owned = (SearchCriteria().where("customer_id", key) if kind == "customer"
             else SearchCriteria().where("customer_email", key).where("customer_is_guest", 1))

    # The store-level thunk goes first: parallel() runs it on this thread, where a cold cache may fan out.
    site, customer, recent = client.parallel(
        lambda: catalog.site(client, deadline),
        lambda: _customer(client, key, deadline) if kind == "customer" else None,
        lambda: resources.get(client, "/V1/orders", resources.ORDERS,
                              owned.order_by("created_at", "DESC").limit(settings.order_limit)
                              .fields(f"items[{ORDER_FIELDS}],total_count"), deadline=deadline),
    )
    orders = recent.get("items") or []
    if (kind == "customer" and customer is None) or (kind == "guest" and not orders):
        return []

    order_ids = [order["entity_id"] for order in orders]
    product_ids = {line["product_id"] for order in orders for line in visible_lines(order)
                   if line.get("product_id")}
    order_count = recent.get("total_count") or len(orders)
    # The recent orders carry the money fields too: they are all the orders unless there are more.
    refunded_ids = [order["entity_id"] for order in orders if to_decimal(order.get("total_refunded")) > 0]
    shipments, products, totals, memos = client.parallel(
        lambda: _by_order_ids(client, "/V1/shipments", resources.SHIPMENTS, order_ids, SHIPMENT_FIELDS, deadline),
        lambda: catalog.products(client, product_ids, deadline),
        lambda: orders if order_count <= len(orders) else _all_order_totals(client, owned, deadline),
        lambda: _by_order_ids(client, "/V1/creditmemos", resources.CREDIT_MEMOS, refunded_ids, CREDIT_MEMO_FIELDS,
                              deadline),
    )

    if customer:
        profile = detail.customer_profile(customer)
        profile.custom_attributes = detail.customer_attributes(customer, site, order_count, totals)
    else:
        profile = detail.guest_profile(orders[0])
        profile.custom_attributes = detail.guest_attributes(orders[0], site, order_count, totals)
    profile.transactions = detail.build_orders(orders, shipments, site, products, order_actions, memos)
    profile.actions = profile_actions(orders) if profile_actions else []
    return [profile]


def _customer(client: MagentoClient, customer_id: int, deadline: Deadline) -> dict | None:
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
