"""The code keeps the architecture ARCHITECTURE.md describes: layers and no cycles (import-linter),
one exception tree, no operation named or counted in Python, and every module accounted for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver import load_spec
from mockserver.errors import MockServerError
from tests.conftest import REPO_ROOT

PACKAGES = ("mockserver", "contract_tests")
OUTSIDE = ("../" + "shared", "shared/" + "reference")  # written in two parts so this file does not match


def python_files() -> list[Path]:
    return sorted(file for package in PACKAGES for file in (REPO_ROOT / package).rglob("*.py"))


def modules() -> list[str]:
    names = []
    for file in python_files():
        parts = file.relative_to(REPO_ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_imports_keep_the_layers_and_have_no_cycles() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "6 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module_name", [name for name in modules() if not name.endswith("__main__")])
def test_every_exception_is_part_of_the_one_tree(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name, value in vars(module).items():
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module_name:
            assert name.startswith("_") or issubclass(value, MockServerError), f"{module_name}.{name}"


def test_no_python_module_names_an_operation_or_counts_them() -> None:
    contract = load_spec(REPO_ROOT / "openapi.yaml")
    names = {op.operation_id for op in contract.operations} | {
        op.operation_id.partition("_")[2] for op in contract.operations
    }
    named = re.compile(r"(Management|Admin|Settings)Service_[A-Z]|[\"'](" + "|".join(sorted(names)) + r")[\"']")
    counted = re.compile(r"\btwelve\b|\bnineteen\b|operations\)? ?== ?\d", re.IGNORECASE)
    offenders = []
    for file in python_files():
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if named.search(line) or counted.search(line):
                offenders.append(f"{file.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_architecture_md_accounts_for_every_module() -> None:
    text = (REPO_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = []
    for file in python_files():
        inside = file.relative_to(REPO_ROOT / file.relative_to(REPO_ROOT).parts[0]).as_posix()
        written = file.relative_to(REPO_ROOT).as_posix() if inside == "__init__.py" else inside
        if written not in text:
            missing.append(written)
    assert missing == []


def test_every_module_has_a_docstring() -> None:
    for module_name in modules():
        module = importlib.import_module(module_name) if not module_name.endswith("__main__") else None
        if module is not None:
            assert (module.__doc__ or "").strip(), module_name


def test_the_packages_import_without_side_effects() -> None:
    """Importing reads no file and starts nothing: every package's modules import cleanly."""
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)


def test_the_project_stands_on_its_own() -> None:
    """Documents and code restate what they rely on; none points outside the repository."""
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    outside = []
    for name in tracked.splitlines():
        if name.endswith((".md", ".py", ".yaml", ".yml", ".toml")) and not name.startswith(".ci/"):
            text = (REPO_ROOT / name).read_text(encoding="utf-8", errors="replace")
            if any(pointer in text for pointer in OUTSIDE):
                outside.append(name)
    assert outside == []
