"""The per-operation summary at the end of a run: what was checked for each operation of the
contract and what failed. Registered by the plugin; the details of each failure (expected,
got, curl) are in pytest's own failure report above it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest

OPERATIONS_PROPERTY = "operations"
_LABEL = re.compile(r"\[((?:GET|POST|PUT|PATCH|DELETE) /[^\]]*)\]")


class OperationSummary:
    """Collects test outcomes by operation and prints them as a table."""

    def __init__(self) -> None:
        self.passed: dict[str, list[str]] = defaultdict(list)
        self.failed: dict[str, list[str]] = defaultdict(list)

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and report.outcome != "failed":
            return
        test = report.nodeid.split("::")[-1]
        labelled = _LABEL.search(report.nodeid)
        operations = [labelled.group(1)] if labelled else _operations_of(report)
        for operation in operations:
            target = self.failed if report.outcome == "failed" else self.passed
            target[operation].append(test)

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        operations = sorted(set(self.passed) | set(self.failed))
        if not operations:
            return
        terminalreporter.section("contract-tests: per operation")
        width = max(len(operation) for operation in operations)
        for operation in operations:
            passed, failed = len(self.passed[operation]), len(self.failed[operation])
            verdict = "FAILED" if failed else "ok"
            line = f"{operation:<{width}}  {verdict:<6}  {passed} passed, {failed} failed"
            terminalreporter.write_line(line, red=bool(failed), green=not failed)
            for test in sorted(set(self.failed[operation])):
                terminalreporter.write_line(f"    failed: {test}", red=True)


def _operations_of(report: pytest.TestReport) -> list[str]:
    for name, value in report.user_properties:
        if name == OPERATIONS_PROPERTY:
            return sorted(str(value).split(","))
    return []
