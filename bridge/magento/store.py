"""Store-level facts a lookup needs, cached per worker: store views, websites, deep links and products.

They change rarely and are the same for every shopper, so each is fetched with one call and kept for
``CACHE_TTL`` seconds (magento-rest.md §13 "cache the reply", §19), in a thread-safe, size-bounded cache.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from bridge.errors import MagentoNotFound
from bridge.errors import MagentoUnauthorized
from bridge.magento import formatting as fmt
from bridge.magento import resources
from bridge.magento.resources import PRODUCT_FIELDS
from bridge.magento.search import SearchCriteria
from bridge.metrics import observe_cache

_MISSING = object()


class TTLCache:
    """A thread-safe mapping bounded in size (least recently used go first) whose entries expire."""

    def __init__(self, ttl: float, size: int, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()

    def get(self, key, default=None):
        """The live value under ``key``, or ``default``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= self.clock():
                self._entries.pop(key, None)
                return default
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key, value) -> None:
        """Store ``value`` for ``ttl`` seconds, evicting the least recently used entries beyond ``size``."""
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@dataclass(frozen=True)
class Links:
    """Admin deep links (magento-rest.md §15).

    With the companion module installed, links go through its redirect controller, which is exempt from
    "Add Secret Key to URLs" and redirects with a valid key; core URLs land on the dashboard when that
    setting is on, because the bridge cannot compute session-bound keys.
    """

    admin_url: str
    via_module: bool

    def order(self, entity_id) -> str:
        """The admin page of an order, by its ``entity_id``."""
        if self.via_module:
            return f"{self.admin_url}gladlybridge/open/order/id/{entity_id}/"
        return f"{self.admin_url}sales/order/view/order_id/{entity_id}/"

    def customer(self, customer_id) -> str:
        """The admin page of a customer."""
        if self.via_module:
            return f"{self.admin_url}gladlybridge/open/customer/id/{customer_id}/"
        return f"{self.admin_url}customer/index/edit/id/{customer_id}/"


@dataclass(frozen=True)
class StoreView:
    """One store view's public URLs, currency and timezone (``GET /V1/store/storeConfigs``, magento-rest.md §13)."""

    link_url: str
    media_url: str
    base_currency: str
    website_id: int | None = None
    timezone: str = ""


@dataclass(frozen=True)
class StatusLabels:
    """The store's order status labels, as the companion module publishes them (``order_statuses``).

    Keys are ``(store_id, code)``; store 0 holds a status's own label, store views may override it.
    """

    labels: dict[tuple[int, str], str] = field(default_factory=dict)

    @classmethod
    def from_companion(cls, companion: dict | None) -> StatusLabels:
        """Read ``order_statuses`` ([{store_id, code, label}], shape-checked by resources.COMPANION_CONFIG); none
        without the module or before it had them."""
        labels = {}
        for item in (companion or {}).get("order_statuses") or []:
            if item.get("code") and item.get("label"):
                labels[(_int(item.get("store_id")) or 0, str(item["code"]))] = str(item["label"])
        return cls(labels)

    def label(self, code: str | None, store_id=None) -> str:
        """The store view's label of a status, else its own label, else the code title-cased."""
        code = code or ""
        return (self.labels.get((_int(store_id), code)) or self.labels.get((0, code))
                or fmt.status_label(code))


DISABLED = 2  # a product's status
NOT_VISIBLE_INDIVIDUALLY = 1  # a product's visibility


@dataclass(frozen=True)
class Product:
    """What an order line needs from its catalog product: the URL key, the base image path, and whether the
    storefront shows the product on a page of its own."""

    url_key: str = ""
    image: str = ""
    shown: bool = True


@dataclass(frozen=True)
class Site:
    """Store-level facts for mapping: links, URL suffix, store views by id, website names by id, status labels,
    and the companion module's capabilities."""

    links: Links
    product_url_suffix: str
    views: dict[int, StoreView]
    websites: dict[int, str]
    default_view: StoreView
    statuses: StatusLabels = field(default_factory=StatusLabels)
    capabilities: frozenset[str] = frozenset()

    def view(self, store_id) -> StoreView:
        """The store view of an order or customer; the configured store URL when unknown."""
        return self.views.get(_int(store_id), self.default_view)

    def website_name(self, website_id) -> str:
        """A website's name, or its id when Magento did not list it."""
        return self.websites.get(_int(website_id)) or ("" if website_id is None else str(website_id))

    def product_url(self, store_id, product_id, product: Product | None) -> str:
        """``{link_url}{url_key}{suffix}``, or the rewrite-free ``catalog/product/view/id/…`` (§13); ''
        for a product whose page answers 404: deleted, disabled, or not visible individually."""
        if product is None or not product.shown:
            return ""
        link_url = self.view(store_id).link_url
        if product.url_key:
            return f"{link_url}{product.url_key}{self.product_url_suffix}"
        return f"{link_url}catalog/product/view/id/{product_id}" if product_id else ""

    def local_date(self, store_id, magento_date: str | None) -> str:
        """A Magento UTC timestamp as the date in the store view's timezone, as the admin shows it."""
        return fmt.local_date(magento_date, self.view(store_id).timezone)

    def local_minute(self, store_id, magento_date: str | None) -> str:
        """A Magento UTC timestamp as ``YYYY-MM-DD HH:MM`` in the store view's timezone, as the admin shows it."""
        return fmt.local_minute(magento_date, self.view(store_id).timezone)

    def image_url(self, store_id, product: Product | None) -> str | None:
        """``{media_url}catalog/product{image}`` (§13), or None without an image."""
        if not product or not product.image:
            return None
        return f"{self.view(store_id).media_url}catalog/product{product.image}"


class Catalog:
    """Cached store-level reads for one Magento store; every miss costs exactly one call."""

    def __init__(self, settings):
        self.settings = settings
        self.cache = TTLCache(settings.cache_ttl, settings.cache_size)

    def _cached(self, key, load: Callable[[], object]):
        value = self.cache.get(key, _MISSING)
        observe_cache(key, hits=int(value is not _MISSING), misses=int(value is _MISSING))
        if value is _MISSING:
            value = load()
            self.cache.set(key, value)
        return value

    def companion_config(self, client, deadline) -> dict | None:
        """The companion module's ``GET /V1/gladly/config``; None when the module is absent (404) or not
        granted (401), which selects core admin links."""
        return self._cached("companion_config",
                            lambda: _optional(client, "/V1/gladly/config", resources.COMPANION_CONFIG, deadline))

    def store_configs(self, client, deadline) -> list[dict]:
        """``GET /V1/store/storeConfigs``: one entry per store view."""
        # Checked before it is cached: one bad answer must not break every lookup for CACHE_TTL.
        return self._cached("store_configs", lambda: resources.get(client, "/V1/store/storeConfigs",
                                                                   resources.STORE_CONFIGS, deadline=deadline))

    def websites(self, client, deadline) -> list[dict]:
        """``GET /V1/store/websites``: website names, which storeConfigs lacks; none when refused, so the
        website attribute falls back to the id rather than failing the lookup."""
        return self._cached("websites",
                            lambda: _optional(client, "/V1/store/websites", resources.WEBSITES, deadline) or [])

    def products(self, client, product_ids: Iterable[int], deadline) -> dict[int, Product | None]:
        """Products by ``entity_id``: cached ones at no cost, the rest in ONE call (§13). Ids Magento does
        not return (deleted products) are cached as None, so repeat lookups skip them too."""
        found: dict[int, Product | None] = {}
        for pid in set(product_ids):
            found[pid] = self.cache.get(("product", pid), _MISSING)
        missing = sorted(pid for pid, product in found.items() if product is _MISSING)
        # One count per call, not per product: forty mmap writes a lookup would cost more than the cache saves.
        observe_cache("product", hits=len(found) - len(missing), misses=len(missing))
        if missing:
            criteria = (SearchCriteria()
                        .where("entity_id", missing, "in")
                        .limit(len(missing))
                        .fields(PRODUCT_FIELDS))
            reply = resources.get(client, "/V1/products", resources.PRODUCTS, criteria, deadline=deadline)
            found.update(self.remember_products(missing, reply.get("items") or []))
        return found

    def remember_products(self, product_ids: Iterable[int], items: list[dict]) -> dict[int, Product | None]:
        """Cache the products Magento returned (``GET /V1/products`` items) for ``product_ids``; those it did
        not return (deleted products) as None."""
        loaded = {_int(item.get("id")): _product(item) for item in items}
        found = {}
        for pid in product_ids:
            found[pid] = loaded.get(pid)
            self.cache.set(("product", pid), found[pid])
        return found

    def site(self, client, deadline) -> Site:
        """The store's views, websites and links: from the cache, or its three reads run concurrently."""
        return self._cached("site", lambda: self.build_site(*client.parallel(
            lambda: self.companion_config(client, deadline),
            lambda: self.store_configs(client, deadline),
            lambda: self.websites(client, deadline),
        )))

    def cached_site(self) -> Site | None:
        """The store facts when they are cached, without a call."""
        return self.cache.get("site")

    def build_site(self, companion: dict | None, store_configs: list[dict], websites: list[dict]) -> Site:
        """Combine the three replies with the settings; the companion module's values win."""
        settings = self.settings
        companion_values = companion or {}
        admin_url = _with_slash(companion_values.get("admin_base_url") or settings.admin_url)
        suffix = companion_values.get("product_url_suffix")
        # An unknown store (e.g. 0, admin-made records) takes the configured URL and the first view's timezone.
        first = min(store_configs or [{}], key=lambda config: _int(config.get("id")) or 0)
        default_view = StoreView(settings.magento_url, settings.magento_url + "media/", "",
                                 timezone=first.get("timezone") or "")
        views = {_int(config.get("id")): StoreView(
            link_url=_with_slash(config.get("secure_base_link_url") or config.get("base_link_url")
                                 or settings.magento_url),
            media_url=_with_slash(config.get("secure_base_media_url") or config.get("base_media_url")
                                  or default_view.media_url),
            base_currency=config.get("base_currency_code") or "",
            website_id=_int(config.get("website_id")),
            timezone=config.get("timezone") or "",
        ) for config in store_configs or []}
        return Site(
            links=Links(admin_url, via_module=companion is not None),
            product_url_suffix=settings.product_url_suffix if suffix is None else suffix,
            views=views,
            websites={_int(site.get("id")): site.get("name") or "" for site in websites or []},
            default_view=default_view,
            statuses=StatusLabels.from_companion(companion),
            capabilities=frozenset(companion_values.get("capabilities") or ()),
        )


_catalogs: dict = {}
_catalogs_lock = threading.Lock()


def catalog_for(settings) -> Catalog:
    """The worker's catalog for this store and cache shape, created on first use."""
    key = (settings.magento_url, settings.cache_ttl, settings.cache_size)
    with _catalogs_lock:
        if key not in _catalogs:
            _catalogs[key] = Catalog(settings)
        return _catalogs[key]


def clear_catalogs() -> None:
    """Drop every cached catalog: the registry does when the store's connection changes, tests between tests."""
    with _catalogs_lock:
        _catalogs.clear()


def _optional(client, path: str, shape, deadline):
    """GET a resource the lookup can do without: None when it does not exist (404) or is not granted (401)."""
    try:
        return resources.get(client, path, shape, deadline=deadline)
    except (MagentoNotFound, MagentoUnauthorized):
        return None


def _product(item: dict) -> Product:
    # url_key and image live in custom_attributes (magento-rest.md §13); "no_selection" means no image.
    # Only string values: other attributes (category_ids) are lists.
    values = {attr.get("attribute_code"): attr.get("value") for attr in item.get("custom_attributes") or []
              if isinstance(attr.get("value"), str)}
    image = values.get("image") or ""
    # Status 2 is disabled; visibility 1 is "Not Visible Individually" (Catalog/Model/Product/Attribute/
    # Source/Status.php, Visibility.php): the storefront has no page for either.
    shown = item.get("status") != DISABLED and item.get("visibility") != NOT_VISIBLE_INDIVIDUALLY
    return Product(url_key=values.get("url_key") or "", image="" if image == "no_selection" else image,
                   shown=shown)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
