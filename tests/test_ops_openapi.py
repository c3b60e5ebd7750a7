"""The OpenAPI document follows the configuration; real traffic is checked against it in tests/e2e."""
from __future__ import annotations

import json

import pytest
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


AI_BODIES = {  # one valid body per AI endpoint, as the App Actions' HTTP Request steps send them
    "orders/lookup": {"orderNumber": "000000012", "customerEmail": "sam@example.com"},
    "orders/cancel": {"orderNumber": "000000012", "customerEmail": "sam@example.com", "reason": "Ordered twice"},
    "orders/refund/preview": {"orderNumber": "000000012", "customerEmail": "sam@example.com",
                              "items": [{"sku": "MH01-XS-Black", "quantity": 1}], "refundShipping": False},
    "orders/refund": {"orderNumber": "000000012", "customerEmail": "sam@example.com", "confirmationToken": "t.1"},
    "orders/shipping-address": {"orderNumber": "000000012", "customerEmail": "sam@example.com", "address": {
        "firstName": "Sam", "lastName": "Smith", "street": ["1 Main St", "Apt 2"], "city": "Austin",
        "region": "Texas", "postcode": "78701", "countryId": "US", "telephone": "5125550100"}},
    "customers/coupon": {"customerEmail": "sam@example.com", "reason": "Parcel arrived late"},
}
AI_ANSWERS = {
    "orders/lookup": {"order": {"type": "ORDER", "orderNumber": "000000012", "createdAt": "2026-12-01T10:00:00Z",
                                "orderStatus": "Processing", "orderTotal": "$83.99", "currencyCode": "USD",
                                "products": [], "fulfillments": []}, "availableActions": ["cancel"]},
    "orders/cancel": {"result": {"status": "canceled", "message": "Order 000000012 is canceled."}},
    "orders/refund/preview": {"refund": {"amount": "$12.00", "items": [{"sku": "MH01-XS-Black", "quantity": 1}],
                                         "confirmationToken": "t.1", "expiresAt": "2026-12-07T12:00:00Z"}},
    "orders/refund": {"result": {"status": "refunded", "amount": "$12.00", "creditMemo": "000000004",
                                 "message": "Refunded $12.00."}},
    "orders/shipping-address": {"result": {"message": "The order will ship to 1 Main St."}},
    "customers/coupon": {"result": {"code": "GLADLY-7Q2X", "message": "Here is your code."}},
}


@pytest.fixture
def ai_api(client):
    from openapi_core import OpenAPI

    document = client.get("/openapi.json").get_json()
    validate(document)
    return document, OpenAPI.from_dict(document)


def _ai_request(path: str, body: dict, token: str | None = "t" * 32):
    from openapi_core.testing import MockRequest

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return MockRequest("http://localhost", "post", "/gladly/ai/" + path, headers=headers,
                       data=json.dumps(body), content_type="application/json")


def test_the_ai_surface_is_described_from_the_catalog(ai_api):
    from bridge.gladly import ai_catalog

    document, _api = ai_api
    assert document["components"]["securitySchemes"]["gladlyAiBearer"]["scheme"] == "bearer"
    for action in ai_catalog.ACTIONS:
        operation = document["paths"]["/gladly/ai/" + action.path]["post"]
        assert operation["security"] == [{"gladlyAiBearer": []}] and operation["tags"] == ["Gladly AI"]
        assert operation["requestBody"]["content"]["application/json"]["schema"] == ai_catalog.request_schema(action)
        assert {"401", "404", "422"} <= set(operation["responses"])
        assert all(code in operation["responses"]["422"]["description"] for code in ai_catalog.REFUSALS)
        assert [p["name"] for p in operation["parameters"]] == (["Idempotency-Key"] if action.writes else [])
    assert set(AI_BODIES) == {action.path for action in ai_catalog.ACTIONS}


@pytest.mark.parametrize("path", sorted(AI_BODIES))
def test_contract_bodies_and_answers_match_the_document(ai_api, path):
    from openapi_core.testing import MockResponse

    _document, api = ai_api
    request = _ai_request(path, AI_BODIES[path])
    api.validate_request(request)
    api.validate_response(request, MockResponse(json.dumps(AI_ANSWERS[path]).encode(),
                                                content_type="application/json"))
    refusal = {"errors": [{"code": "order_not_found", "detail": "No order matches that number and e-mail."}]}
    api.validate_response(request, MockResponse(json.dumps(refusal).encode(), status_code=422,
                                                content_type="application/json"))


@pytest.mark.parametrize(("path", "body"), [
    ("orders/lookup", {"orderNumber": "000000012"}),
    ("orders/refund/preview", {"orderNumber": "1", "customerEmail": "a@b.c", "items": [{"sku": "X"}]}),
    ("orders/shipping-address", {"orderNumber": "1", "customerEmail": "a@b.c", "address": {"firstName": "Sam"}}),
    ("orders/shipping-address", {**AI_BODIES["orders/shipping-address"], "address": {
        **AI_BODIES["orders/shipping-address"]["address"], "street": "1 Main St"}}),
], ids=["no-email", "item-without-quantity", "partial-address", "street-not-a-list"])
def test_bodies_outside_the_contract_do_not_match(ai_api, path, body):
    from openapi_core.validation.request.exceptions import RequestBodyValidationError

    _document, api = ai_api
    with pytest.raises(RequestBodyValidationError):
        api.validate_request(_ai_request(path, body))


def test_an_ai_call_without_the_bearer_token_does_not_match(ai_api):
    from openapi_core.validation.request.exceptions import SecurityValidationError

    _document, api = ai_api
    with pytest.raises(SecurityValidationError):
        api.validate_request(_ai_request("orders/lookup", AI_BODIES["orders/lookup"], token=None))


def test_the_document_does_not_change_the_catalog(app_config):
    import copy

    from bridge import create_app
    from bridge.gladly import ai_catalog

    before = copy.deepcopy(ai_catalog.ACTIONS)
    first = create_app(app_config).test_client().get("/openapi.json").get_json()
    second = create_app(app_config).test_client().get("/openapi.json").get_json()
    assert ai_catalog.ACTIONS == before and first == second
