"""The weekly review's figures: KPI series per ISO week, changes, takeaway sentences.

Each week's KPIs come from the same queries as `tandem summary`, so with no filter the
review shows exactly the figures of `python -m tandem summary --week ...`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tandem.model import coverage, wording
from tandem.model.wording import change_phrase, missing

SPARKLINE_WEEKS = 8
BASELINE_WEEKS = 4  # "the average of the 4 weeks before"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    group: str
    unit: str  # count | money | rate
    phrase: str  # how the takeaway sentence names it
    base: str | None = None  # the count KPI behind an amount (a change of won amount is told over won deals)


KPIS = (
    Kpi("cross_calls", "Cross-team calls", "Coordination", "count", "cross-team calls"),
    Kpi("cross_emails", "Cross-team emails", "Coordination", "count", "cross-team emails"),
    Kpi("touches_internal", "Customer touches, internal reps", "Customer touches", "count",
        "customer touches by internal reps"),
    Kpi("touches_external", "Customer touches, external reps", "Customer touches", "count",
        "customer touches by external reps"),
    Kpi("created", "Deals created", "Deals", "count", "deals created"),
    Kpi("won", "Deals won", "Deals", "count", "deals won"),
    Kpi("won_amount", "Won amount", "Deals", "money", "won amount", base="won"),
    Kpi("contested", "Contested deals", "Contested deals", "count", "contested deals"),
    Kpi("contested_amount", "Value at stake", "Contested deals", "money", "value at stake", base="contested"),
    Kpi("win_rate_internal", "Win rate, internal teams", "Win rate", "rate", "the internal win rate"),
    Kpi("win_rate_external", "Win rate, external teams", "Win rate", "rate", "the external win rate"),
)
GROUPS = tuple(dict.fromkeys(k.group for k in KPIS))


# what a KPI group is computed from, and how the sentence naming the missing data calls it
GROUP_SOURCES = {"Coordination": ("activities", "cross-team exchanges"),
                 "Customer touches": ("activities", "customer touches"),
                 "Deals": ("deals", "deal counts"), "Win rate": ("deals", "win rates")}


def group_missing(group: str, present: frozenset[str]) -> str | None:
    """The sentence replacing a KPI group whose data the database lacks (`present`: its tables
    with rows; tandem.model.coverage), else None."""
    if group == "Contested deals":
        return coverage.contest_missing(present)
    table, feature = GROUP_SOURCES[group]
    return None if table in present else coverage.missing(table, feature)


def monday(day: dt.date) -> dt.date:
    """The Monday starting the ISO week of `day` (a date or a date-time at midnight)."""
    return day - dt.timedelta(days=day.weekday())


def iso_label(week_start: dt.date) -> str:
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def week_period(week_start: dt.date) -> dict[str, dt.datetime]:
    """Query parameters of the ISO week starting on `week_start`: [Monday, next Monday)."""
    start = dt.datetime.combine(week_start, dt.time())
    return {"start": start, "end": start + dt.timedelta(days=7)}


def week_starts(week_start: dt.date, weeks: int = SPARKLINE_WEEKS) -> list[dt.date]:
    """The Mondays of `weeks` weeks ending with `week_start`, oldest first."""
    return [week_start - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def span(starts: list[dt.date]) -> dict[str, dt.datetime]:
    """Query parameters covering the weeks of `starts` (Mondays, oldest first): [first Monday,
    the Monday after the last)."""
    return {"start": week_period(starts[0])["start"], "end": week_period(starts[-1])["end"]}


def week_ends(starts: list[dt.date]) -> dict[str, list[dt.datetime]]:
    """`deal_totals` parameters judging each week of `starts` as of its own end, in one query."""
    periods = [week_period(s) for s in starts]
    return {"starts": [p["start"] for p in periods], "ends": [p["end"] for p in periods]}


def kpi_series(exchanges: pd.DataFrame, touches: pd.DataFrame, totals: pd.DataFrame,
               starts: list[dt.date]) -> pd.DataFrame:
    """One row per week of `starts` (Mondays, oldest first); one column per KPI. From the
    frames of `exchanges_by_week` and `customer_touches_by_week` over `span(starts)`, and of
    `deal_totals` over `week_ends(starts)` (one row per week, in that order)."""
    cross = exchanges[exchanges["exchange_kind"] == "cross_team"].pivot_table(
        index="week_start", columns="channel", values="exchanges", aggfunc="sum")
    touches = touches.pivot_table(index="week_start", columns="kind", values="touches", aggfunc="sum")
    for frame in (cross, touches):
        frame.index = pd.to_datetime(frame.index)

    def count(frame: pd.DataFrame, week: dt.date, column: str) -> int:
        key = pd.Timestamp(week)
        return int(frame.loc[key, column]) if key in frame.index and column in frame.columns else 0

    def win_rate(row: pd.Series, kind: str) -> float | None:
        won, lost = row[f"won_{kind}"], row[f"lost_{kind}"]
        return float(won / (won + lost)) if won + lost else None

    rows = []
    for week, (_, row) in zip(starts, totals.iterrows()):
        rows.append({
            "cross_calls": count(cross, week, "call"), "cross_emails": count(cross, week, "email"),
            "touches_internal": count(touches, week, "internal"), "touches_external": count(touches, week, "external"),
            "created": int(row["created"]), "won": int(row["won"]), "won_amount": float(row["won_amount"]),
            "contested": int(row["contested"]), "contested_amount": float(row["contested_amount"]),
            "win_rate_internal": win_rate(row, "internal"), "win_rate_external": win_rate(row, "external"),
        })
    return pd.DataFrame(rows, index=pd.Index(starts, name="week_start"))


@dataclass(frozen=True)
class Change:
    value: float | None
    previous: float | None
    baseline: float | None  # mean of the BASELINE_WEEKS weeks before (weeks with a value)

    @staticmethod
    def of(series: pd.Series) -> "Change":
        values = [None if missing(v) else float(v) for v in series]
        before = [v for v in values[-1 - BASELINE_WEEKS:-1] if v is not None]
        return Change(values[-1], values[-2] if len(values) > 1 else None,
                      sum(before) / len(before) if before else None)


def describe_change(kpi: Kpi, change: Change, base: Change | None = None) -> str | None:
    """'fell 32%', 'rose to 7 from 0.5', 'rose 4.1 points', 'held steady' against the 4-week
    average, by the one rule of `tandem.model.wording.change_phrase` (`base`: the change of the
    count behind an amount). None when there is no earlier week to compare with."""
    if change.baseline is None:
        return None
    if change.value is None:  # only a rate has no value: no deal closed this week
        return "could not be measured (no deal closed this week)"
    return change_phrase(change.value, change.baseline, kpi.unit,
                         base=None if base is None else base.baseline, reference_name="")


def takeaway(group: str, changes: dict[str, Change]) -> str:
    """One sentence for a KPI group, against the average of the 4 weeks before."""
    parts = []
    for kpi in (k for k in KPIS if k.group == group):
        described = describe_change(kpi, changes[kpi.key], changes.get(kpi.base) if kpi.base else None)
        if described:
            parts.append((kpi, described))
    if not parts:
        return f"{group}: no earlier weeks to compare with."
    first_kpi, first = parts[0]
    sentence = f"Against the 4-week average, {first_kpi.phrase} {first}"
    contrast_used = False
    for kpi, described in parts[1:]:
        # "A rose while B fell and C fell": one "while", at the first change of direction
        contrast = not contrast_used and described.split()[0] != first.split()[0]
        contrast_used = contrast_used or contrast
        sentence += f"{' while' if contrast else ' and'} {kpi.phrase} {described}"
    return sentence + "."


NEGATIVE_KPIS = {"contested", "contested_amount"}  # a rise is bad news


def format_value(kpi: Kpi, value: float | None) -> str:
    if wording.missing(value):
        return "—"
    if kpi.unit == "rate":
        return f"{value:.0%}"
    return wording.money(value) if kpi.unit == "money" else wording.count(value)


def kpi_label(kpi: Kpi) -> str:
    """A card's label; an amount's names its currency."""
    return wording.money_label(kpi.label) if kpi.unit == "money" else kpi.label


def format_delta(kpi: Kpi, change: Change, base: Change | None = None) -> str | None:
    """The change against the previous week, with its sign: '+12 (+8%)', '+7' (too few to
    be a percentage, see `tandem.model.wording`), '-4.1 pts'. `base`: the count behind an amount."""
    if change.value is None or change.previous is None:
        return None
    if kpi.unit == "rate":
        return f"{(change.value - change.previous) * 100:+.1f} pts"
    return wording.signed_change(change.value, change.previous, None if base is None else base.previous)


def format_against_baseline(kpi: Kpi, change: Change, base: Change | None = None) -> str:
    """'4-week average 52 · +15%' (points for rates, the difference over small bases)."""
    if change.baseline is None:
        return "4-week average: no earlier weeks"
    shown = wording.average(change.baseline) if kpi.unit == "count" else format_value(kpi, change.baseline)
    text = f"4-week average {shown}"
    if change.value is None:
        return text
    if kpi.unit == "rate":
        return f"{text} · {(change.value - change.baseline) * 100:+.1f} pts"
    signed = (lambda d: ("+" if d > 0 else "") + wording.average(d)) if kpi.unit == "count" else None
    return f"{text} · {wording.signed_change(change.value, change.baseline, base and base.baseline, fmt=signed)}"


def period_weeks(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The Mondays of the first and last ISO weeks that overlap the period [start, end)."""
    return monday(start), monday(end - dt.timedelta(days=1))
