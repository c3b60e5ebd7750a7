"""Activation the merchant's way: Bridge URL saved and Activate clicked in the admin, in headless Chromium."""
from __future__ import annotations

import pytest

from magento_bridges import bridge_log
from magento_bridges import gladly_integration
from magento_bridges import is_connected
from magento_bridges import setup_code_of


def test_a_pinned_bridge_is_activated_from_the_admin(pinned_bridge, magento, seed):
    assert "Connected" in pinned_bridge.popup_text, pinned_bridge.popup_text
    assert gladly_integration(magento)["status"] == "1"  # Active
    assert is_connected(pinned_bridge, seed.customers["bob"]["email"])


@pytest.mark.parametrize("code", ["right", "wrong"])
def test_an_unpinned_bridge_connects_only_with_its_setup_code(code, activations, magento, seed):
    bridge = activations.start(pinned=False)
    setup_code = setup_code_of(bridge)
    popup = activations.connect(bridge, setup_code if code == "right" else "WRONG-CODE")
    if code == "right":
        assert "Connected" in popup, popup + bridge_log(bridge)[-3000:]
        assert is_connected(bridge, seed.customers["bob"]["email"])
    else:
        assert "Connected" not in popup
        assert not is_connected(bridge, seed.customers["bob"]["email"])
