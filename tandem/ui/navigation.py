"""The app's pages, in the order of the sidebar: one list for the entry point and for a page
that was opened without it."""

from __future__ import annotations

import streamlit as st

from tandem.data.config import import_allowed
from tandem.model.pages import IMPORT_TITLE, TITLES
from tandem.ui import sign_in


def pages() -> list[st.Page]:
    """The pages (their files relative to dashboard.py), the weekly review first and default;
    the Import page only for an administrator (or open access), when imports are allowed."""
    who = sign_in.signed_in()
    icons = {"weekly_review": ":material/calendar_view_week:", "communication": ":material/forum:",
             "contested_deals": ":material/swords:", "rules_events": ":material/gavel:",
             "conversion": ":material/trending_up:", "deal_explorer": ":material/table_view:",
             "overview": ":material/database:"}
    return [st.Page(f"pages/{path}.py", title=title, icon=icons[path], default=path == "weekly_review")
            for path, title in TITLES.items()] + (
        [st.Page("pages/import_data.py", title=IMPORT_TITLE, icon=":material/upload_file:")]
        if import_allowed() and who is not None and who.scope.administers else [])


def rerun_through_the_entry_point() -> None:
    """Run this URL again through dashboard.py.

    Why: the first page a fresh server serves, when its URL names a page (a shared deep link),
    is run by Streamlit's legacy `pages/` folder routing, which runs the page file alone and
    skips dashboard.py (and so the sidebar). Declaring the pages with `st.navigation` leaves
    that routing for good; the rerun then takes the same URL through dashboard.py.
    Guarded by tests/test_browser.py::test_deep_link_on_a_fresh_server."""
    st.navigation(pages(), position="hidden")
    st.rerun()
