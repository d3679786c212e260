"""Streamlit widgets shared by the pages: KPI cards, the contested-deals table, downloads,
and charts drawn at full width."""

from __future__ import annotations

import hashlib
import textwrap
import time

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from tandem.figures import downloads, event_markers, style
from tandem.figures.rules_events import OUT_OF_PLACE
from tandem.model import wording
from tandem.model.contest import signal_names
from tandem.model.weekly import (
    NEGATIVE_KPIS,
    Change,
    Kpi,
    format_against_baseline,
    format_delta,
    format_value,
    kpi_label,
)
from tandem.ui import audit_trail, sign_in

ROW_LIMIT = 2_000  # rows of a table sent to the browser; its totals and downloads cover every row


def table_key(prefix: str, *contents) -> str:
    """The widget key of a selectable table, new whenever what it lists changes: Streamlit keeps a
    table's selection (row positions) across reruns by key, and a row picked in the old list
    must not pick another deal, or a row beyond the end, of the new one."""
    return f"{prefix}_{hashlib.sha1(repr(contents).encode()).hexdigest()[:12]}"


def kpi_card(kpi: Kpi, series: pd.Series, change: Change, base: Change | None = None) -> None:
    baseline = "—" if change.baseline is None else (
        wording.average(change.baseline) if kpi.unit == "count" else format_value(kpi, change.baseline))
    values = [None if wording.missing(v) else float(v) for v in series]
    unchanged = change.value is not None and change.value == change.previous
    st.metric(
        kpi_label(kpi), format_value(kpi, change.value), delta=format_delta(kpi, change, base),
        delta_color="off" if unchanged else "inverse" if kpi.key in NEGATIVE_KPIS else "normal",
        delta_arrow="off" if unchanged else "auto",
        help=f"Average of the 4 weeks before: {baseline}. The arrow compares with the previous week.",
        # weeks without a value (no closed deal for a win rate) are left out, not drawn as 0
        border=True, chart_data=[v for v in values if v is not None] or None, chart_type="line",
    )
    st.caption(format_against_baseline(kpi, change, base))


NEEDS_ATTENTION_ROWS = 10


def contested_table(deals: pd.DataFrame, evidence_links: pd.Series, more_link: str | None = None,
                    more_label: str = "") -> None:
    """The largest contested deals (value at stake first), at most NEEDS_ATTENTION_ROWS,
    each with a link to its evidence on the contested-deals page in the first column;
    `more_link` (named by `more_label`) opens the whole list when there are more. A
    Markdown table, not a data grid: a grid's link cell takes two clicks (select, open)."""
    table = deals.assign(signals=signal_names(deals), evidence=evidence_links)
    table = table.sort_values(["amount", "deal_id"], ascending=[False, True], kind="stable")
    shown = table.head(NEEDS_ATTENTION_ROWS)
    header = ["Evidence", "Created", "Deal", "Account", wording.money_label("At stake"), "Signals", "Owner", "Team"]
    lines = ["| " + " | ".join(header) + " |", "| --- | --- | --- | --- | ---: | --- | --- | --- |"]
    for row in shown.itertuples():
        cells = [f"[Why? ↗]({row.evidence})", f"{row.created_at:%Y-%m-%d}", wording.markdown_text(row.deal_name),
                 wording.markdown_text(row.account_name), wording.money(row.amount), row.signals,
                 wording.markdown_text(row.owner_rep_name), wording.markdown_text(row.team_name)]
        lines.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(lines))
    if len(table) > len(shown):
        more = len(table) - len(shown)
        text = f"and {wording.plural(more, 'more contested deal')}" + (f": {more_label}" if more_label else "")
        st.markdown(f"[{text} ↗]({more_link})" if more_link else text)


# Streamlit (1.67) deletes a downloadable file at the second clean-up after no session refers to
# it, and every script run of every session cleans up. A file made on click is referred to by
# no session, so with several people at work two clean-ups could fall between the server making
# the file and the browser asking for it: the download failed with a 404 (seen with 4
# simultaneous sessions, tests/test_sessions.py). A file marked for deletion is kept this long.
DOWNLOAD_GRACE_S = 60


def keep_downloads_a_while() -> None:
    from streamlit.runtime.media_file_manager import MediaFileMetadata

    if getattr(MediaFileMetadata, "tandem_grace_s", None) == DOWNLOAD_GRACE_S:
        return

    def mark_for_delete(self) -> None:
        if not self._is_marked_for_delete:
            self.tandem_marked_at = time.monotonic()
        self._is_marked_for_delete = True

    def is_marked_for_delete(self) -> bool:
        return self._is_marked_for_delete and time.monotonic() - self.tandem_marked_at >= DOWNLOAD_GRACE_S

    MediaFileMetadata.mark_for_delete = mark_for_delete
    MediaFileMetadata.is_marked_for_delete = property(is_marked_for_delete)
    MediaFileMetadata.tandem_grace_s = DOWNLOAD_GRACE_S


keep_downloads_a_while()


def file_download(label: str, make, file_name: str, mime: str, key: str, *, icon: str = ":material/download:",
                  help: str | None = None) -> None:
    """A download button whose file `make()` builds only when it is clicked (on another thread,
    without the session), not at every rerun, and whose click does not rerun the page.

    Why no rerun: Streamlit forgets a button's made-on-click file (its "deferred file" id) at
    the end of every rerun, and a click reruns the page by default, so a quick second click
    still held a forgotten id and got no file ("Deferred file ... not found"), and two reruns
    could delete a made file before the browser fetched it.

    Signed in, the file's name carries the user and the time, and the download is audited."""
    who, page = sign_in.signed_in(), audit_trail.current_page()
    file_name = audit_trail.stamped_file_name(file_name, who)

    def made():
        data = make()
        audit_trail.downloaded(who, page, file_name, mime)
        return data

    st.download_button(label, made, file_name=file_name, mime=mime, key=key, icon=icon, help=help, on_click="ignore")


def csv_download(frame: pd.DataFrame, name: str, *, label: str = "Download CSV", help: str | None = None) -> None:
    """A CSV download of exactly what a chart or table shows (pseudonymised in presentation mode,
    since frames come from `tandem.ui.app.run`), written by the one rule of `tandem.figures.downloads`."""
    file_download(label, lambda: downloads.csv_bytes(downloads.for_download(frame)), f"tandem_{name}.csv",
                  "text/csv", f"download_{name}", help=help)


TITLE_WIDTH = 100  # characters per line of a chart title: Plotly cuts a long title instead of wrapping it


def plot(figure: go.Figure, title_width: int = TITLE_WIDTH, events: pd.DataFrame | None = None, **kwargs):
    """`st.plotly_chart` at full width, with a long takeaway title wrapped onto lines of at
    most `title_width` characters (charts in narrow columns or on a projector would cut it),
    and on a time chart the `events` (`state.event_markers`) as labelled vertical markers."""
    if events is not None:
        figure = event_markers.annotated(figure, events)
    title = figure.layout.title.text
    if title and len(title) > title_width and "<br>" not in title:
        figure = style.copy_of(figure)  # the figure is often shared by every session (app.built)
        lines = textwrap.wrap(title, title_width)
        top = figure.layout.margin.t if figure.layout.margin.t is not None else 60
        figure.update_layout(title={"text": "<br>".join(lines)}, margin={"t": top + 24 * (len(lines) - 1)})
    return st.plotly_chart(style.without_links(figure), width="stretch", **kwargs)


def events_table(table: pd.DataFrame) -> None:
    """The events and their attendance by force (tandem.figures.rules_events.events_table),
    every column visible at 1440 px: the agencies' columns narrow."""
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Date": st.column_config.DateColumn("Date", format="D MMM YYYY", width=100),
        "Event": st.column_config.TextColumn("Event", width=220), "Kind": st.column_config.TextColumn(width=185),
        "Internal": st.column_config.NumberColumn(width=65, help="Internal reps who attended"),
        **{force: st.column_config.NumberColumn(force, width=100, help=f"Reps of {force} who attended")
           for force in table.columns[4:-1]},
        OUT_OF_PLACE: st.column_config.NumberColumn(width=85, help="Agency reps at an internal-only event or a "
                                                                   "strategy meeting")})
