"""Answers taken from the contract instead of from state: named examples and random valid bodies.

An operation without a declared behaviour answers its first named 200 example (after ZITADEL's
checks). `Prefer: code=`, `example=` pick one of an operation's documented responses and a named
example of it; `dynamic=true` makes a fresh body that keeps the 200 schema (or picks a random
named example of an error status).
"""

from __future__ import annotations

import random
from typing import Any

from mockserver.contract.spec import Contract, Operation
from mockserver.server.preferences import Preferences
from mockserver.server.sampler import SchemaSampler
from mockserver.zitadel import wire
from mockserver.zitadel.errors import CODE_FOR_SERVER_FAILURE, ZitadelError
from mockserver.zitadel.wire import Answer

_DYNAMIC_ATTEMPTS = 20


class ExampleAnswers:
    """Builds answers from the contract's responses and examples."""

    def __init__(self, contract: Contract, rng: random.Random | None = None) -> None:
        self._contract = contract
        self._random = rng or random.Random()
        self._sampler = SchemaSampler(contract, self._random)

    def first_success(self, operation: Operation) -> Answer:
        """The first named example of the 200 response; a mock 501 when there is none."""
        examples = self._examples(operation, "200")
        if not examples:
            text = f"{operation.operation_id} has no behaviour in the fixtures and no named 200 example"
            raise ZitadelError(12, f"mock: {text}")
        return self._example_answer(operation, 200, next(iter(examples.values())))

    def answer(self, operation: Operation, preferences: Preferences) -> Answer:
        """The answer `preferences` ask for; a mock 400 lists what exists when nothing fits."""
        status_key = self._status_key(operation, preferences.code)
        status = preferences.code or (200 if status_key == "default" else int(status_key))
        if preferences.dynamic and status == 200:
            return self._dynamic_success(operation)
        examples = self._examples(operation, status_key)
        name = preferences.example or (
            self._random.choice(list(examples)) if preferences.dynamic and examples else next(iter(examples), None)
        )
        if name is None or name not in examples:
            known = ", ".join(f"{key}/{example}" for key, example in self._all_examples(operation))
            text = f"{operation.operation_id} has no example {name!r} for {status_key}"
            raise ZitadelError(3, f"mock: {text}; known: {known}")
        return self._example_answer(operation, status, examples[name])

    def error_answer(self, operation: Operation, status: int) -> Answer:
        """A documented error of `operation` with that status, for injected faults."""
        return self.answer(operation, Preferences(code=status))

    def _status_key(self, operation: Operation, code: int | None) -> str:
        responses = self._contract.definition(operation)["responses"]
        if code is None:
            return "200"
        if str(code) in responses:
            return str(code)
        if code in CODE_FOR_SERVER_FAILURE and "default" in responses:
            return "default"  # server-side failures any operation may answer
        documented = ", ".join(responses)
        raise ZitadelError(3, f"mock: {operation.operation_id} documents no {code} response; it has {documented}")

    def _examples(self, operation: Operation, status_key: str) -> dict[str, Any]:
        response = self._contract.responses(operation).get(status_key, {})
        media = response.get("content", {}).get("application/json", {})
        return {
            name: self._contract.resolve(example).get("value") for name, example in media.get("examples", {}).items()
        }

    def _all_examples(self, operation: Operation) -> list[tuple[str, str]]:
        responses = self._contract.definition(operation)["responses"]
        return [(status_key, name) for status_key in responses for name in self._examples(operation, status_key)]

    @staticmethod
    def _example_answer(operation: Operation, status: int, body: Any) -> Answer:
        body = dict(body) if isinstance(body, dict) else body
        if isinstance(body, dict) and status in CODE_FOR_SERVER_FAILURE and isinstance(body.get("code"), int):
            body["code"] = CODE_FOR_SERVER_FAILURE[status]  # keep the gRPC code true to the status
        if status == 200:
            return wire.success(operation.transport, body)
        return wire.example_error(operation.transport, status, body)

    def _dynamic_success(self, operation: Operation) -> Answer:
        pointer = self._contract.response_schema_pointer(operation, 200)
        if pointer is None:
            return self.first_success(operation)
        for _ in range(_DYNAMIC_ATTEMPTS):
            body = _consistent_counts(self._sampler.sample({"$ref": f"#{pointer}"}))
            if not self._contract.schema_errors(pointer, body):
                return wire.success(operation.transport, body)
        return self.first_success(operation)


def _consistent_counts(body: Any) -> Any:
    """ZITADEL's list rule: `details.totalResult` is the number of `result` entries, absent at 0."""
    if isinstance(body, dict) and isinstance(body.get("details"), dict) and "result" in body:
        result = body.get("result") or []
        if result:
            body["details"]["totalResult"] = str(len(result))
        else:
            body.pop("result", None)
            body["details"].pop("totalResult", None)
    return body
