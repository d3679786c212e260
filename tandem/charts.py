"""Chart and table helpers shared by the pages: KPI cards, deal tables, figure styling."""

from __future__ import annotations

import datetime as dt
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from tandem import downloads, wording
from tandem.weekly import Change, Kpi, monday

SIGNAL_LABELS = {"double_claim": "double claim", "out_of_scope": "out of scope",
                 "uncoordinated_overlap": "uncoordinated overlap"}
NEGATIVE_KPIS = {"contested", "contested_amount"}  # a rise is bad news


def format_value(kpi: Kpi, value: float | None) -> str:
    if wording.missing(value):
        return "—"
    if kpi.unit == "rate":
        return f"{value:.0%}"
    return wording.money(value) if kpi.unit == "money" else wording.count(value)


def kpi_label(kpi: Kpi) -> str:
    """A card's label; an amount's names its currency."""
    return wording.money_label(kpi.label) if kpi.unit == "money" else kpi.label


def format_delta(kpi: Kpi, change: Change, base: Change | None = None) -> str | None:
    """The change against the previous week, with its sign: '+12 (+8%)', '+7' (too few to
    be a percentage, see `tandem.wording`), '-4.1 pts'. `base`: the count behind an amount."""
    if change.value is None or change.previous is None:
        return None
    if kpi.unit == "rate":
        return f"{(change.value - change.previous) * 100:+.1f} pts"
    return wording.signed_change(change.value, change.previous, None if base is None else base.previous)


def format_against_baseline(kpi: Kpi, change: Change, base: Change | None = None) -> str:
    """'4-week average 52 · +15%' (points for rates, the difference over small bases)."""
    if change.baseline is None:
        return "4-week average: no earlier weeks"
    shown = wording.average(change.baseline) if kpi.unit == "count" else format_value(kpi, change.baseline)
    text = f"4-week average {shown}"
    if change.value is None:
        return text
    if kpi.unit == "rate":
        return f"{text} · {(change.value - change.baseline) * 100:+.1f} pts"
    signed = (lambda d: ("+" if d > 0 else "") + wording.average(d)) if kpi.unit == "count" else None
    return f"{text} · {wording.signed_change(change.value, change.baseline, base and base.baseline, fmt=signed)}"


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


def signal_names(deals: pd.DataFrame) -> pd.Series:
    """'double claim, out of scope' per deal, from its signal flag columns (vectorised:
    each combination of flags is a number, named once)."""
    keys = list(SIGNAL_LABELS)
    code = sum(deals[key].fillna(False).astype(int).to_numpy() << bit for bit, key in enumerate(keys))
    names = {c: ", ".join(SIGNAL_LABELS[k] for bit, k in enumerate(keys) if c >> bit & 1) for c in range(1 << len(keys))}
    return pd.Series(code, index=deals.index).map(names).astype(object)


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


def file_download(label: str, make, file_name: str, mime: str, key: str, *, icon: str = ":material/download:",
                  help: str | None = None) -> None:
    """A download button whose file `make()` builds only when it is clicked (on another thread,
    without the session), not at every rerun, and whose click does not rerun the page.

    Why no rerun: Streamlit forgets a button's made-on-click file (its "deferred file" id) at
    the end of every rerun, and a click reruns the page by default, so a quick second click
    still held a forgotten id and got no file ("Deferred file ... not found"), and two reruns
    could delete a made file before the browser fetched it."""
    st.download_button(label, make, file_name=file_name, mime=mime, key=key, icon=icon, help=help, on_click="ignore")


def csv_download(frame: pd.DataFrame, name: str, *, label: str = "Download CSV", help: str | None = None) -> None:
    """A CSV download of exactly what a chart or table shows (pseudonymised in presentation mode,
    since frames come from `tandem.app.run`), written by the one rule of `tandem.downloads`."""
    file_download(label, lambda: downloads.csv_bytes(downloads.for_download(frame)), f"tandem_{name}.csv",
                  "text/csv", f"download_{name}", help=help)


TITLE_WIDTH = 100  # characters per line of a chart title: Plotly cuts a long title instead of wrapping it


def plot(figure: go.Figure, **kwargs):
    """`st.plotly_chart` at full width, with a long takeaway title wrapped onto more lines
    (charts in half-width columns or on a projector would cut it)."""
    title = figure.layout.title.text
    if title and len(title) > TITLE_WIDTH and "<br>" not in title:
        lines = textwrap.wrap(title, TITLE_WIDTH)
        top = figure.layout.margin.t if figure.layout.margin.t is not None else 60
        figure.update_layout(title={"text": "<br>".join(lines)}, margin={"t": top + 24 * (len(lines) - 1)})
    return st.plotly_chart(figure, width="stretch", **kwargs)


DAY_MS = 24 * 3600 * 1000
WEEK_BAR_WIDTH_MS = 0.8 * 7 * DAY_MS  # a weekly bar's width on a date axis: set, or one bar fills the axis
MAX_TICKS = 12
MIN_AXIS_WEEKS = 4  # a weekly axis is at least this wide: one week's bar stands alone, it does not fill the chart


def count_axis(title: str, highest) -> dict:
    """An axis of counts from 0, with whole-number ticks when the counts are small (Plotly
    would tick every half deal or exchange)."""
    axis = {"title": {"text": title}, "rangemode": "tozero"}
    if not wording.missing(highest) and highest <= 8:
        axis.update(tick0=0, dtick=1)
    return axis


def period_weeks(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The Mondays of the first and last ISO weeks that overlap the period [start, end)."""
    return monday(start), monday(end - dt.timedelta(days=1))


def week_axis(first_week: dt.date, last_week: dt.date, title: str = "Week (Monday start)") -> dict:
    """The x axis of a weekly chart whose points stand on Mondays, readable from one week
    to years: the range is the weeks themselves, half a week either side, and at least
    MIN_AXIS_WEEKS wide (so one week is one bar in the middle, not a block filling the
    chart nor an axis of milliseconds); ticks only on the period's Mondays (at most
    MAX_TICKS), the year under the first tick and wherever it changes."""
    weeks = (last_week - first_week).days // 7 + 1
    step = max(1, math.ceil(weeks / MAX_TICKS))
    ticks = [first_week + dt.timedelta(weeks=n) for n in range(0, weeks, step)]
    text = [f"{day:%d %b}" + (f"<br>{day:%Y}" if n == 0 or day.year != ticks[n - 1].year else "")
            for n, day in enumerate(ticks)]
    half = dt.timedelta(days=3.5) * (1 + max(0, MIN_AXIS_WEEKS - weeks))
    return {"title": {"text": title}, "type": "date", "tickvals": ticks, "ticktext": text,
            "range": [dt.datetime.combine(first_week, dt.time()) - half, dt.datetime.combine(last_week, dt.time()) + half]}


def month_axis(first_month: dt.date, last_month: dt.date, title: str) -> dict:
    """The x axis of a monthly chart whose points stand on the 1st of each month: the range
    is the months themselves, ticks only on month starts (at most MAX_TICKS)."""
    months = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    step = max(1, math.ceil(months / MAX_TICKS))
    ticks = [dt.date(first_month.year + (first_month.month - 1 + n) // 12, (first_month.month - 1 + n) % 12 + 1, 1)
             for n in range(0, months, step)]
    text = [f"{day:%b}" + (f"<br>{day:%Y}" if n == 0 or day.year != ticks[n - 1].year else "")
            for n, day in enumerate(ticks)]
    half = dt.timedelta(days=15)
    return {"title": {"text": title}, "type": "date", "tickvals": ticks, "ticktext": text,
            "range": [dt.datetime.combine(first_month, dt.time()) - half,
                      dt.datetime.combine(last_month, dt.time()) + half]}
