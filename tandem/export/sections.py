"""Each page's content for a report, from the page's own queries and chart builders.

`Source.run` is the query runner the export uses: `tandem.data.queries.run` on one
database, with the names replaced by pseudonyms in presentation mode (as the dashboard's
`tandem.ui.app.run` does).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from tandem.data.queries import run
from tandem.export.content import Chart, Note, Section, Table
from tandem.figures import contested, conversion, style
from tandem.model import contest, coverage, pseudonyms, weekly, wording
from tandem.model.filters import DEFAULT_RULES, ContestRules, Filters


class Source:
    """The database a report reads, in presentation mode or not."""

    def __init__(self, db: str | Path, presentation: bool = False):
        self.db = db
        self.maps = pseudonyms.pseudonym_maps(run("name_pseudonyms", db=db)) if presentation else None

    def run(self, name: str, **params) -> pd.DataFrame:
        frame = run(name, db=self.db, **params)
        return pseudonyms.pseudonymise(frame, self.maps) if self.maps is not None else frame

    def present_tables(self) -> frozenset[str]:
        counts = run("table_row_counts", db=self.db)
        return coverage.present(counts)


def weekly_kpis(run_query, filters: Filters, week_start: dt.date) -> tuple[dict, dict, pd.DataFrame]:
    """The weekly review's KPI series and changes for the week starting `week_start` (its 8
    sparkline weeks ending with it), and the deal totals behind them: what the page and the
    report show."""
    starts = weekly.week_starts(week_start)
    exchanges = run_query("exchanges_by_week", teams=list(filters.teams), **weekly.span(starts))
    touches = run_query("customer_touches_by_week", **filters.params("teams", "regions", "segments"),
                        **weekly.span(starts))
    deal_filters = {**ContestRules().params(), **filters.params("attribution", "teams", "regions", "segments")}
    totals = run_query("deal_totals", **weekly.week_ends(starts), **deal_filters)  # each week as of its own end
    series = weekly.kpi_series(exchanges, touches, totals, starts)
    changes = {kpi.key: weekly.Change.of(series[kpi.key]) for kpi in weekly.KPIS}
    return series, changes, totals


def _kpi_table(group: str, series: dict, changes: dict) -> Table:
    rows = []
    for kpi in (k for k in weekly.KPIS if k.group == group):
        change = changes[kpi.key]
        base = changes.get(kpi.base) if kpi.base else None
        rows.append({"KPI": weekly.kpi_label(kpi), "This week": weekly.format_value(kpi, change.value),
                     "Previous week": weekly.format_value(kpi, change.previous),
                     "Change": weekly.format_delta(kpi, change, base) or "—",
                     "Against the 4 weeks before": weekly.format_against_baseline(kpi, change, base)})
    return Table(weekly.takeaway(group, changes), pd.DataFrame(rows))


def weekly_review(source: Source, filters: Filters, week_start: dt.date) -> Section:
    label = weekly.iso_label(week_start)
    section = Section("weekly_review", "Weekly review",
                      f"{label}: Monday {week_start:%d %b} to Sunday {week_start + dt.timedelta(days=6):%d %b %Y}")
    series, changes, totals = weekly_kpis(source.run, filters, week_start)
    present = source.present_tables()
    for group in weekly.GROUPS:
        lacking = weekly.group_missing(group, present)
        section.blocks.append(Note(group, lacking) if lacking else _kpi_table(group, series, changes))
    if coverage.contest_missing(present):
        return section
    deal_filters = {**ContestRules().params(), **filters.params("attribution", "teams", "regions", "segments")}
    this_week = source.run("contested_deals", **deal_filters, **weekly.week_period(week_start))
    new = this_week[~this_week["deal_id"].astype(object).isin(totals.iloc[-2]["contested_deal_ids"])]
    if new.empty:
        section.blocks.append(Note("Needs attention", f"No deal became contested in {label}."))
    else:
        table = contested.deal_table(new)
        section.blocks.append(Table(
            f"{wording.plural(len(new), 'deal')} became contested in {label}, "
            f"{wording.money_with_currency(new['amount'].sum())} at stake",
            _deal_rows(table), "Contested at the end of the week, not at its start; the largest first."))
    return section


def _deal_rows(table: pd.DataFrame) -> pd.DataFrame:
    """A contested-deal table as a report shows it: words, amounts with thousands separators."""
    return pd.DataFrame({
        "Deal": table["deal_name"], "Account": table["account_name"], "Owner": table["owner_rep_name"],
        "Signals": table["signals"], wording.money_label("Amount"): table["amount"].map(wording.money),
        "Stage": table["stage"].map(wording.humanise),
    }).reset_index(drop=True)


def contested_deals(source: Source, filters: Filters, rules: ContestRules) -> Section:
    section = Section("contested_deals", "Contested deals",
                      f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded)")
    if lacking := coverage.contest_missing(source.present_tables()):
        section.blocks.append(Note("Contested deals", lacking))
        return section
    rule_params = rules.params()
    deal_filters = filters.params("start", "end", "attribution", "teams", "regions", "segments")
    before = contest.previous_period(filters)
    previous, current = (row for _, row in source.run(
        "deal_totals", starts=[before["start"], deal_filters["start"]], ends=[before["end"], deal_filters["end"]],
        **rule_params, **filters.params("attribution", "teams", "regions", "segments")).iterrows())
    if int(current["active"]) == 0:
        section.blocks.append(Note("Contested deals", "No active deal in this period under these filters."))
        return section
    headline = contest.headline(current, previous)
    section.blocks.append(Table(
        f"{headline[0]['value']} of {int(current['active']):,} active deals contested, "
        f"{headline[1]['value']} at stake",
        pd.DataFrame([{"Figure": h["label"], "This period": h["value"], "Change": h["delta"] or "—"}
                      for h in headline]),
        f"Changes compare with {before['start']:%d %b %Y} to {before['end']:%d %b %Y}."))

    for builder, query in ((contested.region_segment_heatmap, "contested_rate_by_region_segment"),
                           (contested.team_pair_heatmap, "contested_rate_by_team_pair")):
        frame = source.run(query, **rule_params, **deal_filters)
        if not frame.empty:
            figure, title, _ = builder(frame)
            section.blocks.append(Chart(title, figure, "Each cell: contested rate and the deals behind it; ⚠ fewer "
                                                       f"than {contested.MIN_CELL_DEALS} deals."))
    weeks = contest.week_periods(filters)
    per_week = source.run("deal_totals", **weeks, **rule_params,
                          **filters.params("attribution", "teams", "regions", "segments"))
    figure, title, drawn = contested.trend_figure(contest.weekly_counts(per_week, weeks), rules,
                                                  *weekly.period_weeks(filters.start, filters.end))
    if drawn["contested"].any():
        section.blocks.append(Chart(title, figure, "Each week judged as of its own end."))

    deals = source.run("contested_deals", **rule_params, **deal_filters)
    if deals.empty:
        section.blocks.append(Note("All contested deals", "No contested deal in this period under the rule."))
    else:
        table = contested.deal_table(deals)
        section.blocks.append(Table(
            f"{wording.plural(len(table), 'contested deal')}, "
            f"{wording.money_with_currency(table['amount'].sum())} at stake", _deal_rows(table),
            "The largest first."))
    for figure, title, _ in contested.outcome_figures(source.run("contest_outcomes", **rule_params, **deal_filters)):
        section.blocks.append(Note(title, title + ".") if figure is None else
                              Chart(title, figure, "Deals closed in the period; bars show the Wilson 95% interval."))
    return section


def conversion_page(source: Source, filters: Filters) -> Section:
    """The Conversion page's charts: per team, the stage funnel, sourced by × closed by, the
    handoff latency, the cohort trend and whether coordination pays."""
    section = Section("conversion", "Conversion", f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded)")
    present = source.present_tables()
    if lacking := coverage.lacking("deals", "conversion per team", present):
        section.blocks.append(Note("Conversion", lacking))
        return section
    deal_params = filters.params("start", "end", "attribution", "teams", "regions", "segments")
    lookback = {"lookback_days": DEFAULT_RULES["lookback_days"]}
    kinds = {row.value: row.detail for row in run("filter_options", db=source.db).itertuples() if row.kind == "team"}
    names = {row.value: row.label for row in source.run("filter_options").itertuples() if row.kind == "team"}
    colours = style.team_colours(kinds)
    teams = source.run("team_conversion", **deal_params)
    if teams["created"].sum() + teams["closed"].sum() == 0:
        section.blocks.append(Note("Conversion", "No deal was created or closed in this period under these filters."))
        return section
    touches = source.run("won_deal_touches_by_team", **deal_params, **lookback)
    figure, title, drawn = conversion.team_table(teams, touches, colours)
    if teams["closed"].sum():
        section.blocks.append(Chart(title, figure, "Win rate = won / (won + lost), Wilson 95% interval; hollow: "
                                                   f"fewer than {conversion.MIN_CLOSED} closed deals."))
    rows = conversion.team_rows(drawn)
    if "activities" not in present:
        rows = rows.drop(columns="Touches/won")
    section.blocks.append(Table("Per team", rows))
    for builder, query, params, needs in (
            (lambda f: conversion.funnel(f, names, kinds, colours), "stage_funnel_by_team", {}, "deal_stage_changes"),
            (lambda f: conversion.source_owner_matrix(f, False, "created"), "deals_by_source_and_owner", {}, None),
            (conversion.handoff_latency, "handoff_latency_by_bucket", lookback, "activities"),
            (lambda f: conversion.cohort_trend(f, filters.start, filters.end), "win_rate_by_creation_month", {},
             None),
            (conversion.coordination, "win_rate_by_exchange_quartile", lookback, "activities")):
        if needs and needs not in present:
            continue
        frame = source.run(query, **deal_params, **params)
        # what the page needs before it draws: the latency buckets always exist, the cohorts need a close
        counted = {"handoff_latency_by_bucket": lambda: frame["deals"].sum(),
                   "win_rate_by_creation_month": lambda: (frame["won"] + frame["lost"]).sum()}.get(
                       query, lambda: len(frame))()
        if counted:
            figure, title, _ = builder(frame)
            section.blocks.append(Chart(title, figure))
    return section
