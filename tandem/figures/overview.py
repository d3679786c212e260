"""The Data overview page's figures: activities per week by kind, deals per week."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from tandem.figures.style import ACTIVITY_KIND_COLOURS, LAYOUT, NEUTRAL, week_axis
from tandem.model.weekly import period_weeks


def activities_by_kind(weeks: pd.DataFrame, first: dt.date, last: dt.date) -> go.Figure:
    """One line per activity kind over the data's weeks (`first` to `last`, both included),
    titled with the ratio of cross-team exchanges to customer touches."""
    totals = weeks.groupby("activity_kind")["activity_count"].sum()
    touches = totals.filter(like="customer touch").sum()
    cross = totals.get("cross-team exchange", 0)
    title = (f"{cross / touches:.0%} as many cross-team exchanges as customer touches"
             if touches else "No customer touches yet")
    figure = go.Figure()
    for kind, colour in ACTIVITY_KIND_COLOURS.items():
        series = weeks[weeks["activity_kind"] == kind]
        if not series.empty:
            figure.add_trace(go.Scatter(x=series["week_start"], y=series["activity_count"], name=kind,
                                        mode="lines", line={"color": colour, "width": 2}))
    figure.update_layout(**{**LAYOUT, "legend": {"orientation": "h", "y": -0.2}}, title=title, height=420,
                         xaxis=week_axis(*period_weeks(first, last + dt.timedelta(days=1))),
                         yaxis_title="Activities per week")
    return figure


DEAL_EVENT_COLOURS = {"created": "#333333", "won": "#009E73", "lost": NEUTRAL}


def deals_by_week(weeks: pd.DataFrame) -> go.Figure:
    """Deals created, won and lost per ISO week over the data (`deals_by_week` rows), titled
    with the totals and the months they cover."""
    totals = weeks.groupby("deal_event")["deal_count"].sum()
    first, last = weeks["week_start"].min(), weeks["week_start"].max() + dt.timedelta(days=6)
    span = f"{first:%b %Y}" if (first.year, first.month) == (last.year, last.month) else \
        f"{first:%b %Y} to {last:%b %Y}"
    title = (f"{totals.get('created', 0):,} deals created, {totals.get('won', 0):,} won and "
             f"{totals.get('lost', 0):,} lost, {span}")
    figure = go.Figure()
    for event, colour in DEAL_EVENT_COLOURS.items():
        series = weeks[weeks["deal_event"] == event]
        figure.add_trace(go.Scatter(x=series["week_start"], y=series["deal_count"], name=event, mode="lines",
                                    line={"color": colour, "width": 2},
                                    hovertemplate=f"week of %{{x|%d %b %Y}}: %{{y:,}} {event}<extra></extra>"))
    figure.update_layout(**{**LAYOUT, "legend": {"orientation": "h", "y": -0.2}}, title=title, height=380,
                         xaxis=week_axis(*period_weeks(first.date(), last.date() + dt.timedelta(days=1))),
                         yaxis_title="Deals per week")
    return figure
