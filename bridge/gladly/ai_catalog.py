"""The App Actions a Gladly admin creates so that Gladly's AI can act on Magento orders, in one table.

Gladly's AI runs "App Actions" (Settings > App Developer Tools > Custom Actions): a name and a description
that tell the AI when to use the action, typed inputs the AI collects first, and steps; ours is one HTTP
Request step that POSTs to the bridge's ``/gladly/ai/`` surface with a bearer token kept in a Gladly Secret.
Guides tell the AI how to go through a task ("Cancel Order"). Sources (docs/references.md, "Gladly AI"):
help.gladly.com/developer-tutorials/docs/anatomy-of-an-app-action, .../working-with-parameters,
.../create-and-configure-an-app-action, .../step-types and help.gladly.com/docs/answer-threads-interface-overview.

Pure data: ``definitions`` renders the table for a public URL as JSON-able dicts (``bridge ai-actions``),
``markdown`` the per-action sections of docs/gladly-ai.md (written by dev/readme_settings.py), and
``request_schema`` and each action's ``answer`` feed the OpenAPI document, so the set-up, the docs and the API
description cannot drift apart.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

PREFIX = "/gladly/ai/"
SECRET = "bridgeAiToken"  # the Gladly Secret holding one token of BRIDGE_AI_TOKENS
EXAMPLE_URL = "https://bridge.example.com"

# Gladly's input types (working-with-parameters, "Input Types") and the JSON Schema of a value of each.
INPUT_TYPES = {"string": {"type": "string"}, "number": {"type": "number"}, "boolean": {"type": "boolean"},
               "object": {"type": "object"}, "array": {"type": "array"},
               "string[]": {"type": "array", "items": {"type": "string"}}}

REFUSALS = ("order_not_found", "action_disabled", "not_allowed_in_state", "order_too_old", "over_refund_limit",
            "over_daily_limit", "confirmation_invalid", "coupon_limit")


@dataclass(frozen=True)
class Input:
    """One input the AI collects before the step runs; the step reads it as ``$.params.<name>``."""

    name: str
    type: str
    description: str
    required: bool = True
    schema: dict = field(default_factory=dict)  # narrows the type's JSON Schema (array items, formats)

    def json_schema(self) -> dict:
        """The JSON Schema of this input's value on the wire."""
        return {**INPUT_TYPES[self.type], **self.schema, "description": self.description}

    def definition(self) -> dict:
        """As the Inputs section of Gladly's builder asks for it."""
        return {"name": self.name, "type": self.type, "description": self.description, "required": self.required}


@dataclass(frozen=True)
class AppAction:
    """One App Action: what Gladly's builder asks for, and what the bridge answers."""

    key: str  # unique among the actions
    switch: str  # the name BRIDGE_AI_ACTIONS lists to enable it
    name: str
    path: str  # under PREFIX
    description: str
    inputs: tuple[Input, ...]
    answer: dict  # JSON Schema of the 200 answer
    variables: dict[str, str] = field(default_factory=dict)  # Gladly Variables: name -> JSONPath into the answer
    body: dict | None = None  # the body template when it is not one key per input
    writes: bool = True  # changes Magento, so an Idempotency-Key header may replay it

    def variable_paths(self) -> dict[str, str]:
        """The Variables to define: those given, else every field of the answer's one object."""
        if self.variables:
            return self.variables
        [(top, schema)] = self.answer["properties"].items()
        return {name: f"$.{top}.{name}" for name in schema["properties"]}

    def body_template(self) -> dict:
        """The HTTP Request step's JSON body, ``$.params.<input>`` wherever an input goes."""
        return self.body if self.body is not None else {item.name: f"$.params.{item.name}" for item in self.inputs}


ORDER_NUMBER = Input("orderNumber", "string", "The order number the shopper gives, e.g. 000000123 (digits, "
                     "sometimes with a store prefix). Ask for it; never guess it or take it from another order.",
                     schema={"minLength": 1})
CUSTOMER_EMAIL = Input("customerEmail", "string", "The e-mail address the order was placed with. Use the e-mail "
                       "of the customer in this conversation; ask for it only if there is none.",
                       schema={"minLength": 3})
REASON = Input("reason", "string", "The shopper's reason in a short sentence of their own words; it is "
               "written into the order's history in Magento.", schema={"minLength": 1})

_TEXT = {"type": "string"}
MESSAGE = {"type": "string", "description": "A plain sentence you may repeat to the shopper."}
ORDER = {
    "type": "object", "description": "The order in Gladly's ORDER transaction contract, with fulfillment tracking.",
    "required": ["type", "createdAt", "orderStatus", "orderTotal", "products", "fulfillments"],
    "properties": {"type": {"type": "string", "enum": ["ORDER"]}, "orderNumber": _TEXT,
                   "createdAt": {"type": "string", "format": "date-time"}, "orderStatus": _TEXT,
                   "orderTotal": {"type": "string", "description": "With the currency symbol, e.g. $83.99"},
                   "currencyCode": _TEXT, "customerOrderUrl": {"type": "string", "format": "uri"},
                   "products": {"type": "array", "items": {"type": "object"}},
                   "fulfillments": {"type": "array", "items": {"type": "object"}}}}


def _result(required: list[str], **properties: dict) -> dict:
    """``{"result": {...}}`` with ``message`` and the given properties."""
    return {"type": "object", "required": ["result"], "properties": {"result": {
        "type": "object", "required": required, "properties": {"message": MESSAGE, **properties}}}}


def _status(value: str) -> dict:
    return {"type": "string", "enum": [value]}


ADDRESS_INPUTS = (
    Input("firstName", "string", "First name of the person receiving the parcel."),
    Input("lastName", "string", "Last name of the person receiving the parcel."),
    Input("street", "string[]", "The street address, one line per item (street and number, then apartment or "
          "suite if any).", schema={"minItems": 1, "maxItems": 2}),
    Input("city", "string", "City."),
    Input("region", "string", "State, province or region, as the shopper writes it; leave empty where the "
          "country has none.", required=False),
    Input("postcode", "string", "Postal or ZIP code."),
    Input("countryId", "string", "The country as a two-letter ISO 3166-1 code, e.g. US, GB, DE.",
          schema={"pattern": "^[A-Za-z]{2}$"}),
    Input("telephone", "string", "A phone number for the carrier."),
)

ACTIONS = (
    AppAction(
        key="lookup", switch="lookup", writes=False, name="Look Up Magento Order", path="orders/lookup",
        description=(
            "Looks up one order in the Magento store by its order number and the e-mail it was placed with, and "
            "returns its status, total, products, shipments with tracking, and the actions this order allows now "
            "(availableActions). Use it before answering any question about an order, and before any other "
            "order action. Ask for the order number first. If no order is found, say that no order matches "
            "that number and e-mail and ask the shopper to check both; never say whether the number exists. "
            "Only promise what availableActions allows."),
        inputs=(ORDER_NUMBER, CUSTOMER_EMAIL),
        answer={"type": "object", "required": ["order", "availableActions"], "properties": {
            "order": ORDER, "availableActions": {"type": "array", "items": _TEXT,
                                                 "description": "Actions this order allows now"}}},
        variables={"orderStatus": "$.order.orderStatus", "orderTotal": "$.order.orderTotal",
                   "createdAt": "$.order.createdAt", "products": "$.order.products",
                   "fulfillments": "$.order.fulfillments", "customerOrderUrl": "$.order.customerOrderUrl",
                   "availableActions": "$.availableActions"}),
    AppAction(
        key="cancel", switch="cancel", name="Cancel Magento Order", path="orders/cancel",
        description=(
            "Cancels a whole Magento order that has not shipped. Use it only when the shopper asks to cancel, "
            "after Look Up Magento Order listed cancel in availableActions, and after the shopper confirmed "
            "which order (repeat its number and total) and gave a reason. Never cancel part of an order, never "
            "promise when money returns: repeat the message you get back. If it is refused, repeat the "
            "refusal's sentence and offer to hand over to a person."),
        inputs=(ORDER_NUMBER, CUSTOMER_EMAIL, REASON),
        answer=_result(["status", "message"], status=_status("canceled"))),
    AppAction(
        key="refund_preview", switch="refund", writes=False, name="Preview Magento Refund",
        path="orders/refund/preview",
        description=(
            "Works out what a refund would pay back, without refunding anything, and returns the amount and a "
            "confirmationToken. Use it when the shopper asks for a refund, after Look Up Magento Order listed "
            "refund in availableActions. Ask which products (by SKU from the lookup) and how many; leave items "
            "out to refund everything still refundable, with shipping. Tell the shopper the exact amount "
            "returned and ask them to confirm before Refund Magento Order. Never name any other amount."),
        inputs=(ORDER_NUMBER, CUSTOMER_EMAIL,
                Input("items", "array", "The products to refund: a list of {\"sku\": SKU from the lookup, "
                      "\"quantity\": whole number}. Leave it out to refund the whole remaining order.",
                      required=False, schema={"items": {
                          "type": "object", "required": ["sku", "quantity"],
                          "properties": {"sku": _TEXT, "quantity": {"type": "integer", "minimum": 1}}}}),
                Input("refundShipping", "boolean", "Whether to pay back the shipping charge too (true only "
                      "when the whole shipment is refunded or your policy says so).", required=False)),
        answer={"type": "object", "required": ["refund"], "properties": {"refund": {
            "type": "object", "required": ["amount", "items", "confirmationToken", "expiresAt"], "properties": {
                "amount": {"type": "string", "description": "With the currency symbol, e.g. $12.00"},
                "items": {"type": "array", "items": {"type": "object"}},
                "confirmationToken": {"type": "string", "description": "Pass it to Refund Magento Order"},
                "expiresAt": {"type": "string", "format": "date-time"}}}}}),
    AppAction(
        key="refund", switch="refund", name="Refund Magento Order", path="orders/refund",
        description=(
            "Pays back exactly the refund that Preview Magento Refund showed, once. Use it only after you told "
            "the shopper the previewed amount and they clearly said yes. Pass the confirmationToken of that "
            "preview. If the answer is confirmation_invalid (expired or already used), preview again and ask "
            "again. Never promise when the money arrives beyond the message you get back."),
        inputs=(ORDER_NUMBER, CUSTOMER_EMAIL,
                Input("confirmationToken", "string", "The confirmationToken returned by Preview Magento Refund "
                      "for this order, unchanged.", schema={"minLength": 1})),
        answer=_result(["status", "amount", "creditMemo", "message"], status=_status("refunded"),
                       amount=_TEXT, creditMemo={"type": "string", "description": "The credit memo's number"})),
    AppAction(
        key="address", switch="address", name="Change Magento Shipping Address", path="orders/shipping-address",
        description=(
            "Changes where a Magento order will be shipped, before it ships. Use it only after Look Up Magento "
            "Order listed the address change in availableActions. Ask for the full new address, read it back "
            "to the shopper and get a yes first. Never promise that a parcel already shipped can be redirected."),
        inputs=(ORDER_NUMBER, CUSTOMER_EMAIL, *ADDRESS_INPUTS),
        body={"orderNumber": "$.params.orderNumber", "customerEmail": "$.params.customerEmail",
              "address": {item.name: f"$.params.{item.name}" for item in ADDRESS_INPUTS}},
        answer=_result(["message"], status=_TEXT)),
    AppAction(
        key="coupon", switch="coupon", name="Issue Goodwill Coupon", path="customers/coupon",
        description=(
            "Issues one goodwill discount code to a registered shopper, from the rule the merchant chose. Use it "
            "only when your Guide says a goodwill gesture is due (for example after a late or damaged order). "
            "Give the shopper the code and the message you get back; never promise its value or a second code. "
            "A shopper gets at most one per period: if refused, say so and do not retry."),
        inputs=(CUSTOMER_EMAIL, REASON),
        answer=_result(["message"], status=_TEXT, code={"type": "string", "description": "The coupon code"})),
)


@dataclass(frozen=True)
class Guide:
    """The outline of a Gladly Guide: the steps the AI follows for one kind of request."""

    name: str
    description: str
    steps: tuple[str, ...]


GUIDES = (
    Guide("Cancel Order", "The shopper wants to cancel an order they placed.", (
        "Ask for the order number and the e-mail the order was placed with (use the conversation's e-mail if "
        "there is one).",
        "Run Look Up Magento Order. If no order matches, say so and ask the shopper to check both; hand over "
        "after a second miss.",
        "If availableActions has no cancel, explain what the status means (for example: it has shipped) and "
        "offer to hand over to a person; do not promise a cancellation.",
        "Repeat the order number, its products and total, and ask the shopper to confirm they want all of it "
        "canceled; ask for the reason if they have not given one.",
        "Run Cancel Magento Order with the reason. Tell the shopper the message you get back.",
        "If the action is refused, repeat the refusal's sentence and offer to hand over to a person.")),
    Guide("Refund a Damaged Item", "The shopper received an item damaged and wants their money back for it.", (
        "Ask for the order number and the e-mail the order was placed with; run Look Up Magento Order.",
        "Ask which product arrived damaged and how many; match it to a SKU of the order's products. If your "
        "policy asks for a photo or a return, follow it or hand over.",
        "If availableActions has no refund, offer to hand over to a person.",
        "Run Preview Magento Refund with items [{sku, quantity}] (refundShipping false unless your policy says "
        "otherwise).",
        "Tell the shopper the exact amount of the preview and ask whether to refund exactly that amount. "
        "Wait for a clear yes.",
        "Run Refund Magento Order with the preview's confirmationToken. Tell the shopper the amount and the "
        "message you get back.",
        "On confirmation_invalid, preview again and ask again. On over_refund_limit, over_daily_limit or "
        "order_too_old, repeat the sentence and hand over to a person: the limits are the merchant's.")),
)


def public_base(url: str) -> str:
    """The bridge's public base URL as Gladly calls it: HTTPS, no query or fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not the bridge's public HTTPS base URL (Gladly calls HTTPS only), "
                         "e.g. https://bridge.example.com")
    return url.strip().rstrip("/")


def http_step(action: AppAction, base: str) -> dict:
    """The HTTP Request step that calls the bridge for ``action``."""
    headers = {"Authorization": f"Bearer <Secret {SECRET}>", "Content-Type": "application/json"}
    return {"type": "HTTP Request", "name": "call_bridge", "method": "POST", "url": base + PREFIX + action.path,
            "headers": headers, "body": action.body_template()}


def definitions(url: str) -> dict:
    """Every App Action and Guide for the bridge at ``url``, as ``bridge ai-actions`` prints them."""
    base = public_base(url)
    return {
        "secret": {"name": SECRET, "value": "one token of BRIDGE_AI_TOKENS",
                   "use": f"reference it in each Authorization header in place of <Secret {SECRET}>"},
        "appActions": [{"name": action.name, "description": action.description, "bridgeAction": action.switch,
                        "inputs": [item.definition() for item in action.inputs], "steps": [http_step(action, base)],
                        "variables": [{"name": name, "path": path} for name, path in action.variable_paths().items()]}
                       for action in ACTIONS],
        "guides": [{"name": guide.name, "description": guide.description, "steps": list(guide.steps)}
                   for guide in GUIDES]}


def request_schema(action: AppAction) -> dict:
    """The JSON Schema of the request body: the body template with each ``$.params`` replaced by its input."""
    inputs = {f"$.params.{item.name}": item for item in action.inputs}

    def schema(template: dict) -> dict:
        properties, required = {}, []
        for key, value in template.items():
            if isinstance(value, dict):
                properties[key] = schema(value)
                required.append(key)
            else:
                properties[key] = inputs[value].json_schema()
                if inputs[value].required:
                    required.append(key)
        return {"type": "object", "required": required, "properties": properties}

    return schema(action.body_template())


def markdown(url: str = EXAMPLE_URL) -> str:
    """The per-action sections of docs/gladly-ai.md (dev/readme_settings.py writes them)."""
    base, lines = public_base(url), []
    for action in ACTIONS:
        step = http_step(action, base)
        lines += [f"### {action.name}", "", f"`POST {PREFIX}{action.path}`; `BRIDGE_AI_ACTIONS` name: "
                  f"`{action.switch}`.", "", f"**Description**: {action.description}", "",
                  "| Input | Type | Required | Description |", "|---|---|---|---|",
                  *(f"| `{item.name}` | {item.type} | {'yes' if item.required else 'no'} | {item.description} |"
                    for item in action.inputs), "",
                  f"**HTTP Request step**: `{step['method']}` `{step['url']}`", "",
                  *(f"* `{name}: {value}`" for name, value in step["headers"].items()), "",
                  "```json", json.dumps(step["body"], indent=2), "```", "",
                  "**Variables**: " + ", ".join(f"`{name}` = `{path}`"
                                                for name, path in action.variable_paths().items()), ""]
    lines += ["### Guides", ""]
    for guide in GUIDES:
        lines += [f"**{guide.name}**: {guide.description}", "",
                  *(f"{number}. {step}" for number, step in enumerate(guide.steps, 1)), ""]
    return "\n".join(lines).rstrip("\n")


