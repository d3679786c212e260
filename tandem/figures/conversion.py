"""Figures and tables of the Conversion page, built from query frames.

Each builder returns (figure, takeaway title, drawn frame); the page only lays them out
and offers the drawn frame as CSV. Win rates come with their Wilson 95% interval,
computed in SQL; here they only become error bars.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from tandem.figures.style import INTERNAL, KIND_COLOURS, LAYOUT, NEUTRAL, month_axis
from tandem.model.wording import (
    MIN_BASE,
    humanise,
    missing,
    money_label,
    money_with_currency,
    percent,
    plural,
    share,
)

MIN_CLOSED = 10  # teams with fewer closed deals in the period are marked "too few to compare"
KIND_LABELS = {"internal": "Internal", "external": "External", "none": "No source rep"}


def interval(low, high) -> str:
    return "n/a" if missing(low) else f"{low:.0%}–{high:.0%}"


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
        if missing(row.win_rate):
            continue
        one = drawn.loc[[row.Index]]
        traces.append(go.Scatter(
            x=[label], y=[100 * row.win_rate], mode="markers", name=row.name, showlegend=False, cliponaxis=False,
            # an open symbol is drawn in marker.color (a white one would vanish)
            marker={"size": 16, "color": colours.get(row.team_id, NEUTRAL),
                    "line": {"width": 3, "color": colours.get(row.team_id, NEUTRAL)},
                    "symbol": "circle-open" if row.too_few_closed else "circle"},
            error_y={**_error_bars(one), "color": colours.get(row.team_id, NEUTRAL)},
            hovertemplate=(f"{row.name}<br>win rate %{{y:.1f}}% ({row.won} of {row.closed} closed)<br>"
                           f"95% interval {interval(row.win_rate_low, row.win_rate_high)}<extra></extra>")))
    comparable = rated[~rated["too_few_closed"]]
    left_out = int(drawn["too_few_closed"].sum())
    if rated.empty:
        title = "No deal closed in the period"
    elif comparable.empty:
        title = f"No team closed {min_closed} deals in the period: too few to compare win rates"
    else:
        best = comparable.sort_values(["win_rate", "team_id"], ascending=[False, True]).iloc[0]
        figures = (f"{percent(best['win_rate'])} ({interval(best['win_rate_low'], best['win_rate_high'])}) "
                   f"of {best['closed']:,} closed deals")
        if len(drawn) == 1:
            title = f"{best['name']} wins {figures}"
        else:
            title = f"{best['name']} has the highest win rate: {figures}"
            overlap = comparable[comparable["win_rate_high"] >= best["win_rate_low"]]
            if len(overlap) > 1:
                title += f", within the interval of {plural(len(overlap) - 1, 'other team')}"
        if left_out:
            # a ranking must say whom it leaves out
            title += f"; {plural(left_out, 'team')} with fewer than {min_closed} closed deals left out"
    figure = go.Figure(traces, layout=dict(
        title=title, xaxis={"title": f"Team (hollow: fewer than {min_closed} closed deals)", "categoryorder": "array",
                            "categoryarray": labels},
        yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=460, **LAYOUT))
    return figure, title, drawn


def _number(value, decimals: int = 0) -> str:
    return "—" if missing(value) else f"{value:,.{decimals}f}"


def team_rows(drawn: pd.DataFrame) -> pd.DataFrame:
    """The "Per team" table as shown, narrow enough for 1440 px with the sidebar open (short
    headers, explained by the page's column help): kinds as words, the interval as one text
    column, "—" where there is no value (no closed or no won deal; Streamlit would print
    "None"), and "⚠" on the win rate of a team with too few closed deals."""
    warn = drawn["too_few_closed"]
    return pd.DataFrame({
        "Team": drawn["name"],
        "Kind": drawn["kind"].map(humanise),
        "Created": drawn["created"], "Won": drawn["won"], "Lost": drawn["lost"],
        "Win rate": [percent(rate) + (" ⚠" if few else "") if not missing(rate) else "—"
                     for rate, few in zip(drawn["win_rate"], warn)],
        "95% interval": ["—" if missing(low) else interval(low, high)
                         for low, high in zip(drawn["win_rate_low"], drawn["win_rate_high"])],
        money_label("Won amount"): drawn["won_amount"],
        money_label("Avg deal"): [_number(v) for v in drawn["avg_deal_size"]],
        "Cycle (days)": [_number(v, 1) for v in drawn["median_cycle_days"]],
        "Touches/won": [_number(v, 1) for v in drawn["touches_per_won_deal"]],
    })


def funnel(stages: pd.DataFrame, names: dict[str, str], kinds: dict[str, str], colours: dict[str, str]
           ) -> tuple[go.Figure, str, pd.DataFrame]:
    """Horizontal grouped bars, one group per stage from lead (top) to won: the share of each
    team's creation cohort reaching the stage (internal teams first); the text beside a bar
    is the conversion from the stage before. Bars lie down so that every label has the
    width of the chart beside its bar (standing bars of five teams put "81%79%" side by side)."""
    drawn = stages.copy()
    drawn["team_name"] = drawn["team_id"].map(names).fillna(drawn["team_id"])
    cohort = drawn[drawn["stage"] == "lead"].set_index("team_id")["reached"]
    drawn["share_of_cohort"] = drawn["reached"] / drawn["team_id"].map(cohort)
    drawn["conversion_from_previous"] = drawn.groupby("team_id")["conversion_to_next"].shift(1)
    traces = []
    order = sorted(drawn["team_id"].unique(), key=lambda t: (kinds.get(t) != "internal", t))
    for team_id in order:
        rows = drawn[drawn["team_id"] == team_id]
        # no text where nobody reached the stage before (no conversion to tell)
        text = ["" if r.stage == "lead" or missing(r.conversion_from_previous) else percent(r.conversion_from_previous)
                for r in rows.itertuples()]
        traces.append(go.Bar(
            y=rows["stage"].map(humanise), x=100 * rows["share_of_cohort"], text=text, orientation="h",
            name=f"{names.get(team_id, team_id)} (cohort {cohort[team_id]:,})",
            textposition="outside", textfont={"size": 13, "color": "#31333F"},
            marker_color=colours.get(team_id, NEUTRAL), cliponaxis=False, customdata=rows[["reached"]].to_numpy(),
            hovertemplate=names.get(team_id, team_id) + ": %{customdata[0]:,} deals reached %{y} "
                                                        "(%{x:.0f}% of the cohort)<extra></extra>"))
    totals = drawn.groupby(["position", "stage"], as_index=False)["reached"].sum().sort_values("position")
    if totals.empty or totals["reached"].iloc[0] == 0:
        title = "No deal created in the period"
    else:
        totals["conversion"] = totals["reached"].shift(-1) / totals["reached"]
        steps = totals.iloc[:-1].dropna(subset=["conversion"])
        worst = steps.sort_values(["conversion", "position"]).iloc[0] if not steps.empty else None
        won, created = int(totals["reached"].iloc[-1]), int(totals["reached"].iloc[0])
        if created == 1:
            title = f"The one deal created in the period has {'' if won else 'not '}reached won"
        else:
            title = (f"{won / created:.0%} of the deals" if created >= MIN_BASE else f"{won} of the {created} deals"
                     ) + " created in the period have reached won"
        if worst is not None:
            following = totals[totals["position"] == worst["position"] + 1]
            title += (f"; the weakest step is {worst['stage']} → {following['stage'].iloc[0]} "
                      f"({share(int(following['reached'].iloc[0]), int(worst['reached']))} convert)")
    stage_height = 22 * len(order) + 24  # pixels per stage: a bar per team thick enough for a 13 px label
    height = max(380, 190 + 5 * stage_height)
    figure = go.Figure(traces, layout=dict(
        barmode="group", bargap=0.15, bargroupgap=0.05, title=title,
        xaxis={"title": "Share of the team's cohort reaching the stage (%); beside a bar: conversion from the "
                        "stage before", "range": [0, 112], "tickvals": [0, 20, 40, 60, 80, 100]},
        yaxis={"title": None, "autorange": "reversed"}, height=height,
        **{**LAYOUT, "legend": {"orientation": "h", "y": -0.12 - 40 / height},
           "margin": {"t": 70, "l": 10, "r": 10, "b": 10}}))
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
        value = plural(r.created, "deal") if measure == "created" else money_with_currency(r.created_amount)
        closed = r.won + r.lost
        text.loc[r.source, r.owner] = (f"{value}<br>win {percent(r.win_rate)}<br>"
                                       f"({interval(r.win_rate_low, r.win_rate_high)}, {closed:,} closed)"
                                       if closed else f"{value}<br>none closed")
    heatmap = go.Heatmap(
        z=grid.values, x=columns, y=rows, text=text.values, texttemplate="%{text}", colorscale="Blues",
        colorbar={"title": "Deals created" if measure == "created" else money_label("Value created")},
        textfont={"size": 14}, zmin=0, zmax=max(1, float(grid.values.max(initial=0))),  # the scale starts at 0
        hovertemplate="sourced by %{y}, closed by %{x}<br>%{text}<extra></extra>")
    kinds = paths[paths["level"] == "kind"]
    created, won_amount = kinds["created"].sum(), kinds["won_amount"].sum()
    if not created and not won_amount:
        title = "No deal created or closed in the period"
    else:
        parts = []
        if created:
            external = int(kinds.loc[kinds["source_kind"] == "external", "created"].sum())
            parts.append(f"External reps source {external / created:.0%} of the deals created" if created >= MIN_BASE
                         else f"External reps source {external} of the {plural(int(created), 'deal')} created")
        if won_amount:
            internal = kinds.loc[kinds["owner_kind"] == "internal", "won_amount"].sum() / won_amount
            won = int(kinds["won"].sum())
            # a share of value, told with the number of deals behind it when they are few
            parts.append(f"internal reps close {internal:.0%} of the won value"
                         + ("" if won >= MIN_BASE else f" ({plural(won, 'deal')} won)"))
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
        title = ("Too few handoffs closed in the period to compare latencies "
                 f"({plural(int(shown['deals'].sum()), 'deal')})")
    else:
        best = solid.sort_values(["win_rate", "bucket_order"], ascending=[False, True]).iloc[0]
        worst = solid.sort_values(["win_rate", "bucket_order"]).iloc[0]
        title = (f"Handoffs win {percent(best['win_rate'])} when the owner's first touch comes "
                 f"{_bucket_phrase(best['bucket'])}, {percent(worst['win_rate'])} {_bucket_phrase(worst['bucket'])}")
        if len(shown) > len(solid):
            title += (f"; {plural(len(shown) - len(solid), 'latency group')} with fewer than {MIN_CLOSED} deals "
                      "left out")
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


DODGE = dt.timedelta(days=4)  # internal left of the 1st, external right, so one interval does not hide the other


def period_months(start: dt.date, end: dt.date) -> pd.DataFrame:
    """The calendar months that the period [start, end) touches: month (its 1st), the
    first and last days of it inside the period, partial (the period covers only part of
    it) and the days covered in words ("25–30 Nov", "16 Nov"; empty for a whole month)."""
    start, last = pd.Timestamp(start).date(), pd.Timestamp(end).date() - dt.timedelta(days=1)
    rows, month = [], start.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        first_day, last_day = max(month, start), min(following - dt.timedelta(days=1), last)
        partial = (first_day, last_day) != (month, following - dt.timedelta(days=1))
        if not partial:
            days = ""
        elif first_day == last_day:
            days = f"{first_day.day} {first_day:%b}"
        else:
            days = f"{first_day.day}–{last_day.day} {first_day:%b}"
        rows.append((month, first_day, last_day, partial, days))
        month = following
    return pd.DataFrame(rows, columns=["month", "first_day", "last_day", "partial", "days_covered"])


def partial_months_note(start: dt.date, end: dt.date) -> str:
    """The caption's sentence naming the months the period covers only partly ('' when none)."""
    cut = period_months(start, end).query("partial")
    if cut.empty:
        return ""
    named = " and ".join(f"{row.days_covered} {row.month:%Y}" for row in cut.itertuples())
    return (f"Hollow points: {'a month' if len(cut) == 1 else 'months'} the period covers only partly "
            f"({named}): {'its point stands' if len(cut) == 1 else 'their points stand'} for the deals "
            "created on those days only.")


def cohort_trend(months: pd.DataFrame, start: dt.date, end: dt.date) -> tuple[go.Figure, str, pd.DataFrame]:
    """Win rate by creation month per kind (outcome as of end), with Wilson intervals.

    Points stand on the 1st of their month (`style.month_axis` over every month of the
    period, so a one-week period is one month, not an empty axis); when both kinds are
    drawn, internal stands a few days left of the 1st and external right, so that one
    interval does not hide the other. A month with no closed deal of a kind has no point
    (the line breaks there).

    Reading of partial months: the period's first and last months are usually cut by it
    (a period starting on 30 Nov makes its November a cohort of one day of deals). They are
    kept, since leaving them out would leave nothing of a one-week period, but marked:
    hollow points, their tick and hover name the days covered ("30 Nov", "1–22 Nov"),
    and `partial_months_note` names them in the caption. The drawn frame says so per row
    (first_day, last_day, partial)."""
    calendar = period_months(start, end)
    drawn = months.copy()
    drawn["month"] = pd.to_datetime(drawn["month"]).dt.date
    drawn = drawn.merge(calendar[["month", "first_day", "last_day", "partial"]], on="month", how="left")
    words = dict(zip(calendar["month"], calendar["days_covered"]))
    kinds = [k for k in ("internal", "external") if drawn.loc[drawn["kind"] == k, "win_rate"].notna().any()]
    many = len(calendar) > 12  # smaller marks over years of months
    traces = []
    for kind in kinds:
        rows = calendar[["month", "partial"]].merge(drawn[drawn["kind"] == kind].drop(columns="partial"),
                                                    on="month", how="left")
        rows["label"] = [f"{words[m] or format(m, '%b')} {m:%Y}" for m in rows["month"]]
        shift = (-DODGE if kind == "internal" else DODGE) if len(kinds) == 2 else dt.timedelta(0)
        colour = KIND_COLOURS[kind]
        traces.append(go.Scatter(
            x=[dt.datetime.combine(m, dt.time()) + shift for m in rows["month"]], y=100 * rows["win_rate"],
            mode="lines+markers", name=f"{KIND_LABELS[kind]} teams", connectgaps=False, cliponaxis=False,
            showlegend=False, line={"color": colour, "width": 1.5},
            marker={"size": 8 if many else 12, "color": colour, "line": {"width": 2, "color": colour},
                    "symbol": ["circle-open" if p else "circle" for p in rows["partial"]]},
            error_y={**_error_bars(rows), "color": colour, "thickness": 1.5 if many else 2.5,
                     "width": 4 if many else 8},
            customdata=rows[["label", "won", "lost", "open"]],
            hovertemplate=f"{KIND_LABELS[kind]} teams, deals created %{{customdata[0]}}: %{{y:.0f}}% "
                          "(%{customdata[1]} won, %{customdata[2]} lost, %{customdata[3]} still open)<extra></extra>"))
    # the legend shows filled kinds (a trace's legend mark would copy its first point, hollow or not)
    # and, when there is one, what a hollow point means
    legend = [(f"{KIND_LABELS[kind]} teams", KIND_COLOURS[kind], "circle") for kind in kinds]
    if drawn.loc[drawn["win_rate"].notna(), "partial"].any():
        legend.append(("part of a month", NEUTRAL, "circle-open"))
    traces += [go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                          marker={"size": 12, "color": colour, "symbol": symbol, "line": {"width": 2, "color": colour}})
               for name, colour, symbol in legend]
    pooled = months.groupby("kind")[["won", "lost"]].sum()
    closed = {kind: int(pooled.loc[kind].sum()) for kind in pooled.index if pooled.loc[kind].sum() > 0}
    if not closed:
        title = "No deal created in the period has closed yet"
    else:
        parts = []
        for kind in (k for k in ("internal", "external") if k in closed):
            won, n = int(pooled.loc[kind, "won"]), closed[kind]
            # a percentage only over enough closed deals (the wording rule); below, the counts
            share = f"{won / n:.0%} of {n:,}" if n >= MIN_CLOSED else f"{won} of {n}"
            parts.append(f"{KIND_LABELS[kind].lower()}{'' if parts else ' teams'} won {share}")
        title = "Deals created in the period, closed so far: " + ", ".join(parts)
    axis = month_axis(calendar["month"].iloc[0], calendar["month"].iloc[-1], "Creation month")
    axis["ticktext"] = [(f"{words[tick]}<br>{text.split('<br>')[1]}" if "<br>" in text else words[tick])
                        if words.get(tick) else text for tick, text in zip(axis["tickvals"], axis["ticktext"])]
    figure = go.Figure(traces, layout=dict(
        title=title, xaxis=axis, yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=440,
        **{**LAYOUT, "hovermode": "closest"}))
    return figure, title, drawn


def coordination(quartiles: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    """Win rate of deals shared by an internal and an external rep, by quartile of the
    exchanges between the two."""
    labels = [f"Q{r.quartile}: {r.min_exchanges}–{r.max_exchanges} exchanges" for r in quartiles.itertuples()]
    bars = _rate_bars(quartiles, labels, "#009E73", "owner and source rep")
    if quartiles.empty:
        title = "No deal shared by an internal and an external rep closed in the period"
    elif len(quartiles) < 2:
        title = (f"Too few shared deals closed in the period to compare by exchanges "
                 f"({plural(int(quartiles['deals'].sum()), 'deal')})")
    else:
        low, high = quartiles.iloc[0], quartiles.iloc[-1]
        title = (f"Shared deals whose two reps talked most win {percent(high['win_rate'])} "
                 f"({interval(high['win_rate_low'], high['win_rate_high'])}), against {percent(low['win_rate'])} "
                 f"({interval(low['win_rate_low'], low['win_rate_high'])}) for those who talked least")
    figure = go.Figure(bars, layout=dict(
        title=title, xaxis_title="Quartile of exchanges between the owner and the source rep in the deal window",
        yaxis={"title": "Win rate (%), 95% interval", "range": [0, 100]}, height=440, showlegend=False, **LAYOUT))
    return figure, title, quartiles
