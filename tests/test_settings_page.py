"""The example settings page (examples/settings-page/) in headless Chromium, against the running mock.

Every step checks what the page shows and, through the API with the same mock session, that the
mock's state is what the page says: a page that drew its own assumptions instead of the API's
answer, or a mock that answered wrongly, fails here. Screenshots of the key steps go to
$TEST_ARTIFACTS_DIR (default test-artifacts/settings-page/).

Chromium comes from Debian (`apt-get install chromium`, done by .ci/run); Playwright only drives it
(`playwright install` is never needed). Without Chromium the tests are skipped on a developer's
machine and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request, expect, sync_playwright

from tests.conftest import REPO_ROOT
from tests.processes import free_port, running

ACME = "251000000000000001"
GLOBEX = "251000000000000002"
POLICY = "/management/v1/policies/login"
OTP, U2F, OTP_EMAIL = "SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F", "SECOND_FACTOR_TYPE_OTP_EMAIL"
PASSKEY = "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"
DENIED = "No matching permissions found (AUTH-5mWD2)"
BOOLEANS = ["allowUsernamePassword", "allowRegister", "allowExternalIdp", "forceMfa", "allowDomainDiscovery"]
LIFETIMES = [
    "passwordCheckLifetime",
    "externalLoginCheckLifetime",
    "mfaInitSkipLifetime",
    "secondFactorCheckLifetime",
    "multiFactorCheckLifetime",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def artifacts_dir() -> Path:
    """Where screenshots go: CI may collect $TEST_ARTIFACTS_DIR; locally a git-ignored folder."""
    configured = os.environ.get("TEST_ARTIFACTS_DIR")
    directory = Path(configured) if configured else REPO_ROOT / "test-artifacts" / "settings-page"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real mock process for the module; each test isolates itself with its own session."""
    port = free_port()
    log = tmp_path_factory.mktemp("settings-page") / "mock.log"
    # Module-scoped, so it starts before conftest's clean_environ: drop the developer's settings here.
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MOCKSERVER_", "CONTRACT_"))}
    with running([sys.executable, "-m", "mockserver", "--port", str(port)], port, log, env=env):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched once for the module (Playwright's own browsers are never downloaded)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class SettingsPage:
    """The page for one organization and token, in a mock session of its own, with the API beside it."""

    page: Page
    base_url: str
    org: str
    token: str
    session: str
    calls: list[str] = field(default_factory=list)

    def open(self) -> None:
        """Load the page and wait for its first read of the policy."""
        self.page.on("request", self._record)
        query = f"org={self.org}&token={self.token}&session={self.session}"
        self.page.goto(f"{self.base_url}/__mock/examples/settings-page/?{query}")
        expect(self.page.locator("#app")).to_have_attribute("data-settled", "1")

    def _record(self, request: Request) -> None:
        """Note each API call (not the page's own files), for checking that changes are read back."""
        path = request.url.removeprefix(self.base_url)
        if path.startswith("/management/"):
            self.calls.append(f"{request.method} {path}")

    def act(self, action: Callable[[], None]) -> list[str]:
        """Do what a user does, wait until the page has settled again, and return the API calls it made."""
        settled = int(self.page.locator("#app").get_attribute("data-settled") or "0")
        first = len(self.calls)
        action()
        expect(self.page.locator("#app")).to_have_attribute("data-settled", str(settled + 1))
        expect(self.page.locator("#app")).to_have_attribute("aria-busy", "false")
        return self.calls[first:]

    def factor(self, name: str) -> Locator:
        """A factor's checkbox. Tests click() it: check() may click again when the page, redrawing from
        the API's answer, leaves the box unchecked, which is what a refused change must do."""
        return self.page.locator(f'input[data-factor="{name}"]')

    def checked(self, kind: str) -> list[str]:
        """The factors of one kind ("second" or "multi") the page shows as allowed, sorted."""
        boxes = self.page.locator(f'input[data-kind="{kind}"]:checked')
        return sorted(boxes.evaluate_all("boxes => boxes.map(box => box.dataset.factor)"))

    def read(self) -> dict[str, Any]:
        """The policy as the mock has it now, read with the same session (and the owner's rights)."""
        headers = {"Authorization": "Bearer iam-owner", "x-zitadel-orgid": self.org, "X-Mock-Session": self.session}
        response = requests.get(f"{self.base_url}{POLICY}", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def screenshot(self, name: str) -> Path:
        """A full-page PNG of the current step, checked to be a real PNG."""
        path = artifacts_dir() / name
        path.unlink(missing_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        assert path.is_file() and path.stat().st_size > len(PNG_SIGNATURE), path
        assert path.read_bytes()[: len(PNG_SIGNATURE)] == PNG_SIGNATURE, path
        return path

    def assert_shows_the_mocks_policy(self) -> dict[str, Any]:
        """The page shows exactly the policy the mock holds now; returns that policy's answer."""
        answer = self.read()
        policy = answer["policy"]
        inherited = answer.get("isDefault") is True
        assert inherited == (policy.get("isDefault") is True), answer  # both or neither
        for selector, shown in [
            ("#inherited-banner", inherited),
            ("#use-custom", inherited),
            ("#custom-banner", not inherited),
            ("#reset", not inherited),
        ]:
            expect(self.page.locator(selector)).to_be_visible(visible=shown)
        assert self.checked("second") == sorted(policy.get("secondFactors", []))
        assert self.checked("multi") == sorted(policy.get("multiFactors", []))
        toggles = self.page.locator("input[data-factor]").count()
        assert toggles >= 6  # every known factor has a toggle
        expect(self.page.locator("input[data-factor]:enabled")).to_have_count(0 if inherited else toggles)
        passkeys = "Allowed" if policy.get("passwordlessType") == "PASSWORDLESS_TYPE_ALLOWED" else "Not allowed"
        expect(self.page.locator('dd[data-field="passwordlessType"]')).to_have_text(passkeys)
        for flag in BOOLEANS:
            expect(self.page.locator(f'dd[data-field="{flag}"]')).to_have_text("Yes" if policy.get(flag) else "No")
        for lifetime in LIFETIMES:
            expect(self.page.locator(f'dd[data-field="{lifetime}"]')).to_contain_text(f"({policy[lifetime]})")
        return answer


@pytest.fixture
def open_page(browser: Browser, mock_url: str) -> Iterator[Callable[[str, str], SettingsPage]]:
    """Opens the page for an organization and token in a fresh browser context and mock session."""
    contexts: list[BrowserContext] = []

    def opener(org: str, token: str) -> SettingsPage:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        settings = SettingsPage(context.new_page(), mock_url, org, token, f"settings-page-{uuid.uuid4().hex}")
        settings.open()
        return settings

    expect.set_options(timeout=TIMEOUT_MS)
    yield opener
    for context in contexts:
        context.close()


def without_identity(policy: dict[str, Any]) -> dict[str, Any]:
    """A policy's settings and factors, without what says whose it is (details, isDefault)."""
    return {key: value for key, value in policy.items() if key not in ("details", "isDefault")}


def test_globex_goes_from_the_default_to_a_custom_policy_with_its_factors_and_back(
    open_page: Callable[[str, str], SettingsPage],
) -> None:
    """The console's path: factors can change only after the default's values became a custom policy."""
    settings = open_page(GLOBEX, "iam-owner")
    default = settings.assert_shows_the_mocks_policy()
    assert default["isDefault"] is True and default["policy"]["isDefault"] is True
    expect(settings.page.locator("#inherited-banner")).to_contain_text("uses the instance default")
    assert settings.checked("second") == [OTP, U2F] and settings.checked("multi") == [PASSKEY]
    expect(settings.page.locator("input[data-factor]:enabled")).to_have_count(0)
    settings.screenshot("globex-default.png")

    calls = settings.act(lambda: settings.page.get_by_role("button", name="Use a custom policy").click())
    assert calls == [f"GET {POLICY}", f"POST {POLICY}", f"GET {POLICY}"]
    expect(settings.page.locator("#status")).to_have_text("saved")
    custom = settings.assert_shows_the_mocks_policy()
    assert "isDefault" not in custom and "isDefault" not in custom["policy"]
    assert custom["policy"]["details"]["resourceOwner"] == GLOBEX
    assert without_identity(custom["policy"]) == without_identity(default["policy"])  # nothing lost on the way
    assert settings.checked("second") == [OTP, U2F] and settings.checked("multi") == [PASSKEY]
    settings.screenshot("globex-custom.png")

    calls = settings.act(lambda: settings.factor(OTP_EMAIL).click())
    assert calls == [f"GET {POLICY}", f"POST {POLICY}/second_factors", f"GET {POLICY}"]
    expect(settings.factor(OTP_EMAIL)).to_be_checked()
    assert settings.assert_shows_the_mocks_policy()["policy"]["secondFactors"] == [OTP, U2F, OTP_EMAIL]

    calls = settings.act(lambda: settings.factor(U2F).click())
    assert calls == [f"GET {POLICY}", f"DELETE {POLICY}/second_factors/{U2F}", f"GET {POLICY}"]
    expect(settings.factor(U2F)).not_to_be_checked()
    assert settings.assert_shows_the_mocks_policy()["policy"]["secondFactors"] == [OTP, OTP_EMAIL]
    settings.screenshot("globex-custom-changed.png")

    calls = settings.act(lambda: settings.page.get_by_role("button", name="Reset to default").click())
    assert calls == [f"GET {POLICY}", f"DELETE {POLICY}", f"GET {POLICY}"]
    reset = settings.assert_shows_the_mocks_policy()
    assert reset["isDefault"] is True and reset["policy"] == default["policy"]
    assert settings.checked("second") == [OTP, U2F] and settings.checked("multi") == [PASSKEY]
    settings.screenshot("globex-reset.png")


def test_acme_starts_custom_gains_a_factor_and_resets_to_the_default(
    open_page: Callable[[str, str], SettingsPage],
) -> None:
    """An organization with its own policy is editable at once, and a reset shows the default again."""
    settings = open_page(ACME, "iam-owner")
    custom = settings.assert_shows_the_mocks_policy()
    assert "isDefault" not in custom
    expect(settings.page.locator("#custom-banner")).to_be_visible()
    assert settings.checked("second") == [OTP] and settings.checked("multi") == []
    expect(settings.page.locator('dd[data-field="passwordlessType"]')).to_have_text("Not allowed")
    settings.screenshot("acme-custom.png")

    calls = settings.act(lambda: settings.factor(U2F).click())
    assert calls == [f"GET {POLICY}", f"POST {POLICY}/second_factors", f"GET {POLICY}"]
    expect(settings.factor(U2F)).to_be_checked()
    assert settings.assert_shows_the_mocks_policy()["policy"]["secondFactors"] == [OTP, U2F]
    settings.screenshot("acme-u2f-added.png")

    settings.act(lambda: settings.page.locator("#reset").click())
    reset = settings.assert_shows_the_mocks_policy()
    assert reset["isDefault"] is True
    assert settings.checked("second") == [OTP, U2F] and settings.checked("multi") == [PASSKEY]
    settings.screenshot("acme-reset.png")


def test_a_read_only_token_sees_the_error_and_the_unchanged_policy(
    open_page: Callable[[str, str], SettingsPage],
) -> None:
    """A refused change shows ZITADEL's message, and the page still shows what the API holds."""
    settings = open_page(ACME, "acme-viewer")
    before = settings.assert_shows_the_mocks_policy()

    calls = settings.act(lambda: settings.factor(U2F).click())
    assert calls == [f"GET {POLICY}", f"POST {POLICY}/second_factors", f"GET {POLICY}"]
    expect(settings.page.locator("#status")).to_have_text(DENIED)
    expect(settings.factor(U2F)).not_to_be_checked()  # drawn from the re-read, not from the click
    assert settings.assert_shows_the_mocks_policy() == before
    settings.screenshot("viewer-denied.png")

    settings.act(lambda: settings.page.locator("#reset").click())
    expect(settings.page.locator("#status")).to_have_text(DENIED)
    expect(settings.page.locator("#inherited-banner")).to_be_hidden()
    assert settings.assert_shows_the_mocks_policy() == before
