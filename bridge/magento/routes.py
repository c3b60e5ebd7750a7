"""Every Magento route the bridge calls, with the ACL resource that unlocks it and what it means to the merchant.

The one table behind ``bridge magento check`` (which reads the routes it can) and the activation pop-up (which
tells the merchant what they grant); a test holds its resources equal to ``magento-module/etc/integration.xml``
(magento-rest.md §4, §16).
"""
from __future__ import annotations

from dataclasses import dataclass

MODULE = "Gladly_Connector::"  # the companion module's resources: its routes answer 404 without it


@dataclass(frozen=True)
class Route:
    """One REST route: ``method path``, its ACL resource and, for the merchant, what the bridge does with it."""

    method: str
    path: str
    resource: str
    words: str
    module: bool = False  # the companion module's route behind a stock resource


    @property
    def writes(self) -> bool:
        """Whether the route changes the store."""
        return self.method != "GET"

    @property
    def needs_module(self) -> bool:
        """Whether the route is the companion module's."""
        return self.module or self.resource.startswith(MODULE)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = (
    Route("GET", "/V1/customers/search", "Magento_Customer::customer", "customers"),
    Route("GET", "/V1/customers/{id}", "Magento_Customer::customer", "customers"),
    Route("GET", "/V1/orders", "Magento_Sales::actions_view", "orders"),
    Route("GET", "/V1/orders/{id}", "Magento_Sales::actions_view", "orders"),
    Route("GET", "/V1/shipments", "Magento_Sales::shipment", "shipments"),
    Route("GET", "/V1/invoices", "Magento_Sales::sales_invoice", "invoices"),
    Route("GET", "/V1/creditmemos", "Magento_Sales::sales_creditmemo", "credit memos"),
    Route("GET", "/V1/products", "Magento_Catalog::products", "products"),
    Route("GET", "/V1/store/storeConfigs", "Magento_Backend::store", "store configuration"),
    Route("GET", "/V1/store/websites", "Magento_Backend::store", "store configuration"),
    Route("GET", "/V1/gladly/config", "Gladly_Connector::config", "the Gladly module's settings"),
    # One detailed lookup's reads in one request; the module also requires each resource of the stock routes it
    # replaces (customers, orders, shipments, credit memos, products), all granted above.
    Route("GET", "/V1/gladly/profile", "Magento_Sales::actions_view", "orders", module=True),
    Route("POST", "/V1/orders/{id}/cancel", "Magento_Sales::cancel", "cancel orders"),
    Route("POST", "/V1/orders/{id}/comments", "Magento_Sales::comment", "add order comments"),
    Route("POST", "/V1/orders/{id}/hold", "Magento_Sales::hold", "hold and unhold orders"),
    Route("POST", "/V1/orders/{id}/unhold", "Magento_Sales::unhold", "hold and unhold orders"),
    Route("POST", "/V1/orders/{id}/emails", "Magento_Sales::emails", "resend order emails"),
    Route("POST", "/V1/order/{id}/refund", "Magento_Sales::creditmemo", "refund orders (credit memos)"),
    Route("POST", "/V1/invoice/{id}/refund", "Magento_Sales::sales_invoice", "refund orders (credit memos)"),
    Route("PUT", "/V1/gladly/orders/{id}/shipping-address", "Gladly_Connector::order_address",
          "change an order's shipping address"),
    Route("POST", "/V1/gladly/orders/{id}/goodwill-coupon", "Gladly_Connector::goodwill_coupon",
          "issue goodwill coupons to registered customers, as many as the store's limit allows"),
)
READS = tuple(route for route in ROUTES if not route.writes)
WRITES = tuple(route for route in ROUTES if route.writes)


def merchant_words() -> dict[str, list[str]]:
    """What the bridge may read and change, each phrase once, for the activation pop-up."""
    return {"read": list(dict.fromkeys(route.words for route in READS)),
            "change": list(dict.fromkeys(route.words for route in WRITES))}
