"""The App Actions of docs/gladly-ai.md: the wire contract of issue 20, what `bridge ai-actions` prints, and the
docs generated from the same table."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from marshmallow import fields

from bridge import cli
from bridge.gladly import ai_catalog
from bridge.gladly import ai_requests
from bridge.gladly.ai_catalog import ACTIONS
from bridge.gladly.ai_catalog import GUIDES

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = {"firstName", "lastName", "street", "city", "region", "postcode", "countryId", "telephone"}
# The wire contract the AI endpoints implement (issue 20, "What to build"): path -> body keys.
CONTRACT = {
    "orders/lookup": {"orderNumber", "customerEmail"},
    "orders/cancel": {"orderNumber", "customerEmail", "reason"},
    "orders/refund/preview": {"orderNumber", "customerEmail", "items", "refundShipping"},
    "orders/refund": {"orderNumber", "customerEmail", "confirmationToken"},
    "orders/shipping-address": {"orderNumber", "customerEmail", "address"},
    "customers/coupon": {"customerEmail", "reason"},
}
OPTIONAL = {"items", "refundShipping", "region"}


def params(template) -> list[str]:
    """Every ``$.params.<input>`` a body template references, nested objects included."""
    if isinstance(template, dict):
        return [name for value in template.values() for name in params(value)]
    return [template.removeprefix("$.params.")] if template.startswith("$.params.") else []


def test_the_actions_cover_the_wire_contract_and_nothing_else():
    assert {action.path: set(action.body_template()) for action in ACTIONS} == CONTRACT
    [address] = [action for action in ACTIONS if action.path == "orders/shipping-address"]
    assert set(address.body_template()["address"]) == ADDRESS
    assert {item.name for action in ACTIONS for item in action.inputs if not item.required} == OPTIONAL


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.key)
def test_every_input_reaches_the_body_once_and_the_body_reads_only_inputs(action):
    assert sorted(params(action.body_template())) == sorted(item.name for item in action.inputs)
    for item in action.inputs:
        assert item.type in ai_catalog.INPUT_TYPES
        assert re.fullmatch(r"[a-z][A-Za-z]*", item.name), "Gladly names inputs in camelCase"
        assert item.description.endswith(".")


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.key)
def test_every_variable_names_a_field_of_the_answer(action):
    for path in action.variable_paths().values():
        schema = action.answer
        for key in path.removeprefix("$.").split("."):
            assert key in schema["properties"], f"{action.key}: {path}"
            schema = schema["properties"][key]


def test_names_paths_and_switches_are_distinct_and_writes_are_marked():
    assert len({a.name for a in ACTIONS}) == len({a.path for a in ACTIONS}) == len({a.key for a in ACTIONS}) == 6
    assert {a.switch for a in ACTIONS} == {"lookup", "cancel", "refund", "address", "coupon"}
    assert {a.key for a in ACTIONS if not a.writes} == {"lookup", "refund_preview"}


def test_each_description_says_when_to_use_it_and_what_never_to_promise():
    for action in ACTIONS:
        assert "Use it" in action.description and "ever" in action.description, action.name
    writes = [action for action in ACTIONS if action.writes and action.key != "coupon"]
    assert all("Look Up Magento Order" in action.description or "Preview" in action.description
               for action in writes)


def test_the_refund_guide_previews_tells_the_amount_asks_then_refunds():
    [guide] = [guide for guide in GUIDES if "Refund" in guide.name]
    order = [next(i for i, step in enumerate(guide.steps) if marker in step)
             for marker in ("Look Up Magento Order", "Run Preview Magento Refund", "exact amount",
                            "clear yes", "Run Refund Magento Order")]
    assert order == sorted(order)
    [cancel] = [guide for guide in GUIDES if "Cancel" in guide.name]
    assert [step for step in cancel.steps if "confirm" in step] and "Run Cancel Magento Order" in cancel.steps[-2]


def test_definitions_for_a_public_url():
    document = ai_catalog.definitions("https://support.example.com/magento-bridge/")
    assert [a["name"] for a in document["appActions"]] == [a.name for a in ACTIONS]
    for rendered, action in zip(document["appActions"], ACTIONS, strict=True):
        [step] = rendered["steps"]
        assert step["url"] == "https://support.example.com/magento-bridge/gladly/ai/" + action.path
        assert step["method"] == "POST" and step["type"] == "HTTP Request"
        assert step["headers"]["Authorization"] == f"Bearer <Secret {document['secret']['name']}>"
        assert step["headers"]["Content-Type"] == "application/json"
        assert step["body"] == action.body_template()
        assert rendered["inputs"] == [{"name": i.name, "type": i.type, "description": i.description,
                                       "required": i.required} for i in action.inputs]
    assert [g["name"] for g in document["guides"]] == ["Cancel Order", "Refund a Damaged Item"]
    json.dumps(document)  # JSON-able


@pytest.mark.parametrize("url", ["http://bridge.example.com", "https://bridge.example.com/?a=1",
                                 "https://bridge.example.com/#x", "bridge.example.com", "https://"])
def test_only_a_plain_https_base_url_is_accepted(url):
    with pytest.raises(ValueError, match="HTTPS"):
        ai_catalog.definitions(url)


def test_request_schema_follows_the_body_template_and_the_inputs():
    [preview] = [action for action in ACTIONS if action.key == "refund_preview"]
    schema = ai_catalog.request_schema(preview)
    assert schema["required"] == ["orderNumber", "customerEmail"]
    assert schema["properties"]["items"]["items"]["required"] == ["sku", "quantity"]
    assert schema["properties"]["refundShipping"]["type"] == "boolean"
    [address] = [action for action in ACTIONS if action.key == "address"]
    nested = ai_catalog.request_schema(address)["properties"]["address"]
    assert "region" not in nested["required"] and "street" in nested["required"]
    assert nested["properties"]["street"]["items"] == {"type": "string"}


def test_bridge_ai_actions_prints_the_definitions():
    result = CliRunner().invoke(cli.main_group(), ["ai-actions", "--url", "https://bridge.example.com"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == ai_catalog.definitions("https://bridge.example.com")


def test_bridge_ai_actions_refuses_a_plain_http_url():
    result = CliRunner().invoke(cli.main_group(), ["ai-actions", "--url", "http://bridge.example.com"])
    assert result.exit_code == 2 and "HTTPS" in result.output


def test_the_docs_show_the_catalog():
    text = (ROOT / "docs" / "gladly-ai.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- app-actions:start -->\n(.*?)\n<!-- app-actions:end -->", text, re.DOTALL)
    assert block, "docs/gladly-ai.md lost its app-actions block"
    assert block[1] == ai_catalog.markdown(), "stale: run `.venv/bin/python dev/readme_settings.py`"


# The schema that reads each App Action's body (bridge/gladly/ai_views.py).
READERS = {
    "orders/lookup": ai_requests.OrderRequestSchema, "orders/cancel": ai_requests.CancelRequestSchema,
    "orders/refund/preview": ai_requests.RefundPreviewRequestSchema, "orders/refund": ai_requests.RefundRequestSchema,
    "orders/shipping-address": ai_requests.ShippingAddressRequestSchema,
    "customers/coupon": ai_requests.CouponRequestSchema,
}


def _keys(schema) -> dict:
    """data key -> (required, nested key tree or None) of a marshmallow schema, as the bridge reads a body."""
    tree = {}
    for name, item in schema.fields.items():
        nested = item.inner if isinstance(item, fields.List) else item
        inner = _keys(nested.schema) if isinstance(nested, fields.Nested) else None
        tree[item.data_key or name] = (item.required, inner)
    return tree


def _sent(json_schema: dict) -> dict:
    """The same tree for a JSON Schema of the body Gladly sends (from the catalog)."""
    tree = {}
    for key, prop in json_schema.get("properties", {}).items():
        inner = prop.get("items", prop) if prop.get("type") == "array" else prop
        tree[key] = (key in json_schema.get("required", ()),
                     _sent(inner) if inner.get("type") == "object" and "properties" in inner else None)
    return tree


def _agree(sent: dict, read: dict, where: str) -> None:
    for key, (required, inner) in sent.items():
        assert key in read, f"{where}{key}: Gladly sends it, the bridge does not read it"
        assert read[key][0] <= required, f"{where}{key}: the bridge requires what Gladly may leave out"
        if inner is not None:
            _agree(inner, read[key][1], f"{where}{key}.")
    missing = [key for key, (required, _) in read.items() if required and key not in sent]
    assert not missing, f"{where}: the bridge requires {missing}, which the App Action never sends"


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.key)
def test_what_each_app_action_sends_is_what_its_endpoint_reads(action):
    _agree(_sent(ai_catalog.request_schema(action)), _keys(READERS[action.path]()), f"{action.path}: ")


def test_the_cross_check_fails_when_the_bridge_requires_an_input_gladly_does_not_send():
    class Stricter(ai_requests.CancelRequestSchema):
        ticket = fields.String(required=True)

    cancel = next(action for action in ACTIONS if action.path == "orders/cancel")
    with pytest.raises(AssertionError, match="ticket"):
        _agree(_sent(ai_catalog.request_schema(cancel)), _keys(Stricter()), "orders/cancel: ")
