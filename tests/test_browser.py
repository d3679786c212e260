"""Every page in a real headless Chromium against `streamlit run dashboard.py`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tandem.model.pages import TITLES
from tests.browser import dashboard_server, wait_until_rendered

ROOT = Path(__file__).resolve().parent.parent
# every page of the navigation (the weekly review is the default, at the root)
PAGES = [("" if path == "weekly_review" else path, title) for path, title in TITLES.items()]


def open_page(browser, url: str, heading: str, screenshot: Path, height: int = 2400):
    """Open a page, wait until it has rendered, save a screenshot, check for exceptions."""
    page = browser.new_page(viewport={"width": 1600, "height": height})
    page.goto(url)
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=120_000)  # the title; sections may repeat it
    wait_until_rendered(page)
    page.screenshot(path=screenshot)
    assert page.locator("[data-testid='stException']").count() == 0
    return page


@pytest.mark.parametrize("path, title", PAGES)
def test_page_renders_without_exception(server, browser, tmp_path, path, title):
    open_page(browser, f"{server}/{path}", title, tmp_path / f"{path or 'weekly_review'}.png").close()


def test_presentation_mode_in_the_browser(server, browser, tmp_path):
    page = open_page(browser, f"{server}/?presentation=1", "Weekly review", tmp_path / "presentation.png")
    assert "presentation=1" in page.url
    page.close()


def test_one_click_on_a_needs_attention_link_opens_the_deals_evidence(server, browser, tmp_path):
    """Weekly review, a week where a deal became contested: one click on its "Why?" link
    opens the Contested deals page for that week with that deal's evidence."""
    page = open_page(browser, f"{server}/?week=2026-W44", "Weekly review", tmp_path / "needs_attention.png")
    link = page.get_by_role("link", name="Why? ↗").first
    href = link.get_attribute("href")
    assert "contested_deals?start=2026-10-26&end=2026-11-02&deal=" in href
    with page.context.expect_page(timeout=60_000) as opened:
        link.click()
    evidence = opened.value
    evidence.get_by_role("heading", name="Contested deals", exact=True).first.wait_for(timeout=120_000)
    wait_until_rendered(evidence)
    evidence.screenshot(path=tmp_path / "needs_attention_evidence.png")
    assert evidence.locator("[data-testid='stException']").count() == 0
    assert href.split("deal=")[1] in evidence.url and "start=2026-10-26" in evidence.url
    evidence.get_by_text("contested by", exact=False).first.wait_for(timeout=60_000)  # the deal's evidence
    evidence.close()
    page.close()


def test_deep_link_on_a_fresh_server(small_db, browser, tmp_path):
    """A copied link to a page other than the home page, opened first on a new server
    (Streamlit's legacy pages/ routing would skip the sidebar)."""
    with dashboard_server(small_db, tmp_path / "streamlit.log") as url:
        page = open_page(browser, f"{url}/communication?attribution=source", "Communication",
                         tmp_path / "deep_link.png", height=3000)
        assert page.get_by_text("Filters").count() >= 1  # the shell's sidebar is there
        assert "attribution=source" in page.url
        page.close()


def test_selecting_a_contested_deal_shows_its_timeline(server, browser, tmp_path):
    """Click the first row of the contested-deals list: the evidence and the timeline of
    that deal appear, and the URL names the deal so the view can be shared."""
    page = open_page(browser, f"{server}/contested_deals", "Contested deals", tmp_path / "contested.png", height=4000)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box, under the header
    page.get_by_text("contested by", exact=False).first.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert "deal=" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    timeline = page.locator("[data-testid='stPlotlyChart']").filter(has_text="contested by")
    timeline.scroll_into_view_if_needed()
    timeline.screenshot(path=tmp_path / "contested_timeline.png")
    page.screenshot(path=tmp_path / "contested_selected.png")
    assert (tmp_path / "contested_timeline.png").stat().st_size > 10_000
    page.close()


def test_selecting_a_deal_on_the_deals_page_shows_its_record(server, browser, tmp_path):
    """Deals page: click the first row of the table: the deal's record (contacts, claims,
    stage history, timeline) opens and the URL names the deal; "Back to all deals" closes
    it and the URL forgets it."""
    page = open_page(browser, f"{server}/deal_explorer?status=open", "Deals", tmp_path / "deals.png", height=4000)
    shown = int(page.get_by_test_id("stMetricValue").first.inner_text().replace(",", ""))
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box, under the header
    page.get_by_role("button", name="Back to all deals").wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert "deal=" in page.url and "status=open" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    record = page.get_by_role("heading", name="Deal record")
    record.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "deals_record.png")
    timeline = page.locator("[data-testid='stPlotlyChart']").last
    timeline.screenshot(path=tmp_path / "deals_timeline.png")
    assert (tmp_path / "deals_timeline.png").stat().st_size > 10_000
    for label, suffix in (("Download CSV", ".csv"), ("Download Excel", ".xlsx")):
        # built on click, on another thread than the script: it must not need the session
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / f"deals{suffix}"
        download.value.save_as(path)
        frame = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)  # the first row is the header
        assert len(frame) == shown and set(frame["Status"]) == {"Open"}
        if suffix == ".xlsx":  # the filters are on a sheet of their own
            assert ["Status", "open"] in pd.read_excel(path, sheet_name="Filters").values.tolist()
    page.get_by_role("button", name="Back to all deals").click()
    page.get_by_text("Select a deal in the table", exact=False).wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert "deal=" not in page.url and "status=open" in page.url
    page.close()


def test_the_period_survives_a_visit_to_the_weekly_review(server, browser, tmp_path):
    """The weekly review does not draw the period picker, and Streamlit forgets the state of a
    widget not drawn: the next page used to get a one-day period and fail. Clicks in the
    sidebar (one session): Conversion with a chosen period, Weekly review, Communication."""
    page = open_page(browser, f"{server}/conversion?start=2026-10-05&end=2026-11-02", "Conversion",
                     tmp_path / "conversion.png")
    for link, heading in (("Weekly review", "Weekly review"), ("Communication", "Communication")):
        page.get_by_role("link", name=link).first.click()
        page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=120_000)
        wait_until_rendered(page)
        assert page.locator("[data-testid='stException']").count() == 0, link
    page.get_by_text("05 Oct 2026 to 02 Nov 2026 (end excluded)", exact=False).first.wait_for(timeout=30_000)
    page.close()
