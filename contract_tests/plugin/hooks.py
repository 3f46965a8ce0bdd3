"""schemathesis hooks for what OpenAPI cannot say about ZITADEL's requests, used by the suite and
by a plain `st run` (`SCHEMATHESIS_HOOKS=contract_tests.plugin.hooks st run openapi.yaml ...`).

- Query parameters that set members of one protobuf oneof (`ctx.orgId`, `ctx.instance`) are never
  sent together: OpenAPI has no way to say "at most one of these parameters", and ZITADEL's
  gateway rightly answers 400 `field already set for oneof`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis

from mockserver.contract.messages import RequestShape, field_at, request_shape
from mockserver.contract.spec import Contract
from mockserver.contract.yaml_source import YamlSource

_shapes: dict[tuple[int, str], RequestShape | None] = {}


@schemathesis.hook("filter_case")
def one_member_of_each_oneof(ctx: Any, case: Any) -> bool:
    """False for a case whose query sets two members of one oneof."""
    shape = _shape(case)
    if shape is None or not isinstance(case.query, dict):
        return True
    seen: set[str] = set()
    for name, value in case.query.items():
        path = shape.query_fields.get(name)
        field = field_at(shape.message, path) if path else None
        if field is None or field.oneof is None or value is None:
            continue
        if field.oneof in seen:
            return False
        seen.add(field.oneof)
    return True


def _shape(case: Any) -> RequestShape | None:
    """The request shape of the case's operation, read from the document schemathesis loaded."""
    document = case.operation.schema.raw_schema
    operation_id = str(case.operation.definition.raw.get("operationId", ""))
    key = (id(document), operation_id)
    if key not in _shapes:
        contract = Contract(YamlSource(Path("openapi.yaml"), document, {}))
        try:
            _shapes[key] = request_shape(contract, contract.operation(operation_id))
        except KeyError:
            _shapes[key] = None
    return _shapes[key]
