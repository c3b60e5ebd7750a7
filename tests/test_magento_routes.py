"""The route table: what the integration grants, what the doctor checks and what the merchant is told."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from bridge.cli.doctor import CHECKED_ROUTES
from bridge.magento.routes import READS
from bridge.magento.routes import ROUTES
from bridge.magento.routes import WRITES
from bridge.magento.routes import merchant_words

INTEGRATION = Path(__file__).parents[1] / "magento-module" / "etc" / "integration.xml"


def test_the_integration_grants_exactly_the_resources_of_the_routes():
    # Every <resource>, nested ones too; Magento adds each one's ancestors when it saves the grant, which
    # tests/real_magento/test_module_install.py checks against a real store.
    declared = [node.get("name") for node in ET.parse(INTEGRATION).iter("resource")]
    assert len(declared) == len(set(declared))
    assert set(declared) == {route.resource for route in ROUTES}


def test_the_doctor_reaches_every_read_resource():
    assert {route.resource for route in CHECKED_ROUTES} == {route.resource for route in READS}
    assert all("{" not in route.path and route.method == "GET" for route in CHECKED_ROUTES)


def test_the_merchant_is_told_every_read_and_every_change():
    words = merchant_words()
    assert set(words["read"]) == {route.words for route in READS}
    assert set(words["change"]) == {route.words for route in WRITES}
    assert len(words["change"]) == len(set(words["change"]))
    assert {"issue goodwill coupons to registered customers, as many as the store's limit allows",
            "change an order's shipping address"} <= set(words["change"])


def test_coupons_need_only_the_modules_narrow_resource():
    # Magento_SalesRule::quote (POST /V1/coupons/generate) would also let the integration edit every cart price rule.
    [coupon] = [route for route in WRITES if "coupon" in route.path]
    assert (str(coupon), coupon.resource) == ("POST /V1/gladly/orders/{id}/goodwill-coupon",
                                              "Gladly_Connector::goodwill_coupon")
    assert not any(route.resource.startswith("Magento_SalesRule::") for route in ROUTES)


def test_each_route_is_listed_once():
    assert len({str(route) for route in ROUTES}) == len(ROUTES)
