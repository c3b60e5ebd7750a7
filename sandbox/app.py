"""create_sandbox_app: the Flask app of the sandbox store."""

from flask import Flask
from werkzeug.exceptions import HTTPException

from . import rest
from . import tokens
from . import tools
from .errors import MagentoError


def create_sandbox_app(store, *, latency_ms=0, fault_rate=0.0):
    """Build the sandbox app around a SandboxStore; every reply is JSON except token replies."""
    store.latency_ms = latency_ms
    store.fault_rate = fault_rate
    app = Flask("sandbox", static_folder=None)
    app.extensions["sandbox_store"] = store
    app.register_blueprint(rest.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(tools.bp)

    @app.errorhandler(MagentoError)
    def magento_error(error):
        return rest.json_response(error.body(), error.status)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in (404, 405):  # Magento answers an unknown path or method the same way
            return rest.json_response({"message": "Request does not match any route."}, 404)
        return rest.json_response({"message": error.description}, error.code)

    return app
