"""Bridges under gunicorn bound to the real Magento, and small helpers to compare answers with Magento."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from magento_kit import RealMagento
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
