"""ZITADEL's official Python SDK (`zitadel-client` on PyPI) reads the login settings from the mock.

A login UI written in Python calls `settings.get_login_settings` over Connect (`POST
/zitadel.settings.v2.SettingsService/GetLoginSettings`, JSON). The SDK's generated models validate
what comes back, so a wrong field name, enum or shape fails here as it would in a real app.
Expected values are the demo world's (docs/mock.md) and the contract's examples.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

# (authlib, under the SDK, warns of its own deprecation on import with a filter of its own that
# pytest's settings cannot silence: the one warning in a run's summary.)
from zitadel_client import Zitadel
from zitadel_client.exceptions import ApiError
from zitadel_client.models import SettingsServiceGetLoginSettingsRequest, SettingsServiceRequestContext
from zitadel_client.transport_options import TransportOptions

from tests.conftest import ACME, GLOBEX
from tests.processes import free_port, running

INSTANCE = "250000000000000000"
OTP, U2F = "SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"
PASSKEY = "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log: Path = tmp_path_factory.mktemp("sdk") / "mock.log"
    with running([sys.executable, "-m", "mockserver", "--port", str(port)], port, log, timeout=60):
        yield f"http://127.0.0.1:{port}"


def client(url: str, token: str, session: str | None = None) -> Any:
    headers = {"X-Mock-Session": session} if session else {}
    return Zitadel.with_access_token(url, token, transport_options=TransportOptions(default_headers=headers))


def read(zitadel: Any, **context: Any) -> Any:
    ctx = SettingsServiceRequestContext(**context) if context else None
    return zitadel.settings.get_login_settings(SettingsServiceGetLoginSettingsRequest(ctx=ctx))


def names(values: list[Any] | None) -> list[str]:
    return [value.value for value in values or []]


def test_an_organization_with_its_own_policy(mock_url: str) -> None:
    answer = read(client(mock_url, "acme-owner"), org_id=ACME)
    assert answer.details.resource_owner == ACME
    assert answer.settings.resource_owner_type.value == "RESOURCE_OWNER_TYPE_ORG"
    assert names(answer.settings.second_factors) == [OTP]
    assert answer.settings.multi_factors is None  # empty lists are left out
    assert answer.settings.allow_local_authentication is True
    assert answer.settings.passkeys_type is None  # NOT_ALLOWED is the zero value
    assert answer.settings.second_factor_check_lifetime == "64800s"


def test_an_organization_without_one_reads_the_instance_default(mock_url: str) -> None:
    answer = read(client(mock_url, "acme-owner"), org_id=GLOBEX)
    assert answer.details.resource_owner == INSTANCE
    assert answer.settings.resource_owner_type.value == "RESOURCE_OWNER_TYPE_INSTANCE"
    assert names(answer.settings.second_factors) == [OTP, U2F]
    assert names(answer.settings.multi_factors) == [PASSKEY]
    assert answer.settings.passkeys_type.value == "PASSKEYS_TYPE_ALLOWED"
    assert read(client(mock_url, "acme-owner"), instance=True).details == answer.details


def test_without_a_context_the_callers_organization_is_read(mock_url: str) -> None:
    assert read(client(mock_url, "acme-owner")).details.resource_owner == ACME


def test_a_v1_change_is_visible_at_once(mock_url: str) -> None:
    session = f"sdk-{uuid.uuid4().hex[:8]}"
    added = requests.post(
        f"{mock_url}/management/v1/policies/login/second_factors",
        json={"type": U2F},
        headers={"Authorization": "Bearer acme-owner", "X-Mock-Session": session},
        timeout=10,
    )
    assert added.status_code == 200, added.text
    answer = read(client(mock_url, "acme-owner", session), org_id=ACME)
    assert names(answer.settings.second_factors) == [OTP, U2F]
    assert answer.details.sequence == added.json()["details"]["sequence"]
    assert names(read(client(mock_url, "acme-owner"), org_id=ACME).settings.second_factors) == [OTP]  # other session


def test_an_invalid_token_is_refused_in_connects_error_shape(mock_url: str) -> None:
    with pytest.raises(ApiError) as refused:
        read(client(mock_url, "not-a-token"))
    assert refused.value.code == 401
    body: Any = refused.value.response_body
    assert body["code"] == "unauthenticated" and body["message"] == "Errors.Token.Invalid (AUTH-7fs1e)"
    assert body["details"][0]["debug"] == {"id": "AUTH-7fs1e", "message": "Errors.Token.Invalid"}
    assert "WWW-Authenticate" not in refused.value.response_headers
