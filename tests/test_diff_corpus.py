"""`contract-tests diff` against oasdiff's verdicts: a corpus of one-edit pairs of openapi.yaml.

Each case in tests/data/diff-corpus.yaml cites the rule oasdiff reports for the edit (or that it
reports nothing) with oasdiff's level, as listed in tests/data/oasdiff-rules.tsv (read from
oasdiff's checker/rules.go). This tool must name the same rule at the same level, unless the case
names a deviation that docs/spec-review.md explains. oasdiff itself cannot run here (it is a Go
program; see docs/spec-review.md), so the corpus carries its verdicts.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.review.diff import diff_documents
from contract_tests.review.diff.rules import DEVIATIONS, OASDIFF, OWN, level_of
from mockserver.contract.spec import resolve_pointer
from tests.conftest import REPO_ROOT

DATA = Path(__file__).resolve().parent / "data"
SHIPPED: dict[str, Any] = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
CORPUS: list[dict[str, Any]] = yaml.safe_load((DATA / "diff-corpus.yaml").read_text(encoding="utf-8"))
LEVEL = {"ERR": "breaking", "WARN": "warning", "INFO": "info"}
DOCS = (REPO_ROOT / "docs" / "spec-review.md").read_text(encoding="utf-8")


def oasdiff_rules() -> dict[str, str]:
    lines = (DATA / "oasdiff-rules.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


def apply_patch(document: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """JSON Patch (RFC 6902): add, remove, replace, move."""
    document = copy.deepcopy(document)
    for operation in operations:
        if operation["op"] == "move":
            value = _take(document, operation["from"])
            _put(document, operation["path"], value)
        elif operation["op"] == "remove":
            _take(document, operation["path"])
        elif operation["op"] == "replace":
            _take(document, operation["path"])
            _put(document, operation["path"], operation["value"])
        else:
            _put(document, operation["path"], copy.deepcopy(operation["value"]))
    return document


def _split(pointer: str) -> tuple[str, str]:
    parent, _, last = pointer.rpartition("/")
    return parent, last.replace("~1", "/").replace("~0", "~")


def _take(document: dict[str, Any], pointer: str) -> Any:
    parent, last = _split(pointer)
    holder = resolve_pointer(document, parent)
    return holder.pop(int(last)) if isinstance(holder, list) else holder.pop(last)


def _put(document: dict[str, Any], pointer: str, value: Any) -> None:
    parent, last = _split(pointer)
    holder = resolve_pointer(document, parent)
    if isinstance(holder, list):
        holder.insert(len(holder) if last == "-" else int(last), value)
    else:
        holder[last] = value


def case_pair(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    base = apply_patch(SHIPPED, case.get("base") or [])
    return base, apply_patch(base, case["edit"])


def test_the_corpus_is_large_enough_and_holds_every_case_of_the_issue() -> None:
    assert len(CORPUS) >= 40
    named = {case["name"] for case in CORPUS if case.get("why")}
    assert len(named) >= 10, named
    assert len({case["name"] for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case["name"] for case in CORPUS])
def test_the_verdict_is_oasdiffs_or_a_documented_deviation(case: dict[str, Any]) -> None:
    cited, expected = case["oasdiff"], case["expect"]
    if cited is not None:
        assert oasdiff_rules().get(cited["rule"]) == cited["level"], "the case cites oasdiff wrongly"
    agrees = (cited is None and expected is None) or (
        cited is not None
        and expected is not None
        and (cited["rule"], LEVEL[cited["level"]]) == tuple(expected.values())
    )
    assert agrees or case.get("deviation"), "a verdict unlike oasdiff's needs a documented deviation"
    if case.get("deviation"):
        assert f"### Deviation: {case['deviation']}" in DOCS

    base, head = case_pair(case)
    changes = diff_documents(base, head)
    seen = [(change.rule, change.level, change.where, change.message) for change in changes]
    if expected is None:
        assert changes == [], seen
        return
    assert any((change.rule, change.level) == (expected["rule"], expected["level"]) for change in changes), seen
    allowed = {expected["rule"], *case.get("also", [])}
    assert all(change.level == "info" or change.rule in allowed for change in changes), seen


def test_every_oasdiff_rule_this_tool_emits_is_oasdiffs_with_oasdiffs_level() -> None:
    rules = oasdiff_rules()
    assert {rule: rules.get(rule) for rule in OASDIFF} == OASDIFF
    assert not set(OWN) & set(rules), "an own rule must not borrow an oasdiff id"


def test_every_deviation_is_documented_with_its_rule() -> None:
    for rule in DEVIATIONS:
        assert f"`{rule}`" in DOCS, rule
        assert level_of(rule) != LEVEL[OASDIFF[rule]]
    for rule in OWN:
        assert f"`{rule}`" in DOCS, rule
