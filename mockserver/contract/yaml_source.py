"""Read a YAML file into plain data plus a map from JSON pointers to line numbers.

Errors found later (a schema violation at `/paths/~1x/post`) can then be reported with the
line a person should open, and duplicate keys, which PyYAML would silently drop, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import Place, YamlSourceError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def escape_pointer_token(token: object) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class YamlSource:
    """The data of one YAML file and where each part of it stands."""

    file: Path
    data: Any
    lines: dict[str, int] = field(repr=False)

    def place(self, pointer: str) -> Place:
        """The place of `pointer`, with the line of it or of its nearest parent."""
        probe = pointer
        while probe and probe not in self.lines:
            probe = probe.rsplit("/", 1)[0]
        return Place(self.file, pointer, self.lines.get(probe))


def read_yaml(file: Path) -> YamlSource:
    """Parse `file`, refusing syntax errors and duplicate keys with their place."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise YamlSourceError(Place(file), f"cannot read the file: {error}") from error
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path) -> YamlSource:
    """Parse `text` (read from `file`, or from a git revision named like one) as `read_yaml` does."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise YamlSourceError(Place(file, "", line), f"invalid YAML: {error}") from error
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _map_lines(file, node, "", node.start_mark.line + 1, lines)
    return YamlSource(file, data, lines)


def _map_lines(file: Path, node: yaml.Node, pointer: str, line: int, lines: dict[str, int]) -> None:
    """Record `line` for `pointer`; a mapping entry's line is that of its key."""
    lines[pointer] = line
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in seen:
                place = Place(file, child, key_node.start_mark.line + 1)
                raise YamlSourceError(place, f"duplicate key {key!r}")
            seen.add(key)
            _map_lines(file, value_node, child, key_node.start_mark.line + 1, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(file, item, f"{pointer}/{index}", item.start_mark.line + 1, lines)
