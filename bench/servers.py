"""Starting and measuring the contenders of the benchmark: each server in its own process
group on 127.0.0.1, timed to its first answer, loaded with wrk while its memory is sampled."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "tools" / "prism" / "node_modules" / ".bin" / "prism"
LIST = "/management/v1/policies/login/second_factors/_search"
ADD = "/management/v1/policies/login/second_factors"
TOKEN = "acme-owner"


@dataclass
class Server:
    """One contender: how to start it, and what was measured."""

    name: str
    command: list[str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    cwd: Path = ROOT
    startup_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    results: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(server: Server, log_folder: Path) -> None:
    """Start the server in its own process group and time it until its first answer."""
    log = (log_folder / f"{server.name.replace(' ', '-')}.log").open("wb")
    started = time.perf_counter()
    environment = {**os.environ, "PYTHONPATH": str(server.cwd)}  # an earlier revision's code, if any
    server.process = subprocess.Popen(
        server.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=server.cwd, env=environment
    )
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            requests.post(server.url + LIST, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=1)
            server.startup_seconds = time.perf_counter() - started
            return
        except requests.RequestException:
            time.sleep(0.02)
    raise RuntimeError(f"{server.name} did not answer within 60 s")


def stop(server: Server) -> None:
    if server.process and server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)


def group_rss_mb(pid: int) -> float:
    """Resident memory of a process group, in MB."""
    listed = subprocess.run(["ps", "-o", "rss=", "-g", str(pid)], capture_output=True, text=True, check=False)
    return sum(int(value) for value in listed.stdout.split()) / 1024


def run_wrk(server: Server, path_name: str, script: Path, seconds: int, connections: int) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) of one wrk run, sampling memory meanwhile."""
    assert server.process is not None
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(0.25):
            server.peak_rss_mb = max(server.peak_rss_mb, group_rss_mb(server.process.pid))  # type: ignore[union-attr]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), server.url + LIST]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    stop_sampling.set()
    sampler.join()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rps, _latency(output, "50%"), _latency(output, "99%")


def _latency(output: str, percentile: str) -> float:
    found = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    assert found, output
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
