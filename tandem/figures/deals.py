"""The Deals page's table (on screen and downloaded) and its breakdown figures."""

from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from tandem.figures import downloads, style
from tandem.figures.style import DAY_MS, INTERNAL, NEUTRAL, month_axis
from tandem.model.contest import SIGNAL_LABELS
from tandem.model.filters import SIGNALS
from tandem.model.wording import humanise, money_label

MONTH_BAR_WIDTH_MS = 0.8 * 30 * DAY_MS  # a monthly bar's width on a date axis: set, or one bar fills the axis
LAYOUT = {**style.LAYOUT, "height": 260, "showlegend": False}  # small charts side by side


# --- the table -----------------------------------------------------------------------------

TABLE_COLUMNS = ["deal_id", "deal_name", "account_name", "amount", "status", "stage", "team_name", "owner_rep_name",
                 "source_rep_name", "region", "segment", "product", "lead_source", "created_at", "closed_at"]
# the columns the page's grid shows, narrow enough beside the sidebar of a 1440 px window (the
# downloads and the deal's record have the others): px per column, Deal and Account wrapping
SCREEN_WIDTHS = {"deal_name": 160, "account_name": 125, "amount": 95, "stage": 90, "signals": 155, "team_name": 105,
                 "owner_rep_name": 100, "source_rep_name": 100, "created_at": 85}
SCREEN_CODES = ("stage",)  # the grid's columns of codes


def table(rows: pd.DataFrame, contested: bool) -> pd.DataFrame:
    """The matching deals as shown and downloaded: one row per deal; a signals column when
    the contested filter is on (the only time signals are computed)."""
    columns = list(TABLE_COLUMNS)
    frame = rows
    if contested:
        frame = rows.assign(signals=[", ".join(SIGNAL_LABELS[s] for s in SIGNALS if row[s] is True)
                                     for row in rows[list(SIGNALS)].to_dict("records")])
        columns.insert(columns.index("stage") + 1, "signals")
    return frame[columns].reset_index(drop=True)


def screen_columns(contested: bool) -> list[str]:
    """The grid's columns in order: with the signals, the creation date gives way to them."""
    return [c for c in SCREEN_WIDTHS if c != ("created_at" if contested else "signals")]


def on_screen(shown: pd.DataFrame) -> pd.DataFrame:
    """The table as the page draws it: codes as words (the grid writes "—" for empty cells)."""
    return shown.assign(**{column: shown[column].map(humanise, na_action="ignore").astype(object)
                           for column in SCREEN_CODES})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The deals as CSV, by the rule of every download (the first row is the header)."""
    return downloads.csv_bytes(downloads.for_download(frame))


def xlsx_bytes(frame: pd.DataFrame, filters: list[tuple[str, str]]) -> bytes:
    """The deals as an Excel workbook: sheet "Deals" from its header row, sheet "Filters"."""
    return downloads.xlsx_bytes(downloads.for_download(frame), "Deals", filters)


# --- breakdowns ----------------------------------------------------------------------------

def _bar(x, y, colours, title: str, x_axis: str | dict, horizontal: bool = False, **bar) -> go.Figure:
    """Bars of amounts: `x_axis` is the category axis's title, or the whole axis."""
    if horizontal:
        bar = go.Bar(x=y, y=x, orientation="h", marker={"color": colours},
                     hovertemplate="%{y}: %{x:,.0f}<extra></extra>", **bar)
    else:
        bar = go.Bar(x=x, y=y, marker={"color": colours}, **{"hovertemplate": "%{x}: %{y:,.0f}<extra></extra>", **bar})
    amount = money_label("Amount")
    axis = x_axis if isinstance(x_axis, dict) else {"title": x_axis}
    axes = ({"xaxis": {"title": amount}, "yaxis": {"title": None, "autorange": "reversed"}} if horizontal else
            {"xaxis": axis, "yaxis": {"title": amount}})
    # with its layout in one step: plotly's update_layout afterwards costs 3 times as much
    return go.Figure(bar, layout={"title": {"text": title, "font": {"size": 14}}, **LAYOUT, **axes})


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def breakdown_figures(totals: pd.DataFrame, colours: Mapping[str, str]) -> list[tuple[go.Figure, str, pd.DataFrame]]:
    """Amount by stage, by team and by month of creation, over every matching deal."""
    whole = float(totals.loc[totals["breakdown"] == "total", "amount"].sum())
    figures = []

    stages = totals[totals["breakdown"] == "stage"][["key", "deals", "amount"]].rename(columns={"key": "stage"})
    top = stages.loc[stages["amount"].idxmax()]
    title = f"{top['stage'].capitalize()} holds {_share(top['amount'], whole)} of the amount"
    stage_colours = [NEUTRAL if s == "lost" else INTERNAL for s in stages["stage"]]
    figures.append((_bar(stages["stage"].map(humanise), stages["amount"], stage_colours, title,
                         "Stage as of the end"), title, stages.reset_index(drop=True)))

    teams = totals[totals["breakdown"] == "team"].sort_values("amount", ascending=False)
    teams = teams.assign(team=teams["label"])[["key", "team", "deals", "amount"]]
    top = teams.iloc[0]
    title = f"{top['team']} has {_share(top['amount'], whole)} of the amount"
    figures.append((_bar(teams["team"], teams["amount"], [colours.get(k, NEUTRAL) for k in teams["key"]], title,
                         "Team", horizontal=True), title, teams.drop(columns="key").reset_index(drop=True)))

    months = totals[totals["breakdown"] == "month"][["key", "deals", "amount"]].rename(columns={"key": "month"})
    months["month"] = pd.to_datetime(months["month"])
    top = months.loc[months["amount"].idxmax()]
    title = (f"Deals created in {top['month']:%b %Y} carry the most ({_share(top['amount'], whole)})"
             if len(months) > 1 else f"Every deal was created in {top['month']:%b %Y}")
    axis = month_axis(months["month"].min().date(), months["month"].max().date(), "Month of creation")
    figure = _bar(months["month"], months["amount"], INTERNAL, title, axis, width=MONTH_BAR_WIDTH_MS,
                  hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra></extra>")
    figures.append((figure, title, months.reset_index(drop=True)))
    return figures
