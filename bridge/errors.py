"""One exception hierarchy for the bridge, rendered as one JSON error shape.

Every error becomes ``{"errors": [{"code": ..., "detail": ..., "attr"?: ..., "message"?: ...}]}``:
Gladly's REST error envelope (gladly-lookup-adaptor.md §4) and its action error shape (§6.5).
"""
from __future__ import annotations

import logging

from flask import Flask
from flask import jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class BridgeError(Exception):
    """Base class: a status code, a machine code and a human description."""

    status_code = 500
    code = "internal_error"
    description = "The bridge failed to answer."
    attr: str | None = None
    message: str | None = None

    def __init__(self, detail: str | None = None, *, attr: str | None = None, message: str | None = None):
        super().__init__(detail or self.description)
        self.detail = detail or self.description
        if attr is not None:
            self.attr = attr
        if message is not None:
            self.message = message

    def to_dict(self) -> dict:
        """The error as one entry of the ``errors`` list."""
        entry = {"code": self.code, "detail": self.detail}
        if self.attr:
            entry["attr"] = self.attr
        if self.message:
            entry["message"] = self.message
        return entry

    def to_dicts(self) -> list[dict]:
        """The entries of the ``errors`` list; subclasses with several errors return one each."""
        return [self.to_dict()]


class ConfigError(BridgeError):
    """The environment does not describe a bridge that can start."""

    code = "invalid_config"
    description = "The bridge configuration is invalid."


class InvalidRequest(BridgeError):
    status_code = 400
    code = "invalid_request"
    description = "The request is malformed."


class Unauthorized(BridgeError):
    status_code = 401
    code = "unauthorized"
    description = "The request is not authenticated."


class InvalidSignature(Unauthorized):
    code = "invalid_signature"
    description = "Signature is incorrect."
    attr = "Gladly-Authorization"


class StaleRequest(InvalidSignature):
    code = "stale_request"
    description = "Gladly-Time is outside the accepted window."
    attr = "Gladly-Time"


class InvalidBearerToken(Unauthorized):
    """Gladly AI's request lacks one of the ``BRIDGE_AI_TOKENS`` (RFC 6750 §3.1 ``invalid_token``)."""

    code = "invalid_token"
    description = "Send Authorization: Bearer with one of the bridge's Gladly AI tokens."
    attr = "Authorization"


class NotConnected(BridgeError):
    status_code = 503
    code = "not_connected"
    description = "No Magento store is connected to the bridge yet."


class StorageUnavailable(BridgeError):
    """The database cannot be reached; lookups do not need it, actions and activation do."""

    status_code = 503
    code = "storage_unavailable"
    description = ("The bridge's database cannot be reached; order actions and activation are unavailable until it "
                   "is back (lookups keep working).")


class MagentoError(BridgeError):
    """Magento could not be read or refused a call; an upstream failure, never a 500."""

    status_code = 502
    code = "magento_error"
    description = "Magento returned an error."

    def __init__(self, detail: str | None = None, *, magento_status: int | None = None, path: str | None = None,
                 **kwargs):
        super().__init__(detail, **kwargs)
        self.magento_status = magento_status
        self.path = path


class MagentoUnavailable(MagentoError):
    code = "magento_unavailable"
    description = "Magento could not be reached."
    outcome_unknown = False  # True when a write may have reached Magento: reconcile before repeating it


class MagentoTimeout(MagentoUnavailable):
    status_code = 504
    code = "magento_timeout"
    description = "Magento did not answer in time."


class MagentoCircuitOpen(MagentoUnavailable):
    """Refused by the circuit breaker without calling Magento: nothing was sent, so nothing happened."""

    status_code = 503
    description = "Magento is failing; the bridge paused its calls to it for a moment."


class MagentoBadReply(MagentoError):
    """A 2xx reply whose JSON is not the shape Magento documents: never used, never cached."""

    code = "magento_bad_reply"
    description = "Magento answered with data the bridge does not understand."


class MagentoRejected(MagentoError):
    code = "magento_rejected"
    description = "Magento rejected the request."


class MagentoUnauthorized(MagentoRejected):
    code = "magento_unauthorized"
    description = "Magento refused the bridge's credentials: re-check the Gladly integration in Magento."


class MagentoOAuthError(MagentoRejected):
    code = "magento_oauth_error"
    description = "Magento refused the OAuth token exchange."


class MagentoNotFound(MagentoRejected):
    status_code = 404
    code = "magento_not_found"
    description = "Magento has no such entity."


class ActionError(BridgeError):
    """An action that failed; 400 lets the agent fix or retry, 406 dismisses the form (§6.5)."""

    status_code = 400
    code = "action_failed"
    description = "The action could not be completed."


class OrderBusy(ActionError):
    """Another write to the same order (another agent's, or Gladly AI's) is under way: nothing was sent; retry."""

    code = "order_busy"
    description = "The order is being changed right now."


class ActionRejected(ActionError):
    status_code = 406
    code = "action_rejected"
    description = "The action cannot be performed on this order."


class CouponLimit(ActionRejected):
    """The customer already received the goodwill coupons the bridge allows in the period."""

    code = "coupon_limit"


class ActionValidationError(ActionError):
    """Several field errors at once, each shown next to its input."""

    code = "invalid_input"
    description = "Some fields need attention."

    def __init__(self, field_errors: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.field_errors = field_errors

    def to_dicts(self) -> list[dict]:
        """One entry per field."""
        return [{"code": self.code, "attr": attr, "detail": detail} for attr, detail in self.field_errors.items()]


class OutcomeUnknown(ActionRejected):
    """Magento's reply was lost and the order could not be re-read: only a person can tell what happened."""

    code = "outcome_unknown"


class AiRefusal(ActionError):
    """Gladly AI may not do this (a guardrail, or the order's state): 422 with a stable ``code`` and a sentence the
    AI may repeat to the shopper."""

    status_code = 422

    def __init__(self, code: str, detail: str, *, attr: str | None = None):
        super().__init__(detail, attr=attr)
        self.code = code


class AiUnavailable(AiRefusal):
    """Gladly AI's write was not done, for a reason that is no refusal (Magento unavailable, the same request still
    running, an outcome only a person can tell): 503 with the runner's code."""

    status_code = 503


class AiInvalidInput(ActionValidationError):
    """Gladly AI's input has errors: 422 ``invalid_input``, one entry per input (``attr`` its JSON path)."""

    status_code = 422


class MagentoRefusal(ActionError):
    """Magento's 400 for a write, one error per line of its message (magento-rest.md §9 "Validation errors")."""

    code = "magento_rejected"

    def __init__(self, magento_message: str, *, message: str):
        lines = [line.strip() for line in magento_message.splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].endswith(":"):  # "Creditmemo Document Validation Error(s):"
            lines = lines[1:]
        super().__init__(" ".join(lines) or None, message=message)
        self.lines = lines or [self.detail]

    def to_dicts(self) -> list[dict]:
        """One error per line, so Gladly lists them one under the other."""
        return [{"code": self.code, "detail": line, "message": self.message} for line in self.lines]


def error_response(error: BridgeError):
    """Render any bridge error in the one JSON error shape."""
    response = jsonify({"errors": error.to_dicts()})
    response.status_code = error.status_code
    if isinstance(error, InvalidBearerToken):
        response.headers["WWW-Authenticate"] = 'Bearer realm="gladly-bridge-ai", error="invalid_token"'
    elif isinstance(error, Unauthorized) and error.code == "unauthorized":
        response.headers["WWW-Authenticate"] = 'Basic realm="gladly-bridge"'
    return response


def _handle_bridge_error(error: BridgeError):
    if error.status_code >= 500:
        log.warning("request failed: %s (%s)", error.detail, error.code)
    return error_response(error)


def _handle_http_exception(error: HTTPException):
    response = jsonify({"errors": [{"code": (error.name or "error").lower().replace(" ", "_"),
                                    "detail": error.description}]})
    response.status_code = error.code or 500
    return response


def failure_line(error: Exception) -> str:
    """``Class: first line`` of a database failure (of its cause, for StorageUnavailable), fit for a log line: the
    driver's message without the statement and parameters that SQLAlchemy appends on later lines."""
    cause = error.__cause__ if isinstance(error, StorageUnavailable) and error.__cause__ else error
    text = str(getattr(cause, "orig", None) or cause).strip().splitlines()
    return f"{cause.__class__.__name__}: {text[0] if text else ''}"


def _handle_storage_failure(error: Exception):
    # An error, not a warning: the request needed the database (an action, an activation) and was refused.
    log.error("database unavailable: %s", failure_line(error))
    return error_response(error if isinstance(error, StorageUnavailable) else StorageUnavailable())


def handle_storage_failures(app: Flask, failures: tuple[type[Exception], ...]) -> None:
    """Answer 503 ``storage_unavailable`` for ``failures``: the exceptions the storage layer declares to mean
    "the database cannot be reached right now" (driver errors raised mid-request included)."""
    for failure in failures:
        app.register_error_handler(failure, _handle_storage_failure)


def init_app(app: Flask) -> None:
    """Register the JSON error handlers (no catch-all: real bugs keep their tracebacks)."""
    app.register_error_handler(BridgeError, _handle_bridge_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
