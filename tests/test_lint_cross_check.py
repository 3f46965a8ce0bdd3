"""`contract-tests lint` misses nothing Spectral (`spectral:oas`) or Redocly (`recommended`) finds.

Both run once, each over the shipped contract and a set of planted defects. On the shipped
contract every finding of theirs must be an opinion docs/spec-review.md lists as not shared; on a
planted file every new finding must be matched by a `lint` finding at a related place. Spectral
and Redocly come from npm (`npm ci --prefix tools/spectral`, `--prefix tools/redocly`, done by
.ci/run): without them the tests are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.review.lint import Finding, lint_file
from mockserver.contract.yaml_source import escape_pointer_token
from tests.conftest import REPO_ROOT

TOOLS = REPO_ROOT / "tools"
SPECTRAL = TOOLS / "spectral" / "node_modules" / ".bin" / "spectral"
REDOCLY = TOOLS / "redocly" / "node_modules" / ".bin" / "redocly"
SPEC = REPO_ROOT / "openapi.yaml"
SHIPPED: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
DOCS = (REPO_ROOT / "docs" / "spec-review.md").read_text(encoding="utf-8")
M_ADD = "/management/v1/policies/login/second_factors"
M_LIST = "/management/v1/policies/login/second_factors/_search"

# What Spectral or Redocly report on the shipped contract that this project disagrees with (the
# reasons are in docs/spec-review.md, under "Opinions we do not share").
OPINIONS = {
    ("redocly", "no-unused-components"),
    ("redocly", "no-required-schema-properties-undefined"),
}


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]  # type: ignore[no-any-return]


def post(document: dict[str, Any], path: str) -> dict[str, Any]:
    return document["paths"][path]["post"]  # type: ignore[no-any-return]


def _undeclared_path_parameter(document: dict[str, Any]) -> None:
    operation = copy.deepcopy(document["paths"]["/admin/v1/policies/login"]["get"])
    document["paths"]["/admin/v1/x/{id}"] = {"get": {**operation, "operationId": "AdminService_GetX"}}


def _security_on_one_operation(document: dict[str, Any]) -> None:
    scheme = {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "A key."}
    document["components"]["securitySchemes"]["apiKey"] = scheme
    post(document, M_ADD)["security"] = [{"apiKey": []}]


PLANTED: dict[str, Callable[[dict[str, Any]], object]] = {
    "schema-example": lambda d: schemas(d)["Uint64String"].update(example="abc"),
    "parameter-example": lambda d: d["components"]["parameters"]["OrgIdHeader"].update(example=251),
    "header-example": lambda d: d["components"]["headers"]["WWWAuthenticate"].update(example=401),
    "media-example": lambda d: post(d, M_LIST)["responses"]["200"]["content"]["application/json"].update(
        example={"details": 5}
    ),
    "duplicate-enum": lambda d: schemas(d)["SecondFactorType"]["enum"].append("SECOND_FACTOR_TYPE_OTP"),
    "enum-type": lambda d: schemas(d)["SecondFactorTypeNumber"]["enum"].append("6"),
    "unused-component": lambda d: schemas(d).update(Orphan={"type": "string", "description": "Nobody uses me."}),
    "security-on-one-operation": _security_on_one_operation,
    "undeclared-tag": lambda d: post(d, M_ADD).update(tags=["Nowhere"]),
    "no-description": lambda d: post(d, M_ADD).pop("description"),
    "duplicate-operation-id": lambda d: post(d, M_ADD).update(operationId=post(d, M_LIST)["operationId"]),
    "undeclared-path-parameter": _undeclared_path_parameter,
}
# Defects that are no defect: neither tool nor `lint` may report anything new.
CLEAN = {"security-on-one-operation"}


def write_planted(folder: Path) -> dict[str, Path]:
    files = {"shipped": SPEC}
    for name, plant in PLANTED.items():
        document = copy.deepcopy(SHIPPED)
        plant(document)
        files[name] = folder / f"{name}.yaml"
        files[name].write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    quoted = SPEC.read_text(encoding="utf-8")
    assert "            '3': InvalidArgument" in quoted
    files["number-key"] = folder / "number-key.yaml"  # an unquoted YAML key: a number, not a string
    files["number-key"].write_text(quoted.replace("            '3': InvalidArgument", "            3: InvalidArgument"))
    return files


def installed(binary: Path, command: str) -> None:
    if not binary.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{binary.name} is not installed: run `{command}`")
        pytest.skip(f"{binary.name} is not installed ({command}); CI runs this")


Findings = dict[str, set[tuple[str, str]]]  # file name -> {(rule, pointer)}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_planted(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def started(
    planted: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[subprocess.Popen[bytes], Path]]]:
    """Both tools started at once, over every file, while `lint` does its part."""
    folder = tmp_path_factory.mktemp("reports")
    files = [str(path) for path in planted.values()]
    spectral_report, redocly_report = folder / "spectral.json", folder / "redocly.json"
    commands = {
        "spectral": [str(SPECTRAL), "lint", "-r", str(TOOLS / "spectral" / ".spectral.yaml"), "-f", "json"]
        + ["-o", str(spectral_report), *files],
        "redocly": [str(REDOCLY), "lint", "--config", str(TOOLS / "redocly" / "redocly.yaml"), "--format", "json"]
        + files,
    }
    environment = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    running = {}
    for tool, report in (("spectral", spectral_report), ("redocly", redocly_report)):
        if Path(commands[tool][0]).is_file():
            with (folder / f"{tool}.out").open("w") as output:  # Redocly writes its report here
                process = subprocess.Popen(commands[tool], stdout=output, stderr=subprocess.DEVNULL, env=environment)
            running[tool] = (process, report if tool == "spectral" else folder / f"{tool}.out")
    yield running
    for process, _ in running.values():
        process.kill()


def _finished(started: dict[str, tuple[subprocess.Popen[bytes], Path]], tool: str, binary: Path, command: str) -> str:
    installed(binary, command)
    process, report = started[tool]
    process.wait(timeout=300)
    return report.read_text(encoding="utf-8")


def _documents(text: str) -> Iterator[Any]:
    """The JSON documents in `text`, one after another (Redocly writes one for each file)."""
    decoder, position = json.JSONDecoder(), 0
    while text[position:].strip():
        position += len(text[position:]) - len(text[position:].lstrip())
        document, position = decoder.raw_decode(text, position)
        yield document


@pytest.fixture(scope="module")
def spectral(started: dict[str, tuple[subprocess.Popen[bytes], Path]], planted: dict[str, Path]) -> Findings:
    text = _finished(started, "spectral", SPECTRAL, "npm ci --prefix tools/spectral")
    by_name = {path.resolve(): name for name, path in planted.items()}
    found: Findings = {name: set() for name in planted}
    for results in _documents(text):
        for result in results:
            pointer = "".join(f"/{escape_pointer_token(part)}" for part in result["path"])
            found[by_name[Path(result["source"]).resolve()]].add((result["code"], pointer))
    return found


@pytest.fixture(scope="module")
def redocly(started: dict[str, tuple[subprocess.Popen[bytes], Path]], planted: dict[str, Path]) -> Findings:
    text = _finished(started, "redocly", REDOCLY, "npm ci --prefix tools/redocly")
    by_name = {path.resolve(): name for name, path in planted.items()}
    found: Findings = {name: set() for name in planted}
    reports = list(_documents(text))
    for report in reports:
        for problem in report["problems"]:
            location = problem["location"][0]
            name = by_name[Path(location["source"]["ref"]).resolve()]
            found[name].add((problem["ruleId"], location["pointer"].removeprefix("#")))
    assert len(reports) == len(planted), text[-2000:]
    return found


@pytest.fixture(scope="module")
def ours(started: object, planted: dict[str, Path]) -> dict[str, list[Finding]]:
    return {name: lint_file(path) for name, path in planted.items()}


def related(ours: str, theirs: str) -> bool:
    """The same place, or one inside the other (give or take the last step)."""
    return theirs.startswith(ours.rsplit("/", 1)[0] or "/") or ours.startswith(theirs.rsplit("/", 1)[0] or "/")


@pytest.mark.parametrize("tool", ["spectral", "redocly"])
def test_on_the_shipped_contract_they_find_only_opinions_we_document(
    tool: str, request: pytest.FixtureRequest, ours: dict[str, list[Finding]]
) -> None:
    found: Findings = request.getfixturevalue(tool)
    assert ours["shipped"] == []
    assert {rule for rule, _ in found["shipped"]} <= {rule for named, rule in OPINIONS if named == tool}
    for named, rule in OPINIONS:
        assert f"`{named}`: `{rule}`" in DOCS


@pytest.mark.parametrize("name", [*PLANTED, "number-key"])
def test_what_either_tool_finds_in_a_planted_defect_lint_finds_too(
    name: str, spectral: Findings, redocly: Findings, ours: dict[str, list[Finding]]
) -> None:
    new = {("spectral", *f) for f in spectral[name] - spectral["shipped"]}
    new |= {("redocly", *f) for f in redocly[name] - redocly["shipped"]}
    if name in CLEAN:
        assert new == set() and ours[name] == [], (new, ours[name])
        return
    assert new, "the planted defect is one Spectral or Redocly finds"
    missed = [
        (tool, rule, pointer) for tool, rule, pointer in new if not any(related(f.pointer, pointer) for f in ours[name])
    ]
    assert missed == [], [f"{f.rule} {f.pointer}" for f in ours[name]]
