"""The Gladly bridge for Magento 2: a Gladly Lookup Adaptor whose system of record is Magento."""
from __future__ import annotations

from flask import Flask

from bridge.json_provider import FastJSONProvider


def create_app(test_config: dict | None = None) -> Flask:
    """Build the bridge: configuration, storage, the Magento connection and every blueprint."""
    app = Flask(__name__)
    from bridge import cli
    from bridge import config
    from bridge import errors
    from bridge import headers
    from bridge import health
    from bridge import log
    from bridge import openapi
    from bridge import storage
    from bridge.gladly import actions as gladly_actions
    from bridge.gladly import views as gladly_views
    from bridge.magento import registry
    from bridge.magento import views as magento_views
    from bridge.preview import views as preview_views

    config.load_config(app, test_config)
    app.json = FastJSONProvider(app)
    log.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    storage.init_app(app)
    registry.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(gladly_views.bp)
    app.register_blueprint(gladly_actions.bp)
    magento_views.init_app(app)
    openapi.init_app(app)
    preview_views.init_app(app)
    cli.init_app(app)
    return app
