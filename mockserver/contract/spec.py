"""Load the contract (openapi.yaml) once and answer what every other part asks of it.

The mock, the fixture checks, the contract tests and the review tools all start here, so the
document is read, validated and indexed in one place. This module never imports Flask.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import referencing
import referencing.jsonschema
from openapi_schema_validator import OAS31Validator, oas31_format_checker

from mockserver.contract import valid_cache
from mockserver.contract.yaml_source import YamlSource, escape_pointer_token, read_yaml
from mockserver.errors import Place, SpecError, YamlSourceError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# x-zitadel-transport: how ZITADEL serves the operation. `gateway`: grpc-gateway in front of the
# gRPC server (the v1 APIs); `connect`: connect-go itself (the Connect protocol);
# `gateway-to-connect`: grpc-gateway in front of a connect-go service (the v2 REST APIs).
TRANSPORTS = ("gateway", "connect", "gateway-to-connect")
CONNECT_SUFFIX = "_Connect"  # the operationId of an RPC's Connect form: its REST form's, and this
_DOCUMENT_URI = "urn:contract:openapi.yaml"


@dataclass(frozen=True)
class Operation:
    """One operation of the contract: how it is called and where it is written."""

    operation_id: str
    method: str
    path: str
    pointer: str
    transport: str = "gateway"

    @property
    def is_connect(self) -> bool:
        """Served by connect-go (`x-zitadel-transport: connect`): Connect's errors and rules."""
        return self.transport == "connect"

    @property
    def rpc(self) -> str:
        """The RPC's name (`GetLoginSettings`): the operationId after `<Service>_`, for either form."""
        name = self.operation_id.partition("_")[2] or self.operation_id
        return name.removesuffix(CONNECT_SUFFIX) if self.is_connect else name

    @property
    def label(self) -> str:
        """`POST /path/{param}`, as schemathesis and the reports name an operation."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class NamedExample:
    """One named example of an operation's response: its name, status and value."""

    name: str
    status: str
    value: Any
    pointer: str


class Contract:
    """A loaded, valid contract: the raw document, its operations and schema validators."""

    def __init__(self, source: YamlSource) -> None:
        self.source = source
        self.file = source.file
        self.document: dict[str, Any] = source.data
        self.operations = tuple(find_operations(self.document))
        self._by_id = {operation.operation_id: operation for operation in self.operations}
        self._validators: dict[str, OAS31Validator] = {}

    def operation(self, operation_id: str) -> Operation:
        """The operation called `operation_id`; KeyError names the known ones."""
        try:
            return self._by_id[operation_id]
        except KeyError:
            known = ", ".join(sorted(self._by_id))
            raise KeyError(f"no operation {operation_id!r}; known: {known}") from None

    def node(self, pointer: str) -> Any:
        """The part of the document at a JSON pointer (`/components/schemas/Status`)."""
        return resolve_pointer(self.document, pointer)

    def resolve(self, node: Any) -> Any:
        """`node`, with local `$ref`s followed until a node without one is reached."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            reference = node["$ref"]
            if reference in seen:
                raise SpecError(Place(self.file, reference), "circular $ref")
            seen.add(reference)
            node = self.node(reference.removeprefix("#"))
        return node

    def place(self, pointer: str) -> Place:
        """Where `pointer` stands in openapi.yaml (file and line)."""
        return self.source.place(pointer)

    def schema_errors(self, schema_pointer: str, instance: Any) -> list[str]:
        """Why `instance` breaks the schema at `schema_pointer` (empty when it doesn't)."""
        validator = self._validators.get(schema_pointer)
        if validator is None:
            validator = OAS31Validator(
                {"$ref": f"{_DOCUMENT_URI}#{schema_pointer}"},
                registry=self._registry,
                format_checker=oas31_format_checker,
            )
            self._validators[schema_pointer] = validator
        return [describe_error(error) for error in validator.iter_errors(instance)]

    def validator(self, schema: dict[str, Any], resources: Mapping[str, Any] | None = None) -> OAS31Validator:
        """A validator for a schema of our own that may `$ref` the contract (`urn:contract:...`)."""
        registry = self._registry.with_resources(
            (uri, _resource(document)) for uri, document in (resources or {}).items()
        )
        return OAS31Validator(schema, registry=registry, format_checker=oas31_format_checker)

    def response_schema_pointer(self, operation: Operation, status: int | str) -> str | None:
        """Where the JSON schema of `status` (or `default`) of `operation` is; None if none."""
        responses = self.node(operation.pointer)["responses"]
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            return None
        response = responses[key]
        base = response["$ref"].removeprefix("#") if "$ref" in response else f"{operation.pointer}/responses/{key}"
        pointer = f"{base}/content/application~1json/schema"
        try:
            self.node(pointer)
        except KeyError:
            return None
        return pointer

    def definition(self, operation: Operation) -> dict[str, Any]:
        """The operation object itself."""
        node: dict[str, Any] = self.node(operation.pointer)
        return node

    def responses(self, operation: Operation) -> dict[str, Any]:
        """The operation's responses by status key (`200`, `default`), each resolved."""
        return {status: self.resolve(response) for status, response in self.definition(operation)["responses"].items()}

    def parameters(self, operation: Operation) -> list[dict[str, Any]]:
        """The operation's parameters, those of its path item included, each resolved."""
        path_item = self.node(operation.pointer.rsplit("/", 1)[0])
        merged = {}
        for parameter in (*path_item.get("parameters", []), *self.definition(operation).get("parameters", [])):
            resolved = self.resolve(parameter)
            merged[(resolved["in"], resolved["name"].lower())] = resolved  # the operation's wins
        return list(merged.values())

    def request_body(self, operation: Operation) -> dict[str, Any] | None:
        """The operation's request body object, resolved, or None."""
        body = self.definition(operation).get("requestBody")
        return self.resolve(body) if body is not None else None

    def named_examples(self, operation: Operation) -> dict[str, NamedExample]:
        """Every named example of the operation's JSON responses, by the name a fixture uses: the
        component's name for a `$ref`'d example (`OrgSecondFactorAlreadyExists`), else its key."""
        found: dict[str, NamedExample] = {}
        for status, response in self.definition(operation)["responses"].items():
            base = self._pointer_of(response, f"{operation.pointer}/responses/{escape_pointer_token(status)}")
            media = self.resolve(response).get("content", {}).get("application/json", {})
            for key, example in media.get("examples", {}).items():
                name = example["$ref"].rsplit("/", 1)[1] if "$ref" in example else key
                pointer = f"{base}/content/application~1json/examples/{escape_pointer_token(key)}"
                found.setdefault(name, NamedExample(name, status, self.resolve(example).get("value"), pointer))
        return found

    def _pointer_of(self, node: Any, pointer: str) -> str:
        """Where `node` (found at `pointer`) really stands once its `$ref`s are followed."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            pointer = node["$ref"].removeprefix("#")
            node = self.node(pointer)
        return pointer

    @cached_property
    def _registry(self) -> referencing.Registry[Any]:
        registry = referencing.Registry().with_resource(_DOCUMENT_URI, _resource(self.document))
        return cast("referencing.Registry[Any]", registry)  # attrs hides the type from mypy


def default_spec_path() -> Path:
    """`MOCKSERVER_SPEC` if set, else the packaged copy, else openapi.yaml beside the package."""
    configured = os.environ.get("MOCKSERVER_SPEC")
    if configured:
        return Path(configured)
    package = Path(__file__).resolve().parent.parent
    bundled = package / "_bundled" / "openapi.yaml"
    return bundled if bundled.is_file() else package.parent / "openapi.yaml"


def load_spec(path: Path | str | None = None) -> Contract:
    """Read and validate the contract; a SpecError names the file, line, pointer and reason."""
    file = Path(path) if path is not None else default_spec_path()
    try:
        source = read_yaml(file)
    except YamlSourceError as error:
        raise SpecError(error.place, error.reason) from error
    if not isinstance(source.data, dict):
        raise SpecError(source.place(""), "the document must be a mapping (an OpenAPI object)")
    # Own checks first: they name the exact place, where the validator would name the root.
    _check_references(source)
    _check_operation_ids(source)
    _check_path_parameters(source)
    _check_openapi(source)
    return Contract(source)


def check_openapi_source(source: YamlSource) -> None:
    """Every `$ref` local and leading somewhere, and valid OpenAPI 3.1, or a SpecError with the place.

    The part of `load_spec`'s checks that any OpenAPI document must pass (the review's diff reads
    documents that need not follow this toolkit's own conventions)."""
    if not isinstance(source.data, dict):
        raise SpecError(source.place(""), "the document must be a mapping (an OpenAPI object)")
    _check_references(source)
    _check_openapi(source)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Follow a JSON pointer through dicts and lists; KeyError when it leads nowhere."""
    node = document
    for raw_token in pointer.split("/")[1:] if pointer else []:
        token = raw_token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def iter_nodes(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every node of a document with its JSON pointer, parents first."""
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from iter_nodes(value, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_nodes(value, f"{pointer}/{index}")


def _check_openapi(source: YamlSource) -> None:
    if not str(source.data.get("openapi", "")).startswith("3.1"):
        raise SpecError(source.place("/openapi"), "this toolkit reads OpenAPI 3.1 documents")
    key = valid_cache.content_key(source.data)
    if valid_cache.known_valid(key):
        return
    from openapi_spec_validator import OpenAPIV31SpecValidator  # only when not known valid: 0.09 s of imports

    validator = OpenAPIV31SpecValidator(source.data, base_uri=source.file.absolute().as_uri())
    for error in validator.iter_errors():
        pointer = "".join(f"/{escape_pointer_token(part)}" for part in error.absolute_path)
        raise SpecError(source.place(pointer), f"not valid OpenAPI 3.1: {error.message}")
    valid_cache.remember_valid(key)


def _check_references(source: YamlSource) -> None:
    for pointer, node in iter_nodes(source.data):
        if not isinstance(node, dict) or "$ref" not in node:
            continue
        reference = node["$ref"]
        if not isinstance(reference, str) or not reference.startswith("#"):
            reason = f"$ref {reference!r} is not local; the contract is a single file"
            raise SpecError(source.place(f"{pointer}/$ref"), reason)
        try:
            resolve_pointer(source.data, reference[1:])
        except KeyError:
            raise SpecError(source.place(f"{pointer}/$ref"), f"$ref {reference!r} leads nowhere") from None


def find_operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, path_item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in path_item:
                pointer = f"/paths/{escape_pointer_token(path)}/{method}"
                operation_id = path_item[method].get("operationId", "")
                transport = str(path_item[method].get("x-zitadel-transport", "gateway"))
                yield Operation(operation_id, method.upper(), path, pointer, transport)


def _check_operation_ids(source: YamlSource) -> None:
    seen: set[str] = set()
    for operation in find_operations(source.data):
        if not operation.operation_id:
            raise SpecError(source.place(operation.pointer), "operationId is missing")
        if operation.operation_id in seen:
            reason = f"operationId {operation.operation_id!r} is used twice"
            raise SpecError(source.place(f"{operation.pointer}/operationId"), reason)
        if operation.transport not in TRANSPORTS:
            reason = f"x-zitadel-transport must be one of {', '.join(TRANSPORTS)}"
            raise SpecError(source.place(f"{operation.pointer}/x-zitadel-transport"), reason)
        seen.add(operation.operation_id)


def _check_path_parameters(source: YamlSource) -> None:
    """Every `{name}` of a path is a declared path parameter of each of its operations, and back."""
    for operation in find_operations(source.data):
        in_template = set(re.findall(r"\{([^}]*)\}", operation.path))
        path_item = source.data["paths"][operation.path]
        declared: set[str] = set()
        for raw in (
            *(path_item.get("parameters") or []),
            *(path_item[operation.method.lower()].get("parameters") or []),
        ):
            parameter = _followed(source.data, raw)
            if isinstance(parameter, dict) and parameter.get("in") == "path":
                declared.add(str(parameter.get("name")))
        for name in sorted(in_template - declared):
            reason = f"the path has {{{name}}}, and the operation declares no path parameter {name!r}"
            raise SpecError(source.place(operation.pointer), reason)
        for name in sorted(declared - in_template):
            reason = f"path parameter {name!r} is declared, and the path has no {{{name}}}"
            raise SpecError(source.place(operation.pointer), reason)


def _followed(document: Any, node: Any) -> Any:
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        node = resolve_pointer(document, node["$ref"][1:])
    return node


def _resource(document: Any) -> referencing.Resource[Any]:
    return referencing.Resource.from_contents(document, default_specification=referencing.jsonschema.DRAFT202012)


def describe_error(error: Any) -> str:
    """`/json/pointer: message` for a jsonschema validation error."""
    where = "".join(f"/{escape_pointer_token(part)}" for part in error.absolute_path)
    return f"{where or '/'}: {error.message}"
