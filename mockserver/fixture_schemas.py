"""The JSON Schemas of the fixture files, with their references into the contract resolved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FORMAT_FILE = Path(__file__).with_name("fixture_format.yaml")
FORMAT_URI = "urn:mockserver:fixture-format"


def fixture_format() -> dict[str, Any]:
    """The fixture format document (its `$defs` are what the loaders validate against)."""
    data: dict[str, Any] = yaml.safe_load(FORMAT_FILE.read_text(encoding="utf-8"))
    return data


def world_file_schema() -> dict[str, Any]:
    """fixtures/world.yaml: the world, the users and the role-to-permission map."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["world", "users", "rolePermissions"],
        "properties": {
            "world": {"$ref": f"{FORMAT_URI}#/$defs/world"},
            "users": {"type": "array", "items": {"$ref": f"{FORMAT_URI}#/$defs/user"}},
            "rolePermissions": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    }


def scenario_file_schema() -> dict[str, Any]:
    """fixtures/scenarios/NAME.yaml: a description and any of world, responses and faults."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["description"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "world": {"$ref": f"{FORMAT_URI}#/$defs/world"},
            "responses": {"type": "array", "items": {"$ref": f"{FORMAT_URI}#/$defs/response"}},
            "faults": {"$ref": f"{FORMAT_URI}#/$defs/faults"},
        },
    }
