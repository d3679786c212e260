"""Figures and tables of the Communication page, built from query frames.

Each builder returns (figure or frame, takeaway title, drawn frame); the page only lays
them out. Weekly builders take the period (first day, end excluded) so that every week of
the period shows on the axis, from one day to years.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tandem.figures import style
from tandem.figures.style import EXTERNAL, INTERNAL, NEUTRAL
from tandem.model import weekly, wording

CHANNEL_COLOURS = {"call": "#009E73", "email": "#56B4E9", "meeting": "#CC79A7"}
CHANNEL_LABELS = {"call": "calls", "email": "emails", "meeting": "meetings"}
CHANNEL_VALUES = {"all": "exchanges", "call": "calls", "email": "emails", "meeting": "meetings"}
LAYOUT = {**style.LAYOUT, "hovermode": "x unified"}  # weekly charts: one hover box per week
TREND_WEEKS = 4  # takeaways compare the last 4 complete weeks of the period with the 4 before
PREVIOUS_WEEKS = "the previous 4 weeks'"  # how change_phrase names the reference: "rose to 7 from the previous 4 weeks' 3"

# The matrix: one square marker per pair (a heatmap cell gives no click in the browser).
MATRIX_COLOURS = [[n / 7, colour] for n, colour in enumerate(
    ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"])]  # Blues from 0, light not white
MATRIX_WIDTH = 900  # px: the plot area's width at 1440 px with the sidebar open, to size the squares
ROW_PITCH = {"rep": (22, 40), "team": (60, 90)}  # px per row, at least and at most
MAX_SQUARE = {"rep": 32, "team": 72}  # px
MIN_PLOT_HEIGHT = 160  # px
MAX_REPS = 50  # rows and columns of the rep matrix at most: the busiest reps (hundreds would be unreadable, and slow)
FEW_WEEKS = 3  # weekly points up to this many get their value written beside them
CHARACTER_PX = 7.5  # width of a character of a tick label, to fit the bottom margin


def _complete_weeks(weeks, start: dt.date, end: dt.date) -> list[pd.Timestamp]:
    """The Mondays of the weeks lying wholly inside [start, end), in order."""
    return [week for week in pd.to_datetime(pd.Index(weeks)).sort_values()
            if week.date() >= start and week.date() + dt.timedelta(days=7) <= end]


def _recent_trend(counts: pd.Series, start: dt.date, end: dt.date, per: pd.Series | None = None,
                  base: pd.Series | None = None, fmt=None) -> str | None:
    """The last 4 complete weeks of the period against the 4 before, in words by the one rule
    of `wording.change_phrase` (a percentage only over enough, else the two values). With `per`,
    compares 100 x counts / per (a rate per 100); `base` holds the counts behind each week's
    figure when they are not `counts` (calls behind call minutes). None when the period holds
    fewer than 8 complete weeks: a trend from a few days would mislead."""
    weeks = _complete_weeks(counts.index, start, end)
    if len(weeks) < 2 * TREND_WEEKS:
        return None
    counts = counts.set_axis(pd.to_datetime(counts.index))
    last, before = weeks[-TREND_WEEKS:], weeks[-2 * TREND_WEEKS:-TREND_WEEKS]
    behind = counts if base is None else base.set_axis(pd.to_datetime(base.index))
    if per is None:
        value, reference = counts[last].sum(), counts[before].sum()
    else:
        per = per.set_axis(pd.to_datetime(per.index))
        if not per[last].sum() or not per[before].sum():
            return None
        value, reference = 100 * counts[last].sum() / per[last].sum(), 100 * counts[before].sum() / per[before].sum()
    return wording.change_phrase(value, reference, base=behind[before].sum(), reference_name=PREVIOUS_WEEKS, fmt=fmt)


def _week_axis(start: dt.date, end: dt.date) -> dict:
    return style.week_axis(*weekly.period_weeks(start, end))


def weekly_volumes(exchanges: pd.DataFrame, measure: str, start: dt.date,
                   end: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Cross-team exchanges per week by channel (stacked), within-team total as a line, on the
    weeks of the period [start, end). measure: 'exchanges' or 'call_minutes' (whole minutes)."""
    cross = exchanges[exchanges["exchange_kind"] == "cross_team"]
    within = exchanges[exchanges["exchange_kind"] == "within_team"].groupby("week_start")[measure].sum()
    drawn = cross.pivot(index="week_start", columns="channel", values=measure)
    if measure == "call_minutes":
        drawn = drawn[["call"]].rename(columns={"call": "cross-team call minutes"})
    within_column = "within-team" if measure == "exchanges" else "within-team call minutes"
    drawn[within_column] = within
    total = drawn.drop(columns=within_column).sum(axis=1)  # before rounding: the title tells the exact total
    if measure == "call_minutes":
        drawn = drawn.round(0).astype(int)
    traces = []
    for column in drawn.columns:
        if column == within_column:
            traces.append(go.Scatter(x=drawn.index, y=drawn[column], name="within-team (all channels)"
                                     if measure == "exchanges" else "within-team call minutes",
                                     mode="lines+markers", line={"color": NEUTRAL, "dash": "dot"},
                                     # outlined, so that a lone week's point shows over its bar
                                     marker={"size": 8, "color": NEUTRAL, "line": {"color": "white", "width": 1.5}}))
        else:
            traces.append(go.Bar(x=drawn.index, y=drawn[column], name=f"cross-team {CHANNEL_LABELS.get(column, column)}"
                                 if column in CHANNEL_LABELS else column, width=style.WEEK_BAR_WIDTH_MS,
                                 marker_color=CHANNEL_COLOURS.get(column, CHANNEL_COLOURS["call"])))
    unit = "exchanges" if measure == "exchanges" else "call minutes"
    title = f"{total.sum():,.0f} cross-team {unit} in the period"
    calls = cross[cross["channel"] == "call"].set_index("week_start")["exchanges"]  # the counts behind call minutes
    trend = _recent_trend(total, start, end, base=None if measure == "exchanges" else calls, fmt=wording.count)
    if trend:
        title += f"; in the last 4 weeks they {trend}"
    figure = go.Figure(traces, layout=dict(barmode="stack", title=title, xaxis=_week_axis(start, end),
                                           yaxis=style.count_axis(f"Cross-team {unit} per week", drawn.to_numpy().max()),
                                           **LAYOUT))
    return figure, title, drawn.reset_index()


def coordination_ratio(exchanges: pd.DataFrame, touches: pd.DataFrame, start: dt.date,
                       end: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Cross-team exchanges per 100 customer touches, per week of the period [start, end)."""
    cross = exchanges[exchanges["exchange_kind"] == "cross_team"].groupby("week_start")["exchanges"].sum()
    by_kind = touches.pivot(index="week_start", columns="kind", values="touches")
    drawn = pd.DataFrame({"cross_team_exchanges": cross, "touches_internal": by_kind.get("internal"),
                          "touches_external": by_kind.get("external")})
    all_touches = drawn["touches_internal"] + drawn["touches_external"]
    drawn["exchanges_per_100_touches"] = (100 * drawn["cross_team_exchanges"] / all_touches.where(all_touches > 0))
    few = len(drawn) <= FEW_WEEKS  # a point or two: their values written, a lone dot says little
    ratios = drawn["exchanges_per_100_touches"]
    line = go.Scatter(x=drawn.index, y=ratios, mode="lines+markers+text" if few else "lines+markers",
                      text=["" if wording.missing(v) else f"{v:.1f}" for v in ratios] if few else None,
                      textposition="top center", line={"color": "#009E73"},
                      name="cross-team exchanges per 100 customer touches")
    overall = 100 * drawn["cross_team_exchanges"].sum() / all_touches.sum() if all_touches.sum() else None
    title = ("No customer touches in the period" if overall is None else
             f"{overall:.1f} cross-team exchanges per 100 customer touches")
    trend = _recent_trend(drawn["cross_team_exchanges"], start, end, per=all_touches)
    if overall is not None and trend:
        title += f"; in the last 4 weeks it {trend}"
    figure = go.Figure(line, layout=dict(title=title, xaxis=_week_axis(start, end),
                                         yaxis={"title": {"text": "Exchanges per 100 touches"}, "rangemode": "tozero"},
                                         showlegend=False, **LAYOUT))
    return figure, title, drawn.reset_index()


def _share(part: int, total: int) -> str:
    """'16% of 102', or below wording.MIN_BASE the counts, '1 of 4' (no percentage over a few)."""
    shared = wording.share(int(part), int(total))
    return f"{shared} of {int(total):,}" if wording.percent_allowed(total) else shared


def _ordered(frame: pd.DataFrame, label: str, team: str, values: str) -> list[str]:
    """Labels ordered by team, then by volume (largest first), so clusters show; at team
    level (label is the team column) by name."""
    if label == team:
        return sorted(frame[label].unique())
    totals = frame.groupby([team, label])[values].sum().reset_index()
    totals = totals.sort_values([team, values, label], ascending=[True, False, True])
    return totals[label].tolist()


def _labels(frame: pd.DataFrame, ids: str, names: str) -> pd.Series:
    """Axis labels: the names, with the id added where two ids share a name (a category axis
    would draw them on one row)."""
    distinct = frame[[ids, names]].drop_duplicates(ids)
    shared = set(distinct.loc[distinct[names].duplicated(keep=False), names])
    return frame[names].where(~frame[names].isin(shared), frame[names] + " (" + frame[ids].astype(str) + ")")


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of rep pairs (or silent pairs) whose internal and external rep names tell two
    reps of one name apart by their id ("Sam Lee (ex2)"): keyed by id, shown by name."""
    result = frame.copy()
    for side in ("internal", "external"):
        ids, names = f"{side}_rep_id", f"{side}_rep_name"
        if len(frame) and {ids, names} <= set(frame.columns):
            result[names] = _labels(frame, ids, names)
    return result


def _team_groups(frame: pd.DataFrame, row_order: list[str], column_order: list[str]) -> tuple[list, list]:
    """What shows the teams of the rep matrix (rows and columns are ordered by team): lines
    between teams, and each agency's name above its columns."""
    def blocks(labels: list[str], teams: pd.Series) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        for n, label in enumerate(labels):
            if found and found[-1][0] == teams[label]:
                found[-1] = (found[-1][0], found[-1][1], n)
            else:
                found.append((teams[label], n, n))
        return found

    rows = blocks(row_order, frame.drop_duplicates("row").set_index("row")["internal_team_name"])
    columns = blocks(column_order, frame.drop_duplicates("column").set_index("column")["external_team_name"])
    line = {"color": "#7f7f7f", "width": 1.5}
    shapes = ([{"type": "line", "x0": -0.5, "x1": len(column_order) - 0.5, "y0": first - 0.5, "y1": first - 0.5,
                "line": line} for _, first, _ in rows[1:]]
              + [{"type": "line", "y0": -0.5, "y1": len(row_order) - 0.5, "x0": first - 0.5, "x1": first - 0.5,
                  "line": line} for _, first, _ in columns[1:]])
    names = [{"text": team, "x": (first + last) / 2, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
              "showarrow": False, "font": {"size": 12, "color": "#555"}} for team, first, last in columns]
    return shapes, names


def shown_reps(pairs: pd.DataFrame, channel: str) -> tuple[list[str], list[str]]:
    """The internal and the external reps the rep matrix shows: all of them, or the MAX_REPS
    busiest of each side (by the channel's count, then id), so that it stays readable."""
    value = CHANNEL_VALUES[channel]

    def busiest(side: str) -> list[str]:
        totals = pairs.groupby(f"{side}_rep_id", as_index=False)[value].sum()
        return totals.sort_values([value, f"{side}_rep_id"], ascending=[False, True])[f"{side}_rep_id"].head(
            MAX_REPS).tolist()

    return busiest("internal"), busiest("external")


def pair_matrix(pairs: pd.DataFrame, channel: str, by_team: bool) -> tuple[go.Figure, str, pd.DataFrame]:
    """Internal reps (rows) x external reps (columns), counts of the chosen channel: one
    square per pair that exchanged, coloured by its count from 0, clickable (`selected_cell`
    tells which pair was clicked). At team level (internal teams x agencies) every team pair
    is drawn, 0 included, with its count written in the square."""
    value = CHANNEL_VALUES[channel]
    level = "team" if by_team else "rep"
    internal_id, internal_name = f"internal_{level}_id", f"internal_{level}_name"
    external_id, external_name = f"external_{level}_id", f"external_{level}_name"
    frame = pairs.assign(row=_labels(pairs, internal_id, internal_name) if len(pairs) else pairs[internal_name],
                         column=_labels(pairs, external_id, external_name) if len(pairs) else pairs[external_name])
    if by_team:
        totals = frame.groupby([internal_id, "row", external_id, "column"], as_index=False)[value].sum()
        rows = frame[[internal_id, "row"]].drop_duplicates()
        columns = frame[[external_id, "column"]].drop_duplicates()
        # every team pair of the grid, 0 where the two never talked in the period
        cells = rows.merge(columns, how="cross").merge(totals, how="left", on=[internal_id, "row", external_id, "column"])
        cells[value] = cells[value].fillna(0).astype(int)
    else:
        cells = frame.loc[frame[value] > 0, [internal_id, "row", external_id, "column", value]]

    unit = "exchanges" if channel == "all" else CHANNEL_LABELS[channel]
    total = int(cells[value].sum())  # the title tells of every pair, shown or not
    if total:
        most = cells[cells[value] == cells[value].max()]  # sort only the ties (by name), not every pair
        top = most.sort_values(["row", "column"]).iloc[0]
        title = (f"{top['row']} and {top['column']} account for {_share(top[value], total)}"
                 if top[value] / total >= 0.01 else
                 f"The busiest pair, {top['row']} and {top['column']}, accounts for {top[value]:,} of {total:,}") + \
            f" cross-team {unit}"
    else:
        title = f"No cross-team {unit} in the period"

    if by_team:
        row_order, column_order = _ordered(frame, "row", "row", value), _ordered(frame, "column", "column", value)
    else:
        internal_shown, external_shown = shown_reps(pairs, channel)
        # each rep's place by all its exchanges, with shown reps or not
        row_order = _ordered(frame[frame[internal_id].isin(internal_shown)], "row", "internal_team_name", value)
        column_order = _ordered(frame[frame[external_id].isin(external_shown)], "column", "external_team_name", value)
        cells = cells[cells[internal_id].isin(internal_shown) & cells[external_id].isin(external_shown)]
    cells = cells.sort_values(["row", "column"], key=lambda labels: labels.map(
        {label: n for n, label in enumerate(row_order if labels.name == "row" else column_order)})).reset_index(drop=True)

    n_rows, n_columns = max(len(row_order), 1), max(len(column_order), 1)
    column_pitch = MATRIX_WIDTH / n_columns
    row_pitch = min(max(column_pitch, ROW_PITCH[level][0]), ROW_PITCH[level][1])
    row_pitch = max(row_pitch, MIN_PLOT_HEIGHT / n_rows)  # a row or two: room for the colour bar
    size = min(max(4.0, 0.8 * min(row_pitch, column_pitch)), MAX_SQUARE[level])
    longest = max((len(label) for label in column_order), default=0) * CHARACTER_PX
    tilted = longest > column_pitch
    bottom = 60 + (0.72 * longest if tilted else 20)
    highest = max(int(cells[value].max()) if len(cells) else 0, 1)
    counts = cells[value].to_numpy()
    # customdata: one number per square, where its two ids stand among the sorted ids
    # (internal x number of external ids + external; `selected_cell` reads it back). One
    # number, not two columns: the browser sends a point's row of a typed 2-D array back as
    # an object, not a list.
    internal_ids, external_ids = _ids(pairs, level)
    custom = (np.searchsorted(internal_ids, cells[internal_id].astype(str).to_numpy()) * len(external_ids)
              + np.searchsorted(external_ids, cells[external_id].astype(str).to_numpy()))
    trace = go.Scatter(
        x=cells["column"], y=cells["row"], mode="markers+text" if by_team else "markers",
        customdata=custom if len(cells) else None,
        marker={"symbol": "square", "size": size, "color": counts, "cmin": 0, "cmax": highest,
                "colorscale": MATRIX_COLOURS, "line": {"width": 1, "color": "rgba(8, 48, 107, 0.3)"},
                "colorbar": {"title": {"text": unit}}, "showscale": True},
        hovertemplate="%{y} × %{x}<br>%{marker.color:,} " + unit + "<br>Click for the detail<extra></extra>",
        # the clicked square stays as it is, the others fade a little (their counts stay readable)
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 0.5}})
    if by_team:
        trace.update(text=[f"{n:,}" for n in counts], textposition="middle center",
                     textfont={"size": 16, "color": ["white" if n > 0.55 * highest else "#08306b" for n in counts]},
                     unselected={"marker": {"opacity": 0.5}, "textfont": {"color": "#08306b"}})
    shapes, annotations, top_margin = [], [], 60
    if not by_team:
        shapes, annotations = _team_groups(frame, row_order, column_order)
        top_margin = 80  # room for the agencies' names
    category = {"type": "category", "categoryorder": "array", "showgrid": True, "gridcolor": "#e5e5e5",
                "tickson": "boundaries", "zeroline": False, "fixedrange": True}
    figure = go.Figure(trace, layout=dict(
        title=title, hovermode="closest", hoverdistance=max(2, round(size / 4)),
        xaxis={**category, "title": {"text": "External " + level}, "categoryarray": column_order,
               "range": [-0.5, n_columns - 0.5], "tickangle": -45 if tilted else 0},
        yaxis={**category, "title": {"text": "Internal " + level}, "categoryarray": row_order,
               "range": [n_rows - 0.5, -0.5]},  # first row on top
        height=int(n_rows * row_pitch + top_margin + bottom),
        margin={"t": top_margin, "l": 10, "r": 10, "b": int(bottom)},
        font={"size": 13}, shapes=shapes, annotations=annotations))
    drawn = cells.rename(columns={"row": internal_name, "column": external_name})
    return figure, title, drawn[[internal_name, external_name, value]]


def matrix_note(pairs: pd.DataFrame, channel: str, by_team: bool) -> str:
    """How the matrix is ordered and what it leaves out, for a caption under it (the internal
    teams have no room on the chart)."""
    if by_team:
        return "Rows: internal teams; columns: agencies; each square holds the two teams' exchanges."
    teams = sorted(pairs["internal_team_name"].unique())  # the order of `_ordered`
    note = (f"Rows: internal reps by team ({', then '.join(teams)}), busiest first; columns: external reps by "
            "agency (named above), busiest first. Lines separate the teams; pairs who did not exchange are blank.")
    internal_shown, external_shown = shown_reps(pairs, channel)
    internal_all, external_all = pairs["internal_rep_id"].nunique(), pairs["external_rep_id"].nunique()
    if len(internal_shown) < internal_all or len(external_shown) < external_all:
        note += (f" Shown: the {len(internal_shown):,} busiest of {internal_all:,} internal reps and the "
                 f"{len(external_shown):,} busiest of {external_all:,} external reps; choose teams in the sidebar "
                 "to see the others.")
    return note


def _ids(pairs: pd.DataFrame, level: str) -> tuple[np.ndarray, np.ndarray]:
    """The internal and external ids of the matrix (reps or teams), sorted."""
    return (np.sort(pairs[f"internal_{level}_id"].astype(str).unique()),
            np.sort(pairs[f"external_{level}_id"].astype(str).unique()))


def selected_cell(event, pairs: pd.DataFrame, by_team: bool) -> tuple[str, str] | None:
    """The (internal, external) ids of the matrix square the user clicked, from the event that
    `st.plotly_chart(on_select="rerun")` returns for `pair_matrix(pairs, ...)`; None when
    nothing is selected."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    custom = points[0].get("customdata") if points else None
    if not isinstance(custom, (int, float)):
        return None
    internal_ids, external_ids = _ids(pairs, "team" if by_team else "rep")
    row, column = divmod(int(custom), max(len(external_ids), 1))
    if not 0 <= row < len(internal_ids):
        return None
    return str(internal_ids[row]), str(external_ids[column])


def _channel_counts(row) -> str:
    minutes = f" ({wording.plural(round(row['call_minutes']), 'minute')})" if row["calls"] else ""
    return (f"{wording.plural(int(row['calls']), 'call')}{minutes}, "
            f"{wording.plural(int(row['emails']), 'email')}, {wording.plural(int(row['meetings']), 'meeting')}")


def pair_summary(pairs: pd.DataFrame, internal_rep_id: str, external_rep_id: str) -> str | None:
    """One sentence on a pair of reps' exchanges in the period (markdown); None when the
    two did not exchange."""
    pairs = labelled(pairs)
    pair = pairs[(pairs["internal_rep_id"] == internal_rep_id) & (pairs["external_rep_id"] == external_rep_id)]
    if pair.empty:
        return None
    row = pair.iloc[0]
    names = (f"{row['internal_rep_name']} ({row['internal_team_name']}) × {row['external_rep_name']} "
             f"({row['external_team_name']})")
    return (f"**{wording.literal(names)}**: {wording.plural(int(row['exchanges']), 'exchange')}, "
            f"{_channel_counts(row)}; {int(row['initiated_by_internal']):,} started by the internal rep.")


def team_pair_summary(pairs: pd.DataFrame, internal_team_id: str, external_team_id: str) -> str | None:
    """One sentence on an internal team and an agency's exchanges in the period (markdown);
    None when neither team is in `pairs`."""
    internal = pairs[pairs["internal_team_id"] == internal_team_id]
    external = pairs[pairs["external_team_id"] == external_team_id]
    if internal.empty or external.empty:
        return None
    teams = f"{internal['internal_team_name'].iloc[0]} × {external['external_team_name'].iloc[0]}"
    names = f"**{wording.literal(teams)}**"
    both = internal[internal["external_team_id"] == external_team_id]
    if both.empty:
        return f"{names}: no cross-team exchange between these two teams in the period."
    row = both[["exchanges", "calls", "call_minutes", "emails", "meetings", "initiated_by_internal"]].sum()
    return (f"{names}: {wording.plural(int(row['exchanges']), 'exchange')} between "
            f"{wording.plural(len(both), 'pair')} of reps, {_channel_counts(row)}; "
            f"{int(row['initiated_by_internal']):,} started by the internal side.")


def team_pair_reps(pairs: pd.DataFrame, internal_team_id: str, external_team_id: str) -> pd.DataFrame:
    """The pairs of reps of an internal team and an agency, busiest first, with their
    exchanges by channel and call minutes (whole minutes)."""
    pairs = labelled(pairs)
    both = pairs[(pairs["internal_team_id"] == internal_team_id) & (pairs["external_team_id"] == external_team_id)]
    table = both[["internal_rep_name", "external_rep_name", "exchanges", "calls", "call_minutes", "emails", "meetings",
                  "initiated_by_internal"]].assign(call_minutes=both["call_minutes"].round(0).astype(int))
    return table.sort_values(["exchanges", "internal_rep_name", "external_rep_name"],
                             ascending=[False, True, True]).reset_index(drop=True)


SILENT_COLUMNS = {"internal_rep_name": "Internal rep", "internal_team_name": "Internal team",
                  "external_rep_name": "External rep", "external_team_name": "Agency",
                  "shared_accounts": "Shared accounts", "exchanges": "Exchanges"}  # the silent pairs' table


def silent_pairs_title(pairs: int, threshold: int) -> str:
    """The sentence over the silent pairs' table: how many pairs share accounts and barely talk."""
    times = "once" if threshold == 1 else f"{threshold} times"
    if pairs == 0:
        return (f"Every internal and external rep who share an account exchanged at least {times} in this "
                "period")
    shared = "1 pair shares" if pairs == 1 else f"{pairs:,} pairs share"
    return f"{shared} customer accounts but exchanged fewer than {times}"


def initiator_shares(pairs: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    """Per internal team x agency: share of exchanges started by the internal side."""
    drawn = pairs.groupby(["internal_team_name", "external_team_name"], as_index=False)[
        ["initiated_by_internal", "initiated_by_external"]].sum()
    drawn["exchanges"] = drawn["initiated_by_internal"] + drawn["initiated_by_external"]
    drawn["internal_share"] = drawn["initiated_by_internal"] / drawn["exchanges"]
    drawn["pair"] = drawn["internal_team_name"] + " × " + drawn["external_team_name"]
    bars = [
        go.Bar(y=drawn["pair"], x=drawn["internal_share"], orientation="h", name="started by the internal rep",
               marker_color=INTERNAL, hovertemplate="%{x:.0%}<extra></extra>"),
        go.Bar(y=drawn["pair"], x=1 - drawn["internal_share"], orientation="h", name="started by the external rep",
               marker_color=EXTERNAL, hovertemplate="%{x:.0%}<extra></extra>"),
    ]
    total = drawn["exchanges"].sum()
    if total:
        internal = drawn["initiated_by_internal"].sum()
        title = (f"Internal reps start {internal / total:.0%} of cross-team conversations" if total >= wording.MIN_BASE
                 else f"Internal reps start {_share(internal, total)} cross-team conversations")
    else:
        title = "No cross-team conversations in the period"
    figure = go.Figure(bars, layout=dict(
        barmode="stack", title=title, xaxis={"tickformat": ".0%", "range": [0, 1], "title": "Share of exchanges"},
        yaxis_title=None, height=max(300, 40 * len(drawn) + 160), **{**LAYOUT, "hovermode": "y unified"}))
    return figure, title, drawn.drop(columns="pair")


def pair_history(history: pd.DataFrame, first_name: str, second_name: str, start: dt.date,
                 end: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Two reps' (or two teams') exchanges per week by channel, on the weeks of the period."""
    drawn = history.pivot(index="week_start", columns="channel", values="exchanges")
    figure = go.Figure([go.Bar(x=drawn.index, y=drawn[channel], name=CHANNEL_LABELS[channel],
                               marker_color=CHANNEL_COLOURS[channel], width=style.WEEK_BAR_WIDTH_MS)
                        for channel in drawn.columns])
    weeks_with = int((drawn.sum(axis=1) > 0).sum())
    title = f"{first_name} and {second_name} talked in {weeks_with} of {wording.plural(len(drawn), 'week')}"
    figure.update_layout(barmode="stack", title=title, xaxis=_week_axis(start, end),
                         yaxis=style.count_axis("Exchanges per week", drawn.sum(axis=1).max()), height=320, **LAYOUT)
    return figure, title, drawn.reset_index()
