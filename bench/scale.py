"""The scale run: the same paths while the live sessions grow (1 → 100 → 10,000) and while the
world grows to 10,000 organizations (generated fixtures), on the mock's default multi-worker
store; throughput, p99 and resident memory at each step.

Each request of a step goes to one of the step's sessions (`X-Mock-Session`), picked at random by
wrk's script, so every session is live; the sessions are created before the measurement.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from bench.servers import ADD, LIST, ROOT, TOKEN, Server, free_port, run_wrk, start, stop


@dataclass(frozen=True)
class Step:
    """One step of the scale run: how many sessions, how many organizations."""

    name: str
    sessions: int
    organizations: int


STEPS = (Step("1 session", 1, 2), Step("100 sessions", 100, 2), Step("10,000 sessions", 10_000, 2))
BIG_WORLD = Step("10,000 organizations", 1, 10_002)


def session_scripts(sessions: int) -> dict[str, str]:
    """wrk scripts for the list and add/remove paths, each request in a random one of `sessions`."""
    pick = f'"s" .. math.random(1, {sessions})'
    return {
        "list": f"""math.randomseed(20261129)
request = function()
  return wrk.format("POST", "{LIST}", {{["Authorization"] = "Bearer {TOKEN}", ["X-Mock-Session"] = {pick}}})
end
""",
        "add/remove": f"""math.randomseed(20261129)
counter = 0
request = function()
  counter = counter + 1
  local headers = {{["Authorization"] = "Bearer {TOKEN}", ["Content-Type"] = "application/json",
                   ["X-Mock-Session"] = {pick}}}
  if counter % 2 == 1 then
    return wrk.format("POST", "{ADD}", headers, '{{"type":"SECOND_FACTOR_TYPE_OTP_SMS"}}')
  end
  return wrk.format("DELETE", "{ADD}/SECOND_FACTOR_TYPE_OTP_SMS", headers)
end
""",
    }


def big_world(folder: Path, organizations: int) -> Path:
    """A copy of the fixtures whose world has `organizations` organizations (the demo two first)."""
    target = folder / f"fixtures-{organizations}"
    shutil.copytree(ROOT / "fixtures", target)
    world_file = target / "world.yaml"
    data = yaml.safe_load(world_file.read_text(encoding="utf-8"))
    generated = data["world"]["organizations"]
    for number in range(organizations - len(generated)):
        generated[str(260_000_000_000_000_000 + number)] = {"name": f"generated-{number}", "sequence": 1}
    world_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def create_sessions(url: str, sessions: int) -> None:
    """Make every session live (its state created) before the measurement."""

    def touch(number: int) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Mock-Session": f"s{number}"}
        requests.post(url + LIST, headers=headers, timeout=30)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(touch, range(1, sessions + 1)))


def run_scale(
    folder: Path, workers: int, seconds: int, connections: int, say: Callable[[str], None], rounds: int = 3
) -> list[tuple[Step, Server]]:
    """Every step on a mock of its own (the default store for `workers`), all started and their
    sessions created first, then measured with wrk in `rounds` rounds that interleave the steps
    (and the paths), as the comparison interleaves servers: run one step after the other, a
    drift of the machine between them (a third, on this VM) showed as a difference of the steps.
    The report takes medians."""
    servers: list[tuple[Step, Server]] = []
    try:
        for step in (*STEPS, BIG_WORLD):
            command = [sys.executable, "-m", "mockserver", "--workers", str(workers), "--log-level", "WARNING"]
            if step.organizations > 2:
                command += ["--fixtures", str(big_world(folder, step.organizations))]
            server = Server(f"mock, {step.name}", [*command, "--port"], free_port())
            server.command.append(str(server.port))
            start(server, folder)
            servers.append((step, server))
            say(f"scale: {step.name}: creating the sessions")
            create_sessions(server.url, step.sessions)
        scripts: dict[tuple[Step, str], Path] = {}
        for number, (step, server) in enumerate(servers):
            for path, text in session_scripts(step.sessions).items():
                scripts[step, path] = folder / f"scale-{number}-{path.replace('/', '-')}.lua"
                scripts[step, path].write_text(text, encoding="utf-8")
                run_wrk(server, path, scripts[step, path], 2, connections)  # warm-up
        for _ in range(rounds):
            for path in session_scripts(1):
                for step, server in servers:
                    server.results.setdefault(path, []).append(
                        run_wrk(server, path, scripts[step, path], seconds, connections)
                    )
    finally:
        for _, server in servers:
            stop(server)
    return servers
