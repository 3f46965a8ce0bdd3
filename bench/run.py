"""The benchmark: our mock (default multi-worker configuration, full validation), the same with
validation off, a bare Flask baseline on the same WSGI server, and Stoplight Prism (default and
with logging off) when installed, measured side by side and interleaved with wrk on 127.0.0.1.

    python -m bench.run [--duration 5] [--rounds 3] [--workers 2] [--connections 8]

Prints requests per second, p50 and p99 latency and peak memory per server and path, the ratios
to the baselines, start-up time to first answer, and the wall time of the default contract-test
run against the mock. Needs wrk (Debian package `wrk`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
SCRIPTS = {
    "list": f"""wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer {TOKEN}"
wrk.path = "{LIST}"
""",
    "add/remove": f"""counter = 0
request = function()
  counter = counter + 1
  local headers = {{["Authorization"] = "Bearer {TOKEN}", ["Content-Type"] = "application/json"}}
  if counter % 2 == 1 then
    return wrk.format("POST", "{ADD}", headers, '{{"type":"SECOND_FACTOR_TYPE_OTP_SMS"}}')
  end
  return wrk.format("DELETE", "{ADD}/SECOND_FACTOR_TYPE_OTP_SMS", headers)
end
""",
    "error 401": f"""wrk.method = "POST"
wrk.path = "{LIST}"
""",
}


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


def contenders(workers: int, earlier: Path | None) -> list[Server]:
    python = sys.executable
    mock = [python, "-m", "mockserver", "--workers", str(workers), "--log-level", "INFO"]
    servers = [
        Server("mock (validation on)", [*mock, "--port"], 0),
        Server("mock (validation off)", [*mock, "--no-validation", "--port"], 0),
        Server("flask baseline", [python, "-m", "bench.serve_baseline"], 0),
    ]
    if earlier is not None:
        servers.append(Server("mock @earlier", [*mock, "--port"], 0, cwd=earlier))
    if PRISM.exists() or shutil.which("prism"):
        prism = str(PRISM) if PRISM.exists() else "prism"
        spec = str(ROOT / "openapi.yaml")
        servers.append(Server("prism default", [prism, "mock", spec, "-h", "127.0.0.1", "-p"], 0))
        servers.append(
            Server("prism quiet", [prism, "mock", spec, "-h", "127.0.0.1", "--verboseLevel", "error", "-p"], 0)
        )
    for server in servers:
        server.port = free_port()
        server.command.append(str(server.port))
        if server.name == "flask baseline":
            server.command.append(str(workers))
    return servers


def contract_test_seconds(url: str) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "contract_tests", "run", "--base-url", url, "--org-id", "251000000000000001"]
    environment = {**os.environ, "CONTRACT_TOKEN": "iam-owner"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment, cwd=ROOT)
    if result.returncode != 0:
        print(result.stdout[-2000:], file=sys.stderr)
    return time.perf_counter() - started


def report(servers: list[Server], contract_seconds: float) -> None:
    medians = {
        (server.name, path): tuple(statistics.median(run[i] for run in runs) for i in range(3))
        for server in servers
        for path, runs in server.results.items()
    }
    baselines = ["flask baseline", *(["prism default"] if any(s.name == "prism default" for s in servers) else [])]
    print(
        f"\n{'path':<11} {'server':<22} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
        + "".join(f" {'x ' + b:>16}" for b in baselines)
    )
    for path in SCRIPTS:
        for server in servers:
            rps, p50, p99 = medians[(server.name, path)]
            ratios = "".join(f" {rps / medians[(b, path)][0]:>16.2f}" for b in baselines)
            print(f"{path:<11} {server.name:<22} {rps:>9.0f} {p50:>7.2f} {p99:>7.2f}{ratios}")
    print(f"\n{'server':<22} {'start-up to first answer':>26} {'peak memory':>12}")
    for server in servers:
        print(f"{server.name:<22} {server.startup_seconds:>25.2f}s {server.peak_rss_mb:>10.0f}MB")
    print(f"\ndefault contract-test run against the mock: {contract_seconds:.1f}s wall time")
    mock_list = medians[("mock (validation on)", "list")]
    print("\ntargets (list path, mock with validation):")
    print(f"  >= 0.6 x flask baseline: {mock_list[0] / medians[('flask baseline', 'list')][0]:.2f}")
    if "prism default" in baselines:
        print(f"  >= 2 x prism default:    {mock_list[0] / medians[('prism default', 'list')][0]:.2f}")
    print(f"  p99 < 10 ms:             {mock_list[2]:.2f} ms")
    startup = next(s.startup_seconds for s in servers if s.name == "mock (validation on)")
    print(f"  start-up < 1.5 s:        {startup:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the mock against a Flask baseline and Prism.")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3); medians are reported")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the mock and the baseline")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--against-revision", help="also run the mock of this git revision, side by side")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        earlier = _worktree(arguments.against_revision, Path(folder)) if arguments.against_revision else None
        servers = contenders(arguments.workers, earlier)
        scripts = {}
        for name, text in SCRIPTS.items():
            scripts[name] = Path(folder) / f"{name.replace('/', '-').replace(' ', '-')}.lua"
            scripts[name].write_text(text)
        try:
            for server in servers:
                start(server, Path(folder))
            for server in servers:  # warm up: JIT for Prism, caches for the mock
                run_wrk(server, "list", scripts["list"], 2, arguments.connections)
            for _ in range(arguments.rounds):
                for path, script in scripts.items():
                    for server in servers:
                        result = run_wrk(server, path, script, arguments.duration, arguments.connections)
                        server.results.setdefault(path, []).append(result)
            contract_seconds = contract_test_seconds(servers[0].url)
        finally:
            for server in servers:
                stop(server)
            if earlier is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(earlier)], cwd=ROOT, check=False)
    report(servers, contract_seconds)
    return 0


def _worktree(revision: str, folder: Path) -> Path:
    """A checkout of `revision` beside this one (git worktree), to run its mock."""
    target = folder / "earlier"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(target), revision], cwd=ROOT, check=True, capture_output=True
    )
    return target


if __name__ == "__main__":
    sys.exit(main())
