"""The sidebar's Export control: the current view (filters, reviewed week, contest rule) as a
slide deck, a PDF or an offline HTML report, built on request with a progress bar."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tandem.data.config import db_path
from tandem.export import writers
from tandem.export.report import PAGES, build_report
from tandem.model.filters import SIGNALS, ContestRules
from tandem.ui import state

TITLES = {"weekly_review": "Weekly review", "contested_deals": "Contested deals", "conversion": "Conversion"}
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "html": "text/html"}
BUILT = "export_built"  # (what was asked, file name, bytes) of the last file built in this session


def _rules() -> ContestRules:
    """The Contested deals page's rule as its widgets hold it (the defaults before a visit)."""
    session = st.session_state
    default = ContestRules()
    chosen = session.get("contest_signals")
    return ContestRules(session.get("contest_lookback", default.lookback_days),
                        session.get("contest_overlap", default.overlap_days),
                        tuple(s for s in SIGNALS if s in chosen) if chosen else default.signals)


def _week_start() -> dt.date:
    label = st.session_state.get("review_week")
    if label:
        year, week = label.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    return state.last_review_week(state.options())


def draw(current_page: str) -> None:
    filters = state.current()
    with st.sidebar.expander("Export", icon=":material/ios_share:"):
        kind = st.segmented_control("Format", list(writers.FORMATS), default="pptx", key="export_format",
                                    format_func={"pptx": "Slides", "pdf": "PDF", "html": "HTML"}.get) or "pptx"
        pages = st.multiselect("Pages", list(PAGES), format_func=TITLES.get, key="export_pages",
                               default=[current_page] if current_page in PAGES else list(PAGES))
        st.caption("With the sidebar's filters" + (", in presentation mode" if filters.presentation else "")
                   + ". The weekly review's week and the contest rule are the pages' own.")
        week = _week_start()
        asked = (kind, tuple(pages), filters, week, _rules())
        if st.button("Build the file", icon=":material/build:", disabled=not pages, key="export_build"):
            bar = st.progress(0.0, "gathering the pages")
            report = build_report(db_path(), filters, tuple(p for p in PAGES if p in pages), week, _rules(),
                                  filters.presentation, progress=lambda share, m: bar.progress(0.2 * share, m))
            data = writers.render(report, kind, lambda share, m: bar.progress(min(0.2 + 0.8 * share, 1.0), m))
            bar.empty()
            # no name in the file name: the pages and the period only
            name = f"tandem_{'_'.join(pages)}_{filters.start:%Y-%m-%d}_{filters.end:%Y-%m-%d}.{kind}"
            st.session_state[BUILT] = (asked, name, data)
        built = st.session_state.get(BUILT)
        if built and built[0] == asked:
            st.download_button(f"Download {built[1]}", built[2], file_name=built[1], mime=MIME[kind],
                               icon=":material/download:", key="export_download", on_click="ignore")
