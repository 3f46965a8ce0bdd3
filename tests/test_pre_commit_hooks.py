"""The pre-commit hooks in .pre-commit-hooks.yaml work as another repository would use them.

pre-commit needs a git repository with the hooks committed, and the working tree may hold
uncommitted work, so the project's files (tracked, and new ones git does not ignore) are copied
into a fresh repository and committed there. pre-commit then installs that repository into a
virtualenv of its own (`language: python`, its dependencies from PyPI) and runs the hooks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


def project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (REPO_ROOT / name).is_file()]


@pytest.fixture(scope="module")
def copy_of_the_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("hooks") / "project"
    for name in project_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target / name)
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run([*GIT, "-C", str(target), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(target), "commit", "-qm", "copy"], check=True)
    yield target


def pre_commit(*arguments: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("pre-commit")), *arguments]
    environment = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900, env=environment)


def test_try_repo_runs_the_lint_hook_on_the_project(copy_of_the_project: Path, tmp_path: Path) -> None:
    """The command the issue names: `pre-commit try-repo . contract-tests-lint --all-files`."""
    result = pre_commit("try-repo", ".", "contract-tests-lint", "--all-files", cwd=copy_of_the_project, home=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "contract-tests lint" in result.stdout and "Passed" in result.stdout


def test_another_repository_runs_both_hooks_from_its_config(copy_of_the_project: Path, tmp_path: Path) -> None:
    """A repository with its own contract and fixtures names this one in .pre-commit-config.yaml."""
    revision = subprocess.run(
        ["git", "-C", str(copy_of_the_project), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    user = tmp_path / "user"
    shutil.copytree(copy_of_the_project / "fixtures", user / "fixtures")
    spec = (copy_of_the_project / "openapi.yaml").read_text(encoding="utf-8")
    assert "example: '267831'" in spec
    (user / "openapi.yaml").write_text(spec.replace("example: '267831'", "example: 'abc'"), encoding="utf-8")
    config = {
        "repos": [
            {
                "repo": str(copy_of_the_project),
                "rev": revision,
                "hooks": [{"id": "contract-tests-lint"}, {"id": "contract-tests-fixtures"}],
            }
        ]
    }
    (user / ".pre-commit-config.yaml").write_text(json.dumps(config), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(user)], check=True)
    subprocess.run([*GIT, "-C", str(user), "add", "-A"], check=True)
    result = pre_commit("run", "--all-files", cwd=user, home=tmp_path / "home")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert any(line.startswith("contract-tests lint") and line.endswith("Failed") for line in lines)
    assert any(line.startswith("contract-tests fixtures") and line.endswith("Passed") for line in lines)
    assert "openapi.yaml:" in result.stdout and "error [example-valid]" in result.stdout
