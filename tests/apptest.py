"""Opening a page of the dashboard in AppTest on a hand-built fixture database."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def dashboard_on(db: Path, monkeypatch) -> None:
    """Point the dashboard at `db`, with nothing cached from another test (query results
    and the pseudonym maps in st.cache_data, built figures in st.cache_resource)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("TANDEM_DB", str(db))


def open_page_on_week(page: str, session: dict | None = None, **page_params) -> AppTest:
    """Open `pages/<page>.py` for the fixtures' week 2025-W10 (global filters from the URL
    on the first run), then set the page's own URL parameters and session values before
    its first run, as a shared link or a returning user would."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["start"], at.query_params["end"] = "2025-03-03", "2025-03-10"
    at.run()
    at.switch_page(f"pages/{page}.py")
    for key, value in page_params.items():  # the page reads its own parameters on its first run
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at
