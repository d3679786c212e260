"""The app's pages, in the order of the sidebar: one list for the entry point and for a page
that was opened without it."""

from __future__ import annotations

import streamlit as st

from tandem.data.config import import_allowed


def pages() -> list[st.Page]:
    """The pages (their files relative to dashboard.py), the weekly review first and default."""
    return [
        st.Page("pages/weekly_review.py", title="Weekly review", icon=":material/calendar_view_week:", default=True),
        st.Page("pages/communication.py", title="Communication", icon=":material/forum:"),
        st.Page("pages/contested_deals.py", title="Contested deals", icon=":material/swords:"),
        st.Page("pages/conversion.py", title="Conversion", icon=":material/trending_up:"),
        st.Page("pages/deal_explorer.py", title="Deals", icon=":material/table_view:"),
        st.Page("pages/overview.py", title="Data overview", icon=":material/database:"),
    ] + ([st.Page("pages/import_data.py", title="Import data", icon=":material/upload_file:")]
         if import_allowed() else [])


def rerun_through_the_entry_point() -> None:
    """Run this URL again through dashboard.py.

    Why: the first page a fresh server serves, when its URL names a page (a shared deep link),
    is run by Streamlit's legacy `pages/` folder routing, which runs the page file alone and
    skips dashboard.py (and so the sidebar). Declaring the pages with `st.navigation` leaves
    that routing for good; the rerun then takes the same URL through dashboard.py.
    Guarded by tests/test_browser.py::test_deep_link_on_a_fresh_server."""
    st.navigation(pages(), position="hidden")
    st.rerun()
