"""Reading YAML with line numbers for every JSON pointer."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.contract.yaml_source import escape_pointer_token, read_yaml
from mockserver.errors import YamlSourceError


def test_lines_are_mapped_for_keys_and_list_items(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("a:\n  b/c: 1\n  list:\n    - x\n    - y\n", encoding="utf-8")
    source = read_yaml(file)
    assert source.data == {"a": {"b/c": 1, "list": ["x", "y"]}}
    assert source.lines["/a/b~1c"] == 2
    assert source.lines["/a/list/1"] == 5


def test_place_falls_back_to_the_nearest_parent(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("top:\n  inner: {}\n", encoding="utf-8")
    assert read_yaml(file).place("/top/inner/missing/deeper").line == 2


def test_empty_file_reads_as_none(tmp_path: Path) -> None:
    file = tmp_path / "empty.yaml"
    file.write_text("", encoding="utf-8")
    assert read_yaml(file).data is None


def test_duplicate_nested_key_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text("a:\n  b: 1\n  b: 2\n", encoding="utf-8")
    with pytest.raises(YamlSourceError, match="duplicate key 'b'") as raised:
        read_yaml(file)
    assert (raised.value.place.pointer, raised.value.place.line) == ("/a/b", 3)


def test_undecodable_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "latin1.yaml"
    file.write_bytes(b"a: \xff\n")
    with pytest.raises(YamlSourceError, match="cannot read"):
        read_yaml(file)


def test_pointer_tokens_are_escaped() -> None:
    assert escape_pointer_token("a/b~c") == "a~1b~0c"
