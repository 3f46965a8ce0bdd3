"""Answers taken from the contract instead of from state: named examples and dynamic bodies.

`Prefer: code=`, `example=` pick one of the operation's documented responses and its named
example; `dynamic=true` makes a fresh, valid body: a random set of factors for a list, fresh
details for an add or remove, a random named example for an error.
"""

from __future__ import annotations

import random
from typing import Any

from mockserver import zitadel_errors
from mockserver.factors import factor_kinds
from mockserver.preferences import Preferences
from mockserver.spec import Contract, Operation
from mockserver.timestamps import now_timestamp
from mockserver.zitadel_api import RPCS, SUCCESS_HEADERS, Answer


class ContractAnswers:
    """Builds answers from the contract's responses and examples."""

    def __init__(self, contract: Contract, rng: random.Random | None = None) -> None:
        self._contract = contract
        self._kinds = factor_kinds(contract)
        self._random = rng or random.Random()

    def answer(self, operation: Operation, preferences: Preferences) -> Answer:
        """The answer `preferences` ask for; a mock 501 lists what exists when nothing fits."""
        status_key = self._status_key(operation, preferences.code)
        status = preferences.code or (200 if status_key == "default" else int(status_key))
        if preferences.dynamic and status == 200:
            return self._dynamic_success(operation)
        examples = self._examples(operation, status_key)
        name = preferences.example or (
            self._random.choice(list(examples)) if preferences.dynamic else next(iter(examples), None)
        )
        if name is None or name not in examples:
            known = ", ".join(f"{key}/{example}" for key, example in self._all_examples(operation))
            text = f"{operation.operation_id} has no example {name!r} for {status_key}"
            raise zitadel_errors.ZitadelError(12, f"mock: {text}; known: {known}")
        return self._example_answer(status, examples[name])

    def error_answer(self, operation: Operation, status: int) -> Answer:
        """A documented error of `operation` with that status, for injected faults."""
        return self.answer(operation, Preferences(code=status))

    def _status_key(self, operation: Operation, code: int | None) -> str:
        responses = self._responses(operation)
        if code is None:
            return "200"
        if str(code) in responses:
            return str(code)
        if code in zitadel_errors.CODE_FOR_SERVER_FAILURE and "default" in responses:
            return "default"  # server-side failures any operation may answer
        documented = ", ".join(responses)
        text = f"{operation.operation_id} documents no {code} response; it has {documented}"
        raise zitadel_errors.ZitadelError(12, f"mock: {text}")

    def _responses(self, operation: Operation) -> dict[str, Any]:
        responses: dict[str, Any] = self._contract.node(operation.pointer)["responses"]
        return responses

    def _examples(self, operation: Operation, status_key: str) -> dict[str, Any]:
        response = self._contract.resolve(self._responses(operation)[status_key])
        media = response.get("content", {}).get("application/json", {})
        return {name: self._contract.resolve(example)["value"] for name, example in media.get("examples", {}).items()}

    def _all_examples(self, operation: Operation) -> list[tuple[str, str]]:
        return [
            (status_key, name)
            for status_key in self._responses(operation)
            for name in self._examples(operation, status_key)
        ]

    @staticmethod
    def _example_answer(status: int, body: Any) -> Answer:
        body = dict(body) if isinstance(body, dict) else body
        if isinstance(body, dict) and status in zitadel_errors.CODE_FOR_SERVER_FAILURE:
            # keep the gRPC code true to the status
            body["code"] = zitadel_errors.CODE_FOR_SERVER_FAILURE[status]
        if status == 200:
            return Answer(200, body, dict(SUCCESS_HEADERS))
        headers = {"WWW-Authenticate": body["message"]} if status == 401 else {}
        return Answer(status, body, headers)

    def _dynamic_success(self, operation: Operation) -> Answer:
        action, kind = RPCS[operation.operation_id.partition("_")[2]]
        sequence = str(self._random.randint(1, 10**9))
        now = now_timestamp()
        if action == "list":
            names = [n for n, number in self._kinds[kind].numbers.items() if number]
            chosen = self._random.sample(names, self._random.randint(0, len(names)))
            details = {"processedSequence": sequence, "viewTimestamp": now}
            body: dict[str, Any] = {"details": details}
            if chosen:
                details["totalResult"] = str(len(chosen))
                body["result"] = chosen
            return Answer(200, body, dict(SUCCESS_HEADERS))
        date_field = "creationDate" if action == "add" else "changeDate"
        owner = str(self._random.randint(10**17, 10**18 - 1))
        details = {"sequence": sequence, date_field: now, "resourceOwner": owner}
        return Answer(200, {"details": details}, dict(SUCCESS_HEADERS))
