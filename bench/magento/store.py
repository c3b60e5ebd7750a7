"""The store of ``make bench-magento``: the kit's Magento in production mode behind PHP-FPM and nginx, filled by
Magento's own performance fixture generator, cached as a database dump beside the installed folder.

The first run installs (``setup.sh --server fpm --mode production``), generates the fixtures of
bench/magento/profile.xml, reshapes the generated orders into customer histories (:data:`SHAPE_SQL`),
reindexes, activates the module's integration and dumps the database. A later run whose inputs are unchanged
(:func:`cache_key`) restores the dump and starts PHP-FPM and nginx again from the kit's own configuration files.
"""
from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import requests

from bench.procs import child_pids
from bench.procs import process_cpu_seconds
from bridge.config import SETTINGS
from tests.real_magento.magento_kit import KIT_DIR
from tests.real_magento.magento_kit import MODULE_DIR
from tests.real_magento.magento_kit import KitError
from tests.real_magento.magento_kit import RealMagento
from tests.real_magento.magento_kit import _tail
from tests.real_magento.magento_kit import _tree_digest

HERE = Path(__file__).resolve().parent
PROFILE = HERE / "profile.xml"
KIT = KIT_DIR  # ../shared/magento beside the checkout
ARCHIVES = {"2.4.8-p2": "magento-2.4.8-p2.tar.zst", "2.4.6": "magento-2.4.6.tar.zst"}
# Bump when the way the store is built changes in a way the hashed inputs (archive, setup.sh, module, profile,
# SHAPE_SQL, ACTIVATE_PHP) do not show.
CACHE_FORMAT = "1"
# The generator reads its profile's xi:include paths relative to Magento's own profiles folder.
PROFILE_TARGET = "setup/performance-toolkit/profiles/ce/gladly-bench.xml"
# Catalog Search has no engine in the kit (its reindex fails); the 2.4.8 data-export feeds run by cron only.
SKIPPED_INDEXERS = ("catalogsearch_fulltext",)
SKIPPED_INDEXER_MARKS = ("data_exporter", "_feed")
ORDER_LIMIT = SETTINGS["ORDER_LIMIT"].default
GUEST_SHARE = 10  # one order in GUEST_SHARE stays the generator's guest order
ORDER_SPACING_MINUTES = 25  # 40,000 orders span about two years

# The generator writes every order as a guest order with its own address (order_<id>@example.com), all at the
# same second, all "pending" (Magento\Setup\Fixtures\OrdersFixture and _files/orders_fixture_data.json). A help
# desk looks shoppers up by e-mail: these statements give nine orders in ten to the generated customers (a
# multiplicative hash spreads each customer's orders over the whole history), spread the orders over two years
# newest last, complete and ship (with a tracking number) the orders older than two weeks, and cancel some.
# The generated simple products are product_dynamic_1..N (Magento\Setup\Fixtures\SimpleProductsFixture).
SHAPE_SQL = (
    "SET @first = (SELECT MIN(entity_id) FROM customer_entity), @count = (SELECT COUNT(*) FROM customer_entity), "
    "@last = (SELECT MAX(entity_id) FROM sales_order), @products = (SELECT COUNT(*) FROM catalog_product_entity "
    "WHERE sku LIKE 'product\\_dynamic\\_%'), @name = (SELECT attribute_id FROM eav_attribute "
    "WHERE attribute_code = 'name' AND entity_type_id = 4)",
    # Lines without a parent hold NULL in a real store (the generator writes 0); the generator puts the same
    # first products in every order: each simple line gets one of the generated simple products instead.
    "UPDATE sales_order_item SET parent_item_id = NULL WHERE parent_item_id = 0",
    "UPDATE sales_order_item i JOIN catalog_product_entity p "
    "ON p.sku = CONCAT('product_dynamic_', 1 + MOD(i.item_id * 7907, @products)) "
    "JOIN catalog_product_entity_varchar v ON v.entity_id = p.entity_id AND v.store_id = 0 AND v.attribute_id = @name "
    "SET i.product_id = p.entity_id, i.sku = p.sku, i.name = v.value "
    "WHERE i.product_type = 'simple' AND i.parent_item_id IS NULL",
    f"UPDATE sales_order o JOIN customer_entity c ON c.entity_id = @first + MOD(o.entity_id * 7919, @count) "
    f"SET o.customer_id = c.entity_id, o.customer_email = c.email, o.customer_firstname = c.firstname, "
    f"o.customer_lastname = c.lastname, o.customer_is_guest = 0, o.customer_group_id = c.group_id "
    f"WHERE MOD(o.entity_id, {GUEST_SHARE}) <> 0",
    f"UPDATE sales_order SET created_at = NOW() - INTERVAL (@last - entity_id) * {ORDER_SPACING_MINUTES} MINUTE, "
    "updated_at = created_at",
    "UPDATE sales_order SET state = 'complete', status = 'complete', total_paid = grand_total, "
    "base_total_paid = base_grand_total, total_invoiced = grand_total, base_total_invoiced = base_grand_total, "
    "total_due = 0, base_total_due = 0 WHERE created_at < NOW() - INTERVAL 14 DAY AND MOD(entity_id, 29) <> 0",
    "UPDATE sales_order SET state = 'canceled', status = 'canceled' WHERE MOD(entity_id, 29) = 0",
    "UPDATE sales_order_address a JOIN sales_order o ON o.entity_id = a.parent_id "
    "SET a.customer_id = o.customer_id, a.email = o.customer_email, a.firstname = COALESCE(o.customer_firstname, "
    "a.firstname), a.lastname = COALESCE(o.customer_lastname, a.lastname)",
    "UPDATE sales_order o SET o.shipping_address_id = o.entity_id * 2 - 1, o.billing_address_id = o.entity_id * 2",
    "UPDATE sales_order_item i JOIN sales_order o ON o.entity_id = i.order_id "
    "SET i.created_at = o.created_at, i.updated_at = o.created_at, i.qty_invoiced = IF(o.state = 'complete', "
    "i.qty_ordered, 0), i.qty_shipped = IF(o.state = 'complete', i.qty_ordered, 0)",
    "INSERT INTO sales_shipment (store_id, total_qty, email_sent, send_email, order_id, customer_id, "
    "shipping_address_id, billing_address_id, increment_id, created_at, updated_at) "
    "SELECT store_id, total_qty_ordered, 1, 1, entity_id, customer_id, shipping_address_id, billing_address_id, "
    "increment_id, created_at + INTERVAL 1 DAY, created_at + INTERVAL 1 DAY FROM sales_order WHERE state = 'complete'",
    "INSERT INTO sales_shipment_item (parent_id, order_item_id, product_id, sku, name, qty, price, row_total, weight) "
    "SELECT s.entity_id, i.item_id, i.product_id, i.sku, i.name, i.qty_ordered, i.price, i.row_total, i.weight "
    "FROM sales_shipment s JOIN sales_order_item i ON i.order_id = s.order_id AND i.parent_item_id IS NULL",
    "INSERT INTO sales_shipment_track (parent_id, order_id, track_number, title, carrier_code, qty, created_at, "
    "updated_at) SELECT entity_id, order_id, CONCAT('1Z999AA1', LPAD(order_id, 10, '0')), 'United Parcel Service', "
    "'ups', total_qty, created_at, created_at FROM sales_shipment",
    "UPDATE sales_order_grid g JOIN sales_order o ON o.entity_id = g.entity_id "
    "SET g.customer_id = o.customer_id, g.customer_email = o.customer_email, g.status = o.status, "
    "g.created_at = o.created_at, g.updated_at = o.updated_at, "
    "g.customer_name = TRIM(CONCAT_WS(' ', o.customer_firstname, o.customer_lastname))",
)

# Activates the module's integration as the admin's Activate button does for an integration whose tokens the
# merchant copies by hand (Magento\Integration\Controller\Adminhtml\Integration\TokensExchange): a fresh
# access token for its consumer, status Active. Prints the four OAuth 1.0a credentials as JSON.
ACTIVATE_PHP = """<?php
use Magento\\Framework\\App\\Bootstrap;
use Magento\\Integration\\Model\\Integration;
require 'app/bootstrap.php';
$om = Bootstrap::create(BP, $_SERVER)->getObjectManager();
$om->get(Magento\\Framework\\App\\State::class)->setAreaCode('adminhtml');
$integration = $om->get(Magento\\Integration\\Api\\IntegrationServiceInterface::class)->findByName('Gladly');
$oauth = $om->get(Magento\\Integration\\Api\\OauthServiceInterface::class);
$consumerId = (int) $integration->getConsumerId();
$oauth->createAccessToken($consumerId, true);
$integration->setStatus(Integration::STATUS_ACTIVE)->save();
$consumer = $oauth->loadConsumer($consumerId);
$token = $oauth->getAccessToken($consumerId);
echo json_encode(['consumer_key' => $consumer->getKey(), 'consumer_secret' => $consumer->getSecret(),
    'access_token' => $token->getToken(), 'access_token_secret' => $token->getSecret()]), "\\n";
"""


# Every profile key Magento's fixture classes read (FixtureModel::getValue in setup/src/Magento/Setup/Fixtures/*.php
# of 2.4.6 and 2.4.8-p2); any other element is silently ignored by the generator, so a typo would go unnoticed.
PROFILE_KEYS = frozenset({
    "admin_users", "assign_entities_to_all_websites", "attribute_sets", "bundle_products", "bundle_products_options",
    "bundle_products_variation", "cart_price_rules", "cart_price_rules_advanced_type", "cart_price_rules_floor",
    "catalog_price_rules", "categories", "categories_nesting_level", "configs", "configurable_products",
    "configurable_products_variation", "coupon_codes", "customer-config", "customer_groups", "customers", "di",
    "indexers", "order_big_configurable_product_count_from", "order_big_configurable_product_count_to",
    "order_configurable_product_count_from", "order_configurable_product_count_to", "order_quotes_enable",
    "order_simple_product_count_from", "order_simple_product_count_to", "orders", "product-images",
    "product_attribute_sets", "product_attribute_sets_attributes", "product_attribute_sets_attributes_values",
    "search_config", "search_terms", "simple_products", "store_groups", "store_views", "tax_mode", "tax_rates_file",
    "tax_rules", "websites"})
# The files next to Magento's own profiles that an xi:include may name (setup/performance-toolkit/config/).
TOOLKIT_CONFIGS = frozenset({"searchTermsLarge.xml", "searchTerms.xml", "attributeSets.xml", "searchConfig.xml",
                             "customerConfig.xml", "description.xml", "shortDescription.xml"})
XINCLUDE = "{http://www.w3.org/2001/XInclude}include"
MIN_ORDERS = 10_000


def check_profile(text: str, order_limit: int) -> list[str]:
    """What is wrong with a fixture profile for this benchmark (empty when nothing is).

    Unknown keys; ``configs`` with a single entry (ConfigsApplyFixture then indexes a string and fails);
    xi:includes outside the toolkit's config folder; Catalog Search put on save (it has no engine in the kit);
    fewer than MIN_ORDERS orders, or fewer customer orders per customer than a detailed lookup shows.
    """
    profile = ElementTree.fromstring(text).find("profile")
    if profile is None:
        return ["no <profile> element"]
    problems = []
    values = {}
    for element in profile:
        if element.tag == XINCLUDE:
            href = element.get("href", "")
            if not href.startswith("../../config/") or href.rsplit("/", 1)[-1] not in TOOLKIT_CONFIGS:
                problems.append(f"xi:include {href!r} is not one of the toolkit's config files")
        elif element.tag not in PROFILE_KEYS:
            problems.append(f"unknown key <{element.tag}>: the fixture generator ignores it")
        else:
            values[element.tag] = element
    configs = values.get("configs")
    if configs is not None and len(configs.findall("config")) < 2:
        problems.append("<configs> needs two or more <config> entries (ConfigsApplyFixture reads a list)")
    for indexer in profile.iterfind("indexers/indexer"):
        if indexer.findtext("id") in SKIPPED_INDEXERS and indexer.findtext("set_scheduled") == "false":
            problems.append(f"indexer {indexer.findtext('id')} on save: the kit has no search engine")
    orders = int(values["orders"].text) if "orders" in values else 0
    customers = int(values["customers"].text) if "customers" in values else 0
    if orders < MIN_ORDERS:
        problems.append(f"{orders} orders: the benchmark wants at least {MIN_ORDERS}")
    if not customers or orders * (GUEST_SHARE - 1) / GUEST_SHARE / customers < order_limit:
        problems.append(f"{orders} orders for {customers} customers: fewer per customer than a lookup shows "
                        f"({order_limit})")
    return problems


def archive_for(version: str, kit: Path = KIT) -> Path:
    """The kit's archive of a Magento version (2.4.8-p2 or 2.4.6)."""
    if version not in ARCHIVES:
        raise KitError(f"no kit archive for Magento {version}; choose from {', '.join(ARCHIVES)}")
    return kit / ARCHIVES[version]


def cache_key(archive: Path, *, port: int, db: str, workers: int) -> str:
    """Changes whenever the cached store would be built differently (its URL holds the port)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{port}:{db}:{workers}".encode())
    stat = archive.stat()
    digest.update(f"{archive.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update((archive.parent / "setup.sh").read_bytes())
    _tree_digest(digest, MODULE_DIR)
    digest.update(PROFILE.read_bytes())
    digest.update("\0".join((*SHAPE_SQL, ACTIVATE_PHP)).encode())
    return digest.hexdigest()


def reindexed(indexer_ids: list[str]) -> list[str]:
    """The indexers the benchmark rebuilds after the fixtures: all but those the kit cannot run."""
    return [name for name in indexer_ids
            if name not in SKIPPED_INDEXERS and not any(mark in name for mark in SKIPPED_INDEXER_MARKS)]


@dataclass
class FpmMagento(RealMagento):
    """A store served by the kit's PHP-FPM pool and nginx (``setup.sh --server fpm``)."""

    kit: Path = KIT

    @property
    def fpm_pid_file(self) -> Path:
        return self.dir / "var" / "php-fpm.pid"

    def fpm_worker_pids(self) -> list[int]:
        """The pool's workers: the children of the PHP-FPM master (``pm = static``, same PIDs all run)."""
        return child_pids(int(self.fpm_pid_file.read_text()))

    def fpm_cpu_seconds(self) -> float:
        """utime + stime of every pool worker (the master does no per-request work)."""
        return sum(process_cpu_seconds(pid) for pid in self.fpm_worker_pids())

    def start(self) -> None:
        """Start PHP-FPM and nginx again with the command lines and configurations setup.sh wrote."""
        lines = (self.dir / "var" / "kit-fpm.conf").read_text().splitlines()
        command = lines[0].split("started with: ", 1)[1].rstrip(").")
        socket = next(line.split("=", 1)[1].strip() for line in lines if line.startswith("listen ="))
        Path(socket).unlink(missing_ok=True)  # left by a killed master; PHP-FPM would not listen on it
        subprocess.run(shlex.split(command), check=True, capture_output=True, timeout=60)
        nginx = self.dir / "var" / "kit-nginx"
        subprocess.run([shutil.which("nginx") or "/usr/sbin/nginx", "-p", f"{nginx}/", "-c", str(nginx / "nginx.conf"),
                        "-e", str(self.dir / "var" / "log" / "nginx-error.log")], check=True, capture_output=True,
                       timeout=60)
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base_url + "rest/V1/store/storeConfigs", timeout=60).status_code in (200, 401):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise KitError(f"Magento did not answer on {self.base_url}:\n{_tail(self.dir / 'var/log/nginx-error.log')}")

    def stop(self) -> None:
        """Stop nginx and PHP-FPM through the kit (only the processes its pid files name)."""
        subprocess.run(["bash", str(self.kit / "setup.sh"), "--stop", str(self.dir)], capture_output=True, timeout=120)

    def stop_leftover(self) -> None:
        if (self.dir / "var").is_dir():
            self.stop()


class BenchStore:
    """Builds (or restores) the benchmark's store in ``cache_dir`` and hands out a running :class:`FpmMagento`."""

    def __init__(self, cache_dir: Path, *, version: str, port: int, db: str, workers: int, kit: Path = KIT) -> None:
        self.archive = archive_for(version, kit)
        self.version = version
        self.cache_dir = cache_dir.resolve()
        self.port, self.db, self.workers = port, db, workers
        self.dump = cache_dir / "store.sql"
        self.key_file = cache_dir / "key"
        self.report_file = cache_dir / "build.json"
        self.credentials_file = cache_dir / "credentials.json"

    def open(self, say=print) -> tuple[FpmMagento, dict, dict]:
        """A running store, the integration's OAuth credentials and the build report (step -> seconds)."""
        key = cache_key(self.archive, port=self.port, db=self.db, workers=self.workers)
        magento = FpmMagento(dir=self.cache_dir / "store", port=self.port, db=self.db, kit=self.archive.parent)
        magento.stop_leftover()
        if self.key_file.is_file() and self.key_file.read_text() == key and self.dump.is_file():
            started = time.monotonic()
            say(f"restoring the cached store from {self.cache_dir}")
            self._restore(magento)
            magento.start()
            report = json.loads(self.report_file.read_text())
            report["restore_s"] = round(time.monotonic() - started, 1)
        else:
            report = self._build(magento, key, say)
        return magento, json.loads(self.credentials_file.read_text()), report

    def _restore(self, magento: FpmMagento) -> None:
        subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-P3306", "-e",
                        f"DROP DATABASE IF EXISTS `{self.db}`; CREATE DATABASE `{self.db}`;"], check=True)
        with open(self.dump, "rb") as dump:
            subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-P3306", self.db], stdin=dump, check=True)
        magento.clean_cache()

    def _build(self, magento: FpmMagento, key: str, say) -> dict:
        self.key_file.unlink(missing_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        report: dict = {"magento": self.version}

        def step(name: str, message: str, action):
            say(message)
            started = time.monotonic()
            result = action()
            report[name] = round(time.monotonic() - started, 1)
            return result

        step("install_s", f"installing Magento {self.version} in production mode behind PHP-FPM ({self.workers} "
             f"workers) and nginx into {magento.dir} (minutes; cached afterwards)", lambda: self._setup(magento))
        step("fixtures_s", "generating the store with setup:performance:generate-fixtures (bench/magento/profile.xml)",
             lambda: self._fixtures(magento))
        step("shape_s", "giving the orders to the customers, dating and shipping them", lambda: self._shape(magento))
        step("reindex_s", "reindexing and flushing Magento's caches", lambda: self._reindex(magento))
        credentials = step("activate_s", "activating the module's integration", lambda: activate(magento))
        self.credentials_file.write_text(json.dumps(credentials))
        report["orders"], report["customers"], report["shipments"] = (int(value) for value in magento.sql(
            "SELECT (SELECT COUNT(*) FROM sales_order), (SELECT COUNT(*) FROM customer_entity), "
            "(SELECT COUNT(*) FROM sales_shipment)")[0])

        def dump() -> None:
            with open(self.dump, "wb") as out:
                subprocess.run(["mysqldump", "-uroot", "-h127.0.0.1", "-P3306", "--single-transaction", self.db],
                               stdout=out, check=True)
        step("dump_s", "dumping the database for the next run", dump)
        self.report_file.write_text(json.dumps(report, indent=2))
        self.key_file.write_text(key)
        magento.wait_until_up()
        return report

    def _setup(self, magento: FpmMagento) -> None:
        log = self.cache_dir / "setup.log"
        with open(log, "wb") as out:
            result = subprocess.run(
                ["bash", str(self.archive.parent / "setup.sh"), "--archive", str(self.archive), "--dir",
                 str(magento.dir), "--port", str(self.port), "--db", self.db, "--module", str(MODULE_DIR),
                 "--server", "fpm", "--workers", str(self.workers), "--mode", "production"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=3600)
        if result.returncode != 0:
            raise KitError(f"setup.sh failed ({result.returncode}); {log}:\n{_tail(log, 40)}")

    def _fixtures(self, magento: FpmMagento) -> None:
        problems = check_profile(PROFILE.read_text(), ORDER_LIMIT)
        if problems:
            raise KitError(f"{PROFILE}: " + "; ".join(problems))
        target = magento.dir / PROFILE_TARGET
        shutil.copyfile(PROFILE, target)
        output = magento.cli("setup:performance:generate-fixtures", "--skip-reindex", str(target))
        (self.cache_dir / "fixtures.log").write_text(output)
        if "error" in output.lower() and "Total execution time" not in output:
            raise KitError(f"the fixture generator failed:\n{output[-3000:]}")

    def _shape(self, magento: FpmMagento) -> None:
        magento.sql(";\n".join(SHAPE_SQL))

    def _reindex(self, magento: FpmMagento) -> None:
        ids = [line.split()[0] for line in magento.cli("indexer:info").splitlines() if line.strip()]
        magento.cli("indexer:reindex", *reindexed(ids))
        magento.cli("cache:flush")


def activate(magento: RealMagento) -> dict:
    """Activate the module's Gladly integration; its consumer key and secret, access token and secret."""
    script = magento.dir / "var" / "gladly-bench-activate.php"
    script.write_text(ACTIVATE_PHP)
    result = subprocess.run(["php", str(script.relative_to(magento.dir))], cwd=magento.dir, capture_output=True,
                            text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise KitError(f"activating the integration failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                       f"{result.stderr[-2000:]}")
    return json.loads(lines[-1])
