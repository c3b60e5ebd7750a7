"""The module installs in a real Magento (each selected version) and declares exactly the integration it says
it does; the README's two install routes work word for word, offline."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from magento_bridges import gladly_integration
from magento_kit import MODULE_DIR
from magento_kit import MYSQL
from magento_kit import ROOT
from magento_kit import RealMagento
from magento_kit import thorough_only


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


# --- the README's install routes, word for word --------------------------------------------------------------

README_MODULE_DIR = "/opt/gladly-bridge/magento-module"  # where the README's reader has the project


def readme_route(route: str) -> list[str]:
    """The shell lines of the README's install block for one route: "composer" runs the lines as they stand,
    "app/code" the "# or:" line in place of the two Composer lines. The module's folder is this checkout's."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### 1. Install the Magento module"):]
    lines = re.search(r"```sh\n(.*?)```", section, re.S).group(1).splitlines()
    if route == "composer":
        chosen = [line for line in lines if not line.startswith("#")]
    else:
        [alternative] = [line.removeprefix("# or: ") for line in lines if line.startswith("# or: ")]
        chosen = [alternative] + [line for line in lines if not line.startswith(("#", "composer "))]
    return [line.replace(README_MODULE_DIR, str(MODULE_DIR)) for line in chosen]


def kit_removed(project: dict, lock: dict, installed: set[str]) -> set[str]:
    """Packages the project or its lock name but the kit took out of vendor/, and those that require them."""
    packages = lock["packages"] + lock["packages-dev"]
    named = {name for key in ("require", "require-dev") for name in project.get(key, {}) if "/" in name}
    gone = ({package["name"] for package in packages} | named) - installed
    while more := {package["name"] for package in packages
                   if package["name"] not in gone and set(package.get("require", {})) & gone}:
        gone |= more
    return gone


def offline_project(magento: RealMagento, folder: Path, db: str) -> dict[str, str]:
    """A Magento project folder like the installed store's, without the module, on a copy of its database.

    Magento's code is shared through symbolic links; what the routes write (app/, composer files,
    vendor/composer, generated/, var/) is the folder's own. The copy of the database forgets the module and
    its integration, so setup:upgrade has to create them again. Offline, as the kit is: the project's
    repositories (repo.magento.com) are replaced by packagist.org switched off, and the packages the kit
    removed from vendor/ (its README: rector, squizlabs) and the development tools that require them leave
    composer.json, composer.lock and installed.json, as Composer would otherwise try to download them.
    Returns the environment for the route's commands (``composer`` is the kit's own).
    """
    folder.mkdir()
    for entry in magento.dir.iterdir():
        if entry.name not in ("app", "bin", "vendor", "composer.json", "composer.lock", "generated", "var", "pub"):
            (folder / entry.name).symlink_to(entry)
    shutil.copytree(magento.dir / "app", folder / "app", symlinks=True,
                    ignore=lambda where, names: ["Gladly"] if where.endswith("app/code") else [])
    shutil.copytree(magento.dir / "bin", folder / "bin")  # bin/magento finds the project from its own folder
    for name in ("generated", "var", "pub/static"):
        (folder / name).mkdir(parents=True)
    for entry in (magento.dir / "pub").iterdir():
        if entry.name != "static":
            (folder / "pub" / entry.name).symlink_to(entry)
    (folder / "vendor").mkdir()
    for entry in (magento.dir / "vendor").iterdir():
        if entry.name == "composer":
            shutil.copytree(entry, folder / "vendor" / "composer", symlinks=True)
        elif entry.is_dir():
            (folder / "vendor" / entry.name).symlink_to(entry)
        else:
            shutil.copy2(entry, folder / "vendor" / entry.name)
    project = json.loads((magento.dir / "composer.json").read_text())
    project["repositories"] = {"packagist.org": False}
    lock = json.loads((magento.dir / "composer.lock").read_text())
    installed_file = folder / "vendor" / "composer" / "installed.json"
    installed = json.loads(installed_file.read_text())
    gone = kit_removed(project, lock, {package["name"] for package in installed["packages"]})
    for key in ("packages", "packages-dev"):
        lock[key] = [package for package in lock[key] if package["name"] not in gone]
    for key in ("require", "require-dev"):
        project[key] = {name: version for name, version in project.get(key, {}).items() if name not in gone}
    installed["packages"] = [package for package in installed["packages"] if package["name"] not in gone]
    installed["dev-package-names"] = [name for name in installed.get("dev-package-names", []) if name not in gone]
    for path, data in ((folder / "composer.json", project), (folder / "composer.lock", lock),
                       (installed_file, installed)):
        path.write_text(json.dumps(data, indent=4))

    env_php = folder / "app" / "etc" / "env.php"
    env_php.write_text(env_php.read_text().replace(f"'dbname' => '{magento.db}'", f"'dbname' => '{db}'"))
    config_php = folder / "app" / "etc" / "config.php"
    config_php.write_text(re.sub(r"\n\s*'Gladly_Connector' => 1,", "", config_php.read_text()))
    subprocess.run([*MYSQL, "-e", f"DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}`;"], check=True)
    subprocess.run(f"mysqldump -uroot -h127.0.0.1 -P3306 --single-transaction {magento.db} | "
                   f"mysql -uroot -h127.0.0.1 -P3306 {db}", shell=True, check=True)
    copy = RealMagento(dir=folder, port=magento.port, db=db)
    for (host,) in copy.sql(f"SELECT host FROM mysql.user WHERE user = '{magento.db}'"):  # setup.sh's user
        copy.sql(f"GRANT ALL PRIVILEGES ON `{db}`.* TO '{magento.db}'@'{host}'")
    copy.sql("DELETE c FROM oauth_consumer c JOIN integration i ON i.consumer_id = c.entity_id WHERE i.name = 'Gladly';"
             "DELETE FROM integration WHERE name = 'Gladly';"
             "DELETE FROM setup_module WHERE module = 'Gladly_Connector';")
    shim = folder / ".kit-bin" / "composer"
    shim.parent.mkdir()
    # Composer runs on the store's own autoloader; COMPOSER_VENDOR_DIR (below) is for Magento's.
    shim.write_text("#!/bin/sh\nunset COMPOSER_VENDOR_DIR\n"
                    f"exec php -d memory_limit=-1 {magento.dir}/vendor/bin/composer \"$@\"\n")
    shim.chmod(0o755)
    # COMPOSER_VENDOR_DIR: 2.4.6's laminas-zendframework-bridge otherwise loads the autoloader beside its own
    # real path, the store's (Autoloader::getClassLoader), and PHP stops at the class declared twice.
    return {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}", "COMPOSER_HOME": str(folder / ".composer"),
            "COMPOSER_VENDOR_DIR": str(folder / "vendor"), "COMPOSER_DISABLE_NETWORK": "1",
            "COMPOSER_ALLOW_SUPERUSER": "1", "COMPOSER_NO_INTERACTION": "1"}


@pytest.mark.parametrize("route", ["composer", "app/code"])
def test_the_readme_install_routes_work_word_for_word_offline(route, magento, tmp_path):
    thorough_only("the README's install routes")
    db = f"{magento.db}_route"
    env = offline_project(magento, tmp_path / "project", db)
    project = RealMagento(dir=tmp_path / "project", port=magento.port, db=db)

    def run(command: list[str]) -> str:
        result = subprocess.run(command, cwd=project.dir, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    try:
        for line in readme_route(route):
            run(["bash", "-c", line])
        assert "Module is enabled" in run(["bin/magento", "module:status", "Gladly_Connector"])
        where = run(["php", "-r", "require 'app/bootstrap.php'; echo (new \\Magento\\Framework\\Component"
                     "\\ComponentRegistrar())->getPath('module', 'Gladly_Connector');"])
        expected = "vendor/gladly/module-connector" if route == "composer" else "app/code/Gladly/Connector"
        assert where == str(project.dir / expected)
        assert project.sql("SELECT status FROM integration WHERE name = 'Gladly'") == [("0",)]  # created, inactive
        if route == "composer":
            installed = json.loads((project.dir / expected / "composer.json").read_text())
            assert installed["version"] == json.loads((MODULE_DIR / "composer.json").read_text())["version"]
    finally:
        subprocess.run([*MYSQL, "-e", f"DROP DATABASE IF EXISTS `{db}`"])
