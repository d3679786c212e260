"""Every page in headless Chromium on a database with deals and no activities (the
Maven-shaped fixture, tests/fixtures/maven): no exception, the data's own period, and a
sentence naming the missing file where a feature needs activities."""

from __future__ import annotations

import pytest

from tandem.data.importer import import_folder
from tandem.model import coverage
from tests.browser import dashboard_server
from tests.maven import to_contract
from tests.test_browser import PAGES, open_page


@pytest.fixture(scope="module")
def maven_server(tmp_path_factory):
    folder = to_contract(tmp_path_factory.mktemp("maven-contract"))
    db = tmp_path_factory.mktemp("maven") / "maven.duckdb"
    assert import_folder(folder, db).ok
    with dashboard_server(db, tmp_path_factory.mktemp("streamlit") / "streamlit.log") as url:
        yield url


SAYS = {
    "": coverage.missing("activities", "cross-team exchanges"),
    "communication": coverage.missing("activities", "exchanges between reps and customer touches"),
    "contested_deals": "No claims and no activities in this database",
    "rules_events": coverage.missing("scope_rules", "the rules of engagement and where they leak"),
    "conversion": coverage.missing("activities", "how soon owners first touched the customer"),
    "deal_explorer": "Ada Moreau has 81% of the amount",  # the deals are listed, and broken down
    "overview": coverage.missing("activities", "activities per week"),
}


@pytest.mark.parametrize("path, title", PAGES)
def test_every_page_shows_what_the_data_allows(maven_server, browser, tmp_path, path, title):
    page = open_page(browser, f"{maven_server}/{path}", title, tmp_path / f"{path or 'weekly_review'}.png")
    page.get_by_text(SAYS[path], exact=False).first.wait_for(timeout=30_000)
    if path == "":
        assert page.get_by_text("2017-W51: Monday 18 Dec to Sunday 24 Dec 2017").count()  # the data's last week
    if path == "conversion":
        assert page.get_by_text("Ada Moreau").count()  # a team's row of the default period
    page.close()
