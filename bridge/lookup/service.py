"""One Gladly lookup against Magento: auto-link, agent search or the detailed profile of one shopper."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.lookup import mapping as detail
from bridge.lookup.matching import find_candidates
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import Action
from bridge.lookup.model import LookupQuery
from bridge.lookup.model import Profile
from bridge.magento.client import Deadline
from bridge.magento.client import MagentoClient
from bridge.magento.read_plan import AUTO
from bridge.magento.read_plan import read_shopper
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
    read_plan: str = AUTO

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
            read_plan=config["READ_PLAN"],
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
    """The full profile of one customer or guest-only shopper, or ``[]`` (gladly-lookup-adaptor.md §3.2): its
    records read by the stock or the module call plan (magento/read_plan.py), mapped the same way."""
    owner = detail.parse_external_id(external_id)
    if owner is None:
        return []
    kind, key = owner
    records = read_shopper(client, catalog_for(settings), kind, key, settings.order_limit, deadline,
                           settings.read_plan)
    if records is None:
        return []
    site, orders = records.site, records.orders
    if records.customer:
        profile = detail.customer_profile(records.customer)
        profile.custom_attributes = detail.customer_attributes(records.customer, site, records.order_count,
                                                               records.totals)
    else:
        profile = detail.guest_profile(orders[0])
        profile.custom_attributes = detail.guest_attributes(orders[0], site, records.order_count, records.totals)
    profile.transactions = detail.build_orders(orders, records.shipments, site, records.products, order_actions,
                                               records.memos)
    profile.actions = profile_actions(orders) if profile_actions else []
    return [profile]
