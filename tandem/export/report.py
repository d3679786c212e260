"""A report of chosen pages for one set of filters, ready for a writer (tandem.export.writers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from tandem.data.config import currency
from tandem.data.progress import Progress, silent
from tandem.export import sections
from tandem.export.branding import Branding
from tandem.export.content import Report
from tandem.model import contest, wording
from tandem.model.deal_search import DealFilters
from tandem.model.filters import ContestRules, Filters, Options
from tandem.model.pages import TITLES
from tandem.model.roles import Scope

PAGES = TITLES  # a report can hold every page (url path -> title), written in the navigation's order


def describe_filters(filters: Filters, options: Options) -> str:
    """The sidebar's choices in words: 'Teams: Key Accounts · all regions · all segments · deals by owner'."""
    teams = ", ".join(options.teams.get(t, t) for t in filters.teams)
    parts = [f"Teams: {teams}" if teams else "all teams",
             f"Regions: {', '.join(filters.regions)}" if filters.regions else "all regions",
             f"Segments: {', '.join(filters.segments)}" if filters.segments else "all segments",
             f"deals by {'owner' if filters.attribution == 'owner' else 'source rep'}"]
    return " · ".join(parts)


def definitions(rules: ContestRules, filters: Filters, present: frozenset[str], presentation: bool) -> list[str]:
    """The closing slide: the contest rule in words, the attribution, the interval."""
    plain = [wording.plain(sentence) for sentence in contest.signal_sentences(rules, present).values()]
    lines = ["A deal is contested when it has at least one of these signals: " + " ".join(plain),
             contest.window_sentence(rules),
             f"A deal belongs to the team of its {'owner' if filters.attribution == 'owner' else 'source rep'}.",
             "Win rate = won / (won + lost), with the Wilson 95% score interval (no continuity correction).",
             f"Amounts in {currency()}."]
    if presentation:
        lines.append("Names of reps, contacts and accounts are pseudonyms (presentation mode).")
    return lines


def build_report(db: str | Path, filters: Filters, pages: tuple[str, ...], week_start: dt.date,
                 rules: ContestRules = ContestRules(), presentation: bool = False, branding: Branding = Branding(),
                 progress: Progress = silent, deal_filters: DealFilters = DealFilters(),
                 deals: Mapping[str, str] = {}, *, scope: Scope, exported_by: str | None = None) -> Report:
    """The report of `pages` (keys of PAGES, written in PAGES' order) of the data in `scope`
    (who asked for it). `deals` maps a page (contested_deals, deal_explorer) to its selected
    deal, shown with its timeline; `deal_filters` are the Deals page's own. `exported_by` (who and
    when, from the dashboard's sign-in) is written among the definitions."""
    source = sections.Source(db, scope, presentation)
    meta = source.run("data_source").iloc[0]
    built = {"weekly_review": lambda: sections.weekly_review(source, filters, week_start),
             "communication": lambda: sections.communication_page(source, filters),
             "contested_deals": lambda: sections.contested_deals(source, filters, rules, deals.get("contested_deals")),
             "rules_events": lambda: sections.rules_events_page(source, filters, rules),
             "conversion": lambda: sections.conversion_page(source, filters),
             "deal_explorer": lambda: sections.deals_page(source, filters, deal_filters, rules,
                                                          deals.get("deal_explorer")),
             "overview": lambda: sections.data_overview(source)}
    found = []
    pages = tuple(page for page in PAGES if page in pages)
    for number, page in enumerate(pages):
        progress(number / len(pages), f"gathering {PAGES[page]}")
        found.append(built[page]())
    return Report(title=branding.title, period=f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded)",
                  filters=describe_filters(filters, source.options()),
                  source=f"{sections.origin(meta)}, built {str(meta['built_at']).replace('T', ' ')}",
                  built_at=dt.datetime.now().replace(microsecond=0), sections=found,
                  definitions=definitions(rules, filters, source.present_tables(), presentation)
                  + ([f"Exported by {exported_by}."] if exported_by else []),
                  presentation=presentation, logo=branding.logo)
