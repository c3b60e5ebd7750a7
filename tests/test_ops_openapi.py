"""The OpenAPI document follows the configuration; real traffic is checked against it in tests/e2e."""
from __future__ import annotations

from openapi_spec_validator import validate


def test_basic_auth_and_path_prefix_appear_when_configured(app_config):
    from bridge import create_app

    app = create_app({**app_config, "GLADLY_BASIC_USER": "gladly", "GLADLY_BASIC_PASSWORD": "pw",
                      "GLADLY_PATH_PREFIX": "/magento-bridge"})
    document = app.test_client().get("/openapi.json").get_json()
    validate(document)
    assert document["servers"] == [{"url": "/magento-bridge"}]
    assert document["components"]["securitySchemes"]["gladlyBasic"] == {
        "type": "http", "scheme": "basic", "description": "BRIDGE_GLADLY_BASIC_USER/PASSWORD, as set in the Gladly App"}
    for path in ("/gladly/lookup", "/gladly/actions/{action}"):
        [operation] = document["paths"][path].values()
        assert operation["security"] == [{"gladlySignature": [], "gladlyBasic": []}]
    assert "security" not in document["paths"]["/healthz"]["get"]


def test_action_names_and_wire_keys_come_from_the_code(client):
    from bridge.config import ACTION_NAMES

    document = client.get("/openapi.json").get_json()
    [action] = [p for p in document["paths"]["/gladly/actions/{action}/form"]["get"]["parameters"]
                if p["name"] == "action"]
    assert action["schema"]["enum"] == list(ACTION_NAMES)
    order = document["components"]["schemas"]["Order"]["properties"]
    assert {"orderNumber", "orderStatus", "fulfillments", "actions"} <= set(order)
    assert order["type"]["enum"] == ["ORDER"]
    text, section = (document["components"]["schemas"][name]["properties"]["type"] for name in ("TextSection",
                                                                                                "InputSection"))
    assert (text["enum"], section["enum"]) == (["text"], ["input"])
