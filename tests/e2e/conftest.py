"""Browser fixtures: Debian's chromium driven by Playwright against a real `kozak up` process.

Every test here is skipped, with the reason, when /usr/bin/chromium or the built UI is missing
(`make frontend` builds it; CI installs both). Playwright's own browser downloads are never
used. Every test gets a fresh 1280×800 page; `shot(name)` saves a screenshot under
build/e2e-screenshots/, which CI keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright import sync_api

from factories import ADMIN_PASSWORD, tutorial_onehot_npy
from kozak.server.static import STATIC_DIR
from live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "e2e-screenshots"
VIEWPORT = {"width": 1280, "height": 800}
TUTORIAL_ROWS = 2000


def _missing() -> str | None:
    """Why the browser tests cannot run here, if they cannot."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium); browser tests skipped"
    if not (STATIC_DIR / "index.html").exists():
        return "the web UI is not built (run `make frontend`); browser tests skipped"
    return None


MISSING = _missing()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A hook, not a module-level skip: that would abort `pytest tests/e2e` instead of skipping.
    if MISSING is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=MISSING))


sync_api.expect.set_options(timeout=15_000)
Page = sync_api.Page
Browser = sync_api.Browser


# Package scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, which breaks later tests that start their own (TestClient, asyncio.run).
@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the browser tests (no job workers: nothing here trains), in the processes
    `kozak up` starts on two cores: what one process changes, the next request may meet in the
    other (a deployment disabled in one was still served by the other)."""
    env = {
        "KOZAK_WORKERS": "0",
        "KOZAK_URL_IMPORT_ALLOW": "127.0.0.1",  # the local file server
        "KOZAK_API_PROCESSES": "2",
        "KOZAK_BULK_PROCESSES": "1",
    }
    server = LiveServer(tmp_path_factory.mktemp("e2e") / "home", env=env).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    # Reduced motion: Mantine skips its transitions, so screenshots never catch a half-faded dialog.
    context = browser.new_context(
        viewport=VIEWPORT, base_url=live_server.url, color_scheme="light", reduced_motion="reduce"
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Save a screenshot of the page as build/e2e-screenshots/<test>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w]+", "-", request.node.name).strip("-")

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{test}-{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


def requests_to(page: Page, pattern: str) -> list[str]:
    """The URLs of the page's requests that match `pattern` (a regular expression), as they go."""
    seen: list[str] = []
    compiled = re.compile(pattern)
    page.on("request", lambda r: seen.append(r.url) if compiled.search(r.url) else None)
    return seen


def log_in(page: Page, name: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    sync_api.expect(page.get_by_role("heading", name="Projects")).to_be_visible()


def subset_rows(page: Page, subset: str) -> sync_api.Locator:
    """The live row count shown for a subset."""
    return page.locator(f'[data-subset="{subset}"] [data-testid=subset-rows]')


@pytest.fixture
def tutorial_files(tmp_path: Path, native_utrs: Path) -> tuple[Path, Path]:
    """The tutorial's uploads, from the authors' native 5'UTRs: a CSV (index, a float target
    named `rl`, a T/V `subset` column, about 95 % T) and an NPY of one-hot sequences
    (N, 4, 70): the last 50 nt, right-aligned, with 10 zero positions on each side."""
    table = pd.read_csv(native_utrs).head(TUTORIAL_ROWS)
    split = np.where(np.random.default_rng(7).random(len(table)) < 0.95, "T", "V")
    csv = tmp_path / "yeast.csv"
    pd.DataFrame({"index": np.arange(len(table)), "rl": table["growth_rate"], "subset": split}).to_csv(
        csv, index=False
    )
    npy = tutorial_onehot_npy(table["UTR"].tolist(), tmp_path / "onehot.npy")
    return csv, npy
