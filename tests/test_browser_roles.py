"""Roles in Chromium, on the hand-built scope fixture (tests/fixtures/scope): an agency manager
signs in, sees the Deals page in its agency's scope and downloads the deals (a file stamped
with the user, holding nothing of the other agency); then the administrator signs in, reads
that download in the audit log on the Data overview page and downloads the log."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tandem.data.importer import import_folder
from tandem.data.users import User, hash_password, save_users
from tests.browser import dashboard_server, wait_until_rendered
from tests.test_roles import INTERNAL_REPS, OTHER_AGENCY
from tests.test_scope import FIXTURE

PASSWORD = "correct horse battery"
PERIOD = "start=2024-01-01&end=2024-06-30"


@pytest.fixture(scope="module")
def roles_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    db = folder / "scope.duckdb"
    assert import_folder(FIXTURE, db).ok
    hashed = hash_password(PASSWORD)
    save_users({"amy": User("amy", "agency_manager", agency="Alpha Outsourcing", password_hash=hashed),
                "ada": User("ada", "admin", password_hash=hashed)}, folder / "users.toml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TANDEM_USERS", str(folder / "users.toml"))
        patch.setenv("TANDEM_AUDIT", str(folder / "audit.jsonl"))
        with dashboard_server(db, folder / "streamlit.log") as url:
            yield url


def signed_in(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page.goto(url)
    wait_until_rendered(page)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    # the sign-in reruns the script once more for the page: wait for the form to go first
    expect(page.get_by_label("Password", exact=True)).to_have_count(0, timeout=60_000)
    wait_until_rendered(page)
    return page


def test_an_agency_managers_download_is_scoped_stamped_and_audited(roles_server, browser, tmp_path):
    page = signed_in(browser, f"{roles_server}/deal_explorer?{PERIOD}", "amy")
    assert page.get_by_role("heading", name="Deals", exact=True).count() == 1
    text = page.locator("[data-testid='stMain']").inner_text()  # the table is drawn on a canvas: its rows below
    assert not [name for name in OTHER_AGENCY + INTERNAL_REPS if name in text]
    page.screenshot(path=tmp_path / "agency-manager-deals.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    name = download.value.suggested_filename
    body = download.value.path().read_text(encoding="utf-8-sig")
    assert name.startswith("tandem_deals_amy_") and name.endswith(".csv")
    assert "Acme pilot" in body and "Borealis framework" in body
    assert not [secret for secret in OTHER_AGENCY + INTERNAL_REPS if secret in body]
    page.close()

    page = signed_in(browser, roles_server, "ada")
    page.locator("[data-testid='stSidebarNav']").get_by_text("Data overview").click()
    expect(page.get_by_role("heading", name="Audit log")).to_have_count(1, timeout=60_000)
    wait_until_rendered(page)
    page.screenshot(path=tmp_path / "audit-log.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").last.click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    events = {(row["User"], row["Event"].lower().replace(" ", "_")) for row in rows}  # codes are words in downloads
    assert ("amy", "download") in events and ("amy", "sign_in") in events and ("ada", "sign_in") in events, events
    page.close()


def test_a_link_to_a_page_the_role_does_not_have_opens_the_weekly_review(roles_server, browser):
    page = signed_in(browser, f"{roles_server}/import_data", "amy")
    expect(page.get_by_text("that is not open to you: here is the weekly review")).to_have_count(1, timeout=30_000)
    assert page.get_by_role("heading", name="Weekly review", exact=True).count() == 1
    assert page.get_by_role("heading", name="Import data").count() == 0
    page.close()
