"""Bridges under gunicorn bound to the real Magento, and small helpers to compare answers with Magento."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bridge.magento.client import Credentials
from bridge.storage import Stores
from bridge.storage.database import close_engine
from magento_kit import RealMagento
from tests.processes import SECRET_KEY
from tests.processes import Bridge
from tests.processes import start_bridge
from tests.processes import stop


class Activations:
    """Which bridge the store's Gladly integration is bound to; re-binds on demand through the admin UI."""

    def __init__(self, magento: RealMagento, admin_ui, tmp: Path) -> None:
        self.magento = magento
        self.admin_ui = admin_ui
        self.tmp = tmp
        self.bridges: list[Bridge] = []

    def start(self, *, pinned: bool, env: dict[str, str] | None = None) -> Bridge:
        """A bridge under gunicorn for this store: pinned by BRIDGE_MAGENTO_URL, or not (setup code)."""
        workdir = self.tmp / f"bridge-{len(self.bridges)}"
        workdir.mkdir()
        settings = {"BRIDGE_MAGENTO_ADMIN_URL": self.magento.admin_url, "BRIDGE_LOOKUP_DEADLINE": "15",
                    "BRIDGE_MAGENTO_READ_TIMEOUT": "14", **(env or {})}
        if pinned:
            settings["BRIDGE_MAGENTO_URL"] = self.magento.base_url
        bridge = start_bridge(workdir, settings)
        bridge.workdir = workdir
        self.bridges.append(bridge)
        return bridge

    def connect(self, bridge: Bridge, setup_code: str | None = None) -> str:
        """Point the module at ``bridge`` and click Activate / Reauthorize; returns the pop-up's text."""
        message = self.admin_ui.save_bridge_settings(bridge.url, setup_code)
        assert "You saved the configuration" in message, message
        return self.admin_ui.activate()

    def stop_all(self) -> None:
        for bridge in self.bridges:
            stop(bridge.process)


def bridge_log(bridge: Bridge) -> str:
    return "\n".join(path.read_text(errors="replace") for path in sorted(bridge.workdir.glob("bridge-*.log")))


def setup_code_of(bridge: Bridge) -> str:
    """The one-time setup code an unpinned bridge logs at start."""
    match = re.search(r"Setup code for the Magento module: (\S+)", bridge_log(bridge))
    assert match, f"the bridge logged no setup code:\n{bridge_log(bridge)[-3000:]}"
    return match.group(1)


def is_connected(bridge: Bridge, email: str) -> bool:
    """True when the bridge can read the store: an auto-link lookup for a seeded e-mail finds the customer."""
    reply = bridge.lookup({"lookupLevel": "BASIC", "uniqueMatchRequired": True, "query": {"emails": [email]}})
    return reply.status_code == 200 and bool(reply.json().get("results"))


def money(amount) -> str:
    """US dollars the way the store formats them (en_US, USD)."""
    return f"${float(amount):,.2f}"


def gladly_time(magento_time: str) -> str:
    """Magento's UTC 'YYYY-MM-DD HH:MM:SS' as Gladly's ISO 8601 with Z."""
    return magento_time.replace(" ", "T") + "Z"


def admin_order(magento: RealMagento, entity_id: int) -> dict:
    return magento.get(f"/V1/orders/{entity_id}")


def gladly_integration(magento: RealMagento) -> dict:
    """The module's integration row with its consumer key, as strings."""
    rows = magento.sql("SELECT i.integration_id, i.status, i.endpoint, i.identity_link_url, i.consumer_id, c.`key` "
                       "FROM integration i JOIN oauth_consumer c ON c.entity_id = i.consumer_id "
                       "WHERE i.name = 'Gladly'")
    assert len(rows) == 1, rows
    keys = ("integration_id", "status", "endpoint", "identity_link_url", "consumer_id", "consumer_key")
    return dict(zip(keys, rows[0], strict=True))


def ensure_pinned(bridge: Bridge, activations: Activations, seed) -> Bridge:
    """Activate ``bridge`` again through the admin if a test re-bound or revoked the integration."""
    if not is_connected(bridge, seed.customers["bob"]["email"]):
        activations.connect(bridge)
        assert is_connected(bridge, seed.customers["bob"]["email"]), bridge_log(bridge)[-3000:]
    return bridge


def bridge_credentials(bridge) -> Credentials:
    """The OAuth credentials the pinned bridge got at activation (Magento keeps its copies encrypted)."""
    url = f"sqlite:///{bridge.workdir / 'bridge.db'}"
    try:
        stored = Stores.open(url, SECRET_KEY).connection.get()
    finally:
        close_engine(url)
    assert stored is not None, "the pinned bridge holds no connection"
    return Credentials(stored.consumer_key, stored.consumer_secret, stored.access_token, stored.access_token_secret)


def integration_role(magento) -> str:
    """The id of the Gladly integration's ACL role, whose rows in authorization_rule are its grants."""
    integration = gladly_integration(magento)
    return magento.sql("SELECT role_id FROM authorization_role WHERE user_type = 1 "
                       f"AND user_id = {integration['integration_id']}")[0][0]


@contextmanager
def line_of_new_product(magento, seed, **fields):
    """Bob's canceled order with its first line pointed at a new simple product made with ``fields``; yields
    (order, item, product), and restores the line and removes the product after."""
    order = seed.orders["bob_canceled"]
    item = magento.get(f"/V1/orders/{order['entity_id']}")["items"][0]
    product = magento.post("/V1/products", {"product": {
        "name": f"Mug {fields['sku']}", "attribute_set_id": 4, "price": 3, "status": 1, "visibility": 4,
        "type_id": "simple",
        "weight": 1, "extension_attributes": {"website_ids": [1], "stock_item": {"qty": 10, "is_in_stock": True}},
        **fields}})
    magento.sql(f"UPDATE sales_order_item SET product_id = {product['id']} WHERE item_id = {item['item_id']}")
    try:
        yield order, item, product
    finally:
        magento.sql(f"UPDATE sales_order_item SET product_id = {item['product_id']} WHERE item_id = {item['item_id']}")
        magento.rest("DELETE", f"/V1/products/{product['sku']}")  # 404 when the test deleted it already
@contextmanager
def goodwill_rule(magento: RealMagento, name: str) -> Iterator[int]:
    """A cart price rule that generates codes (10% off), allowed to agents within the ``with`` block; its id."""
    rule = magento.post("/V1/salesRules", {"rule": {
        "name": name, "website_ids": [1], "customer_group_ids": [0, 1, 2, 3], "is_active": True,
        "coupon_type": "SPECIFIC_COUPON", "use_auto_generation": True, "simple_action": "by_percent",
        "discount_amount": 10, "uses_per_coupon": 1}})["rule_id"]
    [(allowed,)] = magento.sql("SELECT IFNULL((SELECT value FROM core_config_data "
                               "WHERE path = 'gladly_connector/actions/coupon_rules' AND scope = 'default'), '')")
    magento.config_set("gladly_connector/actions/coupon_rules", str(rule))
    try:
        yield rule
    finally:
        magento.config_set("gladly_connector/actions/coupon_rules", allowed)
