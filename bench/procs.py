"""Process helpers: the sandbox store and the bridge under gunicorn as child processes, and /proc readings.

Every child gets SIGTERM when the benchmark process dies (Linux ``PR_SET_PDEATHSIG``), and
:class:`Children` stops them in reverse order on any exit, so no process outlives a run.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Children:
    """The child processes of one run; a context manager that stops them all (newest first) on exit."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def spawn(self, args: list[str], *, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``args`` from the repository root with output to ``log_path``."""
        with open(log_path, "wb") as log:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        """SIGTERM every child still running, then SIGKILL what has not exited after 15 s."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_all()


def wait_until_up(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 30.0) -> None:
    """Poll ``url`` until it answers; fail with the process's log tail if it exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log_tail(log_path)}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:  # refused, or accepted by a master whose workers still boot
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s:\n{log_tail(log_path)}")


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a child's log, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Sandbox:
    """The sandbox store: its base URL, the OAuth credentials it wrote, and its control routes."""

    url: str
    credentials: dict
    process: subprocess.Popen

    def stats(self) -> dict:
        return requests.get(self.url + "sandbox/stats", timeout=10).json()

    def reset_stats(self) -> None:
        requests.post(self.url + "sandbox/reset-stats", timeout=10).raise_for_status()

    def set_latency(self, latency_ms: int) -> None:
        requests.post(self.url + "sandbox/config", json={"latency_ms": latency_ms}, timeout=10).raise_for_status()

    def calls(self) -> int:
        return int(self.stats()["calls"])

    def cpu_seconds(self) -> float:
        """User + system CPU of the sandbox process and any children it serves with."""
        return sum(process_cpu_seconds(pid) for pid in [self.process.pid, *child_pids(self.process.pid)])


def start_sandbox(children: Children, workdir: Path, *, latency_ms: int, dataset: str = "busy") -> Sandbox:
    """Start ``python -m sandbox`` on a free port and read the credentials file it writes."""
    port = free_port()
    credentials_file = workdir / "sandbox-credentials.json"
    log_path = workdir / "sandbox.log"
    process = children.spawn(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--latency-ms", str(latency_ms),
         "--dataset", dataset, "--credentials-file", str(credentials_file)], log_path=log_path)
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url + "sandbox/stats", process, log_path)
    return Sandbox(url=url, credentials=json.loads(credentials_file.read_text()), process=process)


@dataclass
class Bridge:
    """The bridge under gunicorn: its URL, the master process and the Gladly signing key it verifies."""

    url: str
    process: subprocess.Popen
    signing_key: str
    log_path: Path

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and every current worker."""
        return sum(process_cpu_seconds(pid) for pid in [self.process.pid, *self.worker_pids()])


def manual_connection_env(sandbox: Sandbox) -> dict[str, str]:
    """BRIDGE_MAGENTO_* for a bridge connected by hand-copied credentials."""
    creds = sandbox.credentials
    return {"BRIDGE_MAGENTO_URL": sandbox.url, "BRIDGE_MAGENTO_ADMIN_URL": sandbox.url + "admin/",
            "BRIDGE_MAGENTO_CONSUMER_KEY": creds["consumer_key"],
            "BRIDGE_MAGENTO_CONSUMER_SECRET": creds["consumer_secret"],
            "BRIDGE_MAGENTO_ACCESS_TOKEN": creds["access_token"],
            "BRIDGE_MAGENTO_ACCESS_TOKEN_SECRET": creds["access_token_secret"]}


def start_bridge(children: Children, workdir: Path, connection: dict[str, str], *, signing_key: str,
                 workers: int | None = None, worker_connections: int | None = None,
                 extra_env: dict[str, str] | None = None) -> Bridge:
    """Start ``gunicorn -c gunicorn.conf.py wsgi:app`` (the production config) with the store settings
    ``connection`` (BRIDGE_MAGENTO_*, e.g. :func:`manual_connection_env`); its data and log in ``workdir``.

    The caller's BRIDGE_* variables are dropped so a run is reproducible; ``workers``/``worker_connections`` and
    ``extra_env`` are the only ways to change the bridge's settings.
    """
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIDGE_")}
    env.update({"BRIDGE_BIND": f"127.0.0.1:{port}", "BRIDGE_GLADLY_SIGNING_KEY": signing_key,
                "BRIDGE_DATA_DIR": str(workdir), "BRIDGE_SECRET_KEY": "bench-secret-key",
                **connection})
    if workers:
        env["BRIDGE_WORKERS"] = str(workers)
    if worker_connections:
        env["BRIDGE_WORKER_CONNECTIONS"] = str(worker_connections)
    env.update(extra_env or {})
    log_path = workdir / "bridge.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = children.spawn([gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], log_path=log_path, env=env)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/healthz", process, log_path)
    return Bridge(url=url, process=process, signing_key=signing_key, log_path=log_path)


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers for its master)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if stat_fields((entry / "stat").read_text())[1] == str(pid):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def stat_fields(text: str) -> list[str]:
    """A /proc/<pid>/stat line from field 3 (state) on; the command name may hold ') ', so split after the last ')'."""
    return text[text.rindex(")") + 2:].split()


def stat_cpu_seconds(text: str, clock_ticks: int = _CLOCK_TICKS) -> float:
    """utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in seconds."""
    fields = stat_fields(text)
    return (int(fields[11]) + int(fields[12])) / clock_ticks


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat); 0 if it is gone."""
    try:
        return stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return 0.0


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from the first line of /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def process_memory_mb(pid: int, key: str = "VmRSS") -> float | None:
    """A memory figure of /proc/<pid>/status (VmRSS: resident now; VmHWM: peak resident) in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
