"""``magento status|check|disconnect|setup-code`` through Flask's CLI runner and the ``bridge`` script."""
from __future__ import annotations

import pytest
from responses import matchers

from bridge import cli
from bridge.cli import doctor
from bridge.storage.secrets import hash_setup_code
from tests.conftest import CREDENTIALS
from tests.conftest import MAGENTO_URL
from tests.conftest import SIGNING_KEY

STORED = {"store_base_url": MAGENTO_URL, "consumer_key": "o" * 32, "consumer_secret": "p" * 32,
          "access_token": "q" * 32, "access_token_secret": "t" * 32}


@pytest.fixture
def unconnected(app_config):
    """No store configured: no BRIDGE_MAGENTO_URL and no credentials."""
    for name in ("MAGENTO_URL", "MAGENTO_ADMIN_URL", *CREDENTIALS):
        app_config.pop(name)
    return app_config


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=["magento", *args], **kwargs)

    return invoke


def mock_reads(magento, failing: dict | None = None):
    """Every read route of `check`, each asked for one item; ``failing`` maps a path to (status, body)."""
    for path in (route.path for route in doctor.CHECKED_ROUTES):
        status, body = (failing or {}).get(path, (200, {"items": [], "total_count": 0}))
        magento.get(MAGENTO_URL + "rest/default" + path, status=status, json=body,
                    match=[matchers.query_param_matcher({"searchCriteria[pageSize]": "1"}, strict_match=False)])


def test_status_with_environment_credentials(run):
    result = run("status")
    assert result.exit_code == 0
    assert f"Store:  {MAGENTO_URL}" in result.output
    assert "Source: environment" in result.output


def test_status_with_activated_connection(app, run):
    app.extensions["storage"].connection.save(**STORED)
    app.extensions["storage"].connection.record_success()
    result = run("status")
    assert result.exit_code == 0
    assert "Source: activation" in result.output
    assert "Connected since: 20" in result.output
    assert "Last successful call: 20" in result.output and "never" not in result.output


def test_status_not_connected(unconnected, run):
    result = run("status")
    assert result.exit_code == 1
    assert "Not connected" in result.output


def test_check_without_a_connection(unconnected, run):
    result = run("check")
    assert result.exit_code == 1
    assert "FAIL No Magento store is connected" in result.output


def test_check_passes_when_every_read_works(run, magento):
    mock_reads(magento)
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.output.count("OK   GET") == len(doctor.CHECKED_ROUTES)
    assert "not checked: writes  POST /V1/orders/{id}/cancel (Magento_Sales::cancel)" in result.output
    assert "Magento_Sales::creditmemo" in result.output
    assert "Every read route works." in result.output


def test_check_names_the_missing_acl_resource(run, magento):
    denied = {"message": "The consumer isn't authorized to access %resources.",
              "parameters": {"resources": "Magento_Sales::actions_view"}}
    mock_reads(magento, {"/V1/orders": (401, denied),
                         "/V1/products": (500, {"message": "Internal Error. Report ID: webapi-1"})})
    result = run("check")
    assert result.exit_code == 1
    assert "FAIL GET /V1/orders: missing ACL resource Magento_Sales::actions_view" in result.output
    assert "FAIL GET /V1/products: Magento failed (HTTP 500): Internal Error. Report ID: webapi-1" in result.output
    assert "OK   GET /V1/shipments" in result.output
    assert f"2 of {len(doctor.CHECKED_ROUTES)} routes failed." in result.output


def denied(resources: str) -> tuple[int, dict]:
    """Magento's 401 for a route: the same for a missing grant and an inactive integration."""
    return 401, {"message": "The consumer isn't authorized to access %resources.",
                 "parameters": {"resources": resources}}


@pytest.mark.parametrize("module_installed", [True, False])
def test_check_reads_every_route_refused_as_an_inactive_integration(run, magento, module_installed):
    failing = {route.path: denied(route.resource) if module_installed or not route.needs_module
               else (404, {"message": "Request does not match any route."}) for route in doctor.CHECKED_ROUTES}
    mock_reads(magento, failing)
    result = run("check")
    assert result.exit_code == 1
    assert "missing ACL resource" not in result.output
    assert "FAIL GET /V1/orders: refused (HTTP 401)" in result.output
    assert "the Gladly integration is inactive" in result.output
    assert "Activate (or Reauthorize)" in result.output
    refused = sum(module_installed or not route.needs_module for route in doctor.CHECKED_ROUTES)
    assert f"{refused} of {len(doctor.CHECKED_ROUTES)} routes failed." in result.output


def test_check_shows_a_revoked_token_as_magento_words_it(run, magento):
    revoked = (401, {"message": "Access token has been revoked"})
    mock_reads(magento, {route.path: revoked for route in doctor.CHECKED_ROUTES})
    result = run("check")
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert len(failed) == len(doctor.CHECKED_ROUTES)
    assert all("Access token has been revoked" in line and "Reauthorize" in line for line in failed), failed
    assert "inactive" not in result.output and "missing ACL resource" not in result.output


def test_check_names_one_missing_grant_when_the_others_work(run, magento):
    mock_reads(magento, {"/V1/shipments": denied("Magento_Sales::shipment")})
    result = run("check")
    assert result.exit_code == 1
    assert "FAIL GET /V1/shipments: missing ACL resource Magento_Sales::shipment" in result.output
    assert "inactive" not in result.output
    assert f"1 of {len(doctor.CHECKED_ROUTES)} routes failed." in result.output


def test_check_notes_a_missing_module_without_failing(run, magento):
    mock_reads(magento, {"/V1/gladly/config": (404, {"message": "Request does not match any route."})})
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "note GET /V1/gladly/config: the Gladly module is not installed" in result.output


def test_disconnect_asks_first(app, run):
    stores = app.extensions["storage"]
    stores.connection.save(**STORED)
    declined = run("disconnect", input="n\n")
    assert declined.exit_code == 1
    assert stores.connection.get() is not None
    confirmed = run("disconnect", input="y\n")
    assert confirmed.exit_code == 0 and "deleted" in confirmed.output
    assert stores.connection.get() is None
    assert "No stored connection." in run("disconnect", "--yes").output


def test_disconnect_yes(app, run):
    app.extensions["storage"].connection.save(**STORED)
    assert run("disconnect", "--yes").exit_code == 0
    assert app.extensions["storage"].connection.get() is None


def test_setup_code_replaces_the_unused_code(unconnected, run, app):
    stores = app.extensions["storage"]
    first = run("setup-code").output.split()[-1]
    second = run("setup-code").output.split()[-1]
    assert not stores.activations.setup_code_valid(hash_setup_code(first))
    assert stores.activations.setup_code_valid(hash_setup_code(second))


def test_setup_code_not_needed_with_a_pinned_store(run):
    assert "No setup code needed" in run("setup-code").output


def test_console_script_reads_the_environment(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BRIDGE_GLADLY_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRIDGE_MAGENTO_URL", MAGENTO_URL)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(f"BRIDGE_{name}", value)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["magento", "status"])
    assert exit_info.value.code == 0
    assert "Source: environment" in capsys.readouterr().out


def test_console_script_reports_configuration_errors(monkeypatch, capsys):
    assert cli.main(["magento", "status"]) == 2
    assert "error: BRIDGE_GLADLY_SIGNING_KEY is required" in capsys.readouterr().err
