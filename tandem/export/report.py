"""A report of chosen pages for one set of filters, ready for a writer (tandem.export.writers)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from tandem.data.config import currency
from tandem.data.progress import Progress, silent
from tandem.data.queries import run
from tandem.export import sections
from tandem.export.content import Report
from tandem.model import contest
from tandem.model.filters import ContestRules, Filters, Options

PAGES = ("weekly_review", "contested_deals", "conversion")  # the pages a report can hold, in their order
DEFAULT_TITLE = "Tandem report"


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
    plain = [re.sub(r"\*\*", "", sentence) for sentence in contest.signal_sentences(rules, present).values()]
    lines = ["A deal is contested when it has at least one of these signals: " + " ".join(plain),
             contest.window_sentence(rules),
             f"A deal belongs to the team of its {'owner' if filters.attribution == 'owner' else 'source rep'}.",
             "Win rate = won / (won + lost), with the Wilson 95% score interval (no continuity correction).",
             f"Amounts in {currency()}."]
    if presentation:
        lines.append("Names of reps, contacts and accounts are pseudonyms (presentation mode).")
    return lines


def build_report(db: str | Path, filters: Filters, pages: tuple[str, ...], week_start: dt.date,
                 rules: ContestRules = ContestRules(), presentation: bool = False, title: str = DEFAULT_TITLE,
                 progress: Progress = silent) -> Report:
    source = sections.Source(db, presentation)
    options = Options.from_frame(run("filter_options", db=db))
    meta = run("data_source", db=db).iloc[0]
    origin = "Demo data" if meta["source"] == "demo" else "Imported data"
    built = {"weekly_review": lambda: sections.weekly_review(source, filters, week_start),
             "contested_deals": lambda: sections.contested_deals(source, filters, rules),
             "conversion": lambda: sections.conversion_page(source, filters)}
    found = []
    for number, page in enumerate(pages):
        progress(0.1 * number / len(pages), f"gathering {page.replace('_', ' ')}")
        found.append(built[page]())
    return Report(title=title, period=f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded)",
                  filters=describe_filters(filters, options),
                  source=f"{origin}, built {str(meta['built_at']).replace('T', ' ')}",
                  built_at=dt.datetime.now().replace(microsecond=0), sections=found,
                  definitions=definitions(rules, filters, source.present_tables(), presentation),
                  presentation=presentation)
