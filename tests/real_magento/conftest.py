"""The real-Magento suite: a real Magento 2.4.6 with the project's module, seeded, and bridges activated
through its admin in headless Chromium.

Runs whenever the Magento kit is there (../shared/magento, or BRIDGE_TEST_MAGENTO_ARCHIVE); skips with the
reason otherwise, and fails instead when BRIDGE_REQUIRE_MAGENTO=1 (CI). Knobs: BRIDGE_TEST_MAGENTO_CACHE
(where the installed store and its seeded dump are kept, default var/magento-test), _PORT (8190), _DB.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from magento_bridges import Activations
from magento_bridges import ensure_pinned
from magento_bridges import is_connected
from magento_kit import ROOT
from magento_kit import Kit
from magento_kit import RealMagento
from magento_kit import unavailable_reason
from tests.processes import Bridge

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.magento)


@dataclass
class Seed:
    """What magento_seed.py created, by role (see ORDERS and CUSTOMERS there)."""

    customers: dict
    orders: dict
    products: dict
    guest: dict
    coupon: dict
    second_website: dict


@dataclass
class Store:
    magento: RealMagento
    seed: Seed
    install_report: dict


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> Store:
    reason = unavailable_reason()
    if reason:
        if os.environ.get("BRIDGE_REQUIRE_MAGENTO") == "1":
            pytest.fail(f"the real-Magento suite is required (BRIDGE_REQUIRE_MAGENTO=1) but cannot run: {reason}")
        pytest.skip(f"real-Magento suite skipped: {reason}")
    kit = Kit(Path(os.environ.get("BRIDGE_TEST_MAGENTO_CACHE") or ROOT / "var" / "magento-test"),
              port=int(os.environ.get("BRIDGE_TEST_MAGENTO_PORT") or 8190),
              db=os.environ.get("BRIDGE_TEST_MAGENTO_DB") or "gladly_bridge_test")
    magento, manifest, report = kit.open(progress=lambda line: print(f"\n[magento] {line}", flush=True))
    yield Store(magento=magento, seed=Seed(**manifest), install_report=report)
    magento.stop()


@pytest.fixture(scope="session")
def magento(store) -> RealMagento:
    return store.magento


@pytest.fixture(scope="session")
def seed(store) -> Seed:
    return store.seed


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Screenshots and logs worth keeping: BRIDGE_TEST_ARTIFACTS, else a pytest temporary folder."""
    folder = Path(os.environ.get("BRIDGE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("magento-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def admin_ui(magento, artifacts):
    from magento_admin import AdminUI

    ui = AdminUI(magento, artifacts)
    yield ui
    ui.close()


@pytest.fixture(scope="session")
def activations(magento, admin_ui, tmp_path_factory):
    registry = Activations(magento, admin_ui, tmp_path_factory.mktemp("magento-bridges"))
    yield registry
    registry.stop_all()


@pytest.fixture(scope="session")
def _pinned(activations, seed):
    # Short-lived caches: tests change module settings (config_set) and expect lookups to see them.
    bridge = activations.start(pinned=True, env={"BRIDGE_CACHE_TTL": "2"})
    bridge.popup_text = activations.connect(bridge)
    deadline = time.monotonic() + 30
    while not is_connected(bridge, seed.customers["bob"]["email"]) and time.monotonic() < deadline:
        time.sleep(1)
    return bridge


@pytest.fixture
def pinned_bridge(_pinned, activations, seed) -> Bridge:
    """The session's bridge pinned to the store by BRIDGE_MAGENTO_URL, activated in the admin.

    A test that re-binds the integration (setup code, revocation) leaves it to this fixture to activate the
    pinned bridge again through the admin before the next test that needs it.
    """
    return ensure_pinned(_pinned, activations, seed)
