"""The one chart style: colours (internal blue, external orange, a shade of its kind's per
team), the shared layout, and the date and count axes.

Internal is blue and external orange everywhere (Okabe-Ito, colour-blind safe and
readable on a projector); each team gets a shade of its kind's colour, in team_id
order, so a team has the same colour on every page.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import plotly.graph_objects as go

from tandem.model import wording

INTERNAL = "#0072B2"
EXTERNAL = "#E69F00"
KIND_COLOURS = {"internal": INTERNAL, "external": EXTERNAL}
NEUTRAL = "#999999"

# every chart's layout: takeaway title on top, legend below, margins kept for the axes' labels
LAYOUT = dict(margin={"t": 60, "l": 10, "r": 10, "b": 10}, font={"size": 14}, title_font={"size": 18},
              legend={"orientation": "h", "y": -0.3})

# darker to lighter shades of each kind's colour
_SHADES = {
    "internal": ["#0072B2", "#56B4E9", "#004B75", "#8FCBEF", "#2E8FCC"],
    "external": ["#E69F00", "#D55E00", "#F0C65A", "#A86F00", "#F5A35C"],
}

ACTIVITY_KIND_COLOURS = {
    "customer touch by internal rep": INTERNAL,
    "customer touch by external rep": EXTERNAL,
    "cross-team exchange": "#009E73",
    "within-team exchange": NEUTRAL,
}


def team_colours(team_kinds: dict[str, str]) -> dict[str, str]:
    """team_id -> colour, from {team_id: kind} (all teams of the database, not a filtered subset,
    so that filtering never changes a team's colour)."""
    colours, used = {}, {"internal": 0, "external": 0}
    for team_id in sorted(team_kinds):
        kind = team_kinds[team_id]
        shades = _SHADES.get(kind, [NEUTRAL])
        colours[team_id] = shades[used.get(kind, 0) % len(shades)]
        used[kind] = used.get(kind, 0) + 1
    return colours


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


# Plotly draws `<a href=...>` in any text of a chart (titles, tick labels, legend, hover) as a
# link. Our own texts never use it; a name from an imported file could (a phishing link on a
# client's projector). `&lt;` is drawn as a literal "<".
_LINK_TAG = re.compile(r"<(/?a(?![^\s>/]))", re.IGNORECASE)


def _has_link(value) -> bool:
    if isinstance(value, str):
        return _LINK_TAG.search(value) is not None
    if isinstance(value, dict):
        return any(_has_link(v) for v in value.values())
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.dtype == object):
        return any(_has_link(v) for v in value)
    return False


def _neutralised(value):
    if isinstance(value, str):
        return _LINK_TAG.sub(r"&lt;\1", value)
    if isinstance(value, dict):
        return {k: _neutralised(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.dtype == object):
        return [_neutralised(v) for v in value]
    return value


def copy_of(figure: go.Figure) -> go.Figure:
    """A figure that can be changed without changing `figure`, which may be shared by every
    session (`tandem.ui.app.built`). Not `go.Figure(figure)`: Plotly 7 builds that copy by taking
    each trace's "type" out of the shared trace and putting it back, so another thread copying or
    drawing the same figure meanwhile finds a bar without its type (a scatter with a bar's
    `width`: an exception on the Communication page with 20 sessions at once)."""
    return go.Figure(figure.to_dict())


def without_links(figure: go.Figure) -> go.Figure:
    """`figure` with every link tag in its texts drawn literally; the figure itself (one pass over
    its texts, no copy) when it has none, as usual."""
    spec = figure.to_plotly_json()
    return go.Figure(_neutralised(spec)) if _has_link(spec) else figure
