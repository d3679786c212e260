"""Every page in a real headless Chromium against `streamlit run dashboard.py`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, streamlit_server, wait_until_rendered

ROOT = Path(__file__).resolve().parent.parent
PAGES = [("", "Weekly review"), ("communication", "Communication"), ("overview", "Data overview")]


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["TANDEM_DB"] = str(small_db)
    log = tmp_path_factory.mktemp("browser") / "streamlit.log"
    with streamlit_server("streamlit run dashboard.py", ROOT, env, log) as url:
        yield url


def test_deep_link_on_a_fresh_server(small_db, browser, tmp_path):
    """A copied link to a page other than the home page, opened first on a new server
    (Streamlit's legacy pages/ routing would skip the sidebar)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["TANDEM_DB"] = str(small_db)
    with streamlit_server("streamlit run dashboard.py", ROOT, env, tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1600, "height": 3000})
        page.goto(f"{url}/communication?attribution=source")
        page.get_by_role("heading", name="Communication").wait_for(timeout=120_000)
        wait_until_rendered(page)
        page.screenshot(path=tmp_path / "deep_link.png")
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("Filters").count() >= 1  # the shell's sidebar is there
        assert "attribution=source" in page.url
        page.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path, title", PAGES)
def test_page_renders_without_exception(server, browser, tmp_path, path, title):
    page = browser.new_page(viewport={"width": 1600, "height": 2400})
    page.goto(f"{server}/{path}")
    page.get_by_role("heading", name=title).wait_for(timeout=120_000)
    wait_until_rendered(page)
    page.screenshot(path=tmp_path / f"{path or 'weekly_review'}.png")
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_presentation_mode_in_the_browser(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 2400})
    page.goto(f"{server}/?presentation=1")
    page.get_by_role("heading", name="Weekly review").wait_for(timeout=120_000)
    wait_until_rendered(page)
    page.screenshot(path=tmp_path / "presentation.png")
    assert page.locator("[data-testid='stException']").count() == 0
    assert "presentation=1" in page.url
    page.close()
