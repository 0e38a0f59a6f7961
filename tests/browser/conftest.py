"""Browser tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``), never
a downloaded browser. Without Chromium these tests are skipped, except where
``KOPERASI_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs it): there a missing
browser is a failure, not a silent skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KOPERASI_CHROMIUM", "/usr/bin/chromium"))

#: As root in a container, with no network: no sandbox, no GPU, and none of the background
#: connections to Google that a closed network refuses many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

#: A cheap phone's screen, as the issue asks (360 × 740).
PHONE = {"width": 360, "height": 740}


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


# Per module, not per session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and the asyncio tests after tests/browser/ then cannot start theirs.
@pytest.fixture(scope="module")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("KOPERASI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required here: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized page (its own cookies and storage)."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="id-ID"
    )
    page = context.new_page()
    yield page
    context.close()
