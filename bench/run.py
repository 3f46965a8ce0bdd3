"""The benchmark: our mock on each of its state stores (full validation), the same with
validation off, a bare Flask baseline on the same WSGI server, and Stoplight Prism (default and
with logging off) when installed, measured side by side and interleaved with wrk on 127.0.0.1;
then, with `--scale`, the mock as its sessions and its world grow (bench/scale.py).

    python -m bench.run [--duration 5] [--rounds 3] [--workers 2] [--connections 8] [--scale]
                        [--against-revision REV] [--output DIR]

Prints requests per second, p50 and p99 latency and peak memory per server and path, the ratios
to the Flask baseline and Prism, start-up time to first answer, and the wall time of the default
contract-test run against the mock; writes the same tables and a plot to DIR (default
`bench/results/<time>/`). Needs wrk (Debian package `wrk`); a Redis (`redis-server` from Debian)
for the Redis row, which it starts itself on a free port.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import Report, write_plot
from bench.scale import run_scale
from bench.servers import ADD, LIST, PRISM, ROOT, TOKEN, Server, free_port, run_wrk, start, stop

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


def contenders(workers: int, earlier: Path | None, redis_url: str | None) -> list[Server]:
    """The servers measured side by side; the mock once per state store."""
    python = sys.executable
    mock = [python, "-m", "mockserver", "--log-level", "INFO"]
    servers = [
        Server("mock sqlite", [*mock, "--workers", str(workers), "--port"], 0),
        Server("mock memory 1w", [*mock, "--workers", "1", "--port"], 0),
        Server("mock no validation", [*mock, "--workers", str(workers), "--no-validation", "--port"], 0),
        Server("flask baseline", [python, "-m", "bench.serve_baseline"], 0),
    ]
    if redis_url is not None:
        servers.insert(2, Server("mock redis", [*mock, "--workers", str(workers), "--state", redis_url, "--port"], 0))
    if earlier is not None:
        servers.append(Server("mock @earlier", [*mock, "--workers", str(workers), "--port"], 0, cwd=earlier))
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


@contextmanager
def a_redis(folder: Path) -> Iterator[str | None]:
    """A Redis of our own on a free port (none when redis-server is missing)."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def contract_test_seconds(url: str) -> float:
    """Wall time of the default contract-test run against the mock."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "contract_tests", "run", "--base-url", url, "--org-id", "251000000000000001"]
    environment = {**os.environ, "CONTRACT_TOKEN": "iam-owner"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment, cwd=ROOT)
    if result.returncode != 0:
        print(result.stdout[-2000:], file=sys.stderr)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the mock against a Flask baseline and Prism.")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3); medians are reported")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the mock and the baseline")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--against-revision", help="also run the mock of this git revision, side by side")
    parser.add_argument("--scale", action="store_true", help="also run the scale steps (sessions, organizations)")
    parser.add_argument("--output", type=Path, help="where to write the tables and the plot")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 2
    output = arguments.output or ROOT / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S")
    report = Report(output)
    with tempfile.TemporaryDirectory(prefix="bench-") as name, a_redis(Path(name)) as redis_url:
        folder = Path(name)
        earlier = _worktree(arguments.against_revision, folder) if arguments.against_revision else None
        servers = contenders(arguments.workers, earlier, redis_url)
        scripts = {}
        for path_name, text in SCRIPTS.items():
            scripts[path_name] = folder / f"{path_name.replace('/', '-').replace(' ', '-')}.lua"
            scripts[path_name].write_text(text)
        try:
            for server in servers:
                start(server, folder)
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
        report.comparison(servers, list(SCRIPTS), contract_seconds)
        if arguments.scale:
            steps = run_scale(
                folder, arguments.workers, arguments.duration, arguments.connections, print, arguments.rounds
            )
            report.scale(steps)
    write_plot(report)
    print(f"\nwritten to {output}")
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
