"""ZITADEL's official TypeScript client (`@zitadel/client` from npm) reads the login settings from the mock.

ZITADEL's login app is a Node.js app built on this client; `tests/clients/ts/login-settings.mjs` calls
`SettingsService.GetLoginSettings` through it in the Connect protocol (JSON over HTTP/1.1) and prints
what the client decoded. The client parses the answer with its generated protobuf schema, so a wrong
field name, enum name, duration or error shape fails here as it would in the login app. Expected
values are the demo world's (docs/mock.md) and the contract's examples.

The packages are pinned in tests/clients/ts/package-lock.json: `npm ci --prefix tests/clients/ts`
(done by .ci/run). Without Node.js or them the tests are skipped on a developer's machine and fail
in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.conftest import ACME, GLOBEX, INSTANCE, REPO_ROOT
from tests.processes import free_port, running

CLIENT_DIR = REPO_ROOT / "tests" / "clients" / "ts"
SCRIPT = CLIENT_DIR / "login-settings.mjs"
INSTALL = "npm ci --prefix tests/clients/ts"
OTP, U2F = "SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"
# @zitadel/proto 1.3.1 (under @zitadel/client 1.3.1) predates `allow_local_authentication`: the
# client drops the field the mock sends, as it would with a real ZITADEL of that API.
UNKNOWN_TO_THE_CLIENT = {"allowLocalAuthentication"}


def contract_example(name: str) -> dict[str, Any]:
    """An example answer from openapi.yaml: the expected values come from the contract."""
    document = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    value: dict[str, Any] = document["components"]["examples"][name]["value"]
    return value


def as_the_client_sees_it(settings: dict[str, Any]) -> dict[str, Any]:
    """The contract's settings without the fields the pinned client's schema does not know."""
    return {key: value for key, value in settings.items() if key not in UNKNOWN_TO_THE_CLIENT}


@pytest.fixture(scope="module")
def node() -> str:
    """The `node` executable, once the pinned packages are installed; skip (fail in CI) otherwise."""
    found = shutil.which("node")
    missing = None if found else f"Node.js (20 or later) is not installed; then `{INSTALL}`"
    if found and not (CLIENT_DIR / "node_modules" / "@zitadel" / "client" / "package.json").is_file():
        missing = f"the npm packages of tests/clients/ts are not installed: `{INSTALL}`"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(f"{missing} (CI runs this)")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def mock_url(node: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real mock process for the module: the client speaks HTTP to it like to ZITADEL."""
    port = free_port()
    log: Path = tmp_path_factory.mktemp("ts-client") / "mock.log"
    with running([sys.executable, "-m", "mockserver", "--port", str(port)], port, log, timeout=60):
        yield f"http://127.0.0.1:{port}"


def call(node: str, url: str, token: str, *options: str) -> dict[str, Any]:
    """Run the script; its one line of JSON is what the official client made of the answer."""
    result = subprocess.run(
        [node, str(SCRIPT), url, token, *options],
        cwd=CLIENT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_an_organization_with_its_own_policy(node: str, mock_url: str) -> None:
    expected = contract_example("LoginSettingsOfAcme")
    answer = call(node, mock_url, "acme-owner", "--org-id", ACME)
    assert answer["ok"] is True, answer
    assert answer["settings"] == as_the_client_sees_it(expected["settings"])
    assert answer["settings"]["secondFactors"] == [OTP]
    assert answer["settings"]["resourceOwnerType"] == "RESOURCE_OWNER_TYPE_ORG"
    assert answer["details"] == expected["details"]
    # The v2 enum names 1 OTP and, in newer protos, also TOTP; the client decoded the number 1,
    # and its toJson (this schema has no TOTP alias) writes it back as SECOND_FACTOR_TYPE_OTP.
    assert answer["secondFactorNumbers"] == [1]


def test_an_organization_without_one_reads_the_instance_default(node: str, mock_url: str) -> None:
    expected = contract_example("LoginSettingsOfTheInstance")
    answer = call(node, mock_url, "acme-owner", "--org-id", GLOBEX)
    assert answer["ok"] is True, answer
    assert answer["settings"] == as_the_client_sees_it(expected["settings"])
    assert answer["settings"]["secondFactors"] == [OTP, U2F]
    assert answer["settings"]["multiFactors"] == ["MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"]
    assert answer["settings"]["passkeysType"] == "PASSKEYS_TYPE_ALLOWED"
    assert answer["settings"]["resourceOwnerType"] == "RESOURCE_OWNER_TYPE_INSTANCE"
    assert answer["details"]["resourceOwner"] == INSTANCE
    assert answer["secondFactorNumbers"] == [1, 2]


def test_the_instance_default_by_ctx_instance(node: str, mock_url: str) -> None:
    expected = contract_example("LoginSettingsOfTheInstance")
    answer = call(node, mock_url, "iam-owner", "--instance")
    assert answer["ok"] is True, answer
    assert answer["settings"] == as_the_client_sees_it(expected["settings"])
    assert answer["details"] == expected["details"]


def test_the_login_client_reads_its_own_organization_without_a_context(node: str, mock_url: str) -> None:
    """The login app's own kind of token (IAM_LOGIN_CLIENT) and a request of `{}`."""
    answer = call(node, mock_url, "login-client")
    assert answer["ok"] is True, answer
    assert answer["details"]["resourceOwner"] == ACME
    assert answer["settings"]["resourceOwnerType"] == "RESOURCE_OWNER_TYPE_ORG"


def test_a_v1_change_is_visible_at_once(node: str, mock_url: str) -> None:
    session = f"ts-{uuid.uuid4().hex[:8]}"
    added = requests.post(
        f"{mock_url}/management/v1/policies/login/second_factors",
        json={"type": U2F},
        headers={"Authorization": "Bearer acme-owner", "x-zitadel-orgid": ACME, "X-Mock-Session": session},
        timeout=10,
    )
    assert added.status_code == 200, added.text
    answer = call(node, mock_url, "acme-owner", "--org-id", ACME, "--header-org", ACME, "--session", session)
    assert answer["ok"] is True, answer
    assert answer["settings"]["secondFactors"] == [OTP, U2F]
    assert answer["secondFactorNumbers"] == [1, 2]
    assert answer["details"]["sequence"] == added.json()["details"]["sequence"]
    other_session = call(node, mock_url, "acme-owner", "--org-id", ACME)
    assert other_session["settings"]["secondFactors"] == [OTP]


def test_an_invalid_token_is_a_connect_error(node: str, mock_url: str) -> None:
    answer = call(node, mock_url, "not-a-token")
    assert answer["ok"] is False, answer
    assert answer["code"] == "unauthenticated"
    assert answer["rawMessage"] == "Errors.Token.Invalid (AUTH-7fs1e)"
    [detail] = answer["details"]
    assert detail["type"] == "zitadel.v1.ErrorDetail"
    assert detail["debug"] == {"id": "AUTH-7fs1e", "message": "Errors.Token.Invalid"}
    # The client decoded the detail's protobuf value (base64 on the wire) as zitadel.v1.ErrorDetail.
    assert answer["errorDetails"] == [{"id": "AUTH-7fs1e", "message": "Errors.Token.Invalid"}]
