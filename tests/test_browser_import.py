"""The Import page in headless Chromium: upload a Salesforce export, check it, replace the
database, see the new data on another page, restore the backup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import ROOT, app_env, streamlit_server, wait_until_rendered

SALESFORCE = Path(__file__).parent / "fixtures" / "salesforce" / "hand"


@pytest.fixture(scope="module")
def import_server(small_db, tmp_path_factory):
    """A dashboard allowed to import, on its own copy of the small demo database."""
    db = tmp_path_factory.mktemp("import") / "tandem.duckdb"
    shutil.copyfile(small_db, db)
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with streamlit_server("streamlit run dashboard.py", ROOT, {**app_env(db), "TANDEM_ALLOW_IMPORT": "1"}, log) as url:
        yield url, db


def open_rendered(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 2200})
    page.goto(url)
    wait_until_rendered(page)
    return page


def text_appears(page, text: str, timeout: int = 120_000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)
    assert page.locator("[data-testid='stException']").count() == 0


def test_upload_check_replace_and_restore(import_server, browser, tmp_path):
    url, db = import_server
    page = open_rendered(browser, f"{url}/import_data")
    page.get_by_text("Salesforce Data Export", exact=True).click()
    wait_until_rendered(page)
    files = sorted(str(p) for p in SALESFORCE.glob("*.csv") if p.name != "teams.csv")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    text_appears(page, "Opportunity.csv")
    wait_until_rendered(page)

    page.get_by_role("button", name="Check the files").click()
    text_appears(page, "What the check found")
    text_appears(page, "Rows left out, and why")
    text_appears(page, "Values the mapping does not know in deals.stage: Discovery Call (1)")
    text_appears(page, "4 CRM users have no team yet")
    page.screenshot(path=tmp_path / "checked.png", full_page=True)

    page.get_by_role("button", name="Replace the database").click()
    text_appears(page, "Imported 2 teams, 4 reps, 3 accounts, 2 contacts, 4 deals")
    assert (db.parent / "tandem.duckdb.backup").exists()

    overview = open_rendered(browser, f"{url}/overview")
    text_appears(overview, "Imported")
    assert overview.get_by_text("4 deals created, 2 won and 1 lost", exact=False).count()
    overview.close()

    page.get_by_role("button", name="Restore the backup").click()
    text_appears(page, "The backup is restored")
    overview = open_rendered(browser, f"{url}/overview")
    text_appears(overview, "Demo data")
    overview.close()
    page.close()


HUBSPOT = Path(__file__).parent / "fixtures" / "hubspot"


def test_a_team_typed_in_the_table_is_used(import_server, browser, tmp_path):
    """HubSpot exports: after a check lists the four owners without a team, typing a team for
    Piet Claes (fourth row, team_id cell) and checking again leaves three without one."""
    url, _ = import_server
    page = open_rendered(browser, f"{url}/import_data")
    page.get_by_text("HubSpot exports", exact=True).click()
    wait_until_rendered(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        sorted(str(p) for p in HUBSPOT.glob("*.csv") if p.name != "teams.csv"))
    text_appears(page, "owners.csv")
    wait_until_rendered(page)
    page.get_by_role("button", name="Check the files").click()
    text_appears(page, "4 CRM users have no team yet")
    wait_until_rendered(page)
    editor = page.locator("[data-testid='stDataFrame']").first
    piets_team = editor.locator("#glide-cell-2-3")  # the grid's accessible copy of its cells (column 0: row marker)
    expect(editor.locator("#glide-cell-6-3")).to_have_text("Piet Claes")
    grid = editor.bounding_box()
    header, row = 36, 35  # px: the editor's header and row heights
    page.mouse.click(grid["x"] + 80, grid["y"] + header + 3 * row + row / 2)  # Piet's crm_user cell
    page.keyboard.press("ArrowRight")  # his team_id
    page.keyboard.press("Enter")
    cell_input = page.locator("textarea.gdg-input")  # the cell's editor, drawn over the canvas
    # wait for each step to show instead of a fixed 400 ms pause: a full run once timed out on the
    # final check with no sign of which step had gone astray
    cell_input.wait_for(state="visible")
    page.keyboard.type("nordwind", delay=30)
    page.keyboard.press("Enter")
    cell_input.wait_for(state="detached")
    expect(piets_team).to_have_text("nordwind")
    wait_until_rendered(page)
    page.get_by_role("button", name="Check the files").click()
    text_appears(page, "3 CRM users have no team yet")
    page.screenshot(path=tmp_path / "team_typed.png", full_page=True)
    page.close()
