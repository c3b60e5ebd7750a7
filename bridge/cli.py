"""``bridge magento status|check|disconnect|setup-code`` and ``bridge db upgrade``; also ``flask --app wsgi ...``."""
from __future__ import annotations

import re
import sys

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup
from flask.cli import ScriptInfo

from bridge.errors import BridgeError
from bridge.errors import ConfigError
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoUnauthorized
from bridge.magento.search import SearchCriteria
from bridge.magento.views import activation_service
from bridge.storage import STORAGE_FAILURES
from bridge.storage import describe_url

# Every route the bridge reads, with the ACL resource that unlocks it (magento-rest.md §4, §16).
MODULE_ROUTE = "/V1/gladly/config"
READ_ROUTES = (
    ("/V1/customers/search", "Magento_Customer::customer"),
    ("/V1/orders", "Magento_Sales::actions_view"),
    ("/V1/orders/items", "Magento_Sales::actions_view"),
    ("/V1/shipments", "Magento_Sales::shipment"),
    ("/V1/invoices", "Magento_Sales::sales_invoice"),
    ("/V1/creditmemos", "Magento_Sales::sales_creditmemo"),
    ("/V1/products", "Magento_Catalog::products"),
    ("/V1/store/storeConfigs", "Magento_Backend::store"),
    ("/V1/store/websites", "Magento_Backend::store"),
    # The companion module's settings; absent (404) without the module, which is not a failure.
    (MODULE_ROUTE, "Gladly_Connector::config"),
)
# Writes change orders, so `check` only lists what they need.
WRITE_ROUTES = (
    ("POST /V1/orders/{id}/cancel", "Magento_Sales::cancel"),
    ("POST /V1/orders/{id}/comments", "Magento_Sales::comment"),
    ("POST /V1/orders/{id}/hold", "Magento_Sales::hold"),
    ("POST /V1/orders/{id}/unhold", "Magento_Sales::unhold"),
    ("POST /V1/orders/{id}/emails", "Magento_Sales::emails"),
    ("POST /V1/order/{id}/refund", "Magento_Sales::creditmemo"),
    ("POST /V1/invoice/{id}/refund", "Magento_Sales::sales_invoice"),
    ("POST /V1/coupons/generate", "Magento_SalesRule::quote"),
    ("PUT /V1/gladly/orders/{id}/shipping-address", "Gladly_Connector::order_address"),
)
# §14: "The consumer isn't authorized to access %resources." with the resources substituted by the client.
MISSING_ACL = re.compile(r"The consumer isn't authorized to access (?P<resources>[^ ]+?)\.(?:\s|$)")

magento = AppGroup("magento", help="Inspect or remove the bridge's Magento connection.")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


@magento.command()
def status() -> None:
    """Show which store is connected, how, since when, and the last successful call."""
    registry = current_app.extensions["magento"]
    connection = registry.current_connection()
    if connection is None:
        click.echo("Not connected: activate the Gladly integration in Magento, or set BRIDGE_MAGENTO_* credentials.")
        sys.exit(1)
    click.echo(f"Store:  {connection.base_url}")
    click.echo(f"Source: {connection.source}")
    click.echo(f"Consumer key: {connection.credentials.consumer_key}")
    stored = registry.storage.get_connection() if connection.source == "activation" else None
    if stored:
        click.echo(f"Connected since: {_when(stored.connected_at)} (tokens updated {_when(stored.updated_at)})")
        click.echo(f"Last successful call: {_when(stored.last_success_at)}")
    else:
        click.echo("Connected since: process start (environment credentials; calls are not recorded)")


@magento.command()
def check() -> None:
    """Make one signed call per Magento route the bridge reads and name any missing ACL resource."""
    try:
        client = current_app.extensions["magento"].client()
    except BridgeError as error:  # not connected, or a store URL the signer refuses
        click.echo(f"FAIL {error.detail}")
        sys.exit(1)
    failures = 0
    for path, resource in READ_ROUTES:
        try:
            client.get(path, SearchCriteria().limit(1))
        except MagentoUnauthorized as error:
            failures += 1
            match = MISSING_ACL.search(error.detail)
            if match:
                click.echo(f"FAIL GET {path}: missing ACL resource {match['resources']} (grant it to the Gladly "
                           "integration, or reactivate it if it was recreated)")
            else:
                click.echo(f"FAIL GET {path}: {error.detail}")
        except MagentoNotFound as error:
            if path == MODULE_ROUTE:
                click.echo(f"note GET {path}: the Gladly module is not installed; the bridge links to core "
                           "admin pages and uses its BRIDGE_* settings only")
            else:
                failures += 1
                click.echo(f"FAIL GET {path}: {error.detail}")
        except MagentoError as error:
            failures += 1
            click.echo(f"FAIL GET {path}: {error.detail}")
        else:
            click.echo(f"ok   GET {path} ({resource})")
    for route, resource in WRITE_ROUTES:
        click.echo(f"not checked: writes  {route} ({resource})")
    if failures:
        click.echo(f"{failures} of {len(READ_ROUTES)} routes failed.")
        sys.exit(1)
    click.echo("Every read route works.")


@magento.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def disconnect(yes: bool) -> None:
    """Delete the stored (activated) connection; environment credentials, if any, take over."""
    storage = current_app.extensions["storage"]
    if storage.connection_fingerprint() is None:
        click.echo("No stored connection.")
        return
    if not yes:
        click.confirm("Delete the stored Magento connection? Lookups stop until the integration is activated again",
                      abort=True)
    storage.delete_connection()
    click.echo("Stored connection deleted. Reactivate the Gladly integration in Magento to connect again.")


@magento.command("setup-code")
def setup_code() -> None:
    """Issue a new one-time setup code (needed only without BRIDGE_MAGENTO_URL); older unused codes stop working."""
    code = activation_service().issue_setup_code(replace=True)
    if code is None:
        click.echo("No setup code needed: BRIDGE_MAGENTO_URL pins the store that may activate.")
        return
    click.echo(f"Setup code for the Magento module: {code}")


db = AppGroup("db", help="Manage the bridge's database.")


@db.command()
def upgrade() -> None:
    """Create the tables or bring them to this bridge's schema version (run before starting gunicorn)."""
    url = current_app.config["DATABASE_URL"]
    try:
        version = current_app.extensions["storage"].create_schema()
    except STORAGE_FAILURES as error:
        click.echo(f"FAIL the database at {describe_url(url)} cannot be reached: "
                   f"{str(getattr(error, 'orig', error)).strip().splitlines()[0]}", err=True)
        sys.exit(1)
    click.echo(f"Database {describe_url(url)} is at schema version {version}.")


def init_app(app: Flask) -> None:
    """Register the ``magento`` and ``db`` command groups with Flask's CLI."""
    app.cli.add_command(magento)
    app.cli.add_command(db)


def main(argv: list[str] | None = None) -> int:
    """Console script ``bridge``: the same commands, configured from ``BRIDGE_*`` like the server."""
    from bridge import create_app

    group = click.Group("bridge", commands=[magento, db], help="The Gladly bridge for Magento 2.")
    try:
        group.main(args=argv, prog_name="bridge", obj=ScriptInfo(create_app=create_app))
    except ConfigError as error:  # raised while building the app, outside click's own error handling
        click.echo(f"error: {error.detail}", err=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
