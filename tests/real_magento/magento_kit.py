"""Real Magento stores for the test suite: installed from the kit in ../shared/magento, cached, served.

The kit holds one archive per Magento version (``magento-<version>.tar.zst``);
BRIDGE_TEST_MAGENTO_VERSIONS picks which of them run ("newest", the default; "all"; or a comma list such
as "2.4.6,2.4.8-p2"), and only archives whose PHP constraint admits the machine's PHP are taken.
BRIDGE_TEST_MAGENTO_ARCHIVE names one archive instead. Each version gets its own cache folder, port and
database, derived from BRIDGE_TEST_MAGENTO_CACHE, _PORT and _DB.

The first run on a machine installs the store with the project's ``magento-module/`` (the kit's
``setup.sh``), proves ``setup:di:compile``, seeds the shop through REST and dumps the database. Later
runs whose archive, module, kit and seed are unchanged restore that dump (a few seconds) and start PHP's
server on the same folder, so every session starts from the same seeded store. A production-mode store
(``setup.sh --server fpm --mode production``: compiled DI, PHP-FPM behind nginx) is built and cached the
same way.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIR = ROOT / "magento-module"
KIT_DIR = ROOT.parent / "shared" / "magento"
COVERED: dict[str, str] = {}  # store -> how the session opened it, for the terminal summary
ADMIN_USER = "admin"
ADMIN_PASSWORD = "Admin12345!"
# The MariaDB client as root over TCP (the kit's database server, README "Usage"), before its own options.
MYSQL = ("mysql", "-uroot", "-h127.0.0.1", "-P3306")
# Bump when the way the cache is built changes in a way the hashed files do not show.
CACHE_FORMAT = "3"


class KitError(RuntimeError):
    """The kit could not install or start Magento; the message carries the end of the relevant log."""


@dataclass(frozen=True)
class Archive:
    """One kit archive: its Magento version and PHP constraint, read from the archive's magento2-base."""

    path: Path
    version: str
    php: str

    @property
    def slug(self) -> str:
        """The version for database names: 2.4.8-p2 -> 248p2."""
        return re.sub(r"[^0-9a-z]", "", self.version.lower())

    def fits(self, php: str) -> bool:
        return php_admits(self.php, php)


def version_key(version: str) -> tuple[int, ...]:
    """2.4.6 < 2.4.8 < 2.4.8-p2 < 2.4.10."""
    return tuple(int(number) for number in re.findall(r"\d+", version))


def read_archive(path: Path) -> Archive:
    """The version and PHP constraint that setup.sh reads too (vendor/magento/magento2-base/composer.json).

    Unpacking that file takes a second or two per archive, at every pytest start: the answer is kept in
    var/magento-kit-versions.json under the archive's path, size and modification time.
    """
    stat = path.stat()
    key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    known_file = ROOT / "var" / "magento-kit-versions.json"
    try:
        known = json.loads(known_file.read_text())
    except (OSError, ValueError):
        known = {}
    if key not in known:
        result = subprocess.run(["tar", "--zstd", "-xOf", str(path), "--wildcards",
                                 "*vendor/magento/magento2-base/composer.json"], capture_output=True, timeout=300)
        if result.returncode != 0 or not result.stdout:
            raise KitError(f"cannot read magento2-base/composer.json from {path}: {result.stderr.decode()[-500:]}")
        composer = json.loads(result.stdout)
        known[key] = {"version": composer["version"], "php": composer["require"]["php"]}
        known_file.parent.mkdir(parents=True, exist_ok=True)
        known_file.write_text(json.dumps(known, indent=2))
    return Archive(path=path, **known[key])


def php_admits(constraint: str, php: str) -> bool:
    """Whether a Composer constraint of the forms Magento uses (``~8.1.0||~8.2.0``, ``^8.1``, ``>=8.1 <8.5``,
    ``8.2.*``) admits PHP version ``php`` (https://getcomposer.org/doc/articles/versions.md)."""
    version = version_key(php)

    def bound(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    def admits(term: str) -> bool:
        operator, number = re.fullmatch(r"(~|\^|>=|<=|>|<|==|=)?\s*v?([\d.]+?)(?:\.\*)?", term).groups()
        floor = bound(number)
        if operator == "~":  # ~8.1.0: >=8.1.0 <8.2; ~8.1: >=8.1 <9
            ceiling = (*floor[:max(len(floor) - 2, 0)], floor[max(len(floor) - 2, 0)] + 1)
            return floor <= version[:len(floor)] and version[:len(ceiling)] < ceiling
        if operator == "^":
            return floor <= version[:len(floor)] and version[0] == floor[0]
        compared = version[:len(floor)]
        return {">=": compared >= floor, ">": compared > floor, "<=": compared <= floor, "<": compared < floor}.get(
            operator or "=", compared == floor)

    return any(all(admits(term) for term in re.split(r"[\s,]+", alternative.strip()) if term)
               for alternative in re.split(r"\|\|?", constraint))


def machine_php() -> str | None:
    if not shutil.which("php"):
        return None
    return subprocess.run(["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True,
                          timeout=60).stdout.strip() or None


def kit_archives() -> list[Archive]:
    """Every archive of the kit (and BRIDGE_TEST_MAGENTO_ARCHIVE's), oldest version first."""
    paths = set(KIT_DIR.glob("magento-*.tar.zst"))
    if os.environ.get("BRIDGE_TEST_MAGENTO_ARCHIVE"):
        paths.add(Path(os.environ["BRIDGE_TEST_MAGENTO_ARCHIVE"]))
    archives = {archive.version: archive for archive in map(read_archive, sorted(p for p in paths if p.is_file()))}
    return sorted(archives.values(), key=lambda archive: version_key(archive.version))


@dataclass
class Selection:
    """The archives this run covers, and why the others are left out."""

    archives: list[Archive]
    every: list[Archive]
    left_out: list[str]
    reason: str | None = None  # set when nothing can run at all

    def port_offset(self, archive: Archive) -> int:
        return self.every.index(archive)

    @property
    def newest(self) -> Archive | None:
        """The newest archive this machine's PHP runs, selected or not (the production-mode pass uses it)."""
        php = machine_php()
        return next((archive for archive in reversed(self.every) if php is None or archive.fits(php)), None)


def select_archives() -> Selection:
    """BRIDGE_TEST_MAGENTO_ARCHIVE, else BRIDGE_TEST_MAGENTO_VERSIONS ("newest", "all" or a comma list)."""
    single = os.environ.get("BRIDGE_TEST_MAGENTO_ARCHIVE")
    if single and not Path(single).is_file():
        return Selection([], [], [], f"no Magento kit archive at {single} (BRIDGE_TEST_MAGENTO_ARCHIVE)")
    every = kit_archives()
    if not every:
        return Selection([], [], [], f"no Magento kit archive in {KIT_DIR} (set BRIDGE_TEST_MAGENTO_ARCHIVE or "
                                     "provide ../shared/magento)")
    php = machine_php()
    fitting = [archive for archive in every if php is None or archive.fits(php)]
    left_out = [f"{archive.version} (needs PHP {archive.php}, this machine has {php})"
                for archive in every if archive not in fitting]
    if single:
        chosen = [archive for archive in every if archive.path == Path(single)]
    else:
        wanted = os.environ.get("BRIDGE_TEST_MAGENTO_VERSIONS", "newest").strip() or "newest"
        if wanted == "newest":
            chosen = fitting[-1:]
        elif wanted == "all":
            chosen = fitting
        else:
            names = [name.strip() for name in wanted.split(",") if name.strip()]
            known = {archive.version: archive for archive in every}
            unknown = [name for name in names if name not in known]
            if unknown:
                return Selection([], every, left_out, f"BRIDGE_TEST_MAGENTO_VERSIONS names {', '.join(unknown)}; the "
                                                      f"kit has {', '.join(known)}")
            chosen = [known[name] for name in names]
        left_out += [f"{archive.version} (not selected by BRIDGE_TEST_MAGENTO_VERSIONS={wanted})"
                     for archive in fitting if archive not in chosen]
    unfit = [archive for archive in chosen if php is not None and not archive.fits(php)]
    if unfit:
        return Selection([], every, left_out, "; ".join(f"Magento {a.version} needs PHP {a.php}, this machine has "
                                                        f"{php}" for a in unfit))
    return Selection(chosen, every, left_out)


@cache
def selection() -> Selection:
    """The session's selection (reading the archives takes a second or two each)."""
    return select_archives()


def skip_or_fail(reason: str) -> None:
    """Skip with the reason, or fail when the real-Magento suite is required (BRIDGE_REQUIRE_MAGENTO=1, CI)."""
    import pytest

    if os.environ.get("BRIDGE_REQUIRE_MAGENTO") == "1":
        pytest.fail(f"the real-Magento suite is required (BRIDGE_REQUIRE_MAGENTO=1) but cannot run: {reason}")
    pytest.skip(f"real-Magento suite skipped: {reason}")


def thorough_only(what: str) -> None:
    """Skip one of the slow passes (the production-mode store, the README's install routes) unless
    BRIDGE_TEST_MAGENTO_THOROUGH=1: CI sets it; `make test` leaves them out to stay within its 20 minutes."""
    import pytest

    if os.environ.get("BRIDGE_TEST_MAGENTO_THOROUGH") != "1":
        pytest.skip(f"{what} runs with BRIDGE_TEST_MAGENTO_THOROUGH=1 (CI sets it)")


def only_on(magento: RealMagento, *versions: str, why: str) -> None:
    """Skip a test that shows a behaviour of some Magento versions only, naming the versions and why."""
    import pytest

    if magento.version not in versions:
        pytest.skip(f"Magento {magento.version}: {why} (shown on {', '.join(versions)})")


def unavailable_reason(archive: Archive | None) -> str | None:
    """Why the real-Magento suite cannot run here, or None when it can."""
    if archive is None:
        return "no Magento kit archive fits"
    if not (KIT_DIR / "setup.sh").is_file() and not (archive.path.parent / "setup.sh").is_file():
        return f"no setup.sh beside {archive.path}"
    if os.geteuid() != 0 and not shutil.which("php"):
        return "PHP is not installed and setup.sh needs root to install it"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "Chromium is not installed (apt-get install chromium): activation goes through the admin UI"
    return None


def _tree_digest(digest, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part in ("vendor", ".git") or part.startswith(".phpunit") for part in
                                      relative.parts):
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")


def cache_key(archive: Path, port: int, db: str, production: bool) -> str:
    """Changes whenever the store the cache holds would be built differently (its URL holds the port).

    Of this file only the build itself is hashed, so that changing how stores are chosen or served does not
    cost a reinstall; CACHE_FORMAT covers the rest.
    """
    import inspect

    digest = hashlib.sha256(f"{CACHE_FORMAT}:{port}:{db}:{production}".encode())
    stat = archive.stat()
    digest.update(f"{archive.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update((archive.parent / "setup.sh").read_bytes())
    _tree_digest(digest, MODULE_DIR)
    digest.update(inspect.getsource(Kit._build).encode())
    digest.update((Path(__file__).parent / "magento_seed.py").read_bytes())
    return digest.hexdigest()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


@dataclass
class Seed:
    """What magento_seed.py created, by role (see ORDERS and CUSTOMERS there)."""

    customers: dict
    orders: dict
    products: dict
    guest: dict
    coupon: dict
    second_website: dict


@dataclass
class RealMagento:
    """A running Magento store with admin REST, CLI and SQL access for tests."""

    dir: Path
    port: int
    db: str
    version: str = ""
    production: bool = False  # PHP-FPM and nginx as setup.sh --server fpm --mode production left them
    process: subprocess.Popen | None = None
    _token: str | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def admin_url(self) -> str:
        return self.base_url + "admin/"

    # --- processes -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve the store: PHP's built-in server with several workers (the bridge calls in parallel), or
        for a production store the PHP-FPM and nginx masters with the configuration setup.sh wrote."""
        if self.production:
            self._start_fpm()
            return
        log = self.dir / "var" / "log" / "phpserver.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        # 2.4.8: setup.sh keeps SMTP on and hands e-mails to its sink; without it sending fails (kit README).
        sink = self.dir / "var" / "kit-sendmail"
        mail = ["-d", f"sendmail_path='{sink}' -t -i"] if sink.is_file() else []
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                ["php", "-d", "memory_limit=2G", *mail, "-S", f"127.0.0.1:{self.port}", "-t", "pub/",
                 "phpserver/router.php"], cwd=self.dir, env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        # A server left by a killed test session is stopped by the next one (and by setup.sh --stop).
        self.pid_file.write_text(str(self.process.pid))
        self._wait_until_serving(log, lambda: self.process.poll() is None)

    def _start_fpm(self) -> None:
        """Start PHP-FPM and nginx again with the command lines setup.sh recorded in their configuration."""
        fpm_conf = self.dir / "var" / "kit-fpm.conf"
        recorded = re.search(r"started with: (\S+) (.*)\)\.$", fpm_conf.read_text().splitlines()[0])
        if not recorded:
            raise KitError(f"{fpm_conf} does not say how setup.sh started PHP-FPM")
        subprocess.run([recorded.group(1), *recorded.group(2).split()], check=True, capture_output=True, timeout=60)
        nginx = self.dir / "var" / "kit-nginx"
        log = self.dir / "var" / "log" / "nginx-error.log"
        subprocess.run(["nginx", "-p", f"{nginx}/", "-c", str(nginx / "nginx.conf"), "-e", str(log)], check=True,
                       capture_output=True, timeout=60)
        self._wait_until_serving(log, lambda: True)

    def _wait_until_serving(self, log: Path, alive) -> None:
        """Wait until REST answers (401 is the anonymous answer); the first request generates code for seconds."""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if not alive():
                raise KitError(f"PHP's server exited with {self.process.returncode}:\n{_tail(log)}")
            try:
                if requests.get(self.base_url + "rest/V1/store/storeConfigs", timeout=120).status_code in (200, 401):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise KitError(f"Magento did not answer on {self.base_url} within 180 s:\n{_tail(log)}")

    @property
    def pid_file(self) -> Path:
        return self.dir / "var" / "phpserver.pid"

    def stop_leftover(self) -> None:
        """Stop the PHP server (and its workers) an earlier, killed session left running on this store."""
        if self.production:
            self.stop()
            return
        try:
            pid = int(self.pid_file.read_text())
            alive = b" -S " in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            return
        if alive:
            try:
                os.killpg(pid, signal.SIGKILL)  # ours lead a session: the group is the server and its workers
            except ProcessLookupError:
                os.kill(pid, signal.SIGKILL)  # setup.sh's own server
        self.pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.production:  # setup.sh stops only the masters whose command lines name this store's configs
            subprocess.run(["bash", str(KIT_DIR / "setup.sh"), "--stop", str(self.dir)], capture_output=True,
                           timeout=120)
            return
        self.pid_file.unlink(missing_ok=True)
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server's forked workers too
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def cli(self, *args: str, check: bool = True) -> str:
        """Run ``bin/magento`` with ``args`` and return its output."""
        result = subprocess.run(["php", "-d", "memory_limit=4G", "bin/magento", *args], cwd=self.dir,
                                capture_output=True, text=True, timeout=900)
        if check and result.returncode != 0:
            raise KitError(f"bin/magento {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout + result.stderr

    def sql(self, query: str) -> list[tuple[str, ...]]:
        """Run SQL on the store's database; rows as tuples of strings (NULL as 'NULL')."""
        result = subprocess.run([*MYSQL, "--batch", "--skip-column-names", self.db, "-e", query],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise KitError(f"SQL failed: {query}\n{result.stderr}")
        return [tuple(line.split("\t")) for line in result.stdout.splitlines()]

    @contextmanager
    def row_locked(self, table: str, entity_id: int) -> Iterator[None]:
        """Hold ``SELECT ... FOR UPDATE`` on one row from a session of our own until the block ends, so that
        concurrent requests meet at that row in a known order."""
        session = subprocess.Popen([*MYSQL, "--batch", "--unbuffered", "--skip-column-names", self.db],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            session.stdin.write(f"BEGIN; SELECT entity_id FROM {table} WHERE entity_id = {int(entity_id)} "
                                "FOR UPDATE;\n")
            session.stdin.flush()
            if session.stdout.readline().strip() != str(entity_id):
                raise KitError(f"could not lock {table} row {entity_id}")
            yield
        finally:
            session.communicate("COMMIT;\n", timeout=60)

    def clean_cache(self) -> None:
        """Drop Magento's file caches so configuration changed in the database is read again."""
        for name in ("cache", "page_cache"):
            shutil.rmtree(self.dir / "var" / name, ignore_errors=True)

    def config_set(self, path: str, value: str) -> None:
        """``bin/magento config:set`` (backend models run, as on a save in the admin) and a cache clean."""
        self.cli("config:set", path, value)
        self.clean_cache()

    # --- admin REST ------------------------------------------------------------------------------------

    def admin_token(self) -> str:
        if self._token is None:
            reply = requests.post(self.base_url + "rest/V1/integration/admin/token", timeout=120,
                                  json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
            reply.raise_for_status()
            self._token = reply.json()
        return self._token

    def rest(self, method: str, path: str, **kwargs) -> requests.Response:
        """An admin-token REST call; ``path`` like ``/V1/orders``."""
        headers = {"Authorization": f"Bearer {self.admin_token()}", **kwargs.pop("headers", {})}
        return requests.request(method, self.base_url + "rest/all" + path if kwargs.pop("all_stores", False)
                                else self.base_url + "rest/default" + path, headers=headers,
                                timeout=kwargs.pop("timeout", 120), **kwargs)

    def _checked(self, method: str, path: str, **kwargs):
        reply = self.rest(method, path, **kwargs)
        if not reply.ok:
            raise KitError(f"{method} {path} -> {reply.status_code}: {reply.text[:2000]}")
        return reply.json()

    def get(self, path: str, params=None):
        return self._checked("GET", path, params=params)

    def post(self, path: str, payload=None):
        return self._checked("POST", path, json=payload)

    def put(self, path: str, payload=None):
        return self._checked("PUT", path, json=payload)

    def local_time(self, magento_time: str, store_id: int, form: str = "%Y-%m-%d") -> str:
        """A UTC timestamp from the REST API in the timezone of store view ``store_id``, as its admin shows it."""
        zone = next(view["timezone"] for view in self.get("/V1/store/storeConfigs") if view["id"] == store_id)
        moment = datetime.strptime(magento_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        return moment.astimezone(ZoneInfo(zone)).strftime(form)

    def search(self, path: str, *filters: tuple[str, object, str], page_size: int = 100) -> list[dict]:
        """Items of a ``searchCriteria`` list route, each filter its own AND group."""
        params = {"searchCriteria[pageSize]": page_size}
        for index, (name, value, condition) in enumerate(filters):
            prefix = f"searchCriteria[filterGroups][{index}][filters][0]"
            params.update({f"{prefix}[field]": name, f"{prefix}[value]": value,
                           f"{prefix}[conditionType]": condition})
        return self.get(path, params)["items"]


class Kit:
    """Builds (or restores) the cached store of one archive and hands out a running :class:`RealMagento`."""

    def __init__(self, archive: Archive, cache_dir: Path, port: int, db: str, *, production: bool = False) -> None:
        self.archive = archive
        self.production = production
        self.cache_dir = cache_dir
        self.port = port
        self.db = db
        self.store_dir = cache_dir / "store"
        self.dump = cache_dir / "seeded.sql"
        self.key_file = cache_dir / "key"
        self.manifest = cache_dir / "seed.json"
        self.report_file = cache_dir / "install.json"
        self.restored = False  # True once open() restored the cache instead of installing

    @classmethod
    def for_archive(cls, archive: Archive, selection: Selection, *, production: bool = False) -> Kit:
        """The archive's own cache folder, port and database, derived from the base knobs: the port is
        BRIDGE_TEST_MAGENTO_PORT plus the archive's place among the kit's versions (the production store
        comes after them all), the database BRIDGE_TEST_MAGENTO_DB plus the version."""
        base = Path(os.environ.get("BRIDGE_TEST_MAGENTO_CACHE") or ROOT / "var" / "magento-test")
        port = int(os.environ.get("BRIDGE_TEST_MAGENTO_PORT") or 8190)
        db = os.environ.get("BRIDGE_TEST_MAGENTO_DB") or "gladly_bridge_test"
        if production:
            return cls(archive, base / f"production-{archive.version}", port + len(selection.every), f"{db}_prod",
                       production=True)
        return cls(archive, base / archive.version, port + selection.port_offset(archive), f"{db}_{archive.slug}")

    def _cached(self, key: str) -> bool:
        return (self.key_file.is_file() and self.key_file.read_text() == key and self.dump.is_file()
                and self.manifest.is_file() and (self.store_dir / "bin" / "magento").is_file())

    def open(self, progress=print) -> tuple[RealMagento, dict, dict]:
        """A running, seeded store, the seed manifest and the install report (step -> outcome, seconds)."""
        key = cache_key(self.archive.path, self.port, self.db, self.production)
        magento = RealMagento(dir=self.store_dir, port=self.port, db=self.db, version=self.archive.version,
                              production=self.production)
        magento.stop_leftover()
        started = time.monotonic()
        self.restored = self._cached(key)
        if self.restored:
            self._restore()
            magento.start()
            progress(f"real Magento restored from cache {self.cache_dir} in {time.monotonic() - started:.0f} s")
        else:
            self._build(magento, key, progress)
        how = "restored from cache" if self.restored else "installed"
        COVERED[self.archive.version + (" in production mode" if self.production else "")] = (
            f"{how} in {time.monotonic() - started:.0f} s")
        return magento, json.loads(self.manifest.read_text()), json.loads(self.report_file.read_text())

    def _restore(self) -> None:
        subprocess.run([*MYSQL, "-e", f"DROP DATABASE IF EXISTS `{self.db}`; CREATE DATABASE `{self.db}`;"],
                       check=True)
        with open(self.dump, "rb") as dump:
            subprocess.run([*MYSQL, self.db], stdin=dump, check=True)
        RealMagento(dir=self.store_dir, port=self.port, db=self.db).clean_cache()

    def _build(self, magento: RealMagento, key: str, progress) -> None:
        from magento_seed import seed_shop

        self.key_file.unlink(missing_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        report: dict[str, dict] = {}
        setup = self.archive.path.parent / "setup.sh"
        log = self.cache_dir / "setup.log"
        started = time.monotonic()
        mode = ["--server", "fpm", "--workers", "2", "--mode", "production"] if self.production else []
        progress(f"installing real Magento {self.archive.version}{' in production mode' if mode else ''} into "
                 f"{self.store_dir} (a few minutes; cached afterwards)")
        with open(log, "wb") as out:
            result = subprocess.run(["bash", str(setup), "--archive", str(self.archive.path), "--dir",
                                     str(self.store_dir), "--port", str(self.port), "--db", self.db, "--module",
                                     str(MODULE_DIR), *mode],
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=1800)
        if result.returncode != 0:
            raise KitError(f"setup.sh failed ({result.returncode}); {log}:\n{_tail(log, 40)}")
        report["setup.sh (install, module:enable, setup:upgrade)"] = {
            "ok": True, "seconds": round(time.monotonic() - started)}
        subprocess.run(["bash", str(setup), "--stop", str(self.store_dir)], check=True, capture_output=True)

        if not self.production:  # setup.sh --mode production compiled already
            started = time.monotonic()
            progress("setup:di:compile (proves the module's classes compile in Magento's DI)")
            output = magento.cli("setup:di:compile")
            (self.cache_dir / "di-compile.log").write_text(output)
            report["setup:di:compile"] = {"ok": True, "seconds": round(time.monotonic() - started)}

        magento.start()
        started = time.monotonic()
        progress("seeding the shop through REST")
        manifest = seed_shop(magento)
        report["seed"] = {"ok": True, "seconds": round(time.monotonic() - started)}
        self.manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        self.report_file.write_text(json.dumps(report, indent=2))
        with open(self.dump, "wb") as out:
            subprocess.run(["mysqldump", "-uroot", "-h127.0.0.1", "-P3306", "--single-transaction", self.db],
                           stdout=out, check=True)
        self.key_file.write_text(key)
