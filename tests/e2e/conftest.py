import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import need

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# fixtures in that same thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    need(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)",
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


from tests.facilities.conftest import nanan  # noqa: E402, F401
from tests.pilots.conftest import call  # noqa: E402, F401 - the open call of the pilot journey
from tests.staff.conftest import pre_job  # noqa: E402, F401
from tests.stations.conftest import resident, staff_a, station_a, station_b  # noqa: E402, F401
from tests.volunteers.conftest import team, volunteer  # noqa: E402, F401
