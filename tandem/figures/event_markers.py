"""Events on the time charts: a labelled vertical marker per event held in the chart's span,
the kind told by the label's symbol, internal-only events in the internal colour, the
event's name and attendance on hover (issue: every weekly chart shows the events)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tandem.figures import style
from tandem.model import wording

SYMBOLS = {"convention": "◆", "seminar": "●", "product_launch": "▲", "team_building": "★",
           "strategy_meeting": "■"}
SHARED_COLOUR = "#555555"
SHAPE_PREFIX = "event:"  # the name of each marker's line, so that a test (or a reader) can find them


def markers(attendance: pd.DataFrame) -> pd.DataFrame:
    """One row per event (query events_attendance): id, date, label symbol, colour and the
    hover text '<name> (<kind>, internal only): 6 internal, 1 Brightline Partners'."""
    rows = []
    for event_id, rows_of in attendance.groupby("event_id", sort=False):
        first = rows_of.iloc[0]
        who = ", ".join(f"{int(n):,} {'internal' if force == 'internal' else force}"
                        for force, n in zip(rows_of["force"], rows_of["attendees"]) if isinstance(force, str))
        kind = wording.humanise(first["kind"]).lower() + (", internal only" if first["internal_only"] else "")
        rows.append({"event_id": event_id, "held_on": pd.Timestamp(first["held_on"]),
                     "symbol": SYMBOLS.get(first["kind"], "●"),
                     "colour": style.INTERNAL if first["internal_only"] else SHARED_COLOUR,
                     "hover": f"{first['name']} ({kind}): {who or 'no attendee recorded'}"})
    return pd.DataFrame(rows, columns=["event_id", "held_on", "symbol", "colour", "hover"])


def annotated(figure: go.Figure, events: pd.DataFrame) -> go.Figure:
    """A copy of a weekly chart (points and bars on Mondays) with a dotted line and a labelled
    marker at the top of the plot for each event, on the Monday of its week (the bar it
    belongs to; the exact day on hover), the labels of one week's events side by side. The
    caller's figure, often a cached one, is not changed."""
    if events.empty:
        return figure
    weeks = events["held_on"] - pd.to_timedelta(events["held_on"].dt.day_of_week, unit="D")
    shapes, labels = [], []
    for event, week, stacked in zip(events.itertuples(), weeks, events.groupby(weeks).cumcount()):
        shapes.append({"type": "line", "x0": week, "x1": week, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
                       "line": {"color": event.colour, "width": 1, "dash": "dot"}, "layer": "below",
                       "name": f"{SHAPE_PREFIX}{event.event_id}"})
        labels.append({"x": week, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom", "xshift": 14 * stacked,
                       "showarrow": False, "text": event.symbol, "font": {"color": event.colour, "size": 14},
                       "hovertext": f"{event.held_on:%a %d %b %Y}: {event.hover}"})
    # one layout update for all of them: add_shape and add_annotation validate the whole
    # layout at each call (a quarter of a second for 40 events)
    copy = style.copy_of(figure)
    copy.update_layout(shapes=[*copy.layout.shapes, *shapes], annotations=[*copy.layout.annotations, *labels])
    return copy
