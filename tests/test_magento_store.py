"""The store-level cache: expiry, size bound, deep links and the site facts built from Magento's replies."""
import json
from pathlib import Path

import pytest

from bridge.lookup.service import LookupSettings
from bridge.magento import store as catalog
from bridge.magento.store import Catalog
from bridge.magento.store import Links
from bridge.magento.store import Product
from bridge.magento.store import StatusLabels
from bridge.magento.store import TTLCache

DATA = Path(__file__).parent / "data"
SETTINGS = LookupSettings(magento_url="https://shop.test/", admin_url="https://shop.test/admin/")


def load(name):
    return json.loads((DATA / name).read_text())


def test_cache_entries_expire_after_the_ttl():
    now = [100.0]
    cache = TTLCache(ttl=10, size=5, clock=lambda: now[0])
    cache.set("a", 1)
    now[0] = 109.9
    assert cache.get("a") == 1
    now[0] = 110.0
    assert cache.get("a", "gone") == "gone"


def test_cache_drops_the_least_recently_used_beyond_its_size():
    cache = TTLCache(ttl=60, size=2)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.get("a")
    cache.set("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_links_through_the_companion_module_or_the_core_admin():
    module = Links("https://shop.test/admin_x1/", via_module=True)
    core = Links("https://shop.test/admin/", via_module=False)

    assert module.order(3) == "https://shop.test/admin_x1/gladlybridge/open/order/id/3/"
    assert module.customer(2) == "https://shop.test/admin_x1/gladlybridge/open/customer/id/2/"
    assert core.order(3) == "https://shop.test/admin/sales/order/view/order_id/3/"
    assert core.customer(2) == "https://shop.test/admin/customer/index/edit/id/2/"


def test_site_without_the_companion_module_uses_settings_and_core_links():
    site = Catalog(SETTINGS).build_site(None, load("magento_store_configs.json"), load("magento_websites.json"))

    assert site.links == Links("https://shop.test/admin/", via_module=False)
    assert site.product_url_suffix == ".html"
    assert site.website_name(2) == "EU Website"
    assert site.website_name(9) == "9"
    assert site.view(2).link_url == "https://eu.shop.test/"
    assert site.view(None).link_url == "https://shop.test/"  # unknown store: the configured store URL
    assert site.product_url(2, 1700, Product("sac-voyage", "")) == "https://eu.shop.test/sac-voyage.html"
    assert site.product_url(1, 1600, Product("", "")) == "https://shop.test/catalog/product/view/id/1600"
    assert site.product_url(1, 1600, None) == ""  # deleted in Magento: its page answers 404
    assert site.image_url(1, Product("", "/s/a/sac.jpg")) == "https://shop.test/media/catalog/product/s/a/sac.jpg"
    assert site.image_url(1, Product("x", "")) is None


@pytest.mark.parametrize("fields, url", [
    ({"status": 1, "visibility": 4}, "https://shop.test/tee.html"),  # enabled, in catalog and search
    ({}, "https://shop.test/tee.html"),  # a reply without the two fields: shown, as before
    ({"status": 2, "visibility": 4}, ""),  # disabled: its page answers 404
    ({"status": 1, "visibility": 1}, ""),  # not visible individually: no page of its own
])
def test_only_products_the_storefront_shows_get_a_url_and_all_keep_their_image(fields, url):
    site = Catalog(SETTINGS).build_site(None, load("magento_store_configs.json"), load("magento_websites.json"))
    product = catalog._product({"id": 5, **fields, "custom_attributes": [
        {"attribute_code": "url_key", "value": "tee"}, {"attribute_code": "image", "value": "/t/e/tee.jpg"}]})

    assert site.product_url(1, 5, product) == url
    assert site.image_url(1, product) == "https://shop.test/media/catalog/product/t/e/tee.jpg"


def test_site_with_the_companion_module_takes_its_admin_url_and_suffix():
    companion = {"enabled": True, "admin_base_url": "https://shop.test/admin_x1", "product_url_suffix": ""}
    site = Catalog(SETTINGS).build_site(companion, [], [])

    assert site.links == Links("https://shop.test/admin_x1/", via_module=True)
    assert site.product_url(1, 5, Product("tee", "")) == "https://shop.test/tee"


def test_site_dates_are_in_each_store_views_timezone():
    site = Catalog(SETTINGS).build_site(None, load("magento_store_configs.json"), [])

    # 03:30 UTC is still the evening before in New York (store 1), already morning in Paris (store 2).
    assert site.local_date(1, "2024-03-05 03:30:00") == "2024-03-04"
    assert site.local_date(2, "2024-03-05 03:30:00") == "2024-03-05"
    assert site.local_date(2, "2024-03-04 23:30:00") == "2024-03-05"
    assert site.local_date(0, "2024-03-05 03:30:00") == "2024-03-04"  # admin store: the first view's zone


def test_status_labels_from_the_companion_module_by_store_view():
    companion = {"order_statuses": [
        {"store_id": 0, "code": "holded", "label": "On Hold"},
        {"store_id": 2, "code": "holded", "label": "En attente"},
        {"store_id": 0, "code": "awaiting_stock", "label": "Awaiting Stock"},
    ]}
    site = Catalog(SETTINGS).build_site(companion, [], [])

    assert site.statuses.label("holded", 1) == "On Hold"
    assert site.statuses.label("holded", 2) == "En attente"
    assert site.statuses.label("awaiting_stock", "2") == "Awaiting Stock"
    assert site.statuses.label("payment_review", 1) == "Payment Review"  # unknown to the module: title-cased


def test_status_labels_without_the_module_title_case_the_code():
    site = Catalog(SETTINGS).build_site(None, [], [])

    assert site.statuses == StatusLabels()
    assert site.statuses.label("holded", 1) == "Holded"
    assert site.statuses.label("awaiting_stock", None) == "Awaiting Stock"
    # A module from before order_statuses, or an entry without a label, changes nothing.
    assert StatusLabels.from_companion({"enabled": True}).label("holded") == "Holded"
    assert StatusLabels.from_companion({"order_statuses": [{"code": "holded"}]}).label("holded") == "Holded"
