"""The real `mockserver` process: starts on a port, answers over HTTP, logs no token, stops."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO_ROOT, M
from tests.processes import free_port, running, wait_for_text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "mockserver.log"
    command = [sys.executable, "-m", "mockserver", "--port", str(port), "--seed", "1"]
    with running(command, port, log, timeout=30):
        yield f"http://127.0.0.1:{port}", log


def test_server_answers_a_list_over_http(server: tuple[str, Path]) -> None:
    url, _ = server
    response = requests.post(
        f"{url}{M}/second_factors/_search",
        headers={"Authorization": "Bearer acme-owner"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["result"] == ["SECOND_FACTOR_TYPE_OTP"]
    assert response.headers["Content-Type"] == "application/json"


def test_server_keeps_state_between_requests_and_logs_no_token(server: tuple[str, Path]) -> None:
    url, log = server
    session = {"Authorization": "Bearer acme-owner", "X-Mock-Session": "process-test"}
    added = requests.post(f"{url}{M}/multi_factors", json={"type": 1}, headers=session, timeout=10)
    assert added.status_code == 200
    listed = requests.post(f"{url}{M}/auth_factors/_search", headers=session, timeout=10)
    assert listed.json()["result"] == ["MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"]
    text = wait_for_text(log, "ManagementService_AddMultiFactorToLoginPolicy", timeout=5)  # written every 0.2 s
    assert "ManagementService_AddMultiFactorToLoginPolicy" in text
    assert "acme-owner" not in text


def listening_addresses(port: int) -> set[str]:
    """The local addresses that listen on `port`, read from the kernel's TCP table."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_server_binds_loopback_only(server: tuple[str, Path]) -> None:
    url, _ = server
    assert listening_addresses(int(url.rsplit(":", 1)[1])) == {"127.0.0.1"}


def test_dropped_connection_fault_closes_the_socket(server: tuple[str, Path]) -> None:
    url, _ = server
    headers = {"Authorization": "Bearer acme-owner", "X-Mock-Session": "drop-test"}
    requests.put(f"{url}/__mock/faults", json={"dropRate": 1.0}, headers=headers, timeout=10).raise_for_status()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}{M}/second_factors/_search", headers=headers, timeout=10)
    requests.delete(f"{url}/__mock/faults", headers=headers, timeout=10).raise_for_status()
    assert requests.post(f"{url}{M}/second_factors/_search", headers=headers, timeout=10).status_code == 200


def test_bad_fixture_stops_start_up_with_place_and_reason(tmp_path: Path) -> None:
    import shutil
    import subprocess

    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    world = fixtures / "world.yaml"
    world.write_text(world.read_text().replace("[SECOND_FACTOR_TYPE_OTP]", "[TOTP]"), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "--fixtures",
            str(fixtures),
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{world}:37 at /world/organizations/251000000000000001/loginPolicy/secondFactors/0" in result.stderr


def test_environment_settings_apply_when_the_command_line_leaves_them_out(tmp_path: Path) -> None:
    import os

    port = free_port()
    env = {**os.environ, "MOCKSERVER_SCENARIO": "no-factors", "MOCKSERVER_STATE": f"sqlite:///{tmp_path}/s.sqlite3"}
    command = [sys.executable, "-m", "mockserver", "--port", str(port)]
    with running(command, port, tmp_path / "env.log", timeout=30, env=env):
        listed = requests.post(
            f"http://127.0.0.1:{port}{M}/second_factors/_search",
            headers={"Authorization": "Bearer acme-owner"},
            timeout=10,
        )
        assert "result" not in listed.json()  # the no-factors scenario's world
    assert (tmp_path / "s.sqlite3").exists()
    assert f"state sqlite:///{tmp_path}/s.sqlite3" in (tmp_path / "env.log").read_text(encoding="utf-8")


def test_the_command_line_wins_over_the_environment() -> None:
    from mockserver.__main__ import parse_arguments, settings_from

    environ = {"MOCKSERVER_SCENARIO": "no-factors", "MOCKSERVER_SEED": "7", "MOCKSERVER_STATE": "memory"}
    assert settings_from(parse_arguments([]), environ) == {}  # all left to the environment
    given = settings_from(parse_arguments(["--scenario", "all-factors", "--seed", "3"]), environ)
    assert given == {"SCENARIO": "all-factors", "SEED": 3}


def test_a_busy_port_stops_start_up_at_once(tmp_path: Path) -> None:
    import subprocess
    import time

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr
    assert "serving" not in result.stdout + result.stderr and elapsed < 4


def test_an_unknown_scenario_or_state_store_is_exit_2_without_a_traceback() -> None:
    import subprocess

    for option in (["--scenario", "nope"], ["--state", "postgres://x"]):
        command = [sys.executable, "-m", "mockserver", "--port", str(free_port()), *option]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "cannot start" in result.stderr
        assert "Traceback" not in result.stderr


def test_serving_freezes_what_the_app_holds_and_makes_full_collections_rare(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from mockserver.server import serving

    seen: dict[str, object] = {}

    def run(self: object) -> None:  # instead of serving: what the workers would be forked with
        seen.update(frozen=gc.get_freeze_count(), threshold=gc.get_threshold())

    threshold = gc.get_threshold()
    monkeypatch.setattr(serving._Gunicorn, "run", run)
    try:
        serving.serve(lambda environ, start_response: [], "127.0.0.1", free_port())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 0
    assert seen["threshold"] == (threshold[0], threshold[1], serving.FULL_COLLECTION_AFTER)
