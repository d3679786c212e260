"""Every page through AppTest on links whose period partly lies outside the data, and the
Deals page at the period lengths a user picks (one day to two years): no exception, and
the period shown is the one the data covers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tandem.model.pages import TITLES
from tests.apptest import dashboard_on

ROOT = Path(__file__).resolve().parent.parent
PAGES = tuple(TITLES)  # every page of the navigation


def open_with(page: str, **query_params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    for key, value in query_params.items():
        at.query_params[key] = value
    if page != "weekly_review":
        at.switch_page(f"pages/{page}.py")  # before the first run: the link opens this page
    at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("start, end, shown", [
    # the small demo database covers 2024-11-23 to 2026-11-22
    ("2026-11-01", "2027-03-01", ("2026-11-01", "2026-11-23")),
    ("2020-01-01", "2025-01-01", ("2024-11-23", "2025-01-01")),
])
def test_a_link_reaching_beyond_the_data_is_cut_to_it(small_db, monkeypatch, page, start, end, shown):
    dashboard_on(small_db, monkeypatch)
    at = open_with(page, start=start, end=end)
    assert not at.exception, at.exception
    notices = [w.value for w in at.warning]
    assert any(f"showing {shown[0]} to {shown[1]} (end excluded)" in notice for notice in notices), notices
    first, last = at.session_state["filter_period"]
    assert (first.isoformat(), (last + dt.timedelta(days=1)).isoformat()) == shown  # the picker shows the last day

@pytest.mark.parametrize("start, end", [("2026-11-20", "2026-11-21"), ("2026-11-16", "2026-11-23"),
                                        ("2026-10-19", "2026-11-23"), ("2024-11-23", "2026-11-23")])
def test_the_deals_page_at_every_period_length(small_db, monkeypatch, start, end):
    dashboard_on(small_db, monkeypatch)
    at = open_with("deal_explorer", start=start, end=end)
    assert not at.exception, at.exception
    assert [w.value for w in at.warning if "URL" in w.value] == []
