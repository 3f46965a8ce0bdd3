"""The walk over both documents: endpoints, their security, parameters, bodies and responses.

Endpoints are paired by method and path template with the parameter names left out, as oasdiff
pairs them, so renaming `{type}` to `{factor}` changes no URL and is no change. An operation's
parameters are those of its path item and its own together (its own win), keyed by where they go
and their name (a path parameter by its position in the template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contract_tests.review.diff import media
from contract_tests.review.diff.change import BASE, Change, Changes
from contract_tests.review.diff.schemas import REQUEST, RESPONSE, SchemaDiff, Spot, follow
from contract_tests.review.diff.security import compare_security, requirements
from mockserver.contract.spec import HTTP_METHODS
from mockserver.contract.yaml_source import escape_pointer_token

_TEMPLATE = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True)
class Endpoint:
    """One operation of a document: its method, path, node and where it is written."""

    method: str
    path: str
    pointer: str
    node: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_names(self) -> list[str]:
        return _TEMPLATE.findall(self.path)


def diff_documents(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every change from `base` to `head` (both valid OpenAPI documents), breaking ones first."""
    changes = Changes()
    _Walk(base, head, changes).run()
    return changes.sorted()


def endpoints(document: dict[str, Any]) -> dict[tuple[str, str], Endpoint]:
    """The document's operations by (method, path template without parameter names)."""
    found = {}
    for path, path_item in (document.get("paths") or {}).items():
        if not isinstance(path_item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(path_item.get(method), dict):
                pointer = f"/paths/{escape_pointer_token(path)}/{method}"
                endpoint = Endpoint(method.upper(), path, pointer, path_item[method], path_item)
                found[(endpoint.method, _TEMPLATE.sub("{}", path))] = endpoint
    return found


class _Walk:
    """Both documents side by side, reporting into `changes`."""

    def __init__(self, base: dict[str, Any], head: dict[str, Any], changes: Changes) -> None:
        self.base, self.head, self.changes = base, head, changes
        self.operation = ""
        self.schemas = SchemaDiff(base, head, self._schema_change)

    def _schema_change(self, rule: str, where: str, message: str, pointer: str, side: str) -> None:
        self.changes.add(rule, self.operation, where, message, pointer, side)

    def add(self, rule: str, where: str, message: str, pointer: str, side: str = "head") -> None:
        self.changes.add(rule, self.operation, where, message, pointer, side)

    def run(self) -> None:
        compare_security(
            self.changes,
            "api-global-security",
            "",
            requirements(self.base.get("security")),
            requirements(self.head.get("security")),
            "/security",
        )
        self._security_schemes()
        old, new = endpoints(self.base), endpoints(self.head)
        head_templates = {template for _, template in new}
        for key in sorted(old.keys() - new.keys()):
            self._removed(old[key], key[1] in head_templates)
        for key in sorted(new.keys() - old.keys()):
            self.operation = new[key].label
            self.add("endpoint-added", "", "operation added", new[key].pointer)
        for key in sorted(old.keys() & new.keys()):
            self._endpoint(old[key], new[key])

    def _removed(self, endpoint: Endpoint, path_kept: bool) -> None:
        self.operation = endpoint.label
        scope = "api" if path_kept else "api-path"
        deprecated = "with" if endpoint.node.get("deprecated") else "without"
        self.add(f"{scope}-removed-{deprecated}-deprecation", "", "operation removed", endpoint.pointer, BASE)

    def _security_schemes(self) -> None:
        old = (self.base.get("components") or {}).get("securitySchemes") or {}
        new = (self.head.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(set(old) & set(new)):
            before, after = (_scheme_kind(scheme) for scheme in (old[name], new[name]))
            if before != after:
                self.operation = ""
                pointer = f"/components/securitySchemes/{escape_pointer_token(name)}"
                message = f"security scheme {name} changed from {before} to {after}"
                self.add("api-security-component-type-changed", f"security scheme {name}", message, pointer)

    def _endpoint(self, old: Endpoint, new: Endpoint) -> None:
        self.operation = new.label
        if bool(old.node.get("deprecated")) != bool(new.node.get("deprecated")):
            rule = "endpoint-deprecated" if new.node.get("deprecated") else "endpoint-reactivated"
            self.add(rule, "", rule.replace("endpoint-", "operation "), new.pointer)
        old_id, new_id = old.node.get("operationId"), new.node.get("operationId")
        if old_id and old_id != new_id:
            message = f"operationId {old_id} removed" + (f", replaced by {new_id}" if new_id else "")
            self.add("api-operation-id-removed", "", message, f"{new.pointer}/operationId")
        if "security" in old.node or "security" in new.node:
            before = requirements(old.node.get("security", self.base.get("security")))
            after = requirements(new.node.get("security", self.head.get("security")))
            compare_security(self.changes, "api-security", new.label, before, after, f"{new.pointer}/security")
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)

    def _parameters(self, old: Endpoint, new: Endpoint) -> None:
        renamed = dict(zip(old.path_names, new.path_names, strict=False))
        before = _parameters(self.base, old, renamed)
        after = _parameters(self.head, new, {})
        for key in sorted(after.keys() - before.keys()):
            parameter, pointer = after[key]
            required = bool(parameter.get("required"))
            rule = "new-required-request-parameter" if required else "new-optional-request-parameter"
            self.add(
                rule,
                f"{key[0]} parameter {key[1]}",
                f"{'required' if required else 'optional'} parameter added",
                pointer,
            )
        for key in sorted(before.keys() - after.keys()):
            self.add(
                "request-parameter-removed", f"{key[0]} parameter {key[1]}", "parameter removed", before[key][1], BASE
            )
        for key in sorted(before.keys() & after.keys()):
            (was, was_at), (now, now_at) = before[key], after[key]
            where = f"{key[0]} parameter {key[1]}"
            if bool(was.get("required")) != bool(now.get("required")):
                rule = (
                    "request-parameter-became-required" if now.get("required") else "request-parameter-became-optional"
                )
                self.add(rule, where, rule.removeprefix("request-parameter-").replace("-", " "), f"{now_at}/required")
            if "schema" in was and "schema" in now:
                spot = Spot(REQUEST, "request-parameter", where)
                self.schemas.compare((was["schema"], f"{was_at}/schema"), (now["schema"], f"{now_at}/schema"), spot)

    def _request_body(self, old: Endpoint, new: Endpoint) -> None:
        was, was_at = follow(self.base, old.node.get("requestBody"), f"{old.pointer}/requestBody")
        now, now_at = follow(self.head, new.node.get("requestBody"), f"{new.pointer}/requestBody")
        if not isinstance(was, dict) and not isinstance(now, dict):
            return
        if not isinstance(was, dict):
            rule = "request-body-added-required" if now.get("required") else "request-body-added-optional"
            self.add(rule, "request body", "request body added", now_at)
            return
        if not isinstance(now, dict):
            self.add("request-body-removed", "request body", "request body removed", was_at, BASE)
            return
        if bool(was.get("required")) != bool(now.get("required")):
            rule = "request-body-became-required" if now.get("required") else "request-body-became-optional"
            self.add(rule, "request body", rule.removeprefix("request-body-").replace("-", " "), now_at)
        self._content(REQUEST, "request body", (was, was_at), (now, now_at))

    def _responses(self, old: Endpoint, new: Endpoint) -> None:
        was, now = old.node.get("responses") or {}, new.node.get("responses") or {}
        for status in sorted(set(was) - set(now), key=str):
            self._response_removed(str(status), "default" in now, f"{old.pointer}/responses/{status}")
        for status in sorted(set(now) - set(was), key=str):
            kind = "success" if str(status).startswith("2") else "non-success"
            self.add(
                f"response-{kind}-status-added",
                f"response {status}",
                "response added",
                f"{new.pointer}/responses/{status}",
            )
        for status in sorted(set(was) & set(now), key=str):
            before = follow(self.base, was[status], f"{old.pointer}/responses/{escape_pointer_token(status)}")
            after = follow(self.head, now[status], f"{new.pointer}/responses/{escape_pointer_token(status)}")
            self._headers(f"response {status}", before, after)
            self._content(RESPONSE, f"response {status}", before, after)

    def _response_removed(self, status: str, default_kept: bool, pointer: str) -> None:
        where = f"response {status}"
        if status.startswith("2"):
            self.add("response-success-status-removed", where, "success response removed", pointer, BASE)
        elif default_kept or status == "default":
            self.add(
                "response-non-success-status-removed",
                where,
                "error response removed; `default` still covers it",
                pointer,
                BASE,
            )
        else:
            message = "error response removed, and no `default` describes what comes instead"
            self.add("error-response-removed-without-default", where, message, pointer, BASE)

    def _headers(self, where: str, before: tuple[Any, str], after: tuple[Any, str]) -> None:
        old = _headers(self.base, before)
        new = _headers(self.head, after)
        for name in sorted(set(old) - set(new)):
            header, pointer = old[name]
            rule = "required-response-header-removed" if header.get("required") else "optional-response-header-removed"
            self.add(rule, f"{where} header {name}", "header removed", pointer, BASE)
        for name in sorted(set(new) - set(old)):
            self.add("response-header-added", f"{where} header {name}", "header added", new[name][1])
        for name in sorted(set(old) & set(new)):
            (was, was_at), (now, now_at) = old[name], new[name]
            if was.get("required") and not now.get("required"):
                self.add(
                    "response-header-became-optional", f"{where} header {name}", "header no longer guaranteed", now_at
                )
            if "schema" in was and "schema" in now:
                spot = Spot(RESPONSE, "response-header", f"{where} header {name}")
                self.schemas.compare((was["schema"], f"{was_at}/schema"), (now["schema"], f"{now_at}/schema"), spot)

    def _content(self, direction: str, where: str, before: tuple[Any, str], after: tuple[Any, str]) -> None:
        (was, was_at), (now, now_at) = before, after
        old, new = was.get("content") or {}, now.get("content") or {}
        pairs, removed, added = media.pair(list(old), list(new))
        kind = "request-body" if direction == REQUEST else "response"
        for name in removed:
            self.add(f"{kind}-media-type-removed", where, f"media type {name} removed", _media_at(was_at, name), BASE)
        for name in added:
            self.add(f"{kind}-media-type-added", where, f"media type {name} added", _media_at(now_at, name))
        for old_name, new_name in pairs:
            self._media_renamed(direction, where, old_name, new_name, _media_at(now_at, new_name))
            old_media, new_media = old[old_name] or {}, new[new_name] or {}
            old_schema_at, new_schema_at = (
                f"{_media_at(was_at, old_name)}/schema",
                f"{_media_at(now_at, new_name)}/schema",
            )
            body = "request-body" if direction == REQUEST else "response-body"
            if "schema" in old_media and "schema" not in new_media:
                self.add(
                    f"{body}-media-type-schema-removed",
                    where,
                    f"{new_name} no longer has a schema",
                    old_schema_at,
                    BASE,
                )
            elif "schema" in new_media and "schema" not in old_media:
                self.add(f"{body}-media-type-schema-added", where, f"{new_name} has a schema now", new_schema_at)
            elif "schema" in old_media:
                spot = Spot(direction, body, where)
                self.schemas.compare((old_media["schema"], old_schema_at), (new_media["schema"], new_schema_at), spot)

    def _media_renamed(self, direction: str, where: str, old_name: str, new_name: str, pointer: str) -> None:
        relation = media.relation(old_name, new_name)
        if relation == media.SAME:
            return
        message = f"media type {old_name} is now {new_name}"
        if direction == REQUEST:
            self.add("request-body-media-type-name-changed", where, message, pointer)
        elif relation == media.PARAMETERS:
            self.add("response-media-type-name-changed", where, message, pointer)
        else:
            self.add(f"response-media-type-name-{relation}", where, message, pointer)


def _parameters(document: dict[str, Any], endpoint: Endpoint, renamed: dict[str, str]) -> dict[tuple[str, str], Any]:
    """(in, name) -> (parameter, pointer): the path item's and the operation's, the operation's winning."""
    item_pointer = endpoint.pointer.rsplit("/", 1)[0]
    found: dict[tuple[str, str], Any] = {}
    for owner, pointer in ((endpoint.path_item, item_pointer), (endpoint.node, endpoint.pointer)):
        for index, raw in enumerate(owner.get("parameters") or []):
            parameter, at = follow(document, raw, f"{pointer}/parameters/{index}")
            if not isinstance(parameter, dict):
                continue
            where, name = str(parameter.get("in")), str(parameter.get("name"))
            name = name.lower() if where == "header" else renamed.get(name, name) if where == "path" else name
            found[(where, name)] = (parameter, at)
    return found


def _headers(document: dict[str, Any], response: tuple[Any, str]) -> dict[str, tuple[dict[str, Any], str]]:
    node, pointer = response
    found = {}
    for name, raw in ((node or {}).get("headers") or {}).items():
        header, at = follow(document, raw, f"{pointer}/headers/{escape_pointer_token(name)}")
        found[name.lower()] = (header if isinstance(header, dict) else {}, at)
    return found


def _media_at(pointer: str, name: str) -> str:
    return f"{pointer}/content/{escape_pointer_token(name)}"


def _scheme_kind(scheme: Any) -> str:
    if not isinstance(scheme, dict):
        return "?"
    parts = [scheme.get("type"), scheme.get("scheme"), scheme.get("in"), scheme.get("name")]
    return " ".join(str(part).lower() for part in parts if part)
