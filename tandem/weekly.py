"""The weekly review's figures: KPI series per ISO week, changes, takeaway sentences.

Each week's KPIs come from the same queries as `tandem summary`, so with no filter the
review shows exactly the figures of `python -m tandem summary --week ...`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from tandem.filters import DEFAULT_RULES, Filters

SPARKLINE_WEEKS = 8
BASELINE_WEEKS = 4  # "the average of the 4 weeks before"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    group: str
    unit: str  # count | money | rate
    phrase: str  # how the takeaway sentence names it


KPIS = (
    Kpi("cross_calls", "Cross-team calls", "Coordination", "count", "cross-team calls"),
    Kpi("cross_emails", "Cross-team emails", "Coordination", "count", "cross-team emails"),
    Kpi("touches_internal", "Customer touches, internal reps", "Customer touches", "count",
        "customer touches by internal reps"),
    Kpi("touches_external", "Customer touches, external reps", "Customer touches", "count",
        "customer touches by external reps"),
    Kpi("created", "Deals created", "Deals", "count", "deals created"),
    Kpi("won", "Deals won", "Deals", "count", "deals won"),
    Kpi("won_amount", "Won amount", "Deals", "money", "won amount"),
    Kpi("contested", "Contested deals", "Contested deals", "count", "contested deals"),
    Kpi("contested_amount", "Value at stake", "Contested deals", "money", "value at stake"),
    Kpi("win_rate_internal", "Win rate, internal teams", "Win rate", "rate", "the internal win rate"),
    Kpi("win_rate_external", "Win rate, external teams", "Win rate", "rate", "the external win rate"),
)
GROUPS = tuple(dict.fromkeys(k.group for k in KPIS))


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def iso_label(week_start: dt.date) -> str:
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def week_period(week_start: dt.date) -> dict[str, dt.datetime]:
    """Query parameters of the ISO week starting on `week_start`: [Monday, next Monday)."""
    start = dt.datetime.combine(week_start, dt.time())
    return {"start": start, "end": start + dt.timedelta(days=7)}


def week_kpis(run: Callable[..., pd.DataFrame], filters: Filters, week_start: dt.date,
              lookback_days: int = DEFAULT_RULES["lookback_days"],
              overlap_days: int = DEFAULT_RULES["overlap_days"]) -> dict[str, float | None]:
    """The KPIs of one week [Monday, next Monday) under the filters (period ignored)."""
    period = week_period(week_start)
    deal_filters = {"attribution": filters.attribution, "teams": list(filters.teams),
                    "regions": list(filters.regions), "segments": list(filters.segments)}
    exchanges = run("exchanges_by_channel", teams=list(filters.teams), **period)
    cross = exchanges[exchanges["exchange_kind"] == "cross_team"].set_index("channel")["exchanges"]
    touches = run("customer_touches_by_kind", teams=list(filters.teams), regions=list(filters.regions),
                  segments=list(filters.segments), **period).groupby("kind")["touches"].sum()
    totals = run("deal_totals", lookback_days=lookback_days, overlap_days=overlap_days, signals=[], **deal_filters,
                 **period).iloc[0]
    teams = run("team_conversion", **deal_filters, **period).groupby("kind")[["won", "lost"]].sum()

    def win_rate(kind: str) -> float | None:
        if kind not in teams.index:
            return None
        won, lost = teams.loc[kind, "won"], teams.loc[kind, "lost"]
        return float(won / (won + lost)) if won + lost else None

    return {
        "cross_calls": int(cross["call"]), "cross_emails": int(cross["email"]),
        "touches_internal": int(touches.get("internal", 0)), "touches_external": int(touches.get("external", 0)),
        "created": int(totals["created"]), "won": int(totals["won"]), "won_amount": float(totals["won_amount"]),
        "contested": int(totals["contested"]), "contested_amount": float(totals["contested_amount"]),
        "win_rate_internal": win_rate("internal"), "win_rate_external": win_rate("external"),
    }


def kpi_series(run: Callable[..., pd.DataFrame], filters: Filters, week_start: dt.date,
               weeks: int = SPARKLINE_WEEKS) -> pd.DataFrame:
    """One row per week, oldest first, ending with `week_start`; one column per KPI."""
    starts = [week_start - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return pd.DataFrame([week_kpis(run, filters, s) for s in starts], index=pd.Index(starts, name="week_start"))


@dataclass(frozen=True)
class Change:
    value: float | None
    previous: float | None
    baseline: float | None  # mean of the BASELINE_WEEKS weeks before (weeks with a value)

    @staticmethod
    def of(series: pd.Series) -> "Change":
        values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in series]
        before = [v for v in values[-1 - BASELINE_WEEKS:-1] if v is not None]
        return Change(values[-1], values[-2] if len(values) > 1 else None,
                      sum(before) / len(before) if before else None)


def relative(value: float | None, reference: float | None) -> float | None:
    """(value - reference) / reference; None when it is undefined."""
    if value is None or reference is None or reference == 0:
        return None
    return (value - reference) / reference


def describe_change(kpi: Kpi, change: Change) -> str | None:
    """'fell 32%', 'rose 4.1 points', 'held steady' against the 4-week average."""
    if change.value is None or change.baseline is None:
        return None
    if kpi.unit == "rate":
        points = (change.value - change.baseline) * 100
        if abs(points) < 0.5:
            return "held steady"
        return f"{'rose' if points > 0 else 'fell'} {abs(points):.1f} points"
    if change.baseline == 0:
        return "held at none" if change.value == 0 else "rose from none"
    share = relative(change.value, change.baseline)
    if abs(share) < 0.02:
        return "held steady"
    return f"{'rose' if share > 0 else 'fell'} {abs(share):.0%}"


def takeaway(group: str, changes: dict[str, Change]) -> str:
    """One sentence for a KPI group, against the average of the 4 weeks before."""
    parts = []
    for kpi in (k for k in KPIS if k.group == group):
        described = describe_change(kpi, changes[kpi.key])
        if described:
            parts.append((kpi, described))
    if not parts:
        return f"{group}: not enough earlier weeks to compare."
    first_kpi, first = parts[0]
    sentence = f"{first_kpi.phrase[0].upper()}{first_kpi.phrase[1:]} {first}"
    contrast_used = False
    for kpi, described in parts[1:]:
        # "A rose while B fell and C fell": one "while", at the first change of direction
        contrast = not contrast_used and described.split()[0] != first.split()[0]
        contrast_used = contrast_used or contrast
        sentence += f"{' while' if contrast else ' and'} {kpi.phrase} {described}"
    return sentence + " against the 4-week average."
