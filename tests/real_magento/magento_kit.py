"""A real Magento 2.4.6 for the test suite: installed from the kit in ../shared/magento, cached, served.

The first run on a machine installs the store with the project's ``magento-module/`` (the kit's
``setup.sh``), proves ``setup:di:compile``, seeds the shop through REST and dumps the database. Later
runs whose archive, module, kit and seed are unchanged restore that dump (a few seconds) and start PHP's
server on the same folder, so every session starts from the same seeded store.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIR = ROOT / "magento-module"
DEFAULT_ARCHIVE = ROOT.parent / "shared" / "magento" / "magento-2.4.6.tar.zst"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "Admin12345!"
# Bump when the way the cache is built changes in a way the hashed files do not show.
CACHE_FORMAT = "3"


class KitError(RuntimeError):
    """The kit could not install or start Magento; the message carries the end of the relevant log."""


def archive_path() -> Path:
    return Path(os.environ.get("BRIDGE_TEST_MAGENTO_ARCHIVE") or DEFAULT_ARCHIVE)


def unavailable_reason() -> str | None:
    """Why the real-Magento suite cannot run here, or None when it can."""
    archive = archive_path()
    if not archive.is_file():
        return f"no Magento kit archive at {archive} (set BRIDGE_TEST_MAGENTO_ARCHIVE or provide ../shared/magento)"
    if not (archive.parent / "setup.sh").is_file():
        return f"no setup.sh beside {archive}"
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


def cache_key(archive: Path, port: int, db: str) -> str:
    """Changes whenever the store the cache holds would be built differently (its URL holds the port)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{port}:{db}".encode())
    stat = archive.stat()
    digest.update(f"{archive.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update((archive.parent / "setup.sh").read_bytes())
    _tree_digest(digest, MODULE_DIR)
    for helper in ("magento_kit.py", "magento_seed.py"):
        digest.update((Path(__file__).parent / helper).read_bytes())
    return digest.hexdigest()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


@dataclass
class RealMagento:
    """A running Magento store with admin REST, CLI and SQL access for tests."""

    dir: Path
    port: int
    db: str
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
        """Serve the store with PHP's built-in server, several workers (the bridge calls in parallel)."""
        log = self.dir / "var" / "log" / "phpserver.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                ["php", "-d", "memory_limit=2G", "-S", f"127.0.0.1:{self.port}", "-t", "pub/",
                 "phpserver/router.php"], cwd=self.dir, env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        # A server left by a killed test session is stopped by the next one (and by setup.sh --stop).
        self.pid_file.write_text(str(self.process.pid))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
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
        result = subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-P3306", "--batch", "--skip-column-names",
                                 self.db, "-e", query], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise KitError(f"SQL failed: {query}\n{result.stderr}")
        return [tuple(line.split("\t")) for line in result.stdout.splitlines()]

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
    """Builds (or restores) the cached store and hands out a running :class:`RealMagento`."""

    def __init__(self, cache_dir: Path, port: int, db: str) -> None:
        self.archive = archive_path()
        self.cache_dir = cache_dir
        self.port = port
        self.db = db
        self.store_dir = cache_dir / "store"
        self.dump = cache_dir / "seeded.sql"
        self.key_file = cache_dir / "key"
        self.manifest = cache_dir / "seed.json"
        self.report_file = cache_dir / "install.json"

    def _cached(self, key: str) -> bool:
        return (self.key_file.is_file() and self.key_file.read_text() == key and self.dump.is_file()
                and self.manifest.is_file() and (self.store_dir / "bin" / "magento").is_file())

    def open(self, progress=print) -> tuple[RealMagento, dict, dict]:
        """A running, seeded store, the seed manifest and the install report (step -> outcome, seconds)."""
        key = cache_key(self.archive, self.port, self.db)
        magento = RealMagento(dir=self.store_dir, port=self.port, db=self.db)
        magento.stop_leftover()
        if self._cached(key):
            started = time.monotonic()
            self._restore()
            magento.start()
            progress(f"real Magento restored from cache {self.cache_dir} in {time.monotonic() - started:.0f} s")
        else:
            self._build(magento, key, progress)
        return magento, json.loads(self.manifest.read_text()), json.loads(self.report_file.read_text())

    def _restore(self) -> None:
        subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-P3306", "-e",
                        f"DROP DATABASE IF EXISTS `{self.db}`; CREATE DATABASE `{self.db}`;"], check=True)
        with open(self.dump, "rb") as dump:
            subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-P3306", self.db], stdin=dump, check=True)
        RealMagento(dir=self.store_dir, port=self.port, db=self.db).clean_cache()

    def _build(self, magento: RealMagento, key: str, progress) -> None:
        from magento_seed import seed_shop

        self.key_file.unlink(missing_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        report: dict[str, dict] = {}
        setup = self.archive.parent / "setup.sh"
        log = self.cache_dir / "setup.log"
        started = time.monotonic()
        progress(f"installing real Magento into {self.store_dir} (a few minutes; cached afterwards)")
        with open(log, "wb") as out:
            result = subprocess.run(["bash", str(setup), "--archive", str(self.archive), "--dir", str(self.store_dir),
                                     "--port", str(self.port), "--db", self.db, "--module", str(MODULE_DIR)],
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=1800)
        if result.returncode != 0:
            raise KitError(f"setup.sh failed ({result.returncode}); {log}:\n{_tail(log, 40)}")
        report["setup.sh (install, module:enable, setup:upgrade)"] = {
            "ok": True, "seconds": round(time.monotonic() - started)}
        subprocess.run(["bash", str(setup), "--stop", str(self.store_dir)], check=True, capture_output=True)

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
