"""The company summary of one period: the figures of `python -m tandem summary`.

Every number comes from a query of `queries/`; this module only gathers them into the
documented JSON shape and renders the readable report.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from tandem.cli.whole_database import run
from tandem.model import coverage
from tandem.model.filters import ATTRIBUTIONS, SIGNALS
from tandem.model.wording import missing


def iso_week(text: str) -> tuple[dt.datetime, dt.datetime]:
    """`2026-W47` -> (Monday 00:00, next Monday 00:00); ValueError with a clear message."""
    try:
        year, week = text.upper().split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f'"{text}" is not an ISO week (expected YYYY-Www, e.g. 2026-W47)') from None
    start = dt.datetime.combine(monday, dt.time())
    return start, start + dt.timedelta(days=7)


def _number(value, kind=float):
    if missing(value):
        return None
    return kind(value)


def compute_summary(start: dt.datetime, end: dt.datetime, lookback_days: int = 30, overlap_days: int = 7,
                    attribution: str = "owner", db: str | os.PathLike | None = None,
                    teams: Sequence[str] = (), regions: Sequence[str] = (), segments: Sequence[str] = ()) -> dict:
    """The summary of [start, end) as the JSON-ready dict, under the sidebar's filters
    (definitions.md "Filters"; team ids, region and segment values; empty = all)."""
    if attribution not in ATTRIBUTIONS:
        raise ValueError(f"attribution must be one of {', '.join(ATTRIBUTIONS)}, not {attribution!r}")
    period = {"start": start, "end": end}
    filters = {"teams": list(teams), "regions": list(regions), "segments": list(segments)}
    rules = {"lookback_days": lookback_days, "overlap_days": overlap_days, "signals": []}

    # rep-to-rep exchanges are filtered by team only: they have no account
    exchanges = run("exchanges_by_channel", db=db, teams=filters["teams"], **period)
    touches = run("customer_touches_by_kind", db=db, **filters, **period)
    totals = run("deal_totals", db=db, attribution=attribution, starts=[start], ends=[end], **rules,
                 **filters).iloc[0]
    team_rows = run("team_conversion", db=db, attribution=attribution, **filters, **period)
    counts = run("table_row_counts", db=db)
    present = coverage.present(counts)
    notes = [note for note in (coverage.lacking("activities", "exchanges and customer touches", present),
                               coverage.lacking("deals", "deal figures and conversion per team", present),
                               coverage.contest_missing(present) if "deals" in present else None) if note]

    def channel_counts(kind: str) -> dict:
        rows = exchanges[exchanges["exchange_kind"] == kind].set_index("channel")["exchanges"]
        return {"calls": int(rows["call"]), "emails": int(rows["email"]), "meetings": int(rows["meeting"])}

    cross = channel_counts("cross_team")
    cross["call_minutes"] = float(exchanges.query("exchange_kind == 'cross_team' and channel == 'call'")
                                  ["call_minutes"].iloc[0])
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "params": {"lookback_days": lookback_days, "overlap_days": overlap_days, "attribution": attribution},
        "filters": filters,
        "cross_team": cross,
        "within_team": channel_counts("within_team"),
        "customer_touches": {kind: int(touches.loc[touches["kind"] == kind, "touches"].sum())
                             for kind in ("internal", "external")},
        "deals": {"active": int(totals["active"]), "created": int(totals["created"]), "won": int(totals["won"]),
                  "lost": int(totals["lost"]), "won_amount": float(totals["won_amount"])},
        "contested": {
            "count": int(totals["contested"]),
            "amount": float(totals["contested_amount"]),
            "rate": _number(totals["contested_rate"]),
            "by_signal": {signal: int(totals[signal]) for signal in SIGNALS},
            "deal_ids": sorted(totals["contested_deal_ids"]),
        },
        "notes": notes,
        "teams": [
            {"team_id": row.team_id, "name": row.name, "kind": row.kind, "created": int(row.created),
             "won": int(row.won), "lost": int(row.lost), "won_amount": float(row.won_amount),
             "win_rate": _number(row.win_rate), "win_rate_low": _number(row.win_rate_low),
             "win_rate_high": _number(row.win_rate_high), "median_cycle_days": _number(row.median_cycle_days)}
            for row in team_rows.itertuples(index=False)
        ],
    }


def _percent(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def render_text(summary: dict) -> str:
    """The readable report of a summary dict."""
    period, params = summary["period"], summary["params"]
    cross, within, touches = summary["cross_team"], summary["within_team"], summary["customer_touches"]
    deals, contested = summary["deals"], summary["contested"]
    lines = [
        f"Tandem summary {period['start'][:10]} to {period['end'][:10]} (end excluded)",
        f"rules: lookback {params['lookback_days']} days, overlap {params['overlap_days']} days, "
        f"teams by {params['attribution']}",
        "filters: " + ("; ".join(f"{name} {', '.join(values)}" for name, values in summary["filters"].items()
                                 if values) or "none (the whole company)"),
        *(f"note: {note}" for note in summary["notes"]),
        "",
        f"Cross-team exchanges   {cross['calls']:>8,} calls  {cross['emails']:>8,} emails  "
        f"{cross['meetings']:>6,} meetings  {cross['call_minutes']:>10,.1f} call minutes",
        f"Within-team exchanges  {within['calls']:>8,} calls  {within['emails']:>8,} emails  "
        f"{within['meetings']:>6,} meetings",
        f"Customer touches       {touches['internal']:>8,} by internal reps  {touches['external']:>8,} by external reps",
        "",
        f"Deals  active {deals['active']:,}  created {deals['created']:,}  won {deals['won']:,}  "
        f"lost {deals['lost']:,}  won amount {deals['won_amount']:,.2f}",
        f"Contested  {contested['count']:,} of the active deals ({_percent(contested['rate'])}), "
        f"value at stake {contested['amount']:,.2f}",
        "  " + "  ".join(f"{signal.replace('_', ' ')} {n:,}" for signal, n in contested["by_signal"].items()),
        "",
        f"{'team':<24} {'kind':<9} {'created':>8} {'won':>6} {'lost':>6} {'won amount':>14} "
        f"{'win rate (95% interval)':>26} {'median cycle':>13}",
    ]
    for team in summary["teams"]:
        interval = ("n/a" if team["win_rate"] is None else
                    f"{team['win_rate']:.1%} ({team['win_rate_low']:.1%}-{team['win_rate_high']:.1%})")
        cycle = "n/a" if team["median_cycle_days"] is None else f"{team['median_cycle_days']:.1f} days"
        lines.append(f"{team['name'][:24]:<24} {team['kind']:<9} {team['created']:>8,} {team['won']:>6,} "
                     f"{team['lost']:>6,} {team['won_amount']:>14,.2f} {interval:>26} {cycle:>13}")
    return "\n".join(lines)
