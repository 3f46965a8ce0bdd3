"""What `lint`, `fixtures` and `diff` found, written for where a reviewer reads it.

`text` for a terminal (`file:line at pointer: level [rule] message`), `markdown` for a pull
request comment, `json` for other tools, and `github` for GitHub Actions, whose workflow commands
(`::error file=F,line=L,title=T::message`) put each finding on the line of the changed file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from mockserver.errors import Place

FORMATS = ("text", "markdown", "json", "github")
_GITHUB_COMMAND = {"breaking": "error", "error": "error", "warning": "warning", "info": "notice"}


@dataclass(frozen=True)
class Item:
    """One finding: how bad, which rule, where and what (and the operation, for the diff)."""

    level: str
    rule: str
    place: Place
    message: str
    subject: str = ""

    @property
    def text(self) -> str:
        """The message, after the operation it concerns when there is one."""
        return f"{self.subject}: {self.message}" if self.subject else self.message


@dataclass(frozen=True)
class Report:
    """A command's findings, its title (for Markdown) and its closing line."""

    title: str
    items: Sequence[Item]
    summary: str


def render(report: Report, output_format: str) -> str:
    """The report in one of `FORMATS`."""
    renderers = {"text": _text, "markdown": _markdown, "json": _json, "github": _github}
    return renderers[output_format](report)


def _text(report: Report) -> str:
    lines = [f"{item.place}: {item.level} [{item.rule}] {item.text}" for item in report.items]
    return "\n".join([*lines, report.summary])


def _markdown(report: Report) -> str:
    lines = [f"### {report.title}", "", report.summary]
    if report.items:
        lines += ["", "| level | rule | where | what |", "|---|---|---|---|"]
        for item in report.items:
            level = f"**{item.level}**" if item.level in ("breaking", "error") else item.level
            where = f"`{item.subject}`<br>" if item.subject else ""
            where += f"{item.place.file.name}:{item.place.line or ''} `{item.place.pointer or '/'}`"
            lines.append(f"| {level} | `{item.rule}` | {_cell(where)} | {_cell(item.message)} |")
    return "\n".join(lines)


def _json(report: Report) -> str:
    items = [
        {
            "level": item.level,
            "rule": item.rule,
            "file": str(item.place.file),
            "line": item.place.line,
            "pointer": item.place.pointer,
            "subject": item.subject or None,
            "message": item.message,
        }
        for item in report.items
    ]
    counts = Counter(item.level for item in report.items)
    return json.dumps({"summary": report.summary, "counts": dict(counts), "items": items}, indent=2)


def _github(report: Report) -> str:
    lines = []
    for item in report.items:
        properties = [f"file={_property(str(item.place.file))}"]
        if item.place.line:
            properties.append(f"line={item.place.line}")
        properties.append(f"title={_property(f'{item.level} [{item.rule}]')}")
        message = _data(f"{item.text} (at {item.place.pointer or '/'})")
        lines.append(f"::{_GITHUB_COMMAND.get(item.level, 'notice')} {','.join(properties)}::{message}")
    return "\n".join([*lines, report.summary])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _data(text: str) -> str:
    """Escape a workflow command's message (GitHub's `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value (GitHub's `escapeProperty`)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
