"""``make run``: start the bridge under gunicorn, with the sandbox store when no Magento is configured.

Honours every ``BRIDGE_*`` variable already set. Generates a Gladly signing key and a secret key under
``var/`` when they are unset (and prints the signing key), and, with the sandbox, runs the same
OAuth activation a merchant runs from the Magento admin, then prints a signed sample lookup.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from bridge import cli

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_PORT = int(os.environ.get("BRIDGE_SANDBOX_PORT", "8081"))
SAMPLE_CUSTOMER_ID = "3"  # Sam Smith in the sandbox's sample data


def _var_dir() -> Path:
    path = Path(os.environ.get("BRIDGE_DATA_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kept_secret(env_name: str, filename: str) -> tuple[str, bool]:
    """The value of ``env_name``, or one generated once and kept in var/ (created: True)."""
    if os.environ.get(env_name):
        return os.environ[env_name], False
    path = _var_dir() / filename
    if path.exists():
        return path.read_text().strip(), False
    value = secrets.token_hex(32)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value, True


def _wait_for(url: str, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its workers still booting
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start within {seconds:.0f} s ({url}).")


def _bridge_url() -> str:
    return "http://" + os.environ.get("BRIDGE_BIND", "127.0.0.1:8000")


def print_sample_lookup(signing_key: str) -> None:
    """Print what ``bridge sign --customer 3`` prints for this bridge (Sam Smith in the sandbox)."""
    cli.sign.main(["--url", _bridge_url(), "--key", signing_key, "--customer", SAMPLE_CUSTOMER_ID],
                  prog_name="bridge sign", standalone_mode=False)


def _start_sandbox(env: dict) -> subprocess.Popen:
    sandbox_url = f"http://127.0.0.1:{SANDBOX_PORT}/"
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", str(SANDBOX_PORT)], env=env)
    _wait_for(sandbox_url + "sandbox/stats", "The sandbox store")
    env["BRIDGE_MAGENTO_URL"] = sandbox_url
    env.setdefault("BRIDGE_MAGENTO_ADMIN_URL", sandbox_url + "admin/")
    return process


def _upgrade_database(env: dict) -> None:
    """``bridge db upgrade`` before gunicorn, so no two starting workers race to create a new database."""
    upgrade = subprocess.run([sys.executable, "-m", "bridge.cli", "db", "upgrade"], cwd=ROOT, env=env)
    # The bridge still starts: lookups need no database (docs/reliability.md, "Storage failures").
    if upgrade.returncode:
        print("WARNING: the database could not be prepared (see above); order actions and activation will answer "
              "503 until it is reachable.", flush=True)


def _activate_with_sandbox() -> None:
    """Run the merchant's "Activate" click against the sandbox: credentials POST, then the identity pop-up."""
    sandbox_url = f"http://127.0.0.1:{SANDBOX_PORT}/"
    reply = requests.post(sandbox_url + "sandbox/activate", timeout=10, json={
        "endpoint_url": _bridge_url() + "/magento/oauth/callback",
        "identity_url": _bridge_url() + "/magento/oauth/identity",
    }).json()
    page = requests.get(_bridge_url() + "/magento/oauth/identity", timeout=15,
                        params={"oauth_consumer_key": reply["consumer_key"]}, allow_redirects=False)
    if page.status_code >= 400:
        raise SystemExit(f"Activation against the sandbox failed (HTTP {page.status_code}).")
    print("Sandbox store activated: the bridge now signs with the tokens it exchanged.", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Start everything and wait; Ctrl-C stops the bridge and the sandbox."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample-only", action="store_true", help="print a signed sample lookup and exit")
    args = parser.parse_args(argv)

    signing_key, created = _kept_secret("BRIDGE_GLADLY_SIGNING_KEY", "gladly-signing-key")
    if args.sample_only:
        print_sample_lookup(signing_key)
        return 0
    secret_key, _ = _kept_secret("BRIDGE_SECRET_KEY", "secret-key")
    env = dict(os.environ, BRIDGE_GLADLY_SIGNING_KEY=signing_key, BRIDGE_SECRET_KEY=secret_key)
    env.setdefault("BRIDGE_DATA_DIR", str(_var_dir()))
    # No proxy stands in front of the quick start: a local curl of /readyz is the client itself, not a proxy
    # that failed to name one.
    env.setdefault("BRIDGE_FORWARDED_ALLOW_IPS", "[]")

    print(("Generated" if created else "Using") + f" Gladly signing key: {signing_key}")
    print("  (paste it as the Signing Key of the Gladly Custom App; kept in var/gladly-signing-key)")
    use_sandbox = not env.get("BRIDGE_MAGENTO_URL") and not env.get("BRIDGE_MAGENTO_CONSUMER_KEY")
    children: list[subprocess.Popen] = []
    try:
        if use_sandbox:
            print("No Magento store configured (BRIDGE_MAGENTO_URL unset): starting the SANDBOX store.")
            children.append(_start_sandbox(env))
        _upgrade_database(env)
        gunicorn = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                                     "wsgi:app"], cwd=ROOT, env=env)
        children.append(gunicorn)
        _wait_for(_bridge_url() + "/healthz", "The bridge")
        if use_sandbox:
            _activate_with_sandbox()
            print("\nA signed sample lookup (valid for 5 minutes; `make sample-lookup` prints a fresh one):\n")
            print_sample_lookup(signing_key)
        print(f"\nBridge ready on {_bridge_url()} (Gladly lookup URL path: /gladly/lookup). Ctrl-C stops it.",
              flush=True)
        return gunicorn.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
