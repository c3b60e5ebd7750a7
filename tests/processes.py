"""Real processes for end-to-end tests: the bridge under gunicorn and the sandbox store, and how to stop them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.procs import free_port
from bridge.gladly.signature import build_headers

ROOT = Path(__file__).resolve().parents[1]
SIGNING_KEY = "e2e-signing-key-0123456789abcdef"
SECRET_KEY = "e2e-secret-key"
# The tests reach the bridge from 127.0.0.1, a trusted proxy by default, so they name their client as nginx does:
# a trusted proxy naming none may not read /readyz or /metrics.
LOCAL_CLIENT = {"X-Forwarded-For": "127.0.0.1"}


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30.0) -> None:
    """Return once ``url`` answers; otherwise stop ``process`` (so no server outlives a failed start) and raise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or workers still booting
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a child gracefully; gunicorn may take its graceful_timeout (20 s) to let requests finish."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Sandbox:
    url: str
    credentials: dict
    process: subprocess.Popen

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.url + path.lstrip("/"), timeout=10, **kwargs)


@dataclass
class Bridge:
    url: str
    process: subprocess.Popen
    signing_key: str = SIGNING_KEY

    def signed(self, method: str, path: str, body: dict | None = None, query: str = "") -> requests.Response:
        raw = json.dumps(body).encode() if body is not None else b""
        headers = build_headers(self.signing_key, method=method, path=path, body=raw, query=query)
        url = self.url + path + (f"?{query}" if query else "")
        return requests.request(method, url, data=raw, headers=headers, timeout=20)

    def lookup(self, body: dict) -> requests.Response:
        return self.signed("POST", "/gladly/lookup", body)


def start_sandbox(tmp_path: Path, *args: str) -> Sandbox:
    port = free_port()
    credentials_file = tmp_path / f"sandbox-{port}.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--credentials-file", str(credentials_file),
         *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url + "sandbox/stats", process)
    return Sandbox(url=url, credentials=json.loads(credentials_file.read_text()), process=process)


def start_bridge(tmp_path: Path, env: dict[str, str], workers: int = 2) -> Bridge:
    port = free_port()
    full_env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    full_env.update({"BRIDGE_BIND": f"127.0.0.1:{port}", "BRIDGE_WORKERS": str(workers),
                     "BRIDGE_GLADLY_SIGNING_KEY": SIGNING_KEY, "BRIDGE_DATA_DIR": str(tmp_path),
                     "BRIDGE_SECRET_KEY": SECRET_KEY, **env})
    with open(tmp_path / f"bridge-{port}.log", "wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                                    "wsgi:app"], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/healthz", process)
    return Bridge(url=url, process=process)


def start_bridges(tmp_path: Path, env: dict[str, str], names: tuple[str, ...] = ("node-a", "node-b")) -> list[Bridge]:
    """One bridge per name, each with its own data folder under ``tmp_path`` and the same ``env``: with a shared
    BRIDGE_DATABASE_URL, several VMs behind one load balancer."""
    bridges: list[Bridge] = []
    try:
        for name in names:
            (tmp_path / name).mkdir()
            bridges.append(start_bridge(tmp_path / name, env))
    except BaseException:
        for bridge in bridges:  # the ones already up, when a later one fails to start
            stop(bridge.process)
        raise
    return bridges
