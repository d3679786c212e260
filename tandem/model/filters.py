"""The global filters of every page (definitions.md "Filters") and their URL form.

`Filters` is the one model of the sidebar state; `from_url` turns untrusted query
parameters into a valid `Filters` plus notices for everything it had to ignore, and
`to_url` gives the parameters that reopen the same view. Values never reach SQL
except through `Filters.params()`, which the query runner binds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from tandem.data.db import DEFAULT_RULES  # noqa: F401 (part of the contest rule's interface)

ATTRIBUTIONS = ("owner", "source")
SIGNALS = ("double_claim", "out_of_scope", "uncoordinated_overlap")  # definitions.md "Contest signals"
LOOKBACK_RANGE = (0, 180)  # days; what the contested-deals page offers (URL values outside are refused)
OVERLAP_RANGE = (1, 60)
DEFAULT_WEEKS = 12  # the default period: this many complete weeks (of the data)
MAX_SHOWN = 40  # characters of a rejected value repeated in a notice
MAX_DEAL_ID = 100  # characters; longer URL values are not deal ids


@dataclass(frozen=True)
class Options:
    """What the database offers to choose from."""

    teams: dict[str, str]  # team_id -> name
    regions: tuple[str, ...]
    segments: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date  # last day with data
    kinds: dict[str, str] = field(default_factory=dict)  # team_id -> internal / external

    @classmethod
    def from_frame(cls, rows, today: dt.date | None = None) -> "Options":
        """From the `filter_options` query's rows; a database with no dated row at all
        covers only `today`."""
        period = rows[rows["kind"] == "period"].iloc[0]
        today = today or dt.date.today()
        teams = rows[rows["kind"] == "team"]
        return cls(
            teams=dict(zip(teams["value"], teams["label"])),
            regions=tuple(rows.loc[rows["kind"] == "region", "value"]),
            segments=tuple(rows.loc[rows["kind"] == "segment", "value"]),
            first_day=dt.date.fromisoformat(period["value"]) if isinstance(period["value"], str) else today,
            last_day=dt.date.fromisoformat(period["label"]) if isinstance(period["label"], str) else today,
            kinds=dict(zip(teams["value"], teams["detail"])),
        )

    def choose(self, teams: Iterable[str] = (), regions: Iterable[str] = (),
               segments: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
        """Typed choices (a team by id or name, a region or segment by value; case ignored)
        as the values `Filters` holds; ValueError naming the choices when one is unknown."""
        chosen = {}
        for field_name, typed, allowed in (
                ("teams", teams, {**{name: team for team, name in self.teams.items()}, **{t: t for t in self.teams}}),
                ("regions", regions, {value: value for value in self.regions}),
                ("segments", segments, {value: value for value in self.segments})):
            by_folded = {key.casefold(): value for key, value in allowed.items()}
            values = []
            for text in typed:
                value = by_folded.get(text.strip().casefold())
                if value is None:
                    offered = (", ".join(f"{team} ({name})" for team, name in sorted(self.teams.items()))
                               if field_name == "teams" else ", ".join(allowed))
                    raise ValueError(f"unknown {field_name[:-1]} {shown_value(text)}: the database has "
                                     f"{offered or 'none'}")
                if value not in values:
                    values.append(value)
            chosen[field_name] = tuple(values)
        return chosen


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # exclusive: the period is [start, end)
    teams: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    attribution: str = "owner"
    presentation: bool = False

    def params(self, *names: str) -> dict:
        """Query parameters for the runner: the period as timestamps, lists as lists."""
        every = {
            "start": dt.datetime.combine(self.start, dt.time()),
            "end": dt.datetime.combine(self.end, dt.time()),
            "teams": list(self.teams),
            "regions": list(self.regions),
            "segments": list(self.segments),
            "attribution": self.attribution,
        }
        return {name: every[name] for name in (names or every)}

    def to_url(self, default: "Filters") -> dict[str, str | list[str]]:
        """The query parameters of this state; values equal to the default are left out."""
        url: dict[str, str | list[str]] = {}
        if (self.start, self.end) != (default.start, default.end):
            url["start"], url["end"] = self.start.isoformat(), self.end.isoformat()
        for key, values in (("team", self.teams), ("region", self.regions), ("segment", self.segments)):
            if values:
                url[key] = list(values)
        if self.attribution != default.attribution:
            url["attribution"] = self.attribution
        if self.presentation:
            url["presentation"] = "1"
        return url


URL_KEYS = {"start", "end", "team", "region", "segment", "attribution", "presentation"}


def shown_value(value: str) -> str:
    """A rejected URL value as a notice repeats it: quoted, cut after MAX_SHOWN characters."""
    text = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
    return repr(text)


def single_value(url: Mapping[str, list[str]], key: str, notices: list[str]) -> str | None:
    """The one value of URL key `key` (None when absent); a notice when the URL repeats it."""
    values = url.get(key) or []
    if len(values) > 1:
        notices.append(f"The URL gives {key} {len(values)} times; the first value was used.")
    return values[0] if values else None


def choices_from_url(url: Mapping[str, list[str]], key: str, allowed, label: str, plural: str,
                     notices: list[str]) -> tuple[str, ...]:
    """The values of URL key `key` that are among `allowed` (first occurrence, in order);
    a notice naming up to three of the others."""
    values = url.get(key) or []
    kept = tuple(dict.fromkeys(v for v in values if v in allowed))
    rejected = [v for v in values if v not in allowed]
    if rejected:
        shown = ", ".join(shown_value(v) for v in rejected[:3]) + (" and more" if len(rejected) > 3 else "")
        notices.append(f"Ignored the unknown {plural if len(rejected) > 1 else label} {shown} from the URL.")
    return kept


def _date(value: str) -> dt.date | None:
    if len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def from_url(url: Mapping[str, list[str]], options: Options, default: Filters,
             extra_keys: Iterable[str] = ()) -> tuple[Filters, list[str]]:
    """Read untrusted URL parameters; keep what is valid, explain what was ignored.

    `url` maps each key to all of its values (`st.query_params.get_all`). Keys in
    `extra_keys` belong to a page and are left to it.
    """
    notices: list[str] = []
    filters = default
    known = URL_KEYS | set(extra_keys) | {"embed", "embed_options"}
    for key in sorted(set(url) - known):
        notices.append(f"Ignored the unknown URL parameter {shown_value(key)}.")

    def single(key: str) -> str | None:
        return single_value(url, key, notices)

    start_text, end_text = single("start"), single("end")
    if start_text is not None or end_text is not None:
        start = _date(start_text or "")
        end = _date(end_text or "")
        if start is None or end is None:
            notices.append(f"Ignored the period from the URL (start {shown_value(start_text or '')}, end "
                           f"{shown_value(end_text or '')}): dates must look like 2026-11-23.")
        elif end <= start:
            notices.append(f"Ignored the period from the URL: the end {end} is not after the start {start}.")
        elif end <= options.first_day or start > options.last_day:
            notices.append(f"Ignored the period {start} to {end} from the URL: the data covers "
                           f"{options.first_day} to {options.last_day}.")
        else:
            # a period reaching past the data is cut to it: the date picker cannot show days
            # the data does not have, and the figures would silently cover less than asked
            kept_start, kept_end = max(start, options.first_day), min(end, options.last_day + dt.timedelta(days=1))
            if (kept_start, kept_end) != (start, end):
                notices.append(f"The period {start} to {end} from the URL reaches beyond the data "
                               f"({options.first_day} to {options.last_day}): showing {kept_start} to {kept_end} "
                               f"(end excluded).")
            filters = replace(filters, start=kept_start, end=kept_end)

    for key, field_name, allowed in (("team", "teams", options.teams), ("region", "regions", options.regions),
                                     ("segment", "segments", options.segments)):
        filters = replace(filters, **{field_name: choices_from_url(url, key, allowed, key, f"{key}s", notices)})

    attribution = single("attribution")
    if attribution is not None:
        if attribution in ATTRIBUTIONS:
            filters = replace(filters, attribution=attribution)
        else:
            notices.append(f"Ignored the attribution {shown_value(attribution)} from the URL: it is owner or source.")

    presentation = single("presentation")
    if presentation is not None:
        if presentation in ("1", "0"):
            filters = replace(filters, presentation=presentation == "1")
        else:
            notices.append(f"Ignored presentation={shown_value(presentation)} from the URL: it is 1 or 0.")
    return filters, notices


@dataclass(frozen=True)
class ContestRules:
    """The tunable contest rule of the contested-deals page: the two windows and which
    signals make a deal contested (at least one must be chosen)."""

    lookback_days: int = DEFAULT_RULES["lookback_days"]
    overlap_days: int = DEFAULT_RULES["overlap_days"]
    signals: tuple[str, ...] = SIGNALS

    def params(self) -> dict:
        """Query parameters; every signal chosen is sent as [] ("all"), which shares the
        cached results of the pages that use the default rule."""
        if not self.signals:
            raise ValueError("choose at least one signal")
        chosen = [s for s in SIGNALS if s in self.signals]
        return {"lookback_days": self.lookback_days, "overlap_days": self.overlap_days,
                "signals": [] if len(chosen) == len(SIGNALS) else chosen}

    def to_url(self) -> dict[str, str | list[str]]:
        url: dict[str, str | list[str]] = {}
        if self.lookback_days != DEFAULT_RULES["lookback_days"]:
            url["lookback"] = str(self.lookback_days)
        if self.overlap_days != DEFAULT_RULES["overlap_days"]:
            url["overlap"] = str(self.overlap_days)
        if set(self.signals) != set(SIGNALS):
            url["signal"] = [s for s in SIGNALS if s in self.signals]
        return url


RULE_URL_KEYS = ("lookback", "overlap", "signal")


def rules_from_url(url: Mapping[str, list[str]]) -> tuple[ContestRules, list[str]]:
    """The contest rule from untrusted URL parameters, and notices for what was ignored."""
    notices: list[str] = []
    rules = ContestRules()
    for key, field_name, (low, high) in (("lookback", "lookback_days", LOOKBACK_RANGE),
                                          ("overlap", "overlap_days", OVERLAP_RANGE)):
        text = single_value(url, key, notices)
        if text is None:
            continue
        # the length first: int() refuses numbers of more than 4,300 digits with an exception
        if text.isascii() and text.isdigit() and len(text) <= len(str(high)) and low <= int(text) <= high:
            rules = replace(rules, **{field_name: int(text)})
        else:
            notices.append(f"Ignored {key}={shown_value(text)} from the URL: it is a whole number of days from "
                           f"{low} to {high}.")
    values = url.get("signal") or []
    if values:
        kept = tuple(s for s in SIGNALS if s in values)
        rejected = [v for v in values if v not in SIGNALS]
        if rejected:
            notices.append(f"Ignored the unknown signal{'s' if len(rejected) > 1 else ''} "
                           f"{', '.join(shown_value(v) for v in rejected[:3])} from the URL: the signals are "
                           f"{', '.join(SIGNALS)}.")
        if kept:
            rules = replace(rules, signals=kept)
    return rules, notices


def deal_from_url(url: Mapping[str, list[str]]) -> tuple[str | None, list[str]]:
    """The deal a link asks to open (its `deal` parameter), or None with a notice when the
    value cannot be a deal id."""
    notices: list[str] = []
    value = single_value(url, "deal", notices)
    if value and len(value) > MAX_DEAL_ID:
        return None, notices + [f"Ignored the deal from the URL: {value[:MAX_SHOWN]!r}… is not a deal id."]
    return value or None, notices


def weeks_ending(end: dt.date, options: Options, weeks: int = DEFAULT_WEEKS) -> tuple[dt.date, dt.date]:
    """The period of `weeks` weeks ending on `end` (excluded), starting no earlier than the
    data when the data starts before `end`."""
    start = end - dt.timedelta(weeks=weeks)
    return (max(start, options.first_day) if options.first_day < end else start), end
