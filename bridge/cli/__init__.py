"""``bridge sign``, ``bridge ai-actions``, ``bridge doctor``, ``bridge magento status|check|disconnect|setup-code`` and
``bridge db upgrade``; the groups also as ``flask --app wsgi ...``."""
from __future__ import annotations

import json
import os
import sys

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup
from flask.cli import ScriptInfo

from bridge.cli import doctor as checks
from bridge.errors import BridgeError
from bridge.errors import ConfigError
from bridge.gladly import ai_catalog
from bridge.gladly import sample
from bridge.magento.routes import WRITES
from bridge.magento.views import activation_service
from bridge.storage import get_stores
from bridge.storage.database import STORAGE_FAILURES
from bridge.storage.database import describe_url

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
    stored = get_stores().connection.get() if connection.source == "activation" else None
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
        click.echo(checks.Finding(checks.FAIL, error.detail).line())
        sys.exit(1)
    findings = checks.route_findings(client)
    for finding in findings:
        click.echo(finding.line())
    failures = sum(finding.status == checks.FAIL for finding in findings)
    for route in WRITES:
        click.echo(f"not checked: writes  {route} ({route.resource})")
    if failures:
        click.echo(f"{failures} of {len(checks.CHECKED_ROUTES)} routes failed.")
        sys.exit(1)
    click.echo("Every read route works.")


@magento.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def disconnect(yes: bool) -> None:
    """Delete the stored (activated) connection; environment credentials, if any, take over."""
    stored = get_stores().connection
    if stored.fingerprint() is None:
        click.echo("No stored connection.")
        return
    if not yes:
        click.confirm("Delete the stored Magento connection? Lookups stop until the integration is activated again",
                      abort=True)
    stored.delete()
    click.echo("Stored connection deleted. Reactivate the Gladly integration in Magento to connect again.")


@magento.command("setup-code")
def setup_code() -> None:
    """Issue a new one-time setup code (needed only without BRIDGE_MAGENTO_URL); older unused codes stop working."""
    code = activation_service().issue_setup_code(replace=True)
    if code is None:
        click.echo("No setup code needed: BRIDGE_MAGENTO_URL pins the store that may activate.")
        return
    click.echo(f"Setup code for the Magento module: {code}")


@click.command()
@click.option("--url", default=lambda: "http://" + os.environ.get("BRIDGE_BIND", "127.0.0.1:8000"),
              show_default="http://$BRIDGE_BIND or http://127.0.0.1:8000", help="Base URL of the running bridge.")
@click.option("--key", envvar="BRIDGE_GLADLY_SIGNING_KEY", required=True, show_envvar=True,
              help="Signing Key of the Gladly Custom App.")
@click.option("--kind", type=click.Choice(sample.KINDS),
              help="The lookup Gladly sends; default detailed with --customer, else search.")
@click.option("--email", help="A shopper's e-mail (auto-link, search).")
@click.option("--phone", help="A phone number, E.164 as Gladly sends it (auto-link, search).")
@click.option("--name", help="A shopper's name (auto-link, search).")
@click.option("--order", help="An order number, Magento's increment_id (search).")
@click.option("--customer", help="A Magento customer id, or guest:<email> (detailed).")
@click.option("--path-prefix", envvar="BRIDGE_GLADLY_PATH_PREFIX", default="", show_envvar=True,
              help="Path a proxy strips before the bridge; Gladly signs the path it calls.")
@click.option("--basic-user", envvar="BRIDGE_GLADLY_BASIC_USER", show_envvar=True, help="HTTP Basic user, if set.")
@click.option("--basic-password", envvar="BRIDGE_GLADLY_BASIC_PASSWORD", show_envvar=True,
              help="HTTP Basic password, if set.")
def sign(url, key, kind, email, phone, name, order, customer, path_prefix, basic_user, basic_password) -> None:
    """Print a curl command with a lookup signed as Gladly signs it (valid for BRIDGE_GLADLY_TIME_TOLERANCE)."""
    kind = kind or (sample.DETAILED if customer else sample.SEARCH)
    try:
        body = sample.lookup_body(kind, email=email, phone=phone, name=name, order=order, customer=customer)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    basic = (basic_user, basic_password or "") if basic_user else None
    click.echo(sample.signed_curl(url, key, body, prefix=path_prefix, basic=basic))


@click.command("ai-actions")
@click.option("--url", required=True, help="The bridge's public HTTPS base URL, as Gladly reaches it "
              "(with any path prefix), e.g. https://bridge.example.com.")
def ai_actions(url: str) -> None:
    """Print, as JSON, the App Actions and Guides to create in Gladly for its AI (docs/gladly-ai.md)."""
    try:
        click.echo(json.dumps(ai_catalog.definitions(url), indent=2))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--url") from None


@click.command("doctor")
@click.pass_obj
def run_doctor(script: ScriptInfo) -> None:
    """Check configuration, database, Magento's reachability, clock and TLS, and every route's ACL."""
    failures = 0
    for finding in checks.diagnose(script.load_app):
        click.echo(finding.line())
        failures += finding.status == checks.FAIL
    if failures:
        click.echo(f"{failures} check(s) failed.")
        sys.exit(1)
    click.echo("Every check passed.")


db = AppGroup("db", help="Manage the bridge's database.")


@db.command()
def upgrade() -> None:
    """Create the tables or bring them to this bridge's schema version (run before starting gunicorn)."""
    url = current_app.config["DATABASE_URL"]
    try:
        version = get_stores().database.create_schema()
    except STORAGE_FAILURES as error:
        click.echo(f"FAIL the database at {describe_url(url)} cannot be reached: "
                   f"{str(getattr(error, 'orig', error)).strip().splitlines()[0]}", err=True)
        sys.exit(1)
    click.echo(f"Database {describe_url(url)} is at schema version {version}.")


def init_app(app: Flask) -> None:
    """Register the ``magento`` and ``db`` command groups with Flask's CLI."""
    app.cli.add_command(magento)
    app.cli.add_command(db)


def main_group() -> click.Group:
    """The ``bridge`` command group."""
    return click.Group("bridge", commands=[sign, ai_actions, run_doctor, magento, db],
                       help="The Gladly bridge for Magento 2.")


def main(argv: list[str] | None = None) -> int:
    """Console script ``bridge``: the same commands, configured from ``BRIDGE_*`` like the server."""
    try:
        main_group().main(args=argv, prog_name="bridge", obj=ScriptInfo(app_import_path="bridge:create_app"))
    except ConfigError as error:  # raised while building the app, outside click's own error handling
        click.echo(f"error: {error.detail}", err=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
