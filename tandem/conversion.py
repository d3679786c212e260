"""Figures and tables of the Conversion page, built from query frames.

Each builder returns (figure, takeaway title, drawn frame); the page only lays them out
and offers the drawn frame as CSV. Win rates come with their Wilson 95% interval,
computed in SQL; here they only become error bars.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from tandem.palette import INTERNAL, KIND_COLOURS, NEUTRAL

MIN_CLOSED = 10  # teams with fewer closed deals in the period are marked "too few to compare"
KIND_LABELS = {"internal": "Internal", "external": "External", "none": "No source rep"}
LAYOUT = dict(margin={"t": 70, "l": 10, "r": 10, "b": 10}, legend={"orientation": "h", "y": -0.25},
              font={"size": 15}, title_font={"size": 19})


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(value) -> str:
    return "n/a" if _missing(value) else f"{value:.0%}"


def interval(low, high) -> str:
    return "n/a" if _missing(low) else f"{low:.0%}–{high:.0%}"


def _error_bars(frame: pd.DataFrame) -> dict:
    """Plotly asymmetric error bars (in percentage points) from win_rate, win_rate_low, win_rate_high."""
    return dict(type="data", symmetric=False, array=(100 * (frame["win_rate_high"] - frame["win_rate"])).tolist(),
                arrayminus=(100 * (frame["win_rate"] - frame["win_rate_low"])).tolist(), thickness=2.5, width=8)


def team_table(conversion: pd.DataFrame, touches: pd.DataFrame, colours: dict[str, str],
               min_closed: int = MIN_CLOSED) -> tuple[go.Figure, str, pd.DataFrame]:
    """Per team: win rate with its Wilson interval as points with error bars; the frame holds
    every figure of the team table (created, won, lost, rates, amounts, cycle, touches)."""
    drawn = conversion.merge(touches[["team_id", "touches", "touches_per_won_deal"]], on="team_id", how="left")
    drawn["touches"] = drawn["touches"].fillna(0).astype(int)
    drawn["too_few_closed"] = drawn["closed"] < min_closed
    drawn = drawn.sort_values(["kind", "team_id"], ascending=[False, True]).reset_index(drop=True)
    labels = [f"{row.name} (few closed)" if row.too_few_closed else row.name for row in drawn.itertuples()]
    rated = drawn[drawn["win_rate"].notna()]
    traces = []  # the figure is made at the end with its layout: plotly's update_layout costs 3 times as much
    for row, label in zip(drawn.itertuples(), labels):
        if _missing(row.win_rate):
            continue
        one = drawn.loc[[row.Index]]
        traces.append(go.Scatter(
            x=[label], y=[100 * row.win_rate], mode="markers", name=row.name, showlegend=False,
            marker={"size": 16, "color": "white" if row.too_few_closed else colours.get(row.team_id, NEUTRAL),
                    "line": {"width": 3, "color": colours.get(row.team_id, NEUTRAL)},
                    "symbol": "circle-open" if row.too_few_closed else "circle"},
            error_y={**_error_bars(one), "color": colours.get(row.team_id, NEUTRAL)},
            hovertemplate=(f"{row.name}<br>win rate %{{y:.1f}}% ({row.won} of {row.closed} closed)<br>"
                           f"95% interval {interval(row.win_rate_low, row.win_rate_high)}<extra></extra>")))
    comparable = rated[~rated["too_few_closed"]]
    if rated.empty:
        title = "No deal closed in the period"
    elif comparable.empty:
        title = f"No team closed {min_closed} deals in the period: too few to compare win rates"
    else:
        best = comparable.sort_values(["win_rate", "team_id"], ascending=[False, True]).iloc[0]
        title = (f"{best['name']} has the highest win rate: {percent(best['win_rate'])} "
                 f"({interval(best['win_rate_low'], best['win_rate_high'])}) of {best['closed']:,} closed deals")
        overlap = comparable[comparable["win_rate_high"] >= best["win_rate_low"]]
        if len(overlap) > 1:
            title += f", within the interval of {len(overlap) - 1} other team{'s' if len(overlap) > 2 else ''}"
    figure = go.Figure(traces, layout=dict(
        title=title, xaxis={"title": f"Team (hollow: fewer than {min_closed} closed deals)", "categoryorder": "array",
                            "categoryarray": labels},
        yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=460, **LAYOUT))
    return figure, title, drawn


def funnel(stages: pd.DataFrame, names: dict[str, str], kinds: dict[str, str], colours: dict[str, str]
           ) -> tuple[go.Figure, str, pd.DataFrame]:
    """Grouped bars: share of each team's creation cohort reaching each stage (internal teams
    first); the text on a bar is the conversion from the stage before."""
    drawn = stages.copy()
    drawn["team_name"] = drawn["team_id"].map(names).fillna(drawn["team_id"])
    cohort = drawn[drawn["stage"] == "lead"].set_index("team_id")["reached"]
    drawn["share_of_cohort"] = drawn["reached"] / drawn["team_id"].map(cohort)
    drawn["conversion_from_previous"] = drawn.groupby("team_id")["conversion_to_next"].shift(1)
    traces = []
    order = sorted(drawn["team_id"].unique(), key=lambda t: (kinds.get(t) != "internal", t))
    for team_id in order:
        rows = drawn[drawn["team_id"] == team_id]
        text = ["" if r.stage == "lead" else percent(r.conversion_from_previous) for r in rows.itertuples()]
        traces.append(go.Bar(
            x=rows["stage"], y=100 * rows["share_of_cohort"], text=text,
            name=f"{names.get(team_id, team_id)} (cohort {cohort[team_id]:,})",
            textposition="outside", marker_color=colours.get(team_id, NEUTRAL), cliponaxis=False,
            customdata=rows[["reached"]].to_numpy(),
            hovertemplate=names.get(team_id, team_id) + ": %{customdata[0]:,} deals reached %{x} "
                                                        "(%{y:.0f}% of the cohort)<extra></extra>"))
    totals = drawn.groupby(["position", "stage"], as_index=False)["reached"].sum().sort_values("position")
    if totals.empty or totals["reached"].iloc[0] == 0:
        title = "No deal created in the period"
    else:
        totals["conversion"] = totals["reached"].shift(-1) / totals["reached"]
        steps = totals.iloc[:-1].dropna(subset=["conversion"])
        worst = steps.sort_values(["conversion", "position"]).iloc[0] if not steps.empty else None
        won = totals["reached"].iloc[-1] / totals["reached"].iloc[0]
        title = f"{won:.0%} of the deals created in the period have reached won"
        if worst is not None:
            following = totals[totals["position"] == worst["position"] + 1]["stage"].iloc[0]
            title += f"; the weakest step is {worst['stage']} → {following} ({worst['conversion']:.0%} convert)"
    figure = go.Figure(traces, layout=dict(
        barmode="group", title=title, xaxis_title="Stage (bar text: conversion from the stage before)",
        yaxis={"title": "Share of the team's cohort reaching it (%)", "range": [0, 115]}, height=480, **LAYOUT))
    return figure, title, drawn.drop(columns=["position"])


def source_owner_matrix(paths: pd.DataFrame, by_team: bool, measure: str) -> tuple[go.Figure, str, pd.DataFrame]:
    """Heatmap of source (rows) × owner (columns): deals created or their value (measure
    'created' or 'created_amount'); each cell also shows the path's win rate."""
    level = "team" if by_team else "kind"
    drawn = paths[paths["level"] == level].copy()
    if by_team:
        drawn["source"] = drawn["source_team_name"]
        drawn["owner"] = drawn["owner_team_name"]
    else:
        drawn["source"] = drawn["source_kind"].map(KIND_LABELS).fillna(drawn["source_kind"])
        drawn["owner"] = drawn["owner_kind"].map(KIND_LABELS).fillna(drawn["owner_kind"])
    kind_order = {"external": 0, "internal": 1, "none": 2}
    rows = (drawn.assign(o=drawn["source_kind"].map(kind_order)).sort_values(["o", "source"])["source"]
            .drop_duplicates().tolist())
    columns = (drawn.assign(o=drawn["owner_kind"].map(kind_order)).sort_values(["o", "owner"])["owner"]
               .drop_duplicates().tolist())
    grid = drawn.pivot_table(index="source", columns="owner", values=measure, aggfunc="sum", fill_value=0)
    grid = grid.reindex(index=rows, columns=columns, fill_value=0)
    text = pd.DataFrame("", index=rows, columns=columns)
    for r in drawn.itertuples():
        value = f"{r.created:,} deals" if measure == "created" else f"{r.created_amount:,.0f}"
        text.loc[r.source, r.owner] = (f"{value}<br>win {percent(r.win_rate)}"
                                       f"<br>({interval(r.win_rate_low, r.win_rate_high)}, {r.won + r.lost} closed)")
    heatmap = go.Heatmap(
        z=grid.values, x=columns, y=rows, text=text.values, texttemplate="%{text}", colorscale="Blues",
        colorbar={"title": "deals" if measure == "created" else "amount"}, textfont={"size": 14},
        hovertemplate="sourced by %{y}, closed by %{x}<br>%{text}<extra></extra>")
    kinds = paths[paths["level"] == "kind"]
    created, won_amount = kinds["created"].sum(), kinds["won_amount"].sum()
    if not created and not won_amount:
        title = "No deal created or closed in the period"
    else:
        parts = []
        if created:
            parts.append(f"External reps source {kinds.loc[kinds['source_kind'] == 'external', 'created'].sum() / created:.0%}"
                         " of the deals created")
        if won_amount:
            share = kinds.loc[kinds["owner_kind"] == "internal", "won_amount"].sum() / won_amount
            parts.append(f"internal reps close {share:.0%} of the won value")
        title = "; ".join(parts)
        title = title[0].upper() + title[1:]
    figure = go.Figure(heatmap, layout=dict(
        title=title, xaxis={"title": f"Closed by ({level} of the owner)"},
        yaxis={"title": f"Sourced by ({level} of the source rep)", "autorange": "reversed"},
        height=max(380, 70 * len(rows) + 180), margin={"t": 70, "l": 10, "r": 10, "b": 10}, font={"size": 14},
        title_font={"size": 19}))
    keep = ["source_kind", "source_team_id", "source_team_name", "owner_kind", "owner_team_id", "owner_team_name",
            "created", "created_amount", "won", "lost", "won_amount", "win_rate", "win_rate_low", "win_rate_high"]
    if not by_team:
        keep = [c for c in keep if "team" not in c]
    return figure, title, drawn[keep].reset_index(drop=True)


def _rate_bars(frame: pd.DataFrame, x: list[str], colour: str, hover_label: str) -> go.Bar:
    x = [f"{label}<br>{deals:,} deal{'s' if deals != 1 else ''}" for label, deals in zip(x, frame["deals"])]
    return go.Bar(x=x, y=100 * frame["win_rate"], marker_color=colour, error_y={**_error_bars(frame),
                  "color": "#333333"}, customdata=frame[["won", "deals", "win_rate_low", "win_rate_high"]],
                  hovertemplate=hover_label + " %{x}:<br>%{customdata[0]} won of %{customdata[1]} "
                                "(%{y:.0f}%, 95% interval %{customdata[2]:.0%}–%{customdata[3]:.0%})<extra></extra>")


def handoff_latency(buckets: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    """Win rate of agency-sourced, internally-owned deals by the owner's first-touch latency."""
    drawn = buckets.drop(columns=["bucket_order"])
    shown = buckets[buckets["deals"] > 0]
    bars = _rate_bars(shown, shown["bucket"].tolist(), INTERNAL, "first owner touch")
    solid = shown[shown["deals"] >= MIN_CLOSED]
    if shown.empty:
        title = "No deal sourced by an external rep and owned by an internal rep closed in the period"
    elif len(solid) < 2:
        title = f"Too few handoffs closed in the period to compare latencies ({shown['deals'].sum()} deals)"
    else:
        best = solid.sort_values(["win_rate", "bucket_order"], ascending=[False, True]).iloc[0]
        worst = solid.sort_values(["win_rate", "bucket_order"]).iloc[0]
        title = (f"Handoffs win {percent(best['win_rate'])} when the owner's first touch comes "
                 f"{_bucket_phrase(best['bucket'])}, {percent(worst['win_rate'])} {_bucket_phrase(worst['bucket'])}")
    figure = go.Figure(bars, layout=dict(
        title=title, xaxis_title="Days from creation to the internal owner's first customer touch",
        yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=440, showlegend=False, **LAYOUT))
    return figure, title, drawn


def _bucket_phrase(bucket: str) -> str:
    if bucket == "no owner touch":
        return "with no owner touch"
    if bucket.startswith("<") or bucket.startswith(">"):
        return f"after {bucket.replace('<', 'less than').replace('>', 'more than')}"
    return f"after {bucket}"


def cohort_trend(months: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    """Win rate by creation month per kind (outcome as of end), with intervals."""
    traces = []
    for kind in ("internal", "external"):
        rows = months[(months["kind"] == kind) & months["win_rate"].notna()]
        if rows.empty:
            continue
        traces.append(go.Scatter(
            x=rows["month"], y=100 * rows["win_rate"], mode="lines+markers", name=f"{KIND_LABELS[kind]} teams",
            line={"color": KIND_COLOURS[kind], "width": 3}, marker={"size": 9},
            error_y={**_error_bars(rows), "color": KIND_COLOURS[kind]},
            customdata=rows[["won", "lost", "open"]],
            hovertemplate=f"{KIND_LABELS[kind]} %{{x|%b %Y}}: %{{y:.0f}}% (%{{customdata[0]}} won, "
                          "%{customdata[1]} lost, %{customdata[2]} still open)<extra></extra>"))
    pooled = months.groupby("kind")[["won", "lost"]].sum()
    rates = {kind: pooled.loc[kind, "won"] / (pooled.loc[kind, "won"] + pooled.loc[kind, "lost"])
             for kind in pooled.index if pooled.loc[kind, "won"] + pooled.loc[kind, "lost"] > 0}
    if not rates:
        title = "No deal created in the period has closed yet"
    else:
        title = "Deals created in the period: " + ", ".join(
            f"{KIND_LABELS[k].lower()} teams win {rates[k]:.0%}" for k in ("internal", "external") if k in rates)
        title += " of those closed so far"
    months_shown = months["month"].nunique()
    figure = go.Figure(traces, layout=dict(
        title=title, xaxis={"title": "Creation month", "dtick": "M1" if months_shown <= 12 else "M3",
                            "tickformat": "%b %Y"},
        yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=440, **{**LAYOUT, "hovermode": "closest"}))
    return figure, title, months


def coordination(quartiles: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    """Win rate of deals shared by an internal and an external rep, by quartile of the
    exchanges between the two."""
    labels = [f"Q{r.quartile}: {r.min_exchanges}–{r.max_exchanges} exchanges" for r in quartiles.itertuples()]
    bars = _rate_bars(quartiles, labels, "#009E73", "owner and source rep")
    if quartiles.empty:
        title = "No deal shared by an internal and an external rep closed in the period"
    else:
        low, high = quartiles.iloc[0], quartiles.iloc[-1]
        title = (f"Shared deals whose two reps talked most win {percent(high['win_rate'])} "
                 f"({interval(high['win_rate_low'], high['win_rate_high'])}), against {percent(low['win_rate'])} "
                 f"({interval(low['win_rate_low'], low['win_rate_high'])}) for those who talked least")
    figure = go.Figure(bars, layout=dict(
        title=title, xaxis_title="Quartile of exchanges between the owner and the source rep in the deal window",
        yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=440, showlegend=False, **LAYOUT))
    return figure, title, quartiles
