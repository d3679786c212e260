"""The Data overview page's figure: activities per week by kind."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from tandem.figures.style import ACTIVITY_KIND_COLOURS, LAYOUT, week_axis
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
