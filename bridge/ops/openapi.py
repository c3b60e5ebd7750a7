"""``GET /openapi.json``: an OpenAPI 3 description of the bridge's own endpoints.

Request and response bodies come from the marshmallow schemas the views use (apispec's marshmallow
plugin), so the document cannot describe a wire format the code does not produce; tests validate real
requests and answers against it. The AI surface's come from the App Action table (``bridge.gladly.ai_catalog``)
that the Gladly set-up is printed from. Built once per app from its configuration (Basic auth, path prefix).
"""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint
from flask import Flask
from flask import current_app
from marshmallow import Schema
from marshmallow import fields

from bridge.config import ACTION_NAMES
from bridge.gladly import ai_catalog
from bridge.gladly.requests import LookupRequestSchema
from bridge.gladly.responses import ActionFormSchema
from bridge.gladly.responses import ActionResultSchema
from bridge.gladly.responses import InputSectionSchema
from bridge.gladly.responses import LookupResponseSchema
from bridge.gladly.responses import TextSectionSchema
from bridge.magento.activation import CREDENTIAL

bp = Blueprint("openapi", __name__)

SIGNATURE_SCHEME = "gladlySignature"
BASIC_SCHEME = "gladlyBasic"
AI_SCHEME = "gladlyAiBearer"
SIGNATURE_DESCRIPTION = """\
Gladly signs every lookup and action request with the Signing Key of the Custom App
(gladly-lookup-adaptor.md §5.3):

    Gladly-Time: 20190213T214016Z
    Gladly-Authorization: SigningAlgorithm=hmac-sha256, SignedHeaders=<h1>;<h2>;..., Signature=<hex>

canonical = METHOD, path as configured in the App, sorted query string, one `name:value` line per
signed header, an empty line, the signed header names joined with `;`, and the hex SHA-256 of the raw
body, joined with newlines. string_to_sign = `hmac-sha256` + `\\n` + Gladly-Time + `\\n` +
hex SHA-256(canonical). Signature = hex HMAC-SHA256(HMAC-SHA256(key, first 8 characters of
Gladly-Time), string_to_sign). The bridge accepts a Gladly-Time within BRIDGE_GLADLY_TIME_TOLERANCE
seconds of its clock. `bridge sign` prints a signed request for testing.
"""


class ErrorSchema(Schema):
    """One entry of the error envelope rendered by ``bridge.errors`` (§4, §6.5)."""

    code = fields.String(required=True)
    detail = fields.String(required=True)
    attr = fields.String()
    message = fields.String()


class ErrorsSchema(Schema):
    """The one JSON error shape: ``{"errors": [...]}``."""

    errors = fields.List(fields.Nested(ErrorSchema), required=True)


class StatusSchema(Schema):
    """``{"status": ...}``, the answer of /healthz and of the activation callback."""

    status = fields.String(required=True)


def _errors(*statuses: int) -> dict:
    meanings = {400: "Invalid request, or an action to fix or retry (§6.5)",
                401: "Signature, Gladly-Time or Basic credentials refused",
                403: "Activation refused, or an address outside BRIDGE_OPS_ALLOW", 404: "Not found",
                406: "Action refused; the form closes (§6.5)",
                409: "Activation verifier already used",
                502: "Magento refused or failed",
                503: "No Magento store connected, Magento's circuit open, or the database unavailable",
                504: "Magento timed out"}
    return {str(status): {"description": meanings[status], "content": {"application/json": {"schema": "Errors"}}}
            for status in statuses}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


GLADLY_TIME = {"name": "Gladly-Time", "in": "header", "required": True, "description": "YYYYMMDDTHHMMSSZ, UTC",
               "schema": {"type": "string", "pattern": r"^\d{8}T\d{6}Z$"}}
ACTION = {"name": "action", "in": "path", "required": True, "schema": {"type": "string", "enum": list(ACTION_NAMES)}}
ORDER_ID = {"name": "orderId", "in": "query", "required": True, "description": "Magento order entity_id",
            "schema": {"type": "string"}}
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "The same key again replays the first answer and never writes twice",
                   "schema": {"type": "string", "minLength": 1}}
TOKEN = {"name": "token", "in": "query", "required": True, "description": "from the form's actionUrl",
         "schema": {"type": "string"}}


def _constant(converter, field: fields.Field, **kwargs) -> dict:
    """A Constant field is that one value (apispec alone gives only its default)."""
    return {"type": "string", "enum": [field.constant]} if isinstance(field, fields.Constant) else {}


def build_spec(config) -> dict:
    """The OpenAPI 3.0 document of this bridge, as a dict."""
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title="Gladly bridge for Magento 2", version="1", openapi_version="3.0.3",
                   plugins=[marshmallow],
                   info={"description": "Gladly Lookup Adaptor and order actions backed by a Magento 2 store."},
                   # Gladly calls the paths below through the proxy prefix the signed path includes.
                   servers=[{"url": config["GLADLY_PATH_PREFIX"] or "/"}])
    marshmallow.converter.add_attribute_function(_constant)
    for name, schema in (("Errors", ErrorsSchema), ("Status", StatusSchema),
                         ("LookupRequest", LookupRequestSchema), ("LookupResponse", LookupResponseSchema),
                         ("TextSection", TextSectionSchema), ("InputSection", InputSectionSchema),
                         ("ActionForm", ActionFormSchema), ("ActionResult", ActionResultSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme(SIGNATURE_SCHEME, {"type": "apiKey", "in": "header",
                                                       "name": "Gladly-Authorization",
                                                       "description": SIGNATURE_DESCRIPTION})
    requirement = {SIGNATURE_SCHEME: []}
    if config["GLADLY_BASIC_USER"]:
        spec.components.security_scheme(BASIC_SCHEME, {"type": "http", "scheme": "basic", "description":
                                                       "BRIDGE_GLADLY_BASIC_USER/PASSWORD, as set in the Gladly App"})
        requirement[BASIC_SCHEME] = []
    signed = {"security": [requirement], "tags": ["Gladly"]}

    spec.path("/gladly/lookup", operations={"post": {
        **signed, "operationId": "lookup", "summary": "Auto-link, agent search or detailed lookup (§2, §3)",
        "parameters": [GLADLY_TIME],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "LookupRequest"}}},
        "responses": {"200": _json("LookupResponse", "Matching profiles; none is an empty list"),
                      **_errors(400, 401, 502, 503, 504)}}})
    spec.path("/gladly/actions/{action}/form", operations={"get": {
        **signed, "operationId": "actionForm", "summary": "The form of one order action, with a fresh token (§6.3)",
        "parameters": [ACTION, ORDER_ID, GLADLY_TIME],
        "responses": {"200": _json("ActionForm", "The form"), **_errors(400, 401, 406, 502, 503, 504)}}})
    spec.path("/gladly/actions/{action}", operations={"post": {
        **signed, "operationId": "actionSubmit", "summary": "Run a submitted action form once (§6.5)",
        "parameters": [ACTION, ORDER_ID, TOKEN, GLADLY_TIME],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": True, "description": "The form's values by attr"}}}},
        "responses": {"200": _json("ActionResult", "Done"), **_errors(400, 401, 406, 503)}}})
    _ai_paths(spec)
    credential = {"type": "string", "pattern": f"^{CREDENTIAL.pattern}$"}
    spec.path("/magento/oauth/callback", operations={"post": {
        "operationId": "activationCallback", "tags": ["Magento"],
        "summary": "Magento's activation POST: integration credentials and verifier (magento-rest.md §1.2)",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["oauth_consumer_key", "oauth_consumer_secret", "store_base_url", "oauth_verifier"],
            "properties": {"oauth_consumer_key": credential, "oauth_consumer_secret": credential,
                           "oauth_verifier": credential, "store_base_url": {"type": "string", "format": "uri"},
                           "gladly_setup_code": {"type": "string"}}}}}},
        "responses": {"200": _json("Status", "Received; the token exchange runs in the background"),
                      **_errors(400, 403, 409)}}})
    html = {"text/html": {"schema": {"type": "string"}}}
    spec.path("/magento/oauth/identity", operations={"get": {
        "operationId": "activationIdentity", "tags": ["Magento"],
        "summary": "The identity pop-up Magento opens after activation (magento-rest.md §1.3)",
        "parameters": [{"name": "oauth_consumer_key", "in": "query", "required": False, "schema": credential},
                       {"name": "success_call_back", "in": "query", "required": False,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Outcome of the activation", "content": html},
                      "404": {"description": "No activation waits for this consumer key", "content": html}}}})
    spec.path("/healthz", operations={"get": {
        "operationId": "healthz", "tags": ["Operations"], "summary": "Liveness",
        "responses": {"200": _json("Status", "The app is up")}}})
    readiness = {"type": "object", "required": ["status", "reasons", "checks"], "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "checks": {"type": "object", "additionalProperties": True, "description": "database, magento"}}}
    allowlisted = "Only from BRIDGE_OPS_ALLOW addresses; others get 403."
    spec.path("/readyz", operations={"get": {
        "operationId": "readyz", "tags": ["Operations"], "summary": "Readiness: database, Magento, circuit",
        "description": allowlisted,
        "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": readiness}}},
                      "503": {"description": "Not ready; reasons say why",
                              "content": {"application/json": {"schema": readiness}}},
                      **_errors(403)}}})
    spec.path("/metrics", operations={"get": {
        "operationId": "metrics", "tags": ["Operations"], "summary": "Prometheus metrics of every worker",
        "description": allowlisted,
        "responses": {"200": {"description": "Prometheus text format",
                              "content": {"text/plain": {"schema": {"type": "string"}}}}, **_errors(403)}}})
    spec.path("/openapi.json", operations={"get": {
        "operationId": "openapi", "tags": ["Operations"], "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {}}}}}})
    return spec.to_dict()


def _ai_paths(spec: APISpec) -> None:
    """The AI surface: one path per App Action of ``bridge.gladly.ai_catalog``, its body built from the inputs."""
    spec.components.security_scheme(AI_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "One token of BRIDGE_AI_TOKENS, kept as a Secret in Gladly (docs/gladly-ai.md); with "
                       "BRIDGE_AI_TOKENS unset every /gladly/ai/ path answers 404."})
    errors = {"401": _json("Errors", "Missing or wrong bearer token"),
              "404": _json("Errors", "The AI surface is off: BRIDGE_AI_TOKENS is unset"),
              "422": _json("Errors", "Refused, with a sentence the AI may repeat to the shopper in `detail`; `code` "
                           f"is one of {', '.join(ai_catalog.REFUSALS)}, or invalid_input with the field in `attr`"),
              **_errors(502, 504),
              "503": _json("Errors", "Not done, and not refused: `code` says why (order_busy: the order is being "
                           "changed right now; in_progress: the same request still runs; action_failed, "
                           "magento_unavailable: Magento could not be reached; storage_unavailable; "
                           "outcome_unknown: a person must check the order)")}
    for action in ai_catalog.ACTIONS:
        spec.path(ai_catalog.PREFIX + action.path, operations={"post": {
            "security": [{AI_SCHEME: []}], "tags": ["Gladly AI"],
            "operationId": "ai" + action.key.title().replace("_", ""), "summary": action.name,
            "description": action.description, "parameters": [IDEMPOTENCY_KEY] if action.writes else [],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": ai_catalog.request_schema(action)}}},
            "responses": {"200": {"description": "Done", "content": {"application/json": {"schema": action.answer}}},
                          **errors}}})


@bp.get("/openapi.json")
def openapi_json():
    """The document of this app."""
    return current_app.extensions["openapi"]


def init_app(app: Flask) -> None:
    """Build the document for this app's configuration and register the view."""
    app.extensions["openapi"] = build_spec(app.config)
    app.register_blueprint(bp)
