"""The Deals page's search: its filters and their URL form, what they mean in words, and
the saved views."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Mapping

import pandas as pd

from tandem.data.contract import ALL_STAGES
from tandem.model.contest import SIGNAL_LABELS
from tandem.model.filters import MAX_DEAL_ID, ContestRules, Filters, choices_from_url, shown_value, single_value
from tandem.model.wording import humanise, money_label, money_with_currency

STATUSES = ("open", "won", "lost")
STAGES = ALL_STAGES  # the stage order, lost last
MAX_SEARCH = 200  # characters of a text search; longer URL values are refused
MAX_AMOUNT = 1e15  # larger amounts in the URL are refused (no deal is that big; keeps floats exact)
DOWNLOAD_LIMIT = 10_000_000  # "no limit" for a download (above any deal count)
MAX_VIEW_NAME = 60
URL_KEYS = ("status", "stage", "min_amount", "max_amount", "product", "lead_source", "owner", "source",
            "contested", "q", "id")
MAX_LINKED_DEALS = 500  # deals a link may name (`id`); more are ignored with a notice


@dataclass(frozen=True)
class DealOptions:
    """What the page's filters offer (query deal_filter_options)."""

    products: tuple[str, ...] = ()
    lead_sources: tuple[str, ...] = ()
    owners: dict[str, str] = field(default_factory=dict)  # rep_id -> "name (team)"
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, rows: pd.DataFrame) -> "DealOptions":
        def reps(kind: str) -> dict[str, str]:
            chosen = rows[rows["kind"] == kind]
            return {r.rep_id: f"{r.rep_name} ({r.team_name})" for r in chosen.itertuples()}

        return cls(products=tuple(rows.loc[rows["kind"] == "product", "value"]),
                   lead_sources=tuple(rows.loc[rows["kind"] == "lead_source", "value"]),
                   owners=reps("owner"), sources=reps("source"))


@dataclass(frozen=True)
class DealFilters:
    """The page's filters; empty tuples and None mean "all"."""

    statuses: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    min_amount: float | None = None
    max_amount: float | None = None
    products: tuple[str, ...] = ()
    lead_sources: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    contested: bool = False
    search: str = ""
    deal_ids: tuple[str, ...] = ()  # the deals of a link (a cell of Rules & events' leaks); empty = all

    def params(self, rules: ContestRules) -> dict:
        """Parameters of deal_matches beside the global filters' (start, end, attribution,
        teams, regions, segments); the rule is used only by the contested filter."""
        return {"statuses": list(self.statuses), "stages": list(self.stages), "min_amount": self.min_amount,
                "max_amount": self.max_amount, "products": list(self.products),
                "lead_sources": list(self.lead_sources), "owner_rep_ids": list(self.owners),
                "source_rep_ids": list(self.sources), "search": self.search, "contested_only": self.contested,
                "deal_ids": list(self.deal_ids),
                # the rule matters only to the contested filter: otherwise the default, one cache entry
                **(rules if self.contested else ContestRules()).params()}

    def to_url(self) -> dict[str, str | list[str]]:
        url: dict[str, str | list[str]] = {}
        for key, values in (("status", self.statuses), ("stage", self.stages), ("product", self.products),
                            ("lead_source", self.lead_sources), ("owner", self.owners), ("source", self.sources)):
            if values:
                url[key] = list(values)
        for key, value in (("min_amount", self.min_amount), ("max_amount", self.max_amount)):
            if value is not None:
                url[key] = _amount_text(value)
        if self.contested:
            url["contested"] = "1"
        if self.search:
            url["q"] = self.search
        if self.deal_ids:
            url["id"] = list(self.deal_ids)
        return url


def _amount_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _amount(text: str) -> float | None:
    """A non-negative finite amount, or None."""
    if len(text) > 30 or "_" in text:  # float() would read 1_000 as 1000
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= MAX_AMOUNT else None


def from_url(url: Mapping[str, list[str]], options: DealOptions) -> tuple[DealFilters, list[str]]:
    """The page's filters from untrusted URL parameters, and a notice for each value ignored."""
    notices: list[str] = []
    filters = DealFilters()
    for key, field_name, allowed, label in (
        ("status", "statuses", STATUSES, "status"),
        ("stage", "stages", STAGES, "stage"),
        ("product", "products", options.products, "product"),
        ("lead_source", "lead_sources", options.lead_sources, "lead source"),
        ("owner", "owners", options.owners, "owner"),
        ("source", "sources", options.sources, "source rep"),
    ):
        filters = replace(filters, **{field_name: choices_from_url(url, key, allowed, label, label, notices)})

    amounts = {}
    for key in ("min_amount", "max_amount"):
        text = single_value(url, key, notices)
        if text is not None:
            amounts[key] = _amount(text)
            if amounts[key] is None:
                notices.append(f"Ignored {key}={shown_value(text)} from the URL: it is an amount of 0 or more, "
                               "like 25000.")
    low, high = amounts.get("min_amount"), amounts.get("max_amount")
    if low is not None and high is not None and low > high:
        notices.append(f"Ignored the amount range from the URL: the minimum {low:,.0f} is above the maximum "
                       f"{high:,.0f}.")
        low = high = None
    filters = replace(filters, min_amount=low, max_amount=high)

    contested = single_value(url, "contested", notices)
    if contested is not None:
        if contested in ("1", "0"):
            filters = replace(filters, contested=contested == "1")
        else:
            notices.append(f"Ignored contested={shown_value(contested)} from the URL: it is 1 or 0.")

    ids = url.get("id") or []
    if ids:
        kept = tuple(dict.fromkeys(i for i in ids if i and len(i) <= MAX_DEAL_ID))[:MAX_LINKED_DEALS]
        if len(kept) < len(set(ids)):
            notices.append(f"Ignored {len(set(ids)) - len(kept):,} of the {len(set(ids)):,} deals named by the URL: "
                           f"a link names at most {MAX_LINKED_DEALS} deals, each an id of at most {MAX_DEAL_ID} "
                           "characters.")
        filters = replace(filters, deal_ids=kept)

    search = single_value(url, "q", notices)
    if search is not None:
        if len(search) > MAX_SEARCH:
            notices.append(f"Ignored the text search from the URL: it has {len(search):,} characters, more than "
                           f"{MAX_SEARCH}.")
        else:
            filters = replace(filters, search=search.strip())
    return filters, notices


def keep_known_deals(filters: DealFilters, known: set[str]) -> tuple[DealFilters, list[str]]:
    """The link's deals that are in the data (`known`), and a notice naming up to three of the others."""
    missing = [deal for deal in filters.deal_ids if deal not in known]
    if not missing:
        return filters, []
    kept = tuple(deal for deal in filters.deal_ids if deal in known)
    shown = ", ".join(shown_value(deal) for deal in missing[:3]) + (" and more" if len(missing) > 3 else "")
    outcome = (f"showing the other {len(kept):,}" if kept else "showing every deal")
    return replace(filters, deal_ids=kept), [
        f"{len(missing):,} of the {len(filters.deal_ids):,} deals named by the URL are not in the data you can see ({shown}): "
        f"{outcome}."]


def validate(filters: DealFilters) -> tuple[DealFilters, list[str]]:
    """What the widgets gave, made consistent: a minimum above the maximum is ignored."""
    if filters.min_amount is not None and filters.max_amount is not None and filters.min_amount > filters.max_amount:
        return replace(filters, min_amount=None, max_amount=None), [
            f"The minimum amount {filters.min_amount:,.0f} is above the maximum {filters.max_amount:,.0f}: the amount "
            "range is ignored."]
    return filters, []


# --- what the filters say ----------------------------------------------------------------

def filter_lines(filters: Filters, deal_filters: DealFilters, rules: ContestRules, team_names: Mapping[str, str],
                 options: DealOptions) -> list[tuple[str, str]]:
    """Every filter in use as (what, value) in words: the Excel file's "Filters" sheet,
    and joined into one line on the page."""
    def listed(values, name=str) -> str:
        return ", ".join(name(v) for v in values) if values else "all"

    low, high = deal_filters.min_amount, deal_filters.max_amount
    lines = [("Deals", "the active deals of the period, as of its end"),
             ("Period", f"{filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d} (end excluded)"),
             (f"Teams by {filters.attribution}", listed(filters.teams, lambda t: team_names.get(t, t))),
             ("Regions", listed(filters.regions, humanise)), ("Segments", listed(filters.segments, humanise)),
             ("Status", listed(deal_filters.statuses)), ("Stage", listed(deal_filters.stages))]
    if low is not None or high is not None:
        lines.append((money_label("Amount"), f"{low:,.0f} to {high:,.0f}" if low is not None and high is not None
                      else f"at least {low:,.0f}" if low is not None else f"at most {high:,.0f}"))
    for label, values, name in (("Product", deal_filters.products, str),
                                ("Lead source", deal_filters.lead_sources, humanise),
                                ("Owner", deal_filters.owners, lambda r: options.owners.get(r, r)),
                                ("Source rep", deal_filters.sources, lambda r: options.sources.get(r, r))):
        if values:
            lines.append((label, listed(values, name)))
    if deal_filters.contested:
        lines.append(("Contested only", f"{', '.join(SIGNAL_LABELS[s] for s in rules.signals)}; lookback "
                                        f"{rules.lookback_days} days, overlap {rules.overlap_days} days"))
    if deal_filters.search:
        lines.append(("Search", repr(deal_filters.search)))
    if deal_filters.deal_ids:
        lines.append(("Chosen deals", f"{len(deal_filters.deal_ids):,} deals named by a link"))
    return lines


def describe(filters: Filters, deal_filters: DealFilters, rules: ContestRules, team_names: Mapping[str, str],
             options: DealOptions) -> str:
    """One line naming every filter in use, shown on the page above the table."""
    parts = []
    for what, value in filter_lines(filters, deal_filters, rules, team_names, options)[1:]:
        if what == "Period":
            parts.append(f"period {value}, active deals as of the end")
        elif what == "Contested only":
            parts.append(f"contested only ({value})")
        else:
            parts.append(f"{what[:1].lower()}{what[1:]}: {value}")
    return " · ".join(parts)


def count_sentence(total_deals: int, total_amount: float, shown: int) -> str:
    if total_deals == 0:
        return "No deal matches these filters."
    text = (f"{total_deals:,} matching deal{'s' if total_deals != 1 else ''}, {money_with_currency(total_amount)} "
            "in total.")
    if shown < total_deals:
        text += (f" Showing the first {shown:,} of {total_deals:,} matching deals (ordered by amount, largest "
                 "first); narrow the filters, or download all of them.")
    return text


# --- saved views ---------------------------------------------------------------------------

def save_view(views: Mapping[str, str], name: str, link: str) -> tuple[dict[str, str], str | None]:
    """Views with `name` -> `link` added, or the same views and the reason it was refused."""
    name = name.strip()
    if not name:
        return dict(views), "Give the view a name."
    if len(name) > MAX_VIEW_NAME:
        return dict(views), f"A view's name has at most {MAX_VIEW_NAME} characters."
    if name in views:
        return dict(views), f"There is already a view named {name!r}: choose another name."
    return {**views, name: link}, None
