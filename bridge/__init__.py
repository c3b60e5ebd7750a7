"""The Gladly bridge for Magento 2: a Gladly Lookup Adaptor whose system of record is Magento."""
from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the bridge: configuration, storage, the Magento connection and every blueprint."""
    # Imported here, not at the top: gunicorn.conf.py imports bridge.config in the master, and gevent must
    # patch ssl before requests (and urllib3) import it (https://github.com/gevent/gevent/issues/1016).
    from bridge import cli
    from bridge import config
    from bridge import errors
    from bridge import storage
    from bridge.gladly import action_views
    from bridge.gladly import ai_views
    from bridge.gladly import lookup_views
    from bridge.magento import registry
    from bridge.magento import views as magento_views
    from bridge.ops import health
    from bridge.ops import logs
    from bridge.ops import openapi
    from bridge.ops import web
    from bridge.preview import views as preview_views

    app = Flask(__name__)
    config.load_config(app, test_config)
    web.init_app(app)
    logs.init_app(app)
    errors.init_app(app)
    storage.init_app(app)
    registry.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(lookup_views.bp)
    app.register_blueprint(action_views.bp)
    app.register_blueprint(ai_views.bp)
    magento_views.init_app(app)
    openapi.init_app(app)
    preview_views.init_app(app)
    cli.init_app(app)
    return app
