"""Figures and tables of the Communication page, built from query frames.

Each builder returns (figure or frame, takeaway title, drawn frame); the page only lays
them out. Weekly builders take the period (first day, end excluded) so that every week of
the period shows on the axis, from one day to years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
MATRIX_SIZES = (10, 20, 30, 50)  # reps per side the rep matrix may draw (hundreds would be unreadable, and slow)
MATRIX_SIZE = 30  # the default
CANDIDATE_PAIRS = 500  # the busiest pairs sorted first when choosing the matrix's reps; more only if needed
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


def _shared_names(frame: pd.DataFrame, ids: str, names: str) -> set[str]:
    """The names that two ids of `frame` share."""
    if frame[names].nunique() == frame[ids].nunique():  # an id has one name: none is shared (the usual case)
        return set()
    distinct = frame[[ids, names]].drop_duplicates(ids)
    return set(distinct.loc[distinct[names].duplicated(keep=False), names])


def _labels(frame: pd.DataFrame, ids: str, names: str) -> pd.Series:
    """Axis labels: the names, with the id added where two ids share a name (a category axis
    would draw them on one row)."""
    shared = _shared_names(frame, ids, names)
    if not shared:
        return frame[names]
    rows = frame[names].isin(shared)
    return frame[names].mask(rows, frame.loc[rows, names] + " (" + frame.loc[rows, ids].astype(str) + ")")


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of rep pairs (or silent pairs) whose internal and external rep names tell two
    reps of one name apart by their id ("Sam Lee (ex2)"): keyed by id, shown by name."""
    result = frame.copy()
    for side in ("internal", "external"):
        ids, names = f"{side}_rep_id", f"{side}_rep_name"
        if len(frame) and {ids, names} <= set(frame.columns):
            result[names] = _labels(frame, ids, names)
    return result


def _team_groups(row_teams: list[str], column_teams: list[str]) -> tuple[list, list]:
    """What shows the teams of the rep matrix, given the team of each row and of each column
    (rows and columns are ordered by team): lines between teams, and each agency's name above
    its columns."""
    def blocks(teams: list[str]) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        for n, team in enumerate(teams):
            if found and found[-1][0] == team:
                found[-1] = (team, found[-1][1], n)
            else:
                found.append((team, n, n))
        return found

    rows, columns = blocks(row_teams), blocks(column_teams)
    line = {"color": "#7f7f7f", "width": 1.5}
    shapes = ([{"type": "line", "x0": -0.5, "x1": len(column_teams) - 0.5, "y0": first - 0.5, "y1": first - 0.5,
                "line": line} for _, first, _ in rows[1:]]
              + [{"type": "line", "y0": -0.5, "y1": len(row_teams) - 0.5, "x0": first - 0.5, "x1": first - 0.5,
                  "line": line} for _, first, _ in columns[1:]])
    names = [{"text": team, "x": (first + last) / 2, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
              "showarrow": False, "font": {"size": 12, "color": "#555"}} for team, first, last in columns]
    return shapes, names


def _drawn_reps(pairs: pd.DataFrame, side: str, drawn: tuple[str, ...], value: str) -> pd.DataFrame:
    """The drawn reps of one side (ids `drawn`) in the matrix's order: by team, then by the
    channel's count over all their pairs (drawn or not), largest first, then by label; with
    their label (name, and id where two drawn reps share a name) and team."""
    ids, names, team = f"{side}_rep_id", f"{side}_rep_name", f"{side}_team_name"
    theirs = pairs.loc[pairs[ids].isin(drawn).to_numpy(), [ids, names, team, value]]
    reps = theirs.drop_duplicates(ids).set_axis([ids, "name", "team", "total"], axis=1)
    reps["total"] = reps[ids].map(theirs.groupby(ids)[value].sum())
    reps["label"] = _labels(reps, ids, "name")
    return reps.sort_values(["team", "total", "label"], ascending=[True, False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class MatrixReps:
    """The reps the rep matrix draws (ids, as chosen by `matrix_reps`) and what it leaves out."""
    internal: tuple[str, ...]
    external: tuple[str, ...]
    internal_all: int  # reps of the period with a cross-team exchange, each side
    external_all: int
    added: tuple[str, ...]  # searched reps drawn beyond the busiest
    busiest_left_out: int | None  # the channel's count of the busiest pair not drawn; None: every pair is drawn

    @property
    def cut(self) -> bool:
        """Whether reps are left out (beyond those the search added)."""
        return self.busiest_left_out is not None


def _busiest_first(pairs: pd.DataFrame, value: str):
    """The pairs' rows in the matrix's order, busiest first (then by internal and external name,
    then id), in chunks of growing size: the CANDIDATE_PAIRS busiest (with their ties) sorted
    first, ten times as many next, and so on, each only if the caller asks for more."""
    columns = [value, "internal_rep_name", "external_rep_name", "internal_rep_id", "external_rep_id"]
    counts = pairs[value].to_numpy()
    above, wanted = None, CANDIDATE_PAIRS  # `above`: the counts yielded so far are at least this
    while True:
        cutoff = np.partition(counts, len(counts) - wanted)[len(counts) - wanted] if wanted < len(counts) else None
        chunk = np.ones(len(counts), dtype=bool) if cutoff is None else counts >= cutoff
        if above is not None:
            chunk &= counts < above
        yield pairs.loc[chunk, columns].sort_values(columns, ascending=[False, True, True, True, True])
        if cutoff is None:
            return
        above, wanted = cutoff, 10 * wanted


def _take_busiest(chunks, per_side: int, wanted: tuple[int, int]) -> tuple[list[str], list[str]]:
    """The internal and external reps of the pairs in `chunks` (busiest first) by the rule of
    `matrix_reps`, in the order taken."""
    internal: dict[str, None] = {}  # ordered sets
    external: dict[str, None] = {}
    for chunk in chunks:
        for internal_id, external_id in zip(chunk["internal_rep_id"].tolist(), chunk["external_rep_id"].tolist()):
            if ((internal_id in internal or len(internal) < per_side)
                    and (external_id in external or len(external) < per_side)):
                internal.setdefault(internal_id)
                external.setdefault(external_id)
                if (len(internal), len(external)) == wanted:
                    return list(internal), list(external)
    return list(internal), list(external)


def matrix_reps(pairs: pd.DataFrame, channel: str, per_side: int = MATRIX_SIZE, searched=()) -> MatrixReps:
    """The reps the rep matrix draws: those of the busiest pairs. Pairs are taken by the
    channel's count, most first (ties by internal, then external name, then id); a pair is
    taken when each of its two reps is already drawn or its side has fewer than `per_side`
    reps, until both sides hold `per_side` reps (or all of theirs). The searched rep ids
    (either side) are drawn too, beyond `per_side` if need be. Every pair of two drawn reps
    is drawn."""
    return _chosen(pairs, channel, per_side, searched)[0]


def _chosen(pairs: pd.DataFrame, channel: str, per_side: int, searched) -> tuple[MatrixReps, np.ndarray]:
    """`matrix_reps`, and which rows of `pairs` the matrix draws (a boolean array)."""
    value = CHANNEL_VALUES[channel]
    internal_all, external_all = pairs["internal_rep_id"].nunique(), pairs["external_rep_id"].nunique()
    internal, external = _take_busiest(_busiest_first(pairs, value), per_side,
                                       (min(per_side, internal_all), min(per_side, external_all)))
    added: dict[str, list[str]] = {"internal": [], "external": []}
    if searched and (len(internal) < internal_all or len(external) < external_all):
        for side, taken in (("internal", internal), ("external", external)):
            every = set(pairs[f"{side}_rep_id"].unique().tolist())
            added[side] = sorted(rep for rep in set(searched) if rep in every and rep not in taken)
    internal, external = internal + added["internal"], external + added["external"]
    drawn = (pairs["internal_rep_id"].isin(internal).to_numpy() & pairs["external_rep_id"].isin(external).to_numpy())
    left_out = pairs[value].to_numpy()[~drawn]
    return MatrixReps(tuple(internal), tuple(external), internal_all, external_all,
                      tuple(added["internal"] + added["external"]),
                      int(left_out.max()) if len(left_out) else None), drawn


def rep_choices(pairs: pd.DataFrame) -> dict[str, str]:
    """Every rep of the pairs, internal and external, id -> "name · team", in the order of
    their labels: the options of the search that adds reps to the matrix."""
    choices = {}
    for side in ("internal", "external"):
        reps = pairs.loc[~pairs[f"{side}_rep_id"].duplicated().to_numpy(),
                         [f"{side}_rep_id", f"{side}_rep_name", f"{side}_team_name"]]
        choices.update(zip(reps[f"{side}_rep_id"].tolist(),
                           (reps[f"{side}_rep_name"] + " · " + reps[f"{side}_team_name"]).tolist()))
    return dict(sorted(choices.items(), key=lambda item: (item[1], item[0])))


def _rep_axis(reps: pd.DataFrame, side: str, every: int, searched) -> dict:
    """A rep axis of the matrix (`reps`: `_drawn_reps` of that side): its title, saying how many
    of the side's reps it draws when not all, and the searched reps' names in bold."""
    axis = {"title": {"text": f"{side.capitalize()} rep" if len(reps) == every else
                      f"{side.capitalize()} reps: {len(reps):,} of {every:,}"}}
    found = reps[f"{side}_rep_id"].isin(set(searched))
    if found.any():
        axis.update(tickvals=reps["label"].tolist(),
                    ticktext=[f"<b>{label}</b>" if bold else label for label, bold in zip(reps["label"], found)])
    return axis


def pair_matrix(pairs: pd.DataFrame, channel: str, by_team: bool, per_side: int = MATRIX_SIZE,
                searched=()) -> tuple[go.Figure, str, pd.DataFrame]:
    """Internal reps (rows) x external reps (columns), counts of the chosen channel: one
    square per pair that exchanged, coloured by its count from 0, clickable (`selected_cell`
    tells which pair was clicked). At most `per_side` reps a side, those of the busiest pairs,
    and the `searched` rep ids (`matrix_reps`), their names in bold. At team level (internal teams
    x agencies) every team pair is drawn, 0 included, with its count written in the square."""
    value = CHANNEL_VALUES[channel]
    level = "team" if by_team else "rep"
    internal_id, internal_name = f"internal_{level}_id", f"internal_{level}_name"
    external_id, external_name = f"external_{level}_id", f"external_{level}_name"
    if by_team:
        frame = pairs.assign(row=_labels(pairs, internal_id, internal_name) if len(pairs) else pairs[internal_name],
                             column=_labels(pairs, external_id, external_name) if len(pairs) else pairs[external_name])
        totals = frame.groupby([internal_id, "row", external_id, "column"], as_index=False)[value].sum()
        rows = frame[[internal_id, "row"]].drop_duplicates()
        columns = frame[[external_id, "column"]].drop_duplicates()
        # every team pair of the grid, 0 where the two never talked in the period
        cells = rows.merge(columns, how="cross").merge(totals, how="left", on=[internal_id, "row", external_id, "column"])
        cells[value] = cells[value].fillna(0).astype(int)
        row_order, column_order = sorted(frame["row"].unique()), sorted(frame["column"].unique())  # by name
    else:
        reps, drawn = _chosen(pairs, channel, per_side, searched)
        rows = _drawn_reps(pairs, "internal", reps.internal, value)
        columns = _drawn_reps(pairs, "external", reps.external, value)
        # the drawn pairs only: hundreds of reps a side are cut before any other work
        cells = pairs.loc[drawn & (pairs[value].to_numpy() > 0), [internal_id, external_id, value]]
        cells = cells.assign(row=cells[internal_id].map(rows.set_index(internal_id)["label"]),
                             column=cells[external_id].map(columns.set_index(external_id)["label"]))
        row_order, column_order = rows["label"].tolist(), columns["label"].tolist()
    unit = "exchanges" if channel == "all" else CHANNEL_LABELS[channel]
    total = int(pairs[value].sum())  # the title tells of every pair, drawn or not
    if total:
        # the busiest pair is drawn (`matrix_reps` takes it first); sort only the ties (by name), not every pair
        most = cells[cells[value] == cells[value].max()]
        top = most.sort_values(["row", "column"]).iloc[0]
        title = (f"{top['row']} and {top['column']} account for {_share(top[value], total)}"
                 if top[value] / total >= 0.01 else
                 f"The busiest pair, {top['row']} and {top['column']}, accounts for {top[value]:,} of {total:,}") + \
            f" cross-team {unit}"
    else:
        title = f"No cross-team {unit} in the period"

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
        shapes, annotations = _team_groups(rows["team"].tolist(), columns["team"].tolist())
        top_margin = 80  # room for the agencies' names
    category = {"type": "category", "categoryorder": "array", "showgrid": True, "gridcolor": "#e5e5e5",
                "tickson": "boundaries", "zeroline": False, "fixedrange": True}
    x_axis, y_axis = {"title": {"text": "External " + level}}, {"title": {"text": "Internal " + level}}
    if not by_team:
        x_axis = _rep_axis(columns, "external", reps.external_all, searched)
        y_axis = _rep_axis(rows, "internal", reps.internal_all, searched)
    figure = go.Figure(trace, layout=dict(
        title=title, hovermode="closest", hoverdistance=max(2, round(size / 4)),
        xaxis={**category, **x_axis, "categoryarray": column_order, "range": [-0.5, n_columns - 0.5],
               "tickangle": -45 if tilted else 0},
        yaxis={**category, **y_axis, "categoryarray": row_order, "range": [n_rows - 0.5, -0.5]},  # first row on top
        height=int(n_rows * row_pitch + top_margin + bottom),
        margin={"t": top_margin, "l": 10, "r": 10, "b": int(bottom)},
        font={"size": 13}, shapes=shapes, annotations=annotations))
    drawn = cells.rename(columns={"row": internal_name, "column": external_name})
    return figure, title, drawn[[internal_name, external_name, value]]


def matrix_note(pairs: pd.DataFrame, channel: str, by_team: bool, per_side: int = MATRIX_SIZE, searched=()) -> str:
    """How the matrix is ordered, which reps it draws and what it leaves out, for a caption
    under it (the internal teams have no room on the chart)."""
    if by_team:
        return "Rows: internal teams; columns: agencies; each square holds the two teams' exchanges."
    reps, drawn = _chosen(pairs, channel, per_side, searched)
    teams = sorted(pairs.loc[pairs["internal_rep_id"].isin(reps.internal), "internal_team_name"].unique())
    unit = "exchanges" if channel == "all" else CHANNEL_LABELS[channel]
    note = (f"Rows: internal reps by team ({', then '.join(teams)}), then by their {unit} with every external rep, "
            f"most first; columns: external reps by agency (named above), likewise. Lines separate the teams; "
            f"pairs with no {unit} are blank.")
    if reps.cut:
        busiest = [sum(rep not in reps.added for rep in side) for side in (reps.internal, reps.external)]
        note += (f" Drawn: the {busiest[0]:,} × {busiest[1]:,} busiest of {reps.internal_all:,} × "
                 f"{reps.external_all:,} reps (internal × external), those of the busiest pairs: pairs are taken "
                 f"from the most {unit} down (ties by name) while their two reps fit in {per_side:,} a side. ")
        singular = unit[:-1]
        note += (f"Every pair with more than {wording.plural(reps.busiest_left_out, singular)} is drawn"
                 if reps.busiest_left_out else f"Every pair with {unit} is drawn")
        note += "; the \"Full matrix (CSV)\" download holds every pair."
    if any(rep in reps.internal or rep in reps.external for rep in searched):
        note += " Names in bold: the reps you searched for."
    for rep, name in zip(reps.added, _rep_names(pairs, reps.added)):
        side = "internal" if rep in reps.internal else "external"
        theirs = pairs[f"{side}_rep_id"].to_numpy() == rep
        with_drawn = int(pairs[CHANNEL_VALUES[channel]].to_numpy()[theirs & drawn].sum())
        every = int(pairs[CHANNEL_VALUES[channel]].to_numpy()[theirs].sum())
        note += (f" {name} is not among the busiest, drawn because you searched for this rep: "
                 f"{with_drawn:,} of their {wording.plural(every, unit[:-1])} are with drawn reps.")
    return note


def _rep_names(pairs: pd.DataFrame, ids) -> list[str]:
    """The names of these rep ids (either side), in the order given."""
    names = {}
    for side in ("internal", "external"):
        found = pairs.loc[pairs[f"{side}_rep_id"].isin(ids), [f"{side}_rep_id", f"{side}_rep_name"]]
        names.update(zip(found[f"{side}_rep_id"], found[f"{side}_rep_name"]))
    return [names[rep] for rep in ids]


def _ids(pairs: pd.DataFrame, level: str) -> tuple[np.ndarray, np.ndarray]:
    """The internal and external ids of the matrix (reps or teams), sorted."""
    return (np.sort(pairs[f"internal_{level}_id"].unique().astype(str)),
            np.sort(pairs[f"external_{level}_id"].unique().astype(str)))


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
