"""Write what the proxy saw as a scenario of the mock (`--record DIR`): canned answers per
operation, each with the request matcher a scenario has (the `x-zitadel-orgid` header and the
path parameters), so `mockserver --fixtures DIR --scenario NAME` answers them again.

DIR becomes a fixtures folder: its `world.yaml` and `behaviours.yaml` are copied from the
proxy's fixtures when it has none, and the scenario goes to `DIR/scenarios/NAME.yaml`, rewritten
(whole, atomically) after each new answer, so it is valid whenever the proxy stops.

What is kept, and why:
- only exchanges whose request and answer both keep the contract, of operations the contract
  has, with a status the operation documents: the file must pass `contract-tests fixtures`;
- successes, and ZITADEL's own errors (those with an id, such as "already exists"); not the
  gateway's checks of who is calling (401, 403, `membership not found`), because a replay cannot
  tell callers apart, nor errors without an id (decoding, validation), which depend on a body a
  matcher cannot see;
- one answer per operation and matcher: the last one seen;
- no credential: the matcher holds the organization header only, and the answer only the headers
  the contract declares for it (never `Set-Cookie`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from mockserver.contract.spec import Contract, Operation
from mockserver.errors import MockServerError, ProxyError
from mockserver.fixtures.behaviours import BEHAVIOURS_FILE
from mockserver.fixtures.loader import load_fixtures
from mockserver.fixtures.scenarios import SCENARIO_FOLDER
from mockserver.fixtures.world import WORLD_FILE
from mockserver.proxy.forwarding import Forwarded
from mockserver.zitadel.errors import ErrorCatalogue, ZitadelError
from mockserver.zitadel.gateway import ORG_HEADER
from mockserver.zitadel.protojson import format_timestamp

SCENARIO_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
MATCHED_HEADERS = (ORG_HEADER,)  # what a replay can match on; never a credential


@dataclass(frozen=True)
class _Key:
    operation_id: str
    headers: tuple[tuple[str, str], ...]
    path: tuple[tuple[str, str], ...]


class Recorder:
    """The scenario being recorded, shared by the proxy's threads."""

    def __init__(self, folder: Path, name: str, contract: Contract, fixtures: Path, source: str) -> None:
        if not SCENARIO_NAME.fullmatch(name):
            raise ProxyError(f"--record-name {name!r}: use letters, digits, '-' and '_' (at most 64)")
        self.folder = folder
        self.name = name
        self.contract = contract
        self.fixtures = fixtures
        self.source = source
        self.file = folder / SCENARIO_FOLDER / f"{name}.yaml"
        catalogue = ErrorCatalogue.from_contract(contract)
        self._callers_errors = {error.error_id for error in catalogue.errors.values() if error.error_id}
        self._answers: dict[_Key, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Make the folder a fixtures folder, write an empty scenario and load it as the mock
        would; ProxyError says why it cannot be used."""
        try:
            (self.folder / SCENARIO_FOLDER).mkdir(parents=True, exist_ok=True)
            for name in (WORLD_FILE, BEHAVIOURS_FILE):
                if not (self.folder / name).exists():
                    shutil.copyfile(self.fixtures / name, self.folder / name)
            self._write()
        except OSError as error:
            raise ProxyError(f"cannot record to {self.folder}: {error.strerror or error}") from None
        try:
            load_fixtures(self.folder, self.contract)
        except MockServerError as error:
            raise ProxyError(f"cannot record to {self.folder}: {error}") from None

    def note(
        self,
        operation: Operation,
        parameters: Mapping[str, str],
        request_headers: Mapping[str, str],
        forwarded: Forwarded,
        body: Any,
    ) -> bool:
        """Keep the answer if a replay can give it to the same request (see the module's rules);
        True when it was kept. `request_headers` have lower-case names."""
        if not self._replayable(operation, forwarded.status, body):
            return False
        key = _Key(
            operation.operation_id,
            tuple((name, request_headers[name]) for name in MATCHED_HEADERS if name in request_headers),
            tuple(sorted(parameters.items())),
        )
        response: dict[str, Any] = {"status": forwarded.status}
        headers = self._declared_headers(operation, forwarded)
        if headers:
            response["headers"] = headers
        response["body"] = body
        with self._lock:
            self._answers[key] = response
            try:
                self._write()
            except OSError as error:
                raise ProxyError(f"cannot write {self.file}: {error.strerror or error}") from None
        return True

    def _replayable(self, operation: Operation, status: int, body: Any) -> bool:
        if str(status) not in self.contract.definition(operation)["responses"]:
            return False
        if 200 <= status < 300:
            return True
        if not isinstance(body, dict) or type(body.get("code")) not in (int, str):
            return False
        try:
            error_id = ZitadelError.from_example(status, body).error_id
        except (StopIteration, ValueError, KeyError, TypeError):
            return False
        return error_id is not None and error_id not in self._callers_errors

    def _declared_headers(self, operation: Operation, forwarded: Forwarded) -> dict[str, str]:
        """The answer's headers the contract declares for its status, as the target sent them."""
        documented = self.contract.responses(operation).get(str(forwarded.status), {})
        found = {}
        for name in documented.get("headers", {}):
            value = forwarded.header(name)
            if value is not None:
                found[name] = value
        return found

    def _write(self) -> None:
        """The whole scenario, replacing the file at once (a reader never sees half of it)."""
        ordered = sorted(self._answers.items(), key=lambda item: -(len(item[0].headers) + len(item[0].path)))
        entries = []
        for key, response in ordered:  # the most specific matcher first: the first match answers
            entry: dict[str, Any] = {"operationId": key.operation_id}
            request: dict[str, Any] = {}
            if key.headers:
                request["headers"] = dict(key.headers)
            if key.path:
                request["pathParameters"] = dict(key.path)
            if request:
                entry["request"] = request
            entry["response"] = response
            entries.append(entry)
        now = format_timestamp(datetime.now(UTC))
        description = (
            f"Recorded by `mockserver proxy` from {self.source}: {len(entries)} answers, the last written at {now}."
        )
        text = yaml.safe_dump(
            {"description": description, "responses": entries}, sort_keys=False, allow_unicode=True, width=120
        )
        handle, temporary = tempfile.mkstemp(prefix=f".{self.name}.", suffix=".tmp", dir=self.file.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, self.file)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            raise
