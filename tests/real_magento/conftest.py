"""The real-Magento suite: real Magento stores with the project's module, seeded, and bridges activated
through their admin in headless Chromium; every test runs once per selected Magento version (its id ends
in the version, e.g. ``[2.4.8-p2]``).

Runs whenever the Magento kit is there (../shared/magento, or BRIDGE_TEST_MAGENTO_ARCHIVE); skips with the
reason otherwise, and fails instead when BRIDGE_REQUIRE_MAGENTO=1 (CI). Knobs: BRIDGE_TEST_MAGENTO_VERSIONS
("newest", the default; "all"; or a comma list), BRIDGE_TEST_MAGENTO_CACHE (where the installed stores and
their seeded dumps are kept, one folder per version, default var/magento-test), _PORT (8190, plus the
version's place in the kit), _DB (plus the version).
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
from magento_kit import COVERED
from magento_kit import Kit
from magento_kit import RealMagento
from magento_kit import Seed
from magento_kit import selection
from magento_kit import skip_or_fail
from magento_kit import unavailable_reason
from tests.processes import Bridge

HERE = Path(__file__).parent
SELECTION = selection()


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.magento)


def pytest_terminal_summary(terminalreporter):
    """Say which Magento versions the run covered, and which it left out and why."""
    if COVERED or SELECTION.reason:
        covered = ", ".join(f"{version} ({how})" for version, how in COVERED.items()) or "none"
        left = "; left out: " + ", ".join(SELECTION.left_out) if SELECTION.left_out else ""
        terminalreporter.write_line(f"real Magento versions covered: {covered}{left}")


@dataclass
class Store:
    magento: RealMagento
    seed: Seed
    install_report: dict


@pytest.fixture(scope="session", params=[archive.version for archive in SELECTION.archives] or ["none"])
def store(request) -> Store:
    """The seeded store of one selected Magento version (the session's tests run once per version)."""
    archive = next((a for a in SELECTION.archives if a.version == request.param), None)
    reason = SELECTION.reason or unavailable_reason(archive)
    if reason:
        skip_or_fail(reason)
    kit = Kit.for_archive(archive, SELECTION)
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
def chromium():
    from magento_admin import Chromium

    browser = Chromium()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def admin_ui(magento, artifacts, chromium):
    from magento_admin import AdminUI

    return AdminUI(magento, artifacts, chromium)


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
