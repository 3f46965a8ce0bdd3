"""The shared spec loader: what it finds, and how it refuses a bad document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver import SpecError, load_spec
from mockserver.contract.spec import default_spec_path, resolve_pointer
from tests.conftest import REPO_ROOT, minimal_document

INVALID_OPENAPI = """openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /x:
    post:
      operationId: X_Do
      responses:
        '200':
          content: {}
"""  # the response lacks its description


def test_default_spec_is_the_repository_contract() -> None:
    assert default_spec_path() == REPO_ROOT / "openapi.yaml"


def test_env_variable_overrides_the_default_spec(
    monkeypatch: pytest.MonkeyPatch, spec_factory: Callable[..., Path]
) -> None:
    file = spec_factory()
    monkeypatch.setenv("MOCKSERVER_SPEC", str(file))
    assert load_spec().file == file


def test_operations_are_indexed_by_operation_id(spec_factory: Callable[..., Path]) -> None:
    contract = load_spec(spec_factory())
    operation = contract.operation("X_Do")
    assert (operation.method, operation.path, operation.pointer) == (
        "POST",
        "/x",
        "/paths/~1x/post",
    )


def test_unknown_operation_id_names_the_known_ones(spec_factory: Callable[..., Path]) -> None:
    with pytest.raises(KeyError, match="known: X_Do"):
        load_spec(spec_factory()).operation("Nope")


def test_operation_label_is_method_and_path() -> None:
    operation = load_spec().operation("AdminService_ListLoginPolicySecondFactors")
    assert operation.label == "POST /admin/v1/policies/login/second_factors/_search"


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the file") as raised:
        load_spec(tmp_path / "absent.yaml")
    assert raised.value.place.file == tmp_path / "absent.yaml"


def test_yaml_syntax_error_names_the_line(spec_factory: Callable[..., Path]) -> None:
    file = spec_factory("openapi: 3.1.0\ninfo:\n  title: [unclosed\n")
    with pytest.raises(SpecError, match="invalid YAML") as raised:
        load_spec(file)
    assert raised.value.place.line is not None and raised.value.place.line >= 3


def test_openapi_violation_names_pointer_and_line(spec_factory: Callable[..., Path]) -> None:
    with pytest.raises(SpecError, match="not valid OpenAPI 3.1") as raised:
        load_spec(spec_factory(INVALID_OPENAPI))
    place = raised.value.place
    assert (place.pointer, place.line) == ("/paths/~1x/post/responses/200", 8)
    assert str(place) == f"{place.file}:8 at /paths/~1x/post/responses/200"


def test_openapi_30_is_refused(spec_factory: Callable[..., Path]) -> None:
    document = minimal_document()
    document["openapi"] = "3.0.3"
    with pytest.raises(SpecError, match="OpenAPI 3.1"):
        load_spec(spec_factory(document))


def test_dangling_ref_names_where_it_stands(spec_factory: Callable[..., Path]) -> None:
    document = minimal_document()
    document["paths"]["/x"]["post"]["responses"]["200"] = {"$ref": "#/components/responses/Gone"}
    with pytest.raises(SpecError, match="leads nowhere") as raised:
        load_spec(spec_factory(document))
    assert raised.value.place.pointer == "/paths/~1x/post/responses/200/$ref"


def test_duplicate_keys_are_refused(spec_factory: Callable[..., Path]) -> None:
    text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\npaths: {}\n"
    with pytest.raises(SpecError, match="duplicate key 'paths'") as raised:
        load_spec(spec_factory(text))
    assert raised.value.place.line == 4


def test_duplicate_operation_ids_are_refused(spec_factory: Callable[..., Path]) -> None:
    operation = {"operationId": "Same", "responses": {"200": {"description": "ok"}}}
    document = minimal_document({"/a": {"post": operation}, "/b": {"post": operation}})
    with pytest.raises(SpecError, match="used twice"):
        load_spec(spec_factory(document))


def test_missing_operation_id_is_refused(spec_factory: Callable[..., Path]) -> None:
    document = minimal_document({"/a": {"get": {"responses": {"200": {"description": "ok"}}}}})
    with pytest.raises(SpecError, match="operationId is missing"):
        load_spec(spec_factory(document))


def test_resolve_follows_chains_of_refs(spec_factory: Callable[..., Path]) -> None:
    document = minimal_document()
    document["components"] = {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string"}}}
    contract = load_spec(spec_factory(document))
    assert contract.resolve({"$ref": "#/components/schemas/A"}) == {"type": "string"}


def test_resolve_pointer_unescapes_tokens() -> None:
    document = {"paths": {"/a/b": {"x~y": 1}}}
    assert resolve_pointer(document, "/paths/~1a~1b/x~0y") == 1
    with pytest.raises(KeyError):
        resolve_pointer(document, "/paths/missing")


def test_schema_errors_say_where_the_instance_breaks() -> None:
    contract = load_spec(REPO_ROOT / "openapi.yaml")
    errors = contract.schema_errors(
        "/components/schemas/ListLoginPolicySecondFactorsResponse",
        {"details": {"totalResult": "0"}},
    )
    assert errors == ["/details/totalResult: '0' does not match '^[1-9][0-9]{0,19}$'"]


def test_relative_paths_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    contract = load_spec("openapi.yaml")
    assert contract.file == Path("openapi.yaml") and contract.operation("AdminService_ListLoginPolicySecondFactors")


@pytest.fixture
def validator_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """How many times openapi-spec-validator runs, with a cache folder of the test's own."""
    import openapi_spec_validator as spec_module  # imported by load_spec only when it validates

    runs: list[int] = []
    real = spec_module.OpenAPIV31SpecValidator

    def counting(*arguments: Any, **keywords: Any) -> Any:
        runs.append(1)
        return real(*arguments, **keywords)

    monkeypatch.setattr(spec_module, "OpenAPIV31SpecValidator", counting)
    monkeypatch.setenv("MOCKSERVER_CACHE_DIR", str(tmp_path / "cache"))
    return runs


def test_a_contract_that_passed_is_not_validated_again(
    validator_runs: list[int], spec_factory: Callable[..., Path]
) -> None:
    first = load_spec(REPO_ROOT / "openapi.yaml")
    again = load_spec(REPO_ROOT / "openapi.yaml")
    assert len(validator_runs) == 1 and first.document == again.document
    changed = spec_factory(minimal_document())
    load_spec(changed)
    assert len(validator_runs) == 2  # other content: validated


def test_a_broken_contract_is_reported_at_every_load(
    validator_runs: list[int], spec_factory: Callable[..., Path]
) -> None:
    path = spec_factory(INVALID_OPENAPI)
    for _ in range(2):
        with pytest.raises(SpecError, match="not valid OpenAPI 3.1"):
            load_spec(path)
    assert len(validator_runs) == 2


def test_the_cache_can_be_turned_off(validator_runs: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_CACHE_DIR", "off")
    load_spec(REPO_ROOT / "openapi.yaml")
    load_spec(REPO_ROOT / "openapi.yaml")
    assert len(validator_runs) == 2
