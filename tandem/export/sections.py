"""Each page's content for a report, from the page's own queries and chart builders.

`Source.run` is the query runner the export uses: `tandem.data.queries.run` on one
database in one scope (who asked for the report), with the names replaced by pseudonyms in
presentation mode (as the dashboard's `tandem.ui.app.run` does).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from pathlib import Path

import pandas as pd

from tandem.data.queries import run
from tandem.export.content import MAX_TABLE_ROWS, Chart, Note, Section, Table
from tandem.figures import communication, contested, conversion, deals, overview, rules_events, style
from tandem.model import contest, coverage, deal_search, pseudonyms, weekly, wording
from tandem.model.deal_search import DealFilters
from tandem.model.filters import DEFAULT_RULES, ContestRules, Filters, Options
from tandem.model.roles import Scope


class Source:
    """The database a report reads, in a scope, in presentation mode or not."""

    def __init__(self, db: str | Path, scope: Scope, presentation: bool = False):
        self.db, self.scope = db, scope
        self.maps = self.hidden = None
        if presentation or scope.hides_names:
            table = run("name_pseudonyms", db=db, scope=scope)
            self.maps = pseudonyms.pseudonym_maps(table) if presentation or scope.presentation_forced else None
            self.hidden = pseudonyms.names_hidden_from(table, scope)

    def run(self, name: str, **params) -> pd.DataFrame:
        frame = run(name, db=self.db, scope=self.scope, **params)
        if self.maps is not None:
            return pseudonyms.pseudonymise(frame, self.maps)
        return pseudonyms.pseudonymise(frame, self.hidden, only_listed=True) if self.hidden else frame

    # read once per report, not by every section that asks
    @functools.cached_property
    def _present(self) -> frozenset[str]:
        return coverage.present(run("table_row_counts", db=self.db, scope=self.scope))

    @functools.cached_property
    def _options(self) -> Options:
        return Options.from_frame(run("filter_options", db=self.db, scope=self.scope))

    def present_tables(self) -> frozenset[str]:
        return self._present

    def options(self) -> Options:
        return self._options

    def team_kinds(self) -> dict[str, str]:
        return self.options().kinds


def origin(meta: pd.Series) -> str:
    """Where the data comes from (a row of query data_source), in words."""
    return "Demo data" if meta["source"] == "demo" else "Imported data"


def _period(filters: Filters) -> str:
    return f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded)"


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
    week = replace(filters, start=week_start, end=week_start + dt.timedelta(days=7))
    if "events" in present:
        events, title, _ = rules_events.events_table(source.run("events_attendance",
                                                                **week.params("start", "end", "teams")))
        if not events.empty:
            section.blocks.append(Table(title, events.assign(Date=events["Date"].map("{:%a %d %b}".format))))
        intrusions = source.run("event_intrusions", **week.params("start", "end", "teams"))
        if not intrusions.empty:
            section.blocks.append(Note("Needs attention: agency reps at a closed meeting",
                                       rules_events.intrusion_sentence(intrusions) + "."))
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


def communication_page(source: Source, filters: Filters) -> Section:
    """The Communication page: weekly volumes, the coordination ratio, who talks with whom
    (team by team: a rep matrix is unreadable on a slide), who starts, the silent pairs."""
    section = Section("communication", "Communication", _period(filters))
    if lacking := coverage.lacking("activities", "exchanges between reps and customer touches",
                                   source.present_tables()):
        section.blocks.append(Note("Communication", lacking))
        return section
    period = filters.params("start", "end", "teams")
    with_accounts = filters.params("start", "end", "teams", "regions", "segments")
    exchanges = source.run("exchanges_by_week", **period)
    if exchanges["exchanges"].sum() == 0:
        section.blocks.append(Note("Communication", "No exchanges between reps in this period."))
        return section
    touches = source.run("customer_touches_by_week", **with_accounts)
    for figure, title, _ in (communication.weekly_volumes(exchanges, "exchanges", filters.start, filters.end),
                             communication.coordination_ratio(exchanges, touches, filters.start, filters.end)):
        section.blocks.append(Chart(title, figure))
    pairs = source.run("cross_team_exchanges_by_rep_pair", **period)
    if pairs.empty:
        section.blocks.append(Note("Who talks with whom",
                                   "No exchange between an internal and an external rep in this period."))
    else:
        figure, title, _ = communication.pair_matrix(pairs, "all", True)
        section.blocks.append(Chart(title, figure, communication.matrix_note(pairs, "all", True)))
        figure, title, _ = communication.initiator_shares(pairs)
        section.blocks.append(Chart(title, figure))
    silent = source.run("silent_pairs", max_exchanges=1, **with_accounts)
    title = communication.silent_pairs_title(len(silent), 1)
    if silent.empty:
        section.blocks.append(Note("Silent pairs", title + "."))
    else:
        rows = communication.labelled(silent)[list(communication.SILENT_COLUMNS)].rename(
            columns=communication.SILENT_COLUMNS)
        section.blocks.append(Table(title, rows, "Where uncoordinated overlap comes from; most shared accounts first."))
    return section


def deal_blocks(source: Source, deal_id: str, filters: Filters, rules: ContestRules) -> list[Chart | Note]:
    """One deal as the pages open it: why it is contested (a note) and its timeline (a chart)."""
    end = filters.params("end")["end"]
    windows = {"lookback_days": rules.lookback_days}
    record = source.run("deal_record", deal_id=deal_id, end=end, **windows)
    if record.empty:
        return [Note("Selected deal", f"There is no deal {deal_id[:40]!r} as of {filters.end:%d %b %Y}.")]
    record = record.iloc[0]
    timeline = source.run("deal_timeline", deal_id=deal_id, end=end, overlap_days=rules.overlap_days, **windows)
    evidence = source.run("contest_evidence", deal_ids=[deal_id], end=end, overlap_days=rules.overlap_days, **windows)
    evidence = evidence[evidence["signal"].isin(rules.signals)]
    name, line = contest.deal_line(record)
    sentences = contest.explain(record, timeline, evidence, source.run("scope_rules_by_team"), rules)
    colours = style.team_colours(source.team_kinds())
    figure, title = contested.timeline_figure(record, timeline, evidence, colours)
    plain = [wording.plain(sentence) for sentence in sentences]
    return [Note(f"Why is {name} contested?", "\n".join([line, *plain])), Chart(title, figure)]


def deals_page(source: Source, filters: Filters, deal_filters: DealFilters = DealFilters(),
               rules: ContestRules = ContestRules(), deal: str | None = None) -> Section:
    """The Deals page: the deals matching its filters, their breakdowns and the largest, and
    the open deal's record."""
    section = Section("deal_explorer", "Deals", _period(filters))
    if lacking := coverage.lacking("deals", "the deals and their records", source.present_tables()):
        section.blocks.append(Note("Deals", lacking))
        return section
    params = {**filters.params("start", "end", "attribution", "teams", "regions", "segments"),
              **deal_filters.params(rules)}
    totals = source.run("matching_deal_totals", **params)
    total = totals[totals["breakdown"] == "total"]
    count, amount = int(total["deals"].sum()), float(total["amount"].sum())
    if count == 0:
        section.blocks.append(Note("Deals", "No deal matches these filters."))
    else:
        for figure, title, _ in deals.breakdown_figures(totals, style.team_colours(source.team_kinds())):
            section.blocks.append(Chart(title, figure))
        rows = deals.table(source.run("matching_deals", **params, limit=MAX_TABLE_ROWS), deal_filters.contested)
        section.blocks.append(Table(deal_search.count_sentence(count, amount, count).rstrip("."), _matching_rows(rows),
                                    "The largest first.", total=count))
    if deal:
        section.blocks.extend(deal_blocks(source, deal, filters, rules))
    return section


def _matching_rows(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Deal": table["deal_name"], "Account": table["account_name"], "Owner": table["owner_rep_name"],
        "Status": table["status"].map(wording.humanise),
        wording.money_label("Amount"): table["amount"].map(wording.money),
        "Stage": table["stage"].map(wording.humanise)}).reset_index(drop=True)


def data_overview(source: Source) -> Section:
    """The Data overview page: the data's span and size, activities and deals per week, rows per table."""
    meta = source.run("data_source").iloc[0]
    counts = source.run("table_row_counts").set_index("table_name")["row_count"]
    section = Section("overview", "Data overview",
                      f"{origin(meta)} ({meta['detail']}), built {str(meta['built_at']).replace('T', ' ')}")
    rows = counts.rename("Rows").rename_axis("Table").reset_index()
    rows["Rows"] = rows["Rows"].map("{:,}".format)
    present = source.present_tables()
    first, last = meta["first_data_at"], meta["last_data_at"]
    span = (f"Data from {first:%d %b %Y} to {last:%d %b %Y}: " if not wording.missing(first) else "") + (
        f"{counts['reps']:,} reps, {counts['deals']:,} deals, {counts['activities']:,} activities")
    section.blocks.append(Table(span, rows))
    if "activities" in present:
        figure = overview.activities_by_kind(source.run("activities_by_week_and_kind"),
                                             meta["first_activity_at"].date(), meta["last_activity_at"].date())
        section.blocks.append(Chart(figure.layout.title.text, figure))
    if "deals" in present:
        figure = overview.deals_by_week(source.run("deals_by_week"))
        section.blocks.append(Chart(figure.layout.title.text, figure))
    return section


def contested_deals(source: Source, filters: Filters, rules: ContestRules, deal: str | None = None) -> Section:
    section = Section("contested_deals", "Contested deals", _period(filters))
    if lacking := coverage.contest_missing(source.present_tables()):
        section.blocks.append(Note("Contested deals", lacking))
        return section
    if not rules.signals:
        section.blocks.append(Note("Contested deals", "No signal is chosen in the rule of the Contested deals page: "
                                                      "no deal can be contested."))
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
    if deal:
        section.blocks.extend(deal_blocks(source, deal, filters, rules))
    return section


def rules_events_page(source: Source, filters: Filters, rules: ContestRules) -> Section:
    """The Rules & events page: the rules of engagement, where they leak, the events and the
    agency reps at meetings closed to them."""
    section = Section("rules_events", "Rules & events", _period(filters))
    present = source.present_tables()
    if lacking := coverage.lacking("scope_rules", "the rules of engagement and where they leak", present):
        section.blocks.append(Note("The rules of engagement", lacking))
    else:
        matrix, title, _ = rules_events.rules_matrix(source.run("rules_of_engagement"),
                                                     list(source.options().segments))
        section.blocks.append(Table(title, matrix, "The stages each team may work, by segment (a region in brackets "
                                                   "limits the rule to it)."))
        if lacking := coverage.first_lacking(("deals", "activities"), "where the rules leak", present):
            section.blocks.append(Note("Where the boundary leaks", lacking))
        else:
            leak_params = {**filters.params("start", "end", "teams", "regions", "segments"),
                           "lookback_days": rules.lookback_days, "overlap_days": rules.overlap_days}
            by_month = source.run("out_of_scope_by_team_month", **leak_params)
            if by_month.empty:
                section.blocks.append(Note("Where the boundary leaks", "No out-of-scope touch in this period."))
            else:
                figure, title, _ = rules_events.leaks_by_team_month(by_month)
                section.blocks.append(Chart(title, figure, "Touches by a rep of the other force than the deal's "
                                                           "owner, outside the rules of the rep's team."))
                table, title, _ = rules_events.leak_cells(source.run("out_of_scope_by_cell", **leak_params))
                section.blocks.append(Table(title, table, "Deals by their status at the end of the period."))
    if lacking := coverage.lacking("events", "who attended which event", present):
        section.blocks.append(Note("Events", lacking))
        return section
    table, title, _ = rules_events.events_table(source.run("events_attendance", **filters.params("start", "end",
                                                                                                 "teams")))
    if table.empty:
        section.blocks.append(Note("Events", "No event was held in this period."))
        return section
    section.blocks.append(Table(title, table.assign(Date=table["Date"].map("{:%d %b %Y}".format))))
    weeks = rules_events.DEFAULT_WEEKS
    pairs = source.run("shared_event_pairs", **filters.params("start", "end", "teams"), weeks=weeks, **rules.params())
    if not pairs.empty:
        figure, title, _ = rules_events.before_after(pairs, weeks)
        section.blocks.append(Chart(title, figure, f"Share of the attending pairs (an internal and an agency rep) "
                                                   f"with an exchange in the {weeks} weeks before and after each "
                                                   "shared event; Wilson 95% intervals."))
    intrusions = source.run("event_intrusions", **filters.params("start", "end", "teams"))
    if not intrusions.empty:
        shown = intrusions[list(rules_events.INTRUSION_COLUMNS)].rename(columns=rules_events.INTRUSION_COLUMNS)
        section.blocks.append(Table(rules_events.intrusion_title(intrusions),
                                    shown.assign(Date=shown["Date"].map("{:%d %b %Y}".format))))
    return section


def conversion_page(source: Source, filters: Filters) -> Section:
    """The Conversion page's charts: per team, the stage funnel, sourced by × closed by, the
    handoff latency, the cohort trend and whether coordination pays."""
    section = Section("conversion", "Conversion", _period(filters))
    present = source.present_tables()
    if lacking := coverage.lacking("deals", "conversion per team", present):
        section.blocks.append(Note("Conversion", lacking))
        return section
    deal_params = filters.params("start", "end", "attribution", "teams", "regions", "segments")
    lookback = {"lookback_days": DEFAULT_RULES["lookback_days"]}
    kinds, names = source.team_kinds(), source.options().teams
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
