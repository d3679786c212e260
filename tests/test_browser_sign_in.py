"""Signing in with a local account in Chromium: a shared link opens the sign-in form (no
page, no filter, no page list), a wrong password is refused, the right one opens the link's
page with its settings, the sidebar names the user, and "Sign out" brings the form back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tandem.data.users import User, hash_password, save_users
from tests.browser import dashboard_server, wait_until_rendered

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def signed_server(small_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sign-in")
    users = folder / "users.toml"
    save_users({"anna": User("anna", "director", password_hash=hash_password(PASSWORD))}, users)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TANDEM_USERS", str(users))
        with dashboard_server(small_db, folder / "streamlit.log") as url:
            yield url


def test_a_shared_link_asks_for_a_sign_in_then_opens(signed_server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{signed_server}/contested_deals?start=2026-08-31&end=2026-11-23&lookback=10")
    wait_until_rendered(page)
    assert page.get_by_role("heading", name="Sign in").count() == 1
    assert page.get_by_text("Contested deals").count() == 0  # no page, no page list
    assert page.locator("[data-testid='stSidebar']").count() == 0
    page.screenshot(path=tmp_path / "form.png")

    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    wait_until_rendered(page)
    assert page.get_by_text("Unknown user name or wrong password.").count() == 1
    assert page.get_by_role("heading", name="Contested deals", exact=True).count() == 0

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    expect(page.get_by_label("Password", exact=True)).to_have_count(0, timeout=60_000)  # then the page's run
    wait_until_rendered(page)
    assert page.get_by_role("heading", name="Contested deals", exact=True).count() == 1
    assert "lookback=10" in page.url  # the link's settings survive the sign-in
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("anna").count() == 1 and sidebar.get_by_text("Director").count() == 1
    page.screenshot(path=tmp_path / "signed-in.png")

    sidebar.get_by_role("button", name="Sign out").click()
    # the form, and nothing of the page left (not wait_until_rendered: it would wait for the
    # charts of the page being taken away)
    expect(page.get_by_role("heading", name="Sign in")).to_have_count(1, timeout=60_000)
    expect(page.get_by_role("heading", name="Contested deals", exact=True)).to_have_count(0, timeout=60_000)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(0, timeout=60_000)
    # the sidebar keeps only the list of pages (Streamlit keeps a session's navigation): no
    # filter, no data badge, no user
    expect(sidebar.get_by_text("Filters")).to_have_count(0, timeout=60_000)
    expect(sidebar.get_by_text("anna")).to_have_count(0)
    expect(sidebar.get_by_text("Demo data")).to_have_count(0)
    page.close()


@pytest.mark.parametrize("link, heading", [("overview", "Data overview"),
                                           ("conversion?start=2026-09-07&end=2026-11-22", "Conversion")])
def test_a_link_opened_in_a_later_session_keeps_its_page(signed_server, browser, link, heading):
    """Not the server's first session: the browser asks the sign-in's run for the default page
    (no page was declared while the form stood); the link's page and period must still open."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{signed_server}/{link}")
    wait_until_rendered(page)
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    expect(page.get_by_label("Password", exact=True)).to_have_count(0, timeout=60_000)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_have_count(1, timeout=60_000)
    wait_until_rendered(page)
    assert page.url.split("/")[-1] == link
    page.close()
