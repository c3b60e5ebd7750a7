"""The deployment files under deploy/: nginx accepts the site, systemd accepts the units, and both agree with
the bridge's own settings (listen address, trusted proxy headers, body limit)."""
from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bridge import create_app
from bridge.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "gladly-bridge.conf"
UNITS = ("gladly-bridge.service", "gladly-bridge-backup.service", "gladly-bridge-backup.timer")
# Read at import: the autouse fixture in conftest.py clears BRIDGE_* variables before each test.
REQUIRE_TOOLS = os.environ.get("BRIDGE_REQUIRE_DEPLOY_TOOLS") == "1"


def require_tool(name: str) -> str:
    """The tool's path; skipped with a message where absent, a failure in CI (BRIDGE_REQUIRE_DEPLOY_TOOLS=1)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    message = f"{name} is not installed (Debian package {'nginx' if name == 'nginx' else 'systemd'})"
    if REQUIRE_TOOLS:
        pytest.fail(message)
    pytest.skip(message)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate and key for bridge.example.com."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bridge.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_nginx_accepts_the_site(tmp_path):
    nginx = require_tool("nginx")
    cert, key = self_signed(tmp_path)
    site = SITE.read_text()
    site = site.replace("/etc/letsencrypt/live/bridge.example.com/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/bridge.example.com/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    # Debian's /etc/nginx/nginx.conf reduced to what the site needs, every path inside tmp_path.
    (tmp_path / "nginx.conf").write_text(f"""
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/error.log;
        events {{}}
        http {{
            access_log {tmp_path}/access.log;
            client_body_temp_path {tmp_path}/body;
            proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi;
            uwsgi_temp_path {tmp_path}/uwsgi;
            scgi_temp_path {tmp_path}/scgi;
            include {tmp_path}/site.conf;
        }}
    """)
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def directive(text: str, name: str) -> list[str]:
    return re.findall(rf"^\s*{re.escape(name)}\s+([^;{{}}]+);", text, re.MULTILINE)


def test_the_site_matches_the_bridge_settings(app):
    site = SITE.read_text()
    bind = SETTINGS["BIND"].default
    assert directive(site, "server") == [bind]
    assert directive(site, "keepalive") and directive(site, "proxy_http_version") == ["1.1"]
    assert 'Connection ""' in directive(site, "proxy_set_header")  # keep-alive to the upstream
    # Exactly the headers gunicorn (scheme) and the ops allowlist (client address) read.
    headers = dict(value.split(None, 1) for value in directive(site, "proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$remote_addr" and headers["X-Forwarded-Proto"] == "$scheme"
    assert "127.0.0.1" in SETTINGS["FORWARDED_ALLOW_IPS"].default  # nginx on the same VM is trusted
    limit = directive(site, "client_max_body_size")
    assert limit == ["1m"] and app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    read_timeout = int(directive(site, "proxy_read_timeout")[0].rstrip("s"))
    assert 15 < read_timeout < 30  # above Gladly's cut-off, below gunicorn's worker timeout


@pytest.fixture
def units(tmp_path) -> list[Path]:
    """The unit files with the install paths pointed at this checkout, so the executables they name exist."""
    venv_bin = Path(sys.executable).parent
    copies = []
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        text = text.replace("/opt/gladly-bridge/.venv/bin/", f"{venv_bin}/").replace("/opt/gladly-bridge", str(ROOT))
        (tmp_path / name).write_text(text)
        copies.append(tmp_path / name)
    return copies


def test_systemd_accepts_the_units(units):
    analyze = require_tool("systemd-analyze")
    result = subprocess.run([analyze, "verify", *map(str, units)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    ours = [line for line in (result.stdout + result.stderr).splitlines()
            if any(name in line for name in UNITS)]
    assert ours == [], "\n".join(ours)  # unknown keys and bad values are only warnings: none allowed


def test_the_service_runs_unprivileged_and_sandboxed():
    unit = (DEPLOY / "gladly-bridge.service").read_text()
    values = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert values["User"] not in ("", "root")
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "ReadWritePaths": "/var/lib/gladly-bridge",
                       "EnvironmentFile": "/etc/gladly-bridge/bridge.env"}.items():
        assert values[key] == value, key
    assert values["ExecStart"].endswith("gunicorn -c gunicorn.conf.py wsgi:app")


def test_the_env_example_names_only_real_settings_and_starts_a_bridge():
    text = (DEPLOY / "bridge.env.example").read_text()
    names = re.findall(r"^#?(BRIDGE_[A-Z_]+)=", text, re.MULTILINE)
    assert names and {name.removeprefix("BRIDGE_") for name in names} <= set(SETTINGS)
    values = dict(re.findall(r"^(BRIDGE_[A-Z_]+)=(.*)$", text, re.MULTILINE))
    config = {key.removeprefix("BRIDGE_"): value for key, value in values.items() if value}
    app = create_app({**config, "GLADLY_SIGNING_KEY": "k" * 32, "TESTING": True,
                      "DATABASE_URL": "sqlite://"})
    assert app.config["OPS_ALLOW"] == ["127.0.0.0/8", "::1"]


def test_the_cli_wrapper_is_valid_shell():
    assert subprocess.run(["sh", "-n", str(DEPLOY / "bridge")], timeout=10).returncode == 0
