"""Make a random value that keeps a JSON schema of the contract, for `Prefer: dynamic=true`.

Enough of JSON Schema for API messages: `$ref`, `allOf`, `anyOf`/`oneOf`, `enum`, `const`,
objects (required properties always, optional ones at random), arrays (`minItems`, `maxItems`,
`uniqueItems`), strings (a `date-time` is now; a pattern is met by the schema's example or a
random number), integers and booleans. The caller checks the result against the schema and
retries, so a keyword this does not understand (`not`) costs a retry, not a wrong answer.
"""

from __future__ import annotations

import random
import re
from typing import Any

from mockserver.contract.spec import Contract
from mockserver.zitadel.protojson import now_timestamp

_MAX_DEPTH = 12


class SchemaSampler:
    """Random instances of the contract's schemas."""

    def __init__(self, contract: Contract, rng: random.Random) -> None:
        self._contract = contract
        self._random = rng

    def sample(self, schema: Any, depth: int = 0) -> Any:
        node = self._merged(schema)
        if depth > _MAX_DEPTH:
            return None
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return self._random.choice(node["enum"])
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                return self.sample(self._random.choice(node[keyword]), depth + 1)
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            return self._object(node, depth)
        if kind == "array":
            return self._array(node, depth)
        if kind == "integer":
            return self._random.randint(int(node.get("minimum", 0)), int(node.get("maximum", 1000)))
        if kind == "boolean":
            return self._random.random() < 0.5
        return self._string(node)

    def _object(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        required = set(node.get("required", []))
        return {
            name: self.sample(schema, depth + 1)
            for name, schema in node.get("properties", {}).items()
            if name in required or self._random.random() < 0.5
        }

    def _array(self, node: dict[str, Any], depth: int) -> list[Any]:
        low = int(node.get("minItems", 0))
        high = int(node.get("maxItems", low + 4))
        items = [self.sample(node.get("items", {}), depth + 1) for _ in range(self._random.randint(low, high))]
        if node.get("uniqueItems"):
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            items = unique if len(unique) >= low else items
        return items

    def _string(self, node: dict[str, Any]) -> str:
        candidates = [str(self._random.randint(1, 10**9)), node.get("example")]
        if node.get("format") == "date-time":
            candidates.insert(0, now_timestamp())
        pattern = node.get("pattern")
        fitting = [c for c in candidates if isinstance(c, str) and (pattern is None or re.search(pattern, c))]
        return fitting[0] if fitting else "x" * int(node.get("minLength", 1))

    def _merged(self, schema: Any) -> dict[str, Any]:
        node = self._contract.resolve(schema)
        if not isinstance(node, dict):
            return {}
        merged: dict[str, Any] = {}
        for part in node.get("allOf", []):
            part_node = self._merged(part)
            properties = {**merged.get("properties", {}), **part_node.get("properties", {})}
            required = [*merged.get("required", []), *part_node.get("required", [])]
            merged.update(part_node)
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = required
        for key, value in node.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            elif key != "allOf":
                merged[key] = value
        return merged
