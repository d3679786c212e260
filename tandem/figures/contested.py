"""The Contested page's figures: the weekly trend, the heatmaps, the outcomes and one
deal's timeline, each with its takeaway title."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from tandem.figures.style import (
    DAY_MS,
    EXTERNAL,
    INTERNAL,
    KIND_COLOURS,
    LAYOUT,
    NEUTRAL,
    WEEK_BAR_WIDTH_MS,
    count_axis,
    week_axis,
)
from tandem.model import contest, wording
from tandem.model.contest import SIGNAL_LABELS, signal_names
from tandem.model.filters import SIGNALS, ContestRules

# Okabe-Ito colours not used by the teams' blue and orange shades
SIGNAL_COLOURS = {"double_claim": "#CC79A7", "out_of_scope": "#882255", "uncoordinated_overlap": "#009E73"}
# the trend's markers: drawn in this order, each smaller than the one before, so that signals
# with the same count in a week stay visible on top of each other
TREND_MARKERS = {"double_claim": ("diamond", 14), "out_of_scope": ("square", 10),
                 "uncoordinated_overlap": ("circle", 7)}
EXCHANGE_COLOUR = "#555555"
MIN_CELL_DEALS = 10  # cells with fewer deals are marked as small samples
MAX_PAIRS_DRAWN = 200  # uncoordinated pairs drawn on one timeline; every pair stays in the explanation
MIN_TIMELINE_DAYS = 7  # a deal's timeline spans at least this many days, so its ticks stay dates, not hours
# amount columns of the frames handed to downloads, named with the currency


def trend_figure(weekly: pd.DataFrame, rules: ContestRules, first_week: dt.date,
                 last_week: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Contested deals per week of the period, in total and per chosen signal, on the
    period's weeks (`first_week` to `last_week`, Mondays), however short or long it is."""
    traces = [go.Bar(x=weekly["week_start"], y=weekly["contested"], name="contested deals", width=WEEK_BAR_WIDTH_MS,
                     marker_color="#DDDDDD", hovertemplate="%{y:,} contested deals<extra></extra>")]
    for signal in rules.signals:
        traces.append(go.Scatter(x=weekly["week_start"], y=weekly[signal], name=SIGNAL_LABELS[signal],
                                 mode="lines+markers", line={"color": SIGNAL_COLOURS[signal], "width": 3},
                                 marker={"symbol": TREND_MARKERS[signal][0], "size": TREND_MARKERS[signal][1]},
                                 hovertemplate="%{y:,} with " + SIGNAL_LABELS[signal] + "<extra></extra>"))
    if weekly.empty or weekly["contested"].iloc[-1] == 0:
        title = "No contested deal in the last week of the period"
    else:
        last = weekly.iloc[-1]
        total = int(last["contested"])
        behind = int(max(last[s] for s in rules.signals))
        tops = [SIGNAL_LABELS[s] for s in rules.signals if last[s] == behind]
        # a share only over enough deals (wording.MIN_BASE), else the count
        share = ("all of them" if behind == total else
                 f"{behind / total:.0%} of them" if total >= wording.MIN_BASE else f"{behind:,} of them")
        title = f"{wording.plural(total, 'contested deal')} in the week of {last['week_start']:%d %b %Y}" + (
            f" ({' and '.join(tops)})" if total == 1 else
            f"; {' and '.join(tops)} {'is' if len(tops) == 1 else 'are each'} behind {share}")
    axis = {**week_axis(first_week, last_week), "hoverformat": "week of %d %b %Y"}
    highest = weekly[["contested", *rules.signals]].to_numpy().max(initial=0)
    counts = count_axis("Contested active deals at the week's end", highest)
    figure = go.Figure(traces, layout=dict(
        title=title, xaxis=axis, yaxis=counts,
        hovermode="x unified", height=420, **LAYOUT))
    return figure, title, weekly


def _cell_text(rate: float, deals: int) -> str:
    return f"{rate:.0%}<br>{deals:,} deal{'s' if deals != 1 else ''}" + (" ⚠" if deals < MIN_CELL_DEALS else "")


def _heatmap(grid_rate: pd.DataFrame, grid_n: pd.DataFrame, grid_amount: pd.DataFrame, x_title: str,
             y_title: str) -> go.Figure:
    text = [[_cell_text(r, int(n)) if n else "" for r, n in zip(rates, counts)]
            for rates, counts in zip(grid_rate.values, grid_n.fillna(0).values)]
    # the layout goes in with the trace: plotly's update_layout afterwards costs 3 times as much
    return go.Figure(go.Heatmap(
        z=grid_rate.values, x=grid_rate.columns.tolist(), y=grid_rate.index.tolist(), text=text,
        texttemplate="%{text}", textfont={"size": 15}, colorscale="YlOrRd", zmin=0,
        zmax=max(0.05, float(pd.DataFrame(grid_rate).max().max() if grid_rate.notna().any().any() else 0.05)),
        customdata=grid_amount.fillna(0).values,
        hovertemplate="%{y} × %{x}<br>contested rate %{z:.1%}<br>" + wording.money_label("value at stake")
                      + ": %{customdata:,.0f}<br>%{text}<extra></extra>",
        colorbar={"title": "contested", "tickformat": ".0%"}, xgap=2, ygap=2), layout={
        "xaxis": {"title": {"text": x_title}, "tickangle": 0, "tickvals": grid_rate.columns.tolist(),
                  "ticktext": [str(c).replace(" ", "<br>", 1) for c in grid_rate.columns]},
        "yaxis": {"title": {"text": y_title}, "autorange": "reversed"},
        "height": max(300, 70 * len(grid_rate.index) + 140),
        **{**LAYOUT, "margin": {"t": 10, "l": 10, "r": 10, "b": 10}}})


def _ranking(frame: pd.DataFrame, by: str, size: str, noun: str, separator: str = " ") -> str | None:
    """The takeaway that ranks the values of `by` by contested rate: the highest among the
    groups of at least MIN_CELL_DEALS deals, against the rate of all the others together,
    saying how many groups the ranking left out for too few deals. When fewer than two such
    groups exist, or none of them has a contested deal, all groups compete and a small top
    group comes with its number of deals. None with fewer than two groups."""
    groups = frame.groupby(by)[[size, "contested"]].sum()
    if len(groups) < 2:
        return None
    groups["rate"] = groups["contested"] / groups[size]
    eligible = groups[groups[size] >= MIN_CELL_DEALS]
    if len(eligible) < 2 or not eligible["contested"].any():
        eligible = groups
    left_out = len(groups) - len(eligible)
    top = eligible.sort_values(["rate", size], ascending=[False, False]).index[0]
    deals = int(groups.loc[top, size])
    rest = groups.drop(index=top)
    others = f"other {noun}s {rest['contested'].sum() / rest[size].sum():.0%}"
    if left_out:
        others += f"; {wording.plural(left_out, noun)} with fewer than {MIN_CELL_DEALS} deals not ranked"
    rate = f"{groups.loc[top, 'rate']:.0%}"
    if deals < MIN_CELL_DEALS:
        rate += f" of {wording.plural(deals, 'deal')}"
    return f"{top}{separator}{rate} contested ({others})"


def region_segment_heatmap(frame: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    frame = frame.assign(region=frame["region"].map(wording.humanise), segment=frame["segment"].map(wording.humanise))
    grid = {v: frame.pivot(index="region", columns="segment", values=v)
            for v in ("contested_rate", "active", "contested_amount")}
    parts = [part for part in (_ranking(frame, "region", "active", "region"),
                               _ranking(frame, "segment", "active", "segment")) if part]
    rate = frame["contested"].sum() / frame["active"].sum()
    title = "; ".join(parts) if parts else f"{rate:.0%} of active deals contested"
    if not frame["contested"].any():  # nothing to rank
        title = f"None of the {wording.plural(int(frame['active'].sum()), 'active deal')} is contested"
    figure = _heatmap(grid["contested_rate"], grid["active"], grid["contested_amount"], "Segment", "Region")
    return figure, title, frame  # the page writes the title above (half-width charts cut long titles)


def team_pair_heatmap(frame: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    grid = {v: frame.pivot(index="internal_team_name", columns="external_team_name", values=v)
            for v in ("contested_rate", "worked_by_both", "contested_amount")}
    keyed = frame.assign(pair=frame["internal_team_name"] + " × " + frame["external_team_name"])
    title = _ranking(keyed, "pair", "worked_by_both", "pair", separator=": ")
    if not keyed["contested"].any():  # nothing to rank
        title = "No deal worked by both forces is contested"
    elif not title:
        row = keyed.iloc[0]
        deals = wording.plural(int(row["worked_by_both"]), "deal")
        title = f"{row['pair']}: {row['contested_rate']:.0%} of {deals} contested"
    figure = _heatmap(grid["contested_rate"], grid["worked_by_both"], grid["contested_amount"], "Agency",
                      "Internal team")
    return figure, title, frame  # the page writes the title above (half-width charts cut long titles)


def deal_table(deals: pd.DataFrame) -> pd.DataFrame:
    """The contested-deals list as shown and downloaded: one row per deal, by amount
    (largest first). Vectorised: at 10 million activities the list has ~10,000 deals."""
    table = deals.assign(signals=signal_names(deals))
    if table["deal_id"].is_monotonic_increasing:  # as the query lists them: a stable sort keeps ties by id
        table = table.sort_values("amount", ascending=False, kind="stable")
    else:  # four times slower (text sort)
        table = table.sort_values(["amount", "deal_id"], ascending=[False, True])
    table = table.reset_index(drop=True)
    return table[["deal_id", "deal_name", "account_name", "owner_rep_name", "team_name", "teams_involved", "signals",
                  "amount", "stage", "status", "first_evidence_at", "last_evidence_at"]]


def outcome_figures(outcomes: pd.DataFrame) -> list[tuple[go.Figure | None, str, pd.DataFrame]]:
    """Who ended up with the contested deals, and the win rate of contested vs uncontested;
    no figure (None), only its title, when it would draw nothing."""
    contested = outcomes[outcomes["contested"]].set_index("owner_kind")
    won_by = {kind: int(contested.loc[kind, "won"]) for kind in ("internal", "external")}
    lost = int(contested.loc["all", "lost"])
    drawn = pd.DataFrame({"outcome": ["won, internal owner", "won, external owner", "lost"],
                          "deals": [won_by["internal"], won_by["external"], lost]})
    won = sum(won_by.values())
    if won:
        keeper = max(won_by, key=won_by.get)
        kept = won_by[keeper]
        # a share only over enough deals (wording.MIN_BASE), else the count
        share = (f"all {won:,}" if kept == won else f"{kept / won:.0%} of the {won:,}" if won >= wording.MIN_BASE
                 else f"{kept:,} of the {won:,}")
        title = (f"The one contested deal won ended with an {keeper} owner" if won == 1 else
                 f"{keeper.capitalize()} owners ended up with {share} contested deals won")
    elif lost:
        title = ("The one contested deal closed in the period was lost" if lost == 1 else
                 f"All {lost:,} contested deals closed in the period were lost")
    else:
        title = "No contested deal closed in the period"
    owners = go.Figure(go.Bar(x=drawn["deals"], y=drawn["outcome"], orientation="h",
                              marker_color=[INTERNAL, EXTERNAL, NEUTRAL], text=drawn["deals"], textposition="auto",
                              hovertemplate="%{y}: %{x:,} deals<extra></extra>"), layout=dict(
        title=title, xaxis=count_axis("Contested deals closed in the period", drawn["deals"].max()),
        yaxis={"title": None, "autorange": "reversed"},
        height=300, **LAYOUT))

    overall = outcomes[outcomes["owner_kind"] == "all"].set_index("contested")
    rates = pd.DataFrame({
        "deals": ["contested", "not contested"],
        "won": [int(overall.loc[c, "won"]) for c in (True, False)],
        "lost": [int(overall.loc[c, "lost"]) for c in (True, False)],
        "win_rate": [wording.number(overall.loc[c, "win_rate"]) for c in (True, False)],
        "win_rate_low": [wording.number(overall.loc[c, "win_rate_low"]) for c in (True, False)],
        "win_rate_high": [wording.number(overall.loc[c, "win_rate_high"]) for c in (True, False)],
    })
    shown = rates.dropna(subset=["win_rate"])
    win_bars = go.Bar(
        x=shown["win_rate"], y=shown["deals"], orientation="h",
        marker_color=[SIGNAL_COLOURS["out_of_scope"] if d == "contested" else NEUTRAL for d in shown["deals"]],
        error_x={"type": "data", "symmetric": False, "array": shown["win_rate_high"] - shown["win_rate"],
                 "arrayminus": shown["win_rate"] - shown["win_rate_low"], "thickness": 2.5, "width": 10},
        text=[f"{r:.0%} of {w + l:,}" for r, w, l in zip(shown["win_rate"], shown["won"], shown["lost"])],
        textposition="inside", insidetextanchor="start",
        hovertemplate="%{y}: win rate %{x:.1%}<extra></extra>")
    if len(shown) == 2:
        c, u = shown.iloc[0], shown.iloc[1]
        title = (f"Contested deals win {c['win_rate']:.0%} ({c['win_rate_low']:.0%}–{c['win_rate_high']:.0%}) "
                 f"against {u['win_rate']:.0%} ({u['win_rate_low']:.0%}–{u['win_rate_high']:.0%}) for the others")
    else:
        title = "Not enough closed deals to compare win rates"
    win = go.Figure(win_bars, layout=dict(
        title=title, xaxis={"title": "Win rate (won / closed) with Wilson 95% interval", "tickformat": ".0%",
                            "range": [0, 1]}, yaxis={"autorange": "reversed"}, height=260, **LAYOUT))
    return [(owners if drawn["deals"].any() else None, owners.layout.title.text, drawn),
            (win if not shown.empty else None, title, rates)]


# tick labels by tick spacing (ms): hours within a day, days, then months with their year
TIMELINE_TICK_FORMATS = [{"dtickrange": [None, DAY_MS / 2], "value": "%d %b %H:%M"},
                         {"dtickrange": [DAY_MS, "M1"], "value": "%d %b"},
                         {"dtickrange": ["M1", None], "value": "%b %Y"}]


def _timeline_axis(record: pd.Series, timeline: pd.DataFrame, evidence: pd.DataFrame) -> dict:
    """The time axis of a deal's timeline: its window and every event, at least
    MIN_TIMELINE_DAYS wide (a deal of one afternoon would otherwise tick in minutes);
    the title names the years, which day ticks leave out."""
    times = pd.concat([timeline["occurred_at"], evidence["evidence_at"], evidence["other_evidence_at"],
                       pd.Series([record["window_start"], record["window_end"]])]).dropna()
    first, last = pd.Timestamp(times.min()), pd.Timestamp(times.max())
    span = max(last - first, pd.Timedelta(days=MIN_TIMELINE_DAYS))
    middle = first + (last - first) / 2
    start, end = middle - span / 2 - span * 0.03, middle + span / 2 + span * 0.03
    years = f"{start:%Y}" if start.year == end.year else f"{start:%Y}–{end:%Y}"
    return {"type": "date", "title": {"text": f"Date ({years})"}, "tickformatstops": TIMELINE_TICK_FORMATS,
            "range": [start, end]}


def timeline_figure(record: pd.Series, timeline: pd.DataFrame, evidence: pd.DataFrame,
                    colours: dict[str, str]) -> tuple[go.Figure, str]:
    """Every touch, cross-team exchange, claim and stage change of one deal on one time
    axis, one lane per rep, coloured by team; the evidence of each signal ringed."""
    reps = contest.rep_directory(timeline)
    kind_order = {"internal": 0, "external": 1}
    lanes = sorted(reps, key=lambda r: (kind_order.get(reps[r]["kind"], 2), reps[r]["team"], reps[r]["name"]))
    label = {r: f"{reps[r]['name']} · {reps[r]['team']}" for r in lanes}
    team_ids = dict(zip(timeline["rep_team_name"], timeline["rep_team_id"]))
    figure = go.Figure()

    figure.add_vrect(x0=record["window_start"], x1=record["window_end"], fillcolor="#F2F2F2", line_width=0,
                     layer="below", annotation_text="deal window", annotation_position="bottom left")
    pairs = evidence[evidence["signal"] == "uncoordinated_overlap"].head(MAX_PAIRS_DRAWN)
    # drawn first, so that the touches and the evidence lie on top
    exchanges = timeline[timeline["event"] == "exchange"]
    if not exchanges.empty:
        # every exchange is a tick on both reps' lanes; only those between the two reps of an
        # uncoordinated pair are joined by a line (a busy deal has hundreds of exchanges)
        ends = pd.concat([exchanges.assign(lane=exchanges["rep_id"]), exchanges.assign(lane=exchanges["other_rep_id"])])
        figure.add_trace(go.Scatter(
            x=ends["occurred_at"], y=ends["lane"].map(label), mode="markers", name="cross-team exchange (tick on "
            "both reps' lanes)", marker={"size": 10, "symbol": "line-ns-open", "color": "#8C8C8C",
                                         "line": {"width": 1.5}},
            customdata=ends[["channel", "rep_name", "other_rep_name"]].values,
            hovertemplate="%{customdata[0]}: %{customdata[1]} → %{customdata[2]}<br>%{x|%d %b %Y %H:%M}"
                          "<extra></extra>"))
        pair_keys = {frozenset(p) for p in zip(pairs["rep_id"], pairs["other_rep_id"])}
        between = exchanges[[frozenset(p) in pair_keys for p in zip(exchanges["rep_id"], exchanges["other_rep_id"])]]
        if not between.empty:
            xs, ys = [], []
            for row in between.itertuples():
                xs += [row.occurred_at, row.occurred_at, None]
                ys += [label.get(row.rep_id), label.get(row.other_rep_id), None]
            figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="exchange between an uncoordinated pair",
                                        line={"color": EXCHANGE_COLOUR, "width": 2}, hoverinfo="skip"))

    touches = timeline[timeline["event"] == "touch"]
    for team, rows in touches.groupby("rep_team_name", sort=True):
        figure.add_trace(go.Scatter(
            x=rows["occurred_at"], y=rows["rep_id"].map(label), mode="markers", name=f"touch by {team}",
            marker={"size": 12, "color": colours.get(team_ids.get(team), NEUTRAL),
                    "line": {"width": 1, "color": "white"}},
            customdata=rows[["channel", "contact_name", "detail", "activity_id"]].fillna("").values,
            hovertemplate="%{customdata[0]} with %{customdata[1]} (%{customdata[2]})<br>%{x|%d %b %Y %H:%M}"
                          "<br>%{customdata[3]}<extra></extra>"))

    ringed = {"out_of_scope": (20, "out-of-scope touch"), "uncoordinated_overlap": (26, "overlapping touch")}
    for signal, (size, name) in ringed.items():
        rows = evidence[evidence["signal"] == signal]
        points = pd.concat([rows[["rep_id", "evidence_at"]],
                            rows[["other_rep_id", "other_evidence_at"]].set_axis(["rep_id", "evidence_at"], axis=1)])
        points = points.dropna().drop_duplicates()
        if points.empty:
            continue
        figure.add_trace(go.Scatter(
            x=points["evidence_at"], y=points["rep_id"].map(label), mode="markers", name=name,
            marker={"symbol": "circle-open", "size": size, "color": SIGNAL_COLOURS[signal], "line": {"width": 2.5}},
            hoverinfo="skip"))

    if not pairs.empty:
        xs, ys = [], []
        for pair in pairs.itertuples():
            xs += [pair.evidence_at, pair.other_evidence_at, None]
            ys += [label.get(pair.rep_id), label.get(pair.other_rep_id), None]
        figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="uncoordinated pair of touches",
                                    line={"color": SIGNAL_COLOURS["uncoordinated_overlap"], "dash": "dash",
                                          "width": 2}, hoverinfo="skip"))

    claims = timeline[timeline["event"] == "claim"]
    if not claims.empty:
        double = set(evidence.loc[evidence["signal"] == "double_claim", "rep_id"])
        figure.add_trace(go.Scatter(
            x=claims["occurred_at"], y=claims["rep_id"].map(label), mode="markers+text", name="claim",
            text=claims["detail"], textposition="top center",
            marker={"symbol": "diamond", "size": 16,
                    "color": [colours.get(t, NEUTRAL) for t in claims["rep_team_id"]],
                    "line": {"width": [4 if r in double else 1 for r in claims["rep_id"]],
                             "color": SIGNAL_COLOURS["double_claim"]}},
            customdata=claims[["detail"]].values,
            hovertemplate="%{customdata[0]} claim<br>%{x|%d %b %Y %H:%M}<extra></extra>"))

    for number, row in enumerate(timeline[timeline["event"] == "stage_change"].itertuples()):
        # labels above the lanes, alternating in height so that close changes stay legible
        figure.add_vline(x=row.occurred_at, line={"color": "#777777", "dash": "dot", "width": 1})
        figure.add_annotation(x=row.occurred_at, y=1.01 + 0.08 * (number % 2), yref="paper", text=row.detail,
                              showarrow=False, xanchor="center", yanchor="bottom",
                              font={"size": 12, "color": "#555555"})

    signals = [SIGNAL_LABELS[s] for s in SIGNALS if s in set(evidence["signal"])]
    title = (f"{record['deal_name']}: contested by {', '.join(signals)}" if signals else
             f"{record['deal_name']} is not contested under the current rule")
    figure.update_layout(
        title=title, xaxis=_timeline_axis(record, timeline, evidence),
        yaxis={"title": None, "categoryorder": "array", "categoryarray": lanes and [label[r] for r in lanes],
               "autorange": "reversed"},
        height=70 * len(lanes) + 330, hovermode="closest",
        # the legend at the bottom of the figure, below the axis title, whatever the number of lanes
        **{**LAYOUT, "margin": {"t": 110, "l": 10, "r": 10, "b": 150},
           "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"}})
    for lane in lanes:
        figure.add_hline(y=label[lane], line={"color": KIND_COLOURS.get(reps[lane]["kind"], NEUTRAL), "width": 1},
                         opacity=0.25)
    return figure, title
