"""Browser tests: the system Chromium, driven by Playwright, against pytest-django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API keeps an asyncio event loop running in the test's thread. Django refuses ORM calls from a
# thread with a running loop (SynchronousOnlyOperation), which would stop the factories in a test body and the
# database flush between transactional tests. No async code shares a connection here, so the guard is switched off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session. Skipped without the system browser, except where KOSH_REQUIRE_BROWSER=1
    (CI), which fails instead so browser tests never silently stop running."""
    if not CHROMIUM.exists():
        reason = f"browser tests need the system Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("KOSH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; KOSH_REQUIRE_BROWSER=1 forbids skipping them")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, with relative URLs resolved against the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-IN", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
