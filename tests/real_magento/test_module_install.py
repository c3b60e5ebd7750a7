"""The module installs in a real Magento 2.4.6 and declares exactly the integration it says it does."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from magento_bridges import gladly_integration
from magento_kit import MODULE_DIR


def declared_resources() -> set[str]:
    tree = ET.parse(MODULE_DIR / "etc" / "integration.xml")
    return {node.get("name") for node in tree.iter("resource")}


def test_setup_upgrade_and_di_compile_succeeded(store, magento):
    assert store.install_report["setup.sh (install, module:enable, setup:upgrade)"]["ok"]
    assert store.install_report["setup:di:compile"]["ok"]
    assert "Module is enabled" in magento.cli("module:status", "Gladly_Connector")
    assert (magento.dir / "generated" / "metadata" / "global.php").is_file()  # di:compile's output is in use


def acl_parents(magento) -> dict[str, str]:
    """Each ACL resource's parent, from every acl.xml of the installed Magento (vendor and app/code)."""
    parents: dict[str, str] = {}

    def walk(node, parent):
        for child in node.findall("resource"):
            if parent is not None:
                parents[child.get("id")] = parent
            walk(child, child.get("id"))

    for acl in [*magento.dir.glob("vendor/magento/*/etc/acl.xml"), *magento.dir.glob("app/code/*/*/etc/acl.xml")]:
        root = ET.parse(acl).getroot().find("acl/resources")
        if root is not None:
            walk(root, None)
    return parents


def with_ancestors(resources: set[str], parents: dict[str, str]) -> set[str]:
    """Magento grants an integration each declared resource and every resource above it, up to the root."""
    result = set()
    for resource in resources:
        while resource is not None:
            result.add(resource)
            resource = parents.get(resource)
    return result


def test_the_gladly_integration_has_exactly_the_declared_resources(magento):
    integration = gladly_integration(magento)
    granted = {row[0] for row in magento.sql(
        "SELECT r.resource_id FROM authorization_rule r JOIN authorization_role ro ON ro.role_id = r.role_id "
        f"WHERE ro.user_type = 1 AND ro.user_id = {integration['integration_id']} AND r.permission = 'allow'")}
    declared = declared_resources()
    assert declared <= granted
    assert granted == with_ancestors(declared, acl_parents(magento))
    assert "Magento_Backend::all" not in granted


def test_saving_the_bridge_url_repoints_the_integration_without_recreating_it(magento, admin_ui):
    before = gladly_integration(magento)
    message = admin_ui.save_bridge_settings("http://127.0.0.1:9/")
    assert "You saved the configuration" in message, message
    after = gladly_integration(magento)
    assert after["endpoint"] == "http://127.0.0.1:9/magento/oauth/callback"
    assert after["identity_link_url"] == "http://127.0.0.1:9/magento/oauth/identity"
    assert (after["integration_id"], after["consumer_id"], after["consumer_key"]) == (
        before["integration_id"], before["consumer_id"], before["consumer_key"])


def test_the_published_product_url_suffix_is_cores_for_the_default_store_view(magento):
    """GET /V1/gladly/config serves catalog/seo/product_url_suffix at store scope, default store view (id 1)."""
    path = "catalog/seo/product_url_suffix"
    before = magento.rest("GET", "/V1/gladly/config").json()
    assert "enabled" not in before
    assert sorted(before) == ["admin_base_url", "ai_actions", "ai_coupon_period_days", "ai_coupon_rule",
                              "ai_order_max_age_days", "ai_refund_daily_max", "ai_refund_max", "allowed_actions",
                              "bridge_url", "capabilities", "coupon_rules", "order_statuses", "product_url_suffix",
                              "setup_code"]
    # Gladly AI's limits as etc/config.xml installs them: lookups only.
    assert (before["ai_actions"], before["ai_refund_max"], before["ai_refund_daily_max"]) == (["lookup"], 50, 200)
    assert before["product_url_suffix"] == ".html"  # Magento_Catalog's default
    # Written directly: config:set would run the suffix's backend model, which regenerates URL rewrites.
    magento.sql(f"INSERT INTO core_config_data (scope, scope_id, path, value) VALUES ('stores', 1, '{path}', '.htm')")
    try:
        magento.clean_cache()
        assert magento.rest("GET", "/V1/gladly/config").json()["product_url_suffix"] == ".htm"
        # Whatever store the call's URL names (rest/all is the admin store 0): the default store view's value.
        assert magento.rest("GET", "/V1/gladly/config", all_stores=True).json()["product_url_suffix"] == ".htm"
    finally:
        magento.sql(f"DELETE FROM core_config_data WHERE scope = 'stores' AND scope_id = 1 AND path = '{path}'")
        magento.clean_cache()
