"""The sidebar's Export control in Chromium: from the Contested deals page with a team
filter, presentation mode and a selected deal, build and download the deck, then the PDF."""

from __future__ import annotations

import io

import duckdb
from pptx import Presentation
from pypdf import PdfReader

from tests.browser import wait_until_rendered
from tests.test_browser import open_page
from tests.test_report import first_contested_deal

PERIOD = "start=2026-11-09&end=2026-11-16"


def build_and_download(page, kind_label: str, name: str, tmp_path):
    page.locator("[data-testid='stSidebar']").get_by_text(kind_label, exact=True).click()
    wait_until_rendered(page)
    page.get_by_role("button", name="Build the file").click()
    download_button = page.get_by_role("button", name=f"Download {name}")
    download_button.wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as download:
        download_button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def test_export_the_contested_deals_page_as_slides_and_pdf(server, browser, small_db, tmp_path):
    deal = first_contested_deal(small_db)
    page = open_page(browser, f"{server}/contested_deals?{PERIOD}&team=KEY&presentation=1&deal={deal}",
                     "Contested deals", tmp_path / "contested.png")
    page.get_by_text("Export", exact=True).first.click()
    saved = build_and_download(page, "Slides", "tandem_contested_deals_2026-11-09_2026-11-16.pptx", tmp_path)
    assert saved.name == "tandem_contested_deals_2026-11-09_2026-11-16.pptx"
    deck = Presentation(io.BytesIO(saved.read_bytes()))
    text = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    text += "\n".join(cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
                      for row in shape.table.rows for cell in row.cells)
    assert "Teams: Key Accounts" in text and "Contested deals" in text
    assert "Names of reps, contacts and accounts are pseudonyms (presentation mode)." in text
    assert "Why is Deal " in text  # the selected deal, pseudonymised, with its evidence
    with duckdb.connect(str(small_db), read_only=True) as con:
        names = [n for (n,) in con.execute("select name from reps union all select name from accounts "
                                           "union all select name from contacts").fetchall()]
    assert not [n for n in names if n in text]

    saved = build_and_download(page, "PDF", "tandem_contested_deals_2026-11-09_2026-11-16.pdf", tmp_path)
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    assert len(reader.pages) >= 3
    assert all("Teams: Key Accounts" in p.extract_text() for p in reader.pages)
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
