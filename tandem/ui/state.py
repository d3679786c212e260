"""The shared sidebar: global filters, URL sync, presentation mode, data-source badge.

The filter model and URL parsing are in `tandem.model.filters`; this module only binds them
to Streamlit widgets and `st.query_params`. Widgets keep their values in
`st.session_state` under `KEYS`, initialised from the URL on a session's
first run, so a copied link reopens the same view.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from tandem.data.config import db_path
from tandem.figures import style
from tandem.figures.event_markers import markers as markers_of
from tandem.model import coverage, wording
from tandem.model.deal_search import URL_KEYS as DEAL_URL_KEYS
from tandem.model.filters import RULE_URL_KEYS, Filters, Options, from_url, weeks_ending
from tandem.model.weekly import monday
from tandem.ui import app, navigation, sign_in

KEYS = {"period": "filter_period", "teams": "filter_teams", "regions": "filter_regions",
        "segments": "filter_segments", "attribution": "filter_attribution", "presentation": "presentation_mode"}
_READY = "filters_from_url_done"
_NOTICES = "filter_url_notices"
_CURRENT = "current_filters"
_PAGE_PARAMS = "page_url_params"
# The period picker is not drawn on the weekly review, and Streamlit forgets the state of a
# widget not drawn in a run: the next page would get a one-day picker set to today. The
# period is kept here too, and given back to the widget when it was forgotten.
_PERIOD_KEPT = "filter_period_kept"
# URL parameters owned by pages, left to them by the filter parser: the weekly review's
# week, the contested-deals rule and selected deal (the Deals page reads the same
# signal, lookback, overlap and deal), the Deals page's filters
# What pages keep in the session beyond their widgets (Streamlit drops a widget's state on a
# page that does not draw it), for the next visit and for the sidebar's Export control
REVIEW_WEEK = "review_week_kept"  # the weekly review's week (its Monday)
CONTEST_RULES, CONTEST_DEAL = "contest_rules", "contest_deal"  # the Contested deals page's rule and deal
DEALS_FILTERS, DEALS_RULES, DEALS_DEAL = "deals_filters", "deals_rules", "deals_deal"  # the Deals page's
SHOW_EVENTS = "show_events"  # the sidebar's switch: events on the time charts
# the URL parameters of each page (by URL path): on another page they are unknown
PAGE_URL_KEYS = {"": ("week",), "contested_deals": (*RULE_URL_KEYS, "deal"),
                 "deal_explorer": (*RULE_URL_KEYS, "deal", *DEAL_URL_KEYS)}


def event_markers(start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """The events held in [start, end) as markers for a time chart, or None when the
    sidebar's switch is off or the database has no events."""
    if not st.session_state.get(SHOW_EVENTS, True) or "events" not in present_tables():
        return None
    attendance = app.run("events_attendance", start=dt.datetime.combine(start, dt.time()),
                         end=dt.datetime.combine(end, dt.time()), teams=[])
    return app.built(markers_of, attendance)


def options() -> Options:
    return Options.from_frame(app.run("filter_options", pseudonymise=False))


def present_tables() -> frozenset[str]:
    """The tables of the database with at least one row (what `tandem.model.coverage` reads)."""
    counts = app.run("table_row_counts", pseudonymise=False)
    return coverage.present(counts)


def team_kinds() -> dict[str, str]:
    """team_id -> internal / external, for every team of the database."""
    return options().kinds


def team_colours() -> dict[str, str]:
    """team_id -> colour for every team of the database (not a filtered subset, so that
    filtering never shifts a colour): the same on every page."""
    return style.team_colours(team_kinds())


def last_complete_week_end(opts: Options) -> dt.date:
    """The Monday ending the last ISO week that the data covers completely."""
    day_after = opts.last_day + dt.timedelta(days=1)
    return monday(day_after)


def last_review_week(opts: Options) -> dt.date:
    """The Monday of the weekly review's default week: the last complete week of the data,
    or the data's only week when it covers none completely."""
    return max(monday(last_complete_week_end(opts) - dt.timedelta(days=7)), monday(opts.first_day))


def default_filters(opts: Options) -> Filters:
    """Twelve complete weeks ending with the last complete week, every team, by owner; all
    of the data when it does not cover one complete week."""
    end = last_complete_week_end(opts)
    if end <= opts.first_day:
        return Filters(start=opts.first_day, end=opts.last_day + dt.timedelta(days=1))
    start, end = weeks_ending(end, opts)
    return Filters(start=start, end=end)


def query_params_lists() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def _init_from_url(opts: Options, default: Filters, page_keys: tuple[str, ...]) -> None:
    filters, notices = from_url(query_params_lists(), opts, default, extra_keys=page_keys)
    state = st.session_state
    state[KEYS["period"]] = (filters.start, filters.end - dt.timedelta(days=1))  # the widget shows inclusive days
    state[KEYS["teams"]] = list(filters.teams)
    state[KEYS["regions"]] = list(filters.regions)
    state[KEYS["segments"]] = list(filters.segments)
    state[KEYS["attribution"]] = filters.attribution
    state[KEYS["presentation"]] = filters.presentation
    state[_NOTICES] = notices
    state[_READY] = True


def _fit_to_the_data(opts: Options, default: Filters) -> None:
    """Keep the session's filters within what the database offers: after the file is replaced
    (an import), a period or a team of the old data would break the widgets."""
    state = st.session_state
    notices = state.setdefault(_NOTICES, [])
    period = state.get(KEYS["period"]) or ()
    if any(day < opts.first_day or day > opts.last_day for day in period):
        state[KEYS["period"]] = (default.start, default.end - dt.timedelta(days=1))
        notices.append(f"The data now covers {opts.first_day} to {opts.last_day}: the period is back to its "
                       f"default, {default.start} to {default.end - dt.timedelta(days=1)}.")
    for key, offered in (("teams", opts.teams), ("regions", opts.regions), ("segments", opts.segments)):
        chosen = state.get(KEYS[key]) or []
        kept = [value for value in chosen if value in offered]
        if kept != chosen:
            state[KEYS[key]] = kept
            notices.append(f"The data no longer has {wording.plural(len(chosen) - len(kept), key[:-1])} of the "
                           f"selection: the {key} filter keeps {', '.join(map(str, kept)) or 'all'}.")


def show_notices(notices: list[str]) -> None:
    """What a link asked for and was ignored, one warning each, shown literally (a notice
    repeats the URL's text, which must not turn into a link or bold text)."""
    for notice in notices:
        st.warning(wording.literal(notice), icon=":material/link_off:")


def sidebar(url_path: str = "", show_period: bool = True) -> tuple[Filters, Filters]:
    """Draw the global filters (called by the entry point for every page, `url_path` the
    page's); returns (current filters, default filters). Pages read them with `current()`."""
    opts = options()
    default = default_filters(opts)
    if not st.session_state.get(_READY):
        _init_from_url(opts, default, PAGE_URL_KEYS.get(url_path, ()))
    if KEYS["period"] not in st.session_state and _PERIOD_KEPT in st.session_state:
        st.session_state[KEYS["period"]] = st.session_state[_PERIOD_KEPT]
    _fit_to_the_data(opts, default)
    show_notices(st.session_state.pop(_NOTICES, []))

    with st.sidebar:
        st.header("Filters")
        if show_period:
            st.date_input("Period", key=KEYS["period"], min_value=opts.first_day, max_value=opts.last_day,
                                   format="YYYY-MM-DD", help="First and last day included.")
        st.multiselect("Teams", list(opts.teams), key=KEYS["teams"], format_func=opts.teams.get,
                       placeholder="All teams")
        st.multiselect("Regions", list(opts.regions), key=KEYS["regions"], placeholder="All regions",
                       format_func=wording.humanise)
        st.multiselect("Segments", list(opts.segments), key=KEYS["segments"], placeholder="All segments",
                       format_func=wording.humanise)
        st.radio("Deals belong to the team of their", ["owner", "source"], key=KEYS["attribution"],
                 format_func={"owner": "owner", "source": "source rep"}.get, horizontal=True)
        forced = app.current_scope().presentation_forced
        if forced:  # a presenter's role: on, whatever the URL or the session said
            st.session_state[KEYS["presentation"]] = True
        st.toggle("Presentation mode", key=KEYS["presentation"], disabled=forced,
                  help="Always on for a presenter: names are pseudonyms everywhere, downloads included." if forced
                  else "Replace rep, contact and account names by stable pseudonyms everywhere, downloads included.")
        if "events" in present_tables():
            st.session_state.setdefault(SHOW_EVENTS, True)
            st.toggle("Events on time charts", key=SHOW_EVENTS,
                      help="Mark each event on the weekly charts: ◆ convention, ● seminar, ▲ product launch, "
                           "★ team building, ■ strategy meeting; blue when internal only. Hover for who attended.")
        st.caption("Region and segment filters act on accounts; exchanges between reps are filtered by team only.")
        _source_badge()

    state = st.session_state
    period = state.get(KEYS["period"]) or (default.start, default.end - dt.timedelta(days=1))
    start, last = (period[0], period[-1]) if len(period) else (default.start, default.end - dt.timedelta(days=1))
    filters = Filters(start=start, end=last + dt.timedelta(days=1), teams=tuple(state[KEYS["teams"]]),
                      regions=tuple(state[KEYS["regions"]]), segments=tuple(state[KEYS["segments"]]),
                      attribution=state[KEYS["attribution"]], presentation=bool(state[KEYS["presentation"]]))
    state[_CURRENT] = (filters, default)
    state[_PERIOD_KEPT] = (filters.start, filters.end - dt.timedelta(days=1))
    state[_PAGE_PARAMS] = {}
    return filters, default


def current() -> Filters:
    """The global filters of this run, as set by the sidebar."""
    if _CURRENT not in st.session_state or sign_in.signed_in() is None:
        navigation.rerun_through_the_entry_point()
    return st.session_state[_CURRENT][0]


def link(url_path: str, filters: Filters, **page_params: str) -> str:
    """A relative link that opens page `url_path` with these filters and page parameters
    (in a new tab, as a new session, like a shared link)."""
    default = st.session_state[_CURRENT][1]
    return f"{url_path}?{urlencode({**filters.to_url(default), **page_params}, doseq=True)}"


def links(url_path: str, filters: Filters, name: str, values: pd.Series) -> pd.Series:
    """`link` for each value of one page parameter (e.g. a link per deal of a table), the
    filters encoded once; indexed like `values`."""
    default = st.session_state[_CURRENT][1]
    base = urlencode(filters.to_url(default), doseq=True)
    return pd.Series([f"{url_path}?{'&'.join(filter(None, [base, urlencode({name: value})]))}" for value in values],
                     index=values.index, dtype=object)


def set_page_params(params: dict[str, str]) -> None:
    """URL parameters of the current page (e.g. the reviewed week), mirrored with the filters."""
    st.session_state[_PAGE_PARAMS] = params


def view_params() -> dict:
    """The URL parameters of this run's view: the filters (those not at their default) and the
    page's own."""
    filters, default = st.session_state[_CURRENT]
    return {**filters.to_url(default), **st.session_state.get(_PAGE_PARAMS, {})}


def sync_url() -> None:
    """Mirror the filters and the page's parameters in the URL (end of every run; only
    when they changed, to avoid needless browser history updates)."""
    wanted = view_params()
    normalised = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if normalised != query_params_lists():
        st.query_params.from_dict(wanted)


def _source_badge() -> None:
    source = app.run("data_source", pseudonymise=False).iloc[0]
    origin = "Demo data" if source["source"] == "demo" else "Imported data"
    covered = ("no dated rows" if pd.isna(source["first_data_at"])
               else f"{source['first_data_at']:%d %b %Y} – {source['last_data_at']:%d %b %Y}")
    st.caption(f":material/database: **{origin}** · `{db_path().name}`  \n{covered}  \n"
               f"built {str(source['built_at']).replace('T', ' ')}")
