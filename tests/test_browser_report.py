"""The sidebar's Export control in Chromium: build the current page's report, download it."""

from __future__ import annotations

from tests.browser import wait_until_rendered
from tests.test_browser import open_page


def test_export_the_contested_deals_page_as_html(server, browser, tmp_path):
    page = open_page(browser, f"{server}/contested_deals?start=2026-11-09&end=2026-11-16", "Contested deals",
                     tmp_path / "contested.png")
    page.get_by_text("Export", exact=True).first.click()
    page.locator("[data-testid='stSidebar']").get_by_text("HTML", exact=True).click()
    wait_until_rendered(page)
    page.get_by_role("button", name="Build the file").click()
    download_button = page.get_by_role("button", name="Download tandem_contested_deals_2026-11-09_2026-11-16.html")
    download_button.wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as download:
        download_button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text()
    assert saved.name == "tandem_contested_deals_2026-11-09_2026-11-16.html"
    assert "<h1>Contested deals</h1>" in text and "2 of 20 active deals contested" in text
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
