"""Check each answer of the mock against the contract, fast enough for every answer.

Answers of a write are new every time (a sequence, a date), so no verdict can be reused, and
openapi-core spent most of a write's time finding the operation and resolving `$ref`s again for
each one. Here each (operation, status) is prepared once: its body schema compiled with
jsonschema_rs (OpenAPI 3.1's schemas are JSON Schema 2020-12; `$ref`s resolve in the contract's
own `components`), its headers' schemas likewise. The caller already knows the operation, so no
path is matched. The verdict is the same as openapi-core's: the status must be documented (or
`default` cover it), a body the response declares must be JSON of its media type and keep its
schema, a required header must be there and every declared header keep its schema.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson

from mockserver.contract.spec import Contract, Operation

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class _Expected:
    """What the contract says of one status of one operation."""

    documented: bool
    body: Any  # a compiled validator, or None when the response declares no content
    required_headers: tuple[str, ...]
    headers: Mapping[str, Any]  # lower-case name → compiled validator of its value


class ResponseChecker:
    """The contract's verdict on an answer, prepared per operation and status on first use."""

    def __init__(self, contract: Contract) -> None:
        self._contract = contract
        # as JSON has it: YAML keys that are not strings (`3:`, `true:`) become strings
        self._components = json.loads(json.dumps(contract.document.get("components", {})))
        self._prepared: dict[tuple[str, int], _Expected] = {}
        self._lock = threading.Lock()

    def problems(
        self, operation: Operation, status: int, content_type: str | None, body: bytes, headers: Mapping[str, str]
    ) -> list[str]:
        """Why the answer breaks the contract (empty when it keeps it); `headers` by lower-case name."""
        expected = self._expected(operation, status)
        if not expected.documented:
            return [f"ResponseNotFound: {operation.operation_id} documents no {status} response and no default"]
        found = [f"MissingRequiredHeader: {name}" for name in expected.required_headers if name not in headers]
        for name, validator in expected.headers.items():
            if name in headers and not validator.is_valid(headers[name]):  # the reasons only when there are some
                found += [f"InvalidHeader: {name}: {e.message}" for e in validator.iter_errors(headers[name])]
        if expected.body is None:
            return found
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type != JSON_MEDIA_TYPE:
            return [*found, f"MediaTypeNotFound: {content_type!r} where the contract says {JSON_MEDIA_TYPE}"]
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            try:  # the standard library says where (and takes integers beyond 64 bits)
                data = json.loads(body)
            except ValueError as error:
                return [*found, f"InvalidData: the body is not JSON: {error}"]
        if expected.body.is_valid(data):
            return found
        for failure in expected.body.iter_errors(data):
            where = "/" + "/".join(str(part) for part in failure.instance_path)
            found.append(f"InvalidData: {where}: {failure.message}")
        return found

    def _expected(self, operation: Operation, status: int) -> _Expected:
        key = (operation.operation_id, status)
        prepared = self._prepared.get(key)
        if prepared is None:
            with self._lock:
                prepared = self._prepared.get(key) or self._prepare(operation, status)
                self._prepared[key] = prepared
        return prepared

    def _prepare(self, operation: Operation, status: int) -> _Expected:
        responses = self._contract.responses(operation)
        response = responses.get(str(status), responses.get("default"))
        if response is None:
            return _Expected(False, None, (), {})
        media = response.get("content", {}).get(JSON_MEDIA_TYPE)
        body = self._compile(media["schema"]) if isinstance(media, dict) and "schema" in media else None
        required, compiled = [], {}
        for name, header in response.get("headers", {}).items():
            header = self._contract.resolve(header)
            if header.get("required"):
                required.append(name.lower())
            if "schema" in header:
                compiled[name.lower()] = self._compile(header["schema"])
        return _Expected(True, body, tuple(required), compiled)

    def _compile(self, schema: Any) -> Any:
        """A validator for a schema of the contract, its `$ref`s resolved against the contract."""
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [json.loads(json.dumps(schema))]}
        root["components"] = self._components
        return jsonschema_rs.validator_for(root, validate_formats=True)
