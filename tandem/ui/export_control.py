"""The sidebar's Export control: the current view (filters, reviewed week, contest rule,
selected deals, the Deals page's filters) as a slide deck, a PDF or an offline HTML report,
built on request with a progress bar."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tandem.data.config import db_path
from tandem.export import branding, writers
from tandem.export.report import PAGES, build_report
from tandem.model.deal_search import DealFilters
from tandem.model.filters import ContestRules
from tandem.ui import app, audit_trail, sign_in, state, widgets

MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "html": "text/html"}
BUILT = "export_built"  # (what was asked, file name, bytes) of the last file built in this session


def _week_start() -> dt.date:
    """The weekly review's week as last shown in this session, else its default."""
    return st.session_state.get(state.REVIEW_WEEK) or state.last_review_week(state.options())


def file_name(pages: list[str], start: dt.date, end: dt.date, kind: str) -> str:
    """The pages and the period: never a name from the data (presentation mode or not)."""
    return f"tandem_{'_'.join(pages)}_{start:%Y-%m-%d}_{end:%Y-%m-%d}.{kind}"


def draw(current_page: str) -> None:
    filters = state.current()
    session = st.session_state
    with st.sidebar.expander("Export", icon=":material/ios_share:"):
        kind = st.segmented_control("Format", list(writers.FORMATS), default="pptx", key="export_format",
                                    format_func={"pptx": "Slides", "pdf": "PDF", "html": "HTML"}.get) or "pptx"
        pages = st.multiselect("Pages", list(PAGES), format_func=PAGES.get, key="export_pages",
                               default=[current_page] if current_page in PAGES else ["weekly_review"])
        st.caption("With the sidebar's filters" + (", in presentation mode" if filters.presentation else "")
                   + ", and each page's own choices: the weekly review's week, the contest rule, the selected deal.")
        try:
            brand = branding.load()
        except ValueError as error:
            st.error(f"{error}. The file is built without a logo, titled '{branding.DEFAULT_TITLE}'.")
            brand = branding.Branding()
        contest_rules = session.get(state.CONTEST_RULES, ContestRules())
        chosen = {"week": _week_start(), "rules": contest_rules,
                  "deal_filters": session.get(state.DEALS_FILTERS, DealFilters()),
                  "deals": {page: deal for page, deal in (("contested_deals", session.get(state.CONTEST_DEAL)),
                                                          ("deal_explorer", session.get(state.DEALS_DEAL))) if deal}}
        asked = (kind, tuple(pages), filters, repr(chosen), brand)
        if st.button("Build the file", icon=":material/build:", disabled=not pages, key="export_build"):
            bar = st.progress(0.0, "gathering the pages")
            try:
                report = build_report(db_path(), filters, tuple(pages), chosen["week"], contest_rules,
                                      filters.presentation, brand, lambda share, m: bar.progress(0.2 * share, m),
                                      chosen["deal_filters"], chosen["deals"], scope=app.current_scope(),
                                      exported_by=audit_trail.stamp(sign_in.signed_in()))
                data = writers.render(report, kind, lambda share, m: bar.progress(min(0.2 + 0.8 * share, 1.0), m))
            except Exception as error:  # noqa: BLE001 (the browser that draws the charts or prints the PDF failed)
                st.error(f"The file could not be built ({type(error).__name__}: {str(error)[:200]}). Nothing was "
                         "lost: build it again; if it fails again, try HTML, which needs no browser.")
            else:
                ordered = [page for page in PAGES if page in pages]
                session[BUILT] = (asked, file_name(ordered, filters.start, filters.end, kind), data)
            bar.empty()
        built = session.get(BUILT)
        if built and built[0] == asked:
            widgets.file_download(f"Download {built[1]}", lambda: built[2], built[1], MIME[kind], "export_download")
