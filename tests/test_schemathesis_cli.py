"""The schemathesis CLI command the docs give (docs/contract-tests.md, "Plain schemathesis")
passes against the mock: taken from the docs as written, so the docs stay true."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.processes import free_port, running

DOCS = REPO_ROOT / "docs" / "contract-tests.md"


def documented_command() -> tuple[dict[str, str], list[str]]:
    """(environment, arguments) of the command after the `<!-- st-run -->` marker."""
    text = DOCS.read_text(encoding="utf-8").split("<!-- st-run -->", 1)[1]
    block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert block is not None, "no command after <!-- st-run -->"
    words = shlex.split(block.group(1).replace("\\\n", " "))
    environment = dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_]+=\S+", word))
    return environment, [word for word in words if not re.fullmatch(r"[A-Z_]+=\S+", word)]


def test_the_documented_st_run_command_passes_the_mock(tmp_path: Path) -> None:
    environment, arguments = documented_command()
    assert arguments[:2] == ["st", "run"] and "--url" in arguments
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    arguments[arguments.index("--url") + 1] = url
    arguments[arguments.index("-n") + 1] = "5"  # the docs' 25, fewer here for time
    arguments[arguments.index("openapi.yaml")] = str(REPO_ROOT / "openapi.yaml")  # st writes to its cwd
    st = str(Path(sys.executable).with_name("st"))
    env = {**os.environ, **environment}
    with running([sys.executable, "-m", "mockserver", "--port", str(port)], port, tmp_path / "mock.log"):
        result = subprocess.run(
            [st, *arguments[1:], "-H", "X-Mock-Session: st-cli"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "passed" in result.stdout
