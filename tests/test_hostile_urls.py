"""Hostile URLs (issue 19, item 3): any query string on any page gives no exception, a visible
notice for what was ignored, and never reaches SQL other than as a bound parameter.

Two layers, one oracle (`expected`: which keys are unknown to the page and whether any value
is invalid, worked out here independently of the parsers):
- the URL readers the pages use (`from_url`, `rules_from_url`, `deal_from_url`,
  `deal_search.from_url`), 1,000 generated query strings per page, in the suite;
- each page run whole in AppTest with a generated query string, with DuckDB's query log on:
  every SQL text executed must be one of the `queries/*.sql` files (or the runner's fixed
  cursor setup), so no value was formatted into SQL. URL_PAGE_EXAMPLES per page in the suite,
  1,000 with TANDEM_PROPERTY_PROFILE=thorough (docs/reliability.md).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tandem.cli.whole_database import run
from tandem.data import queries
from tandem.data.config import QUERIES_DIR
from tandem.data.db import (
    CURSOR_SETUP,
    CURSOR_SETUP_DEFAULT_RULE,
    CURSOR_SETUP_RANGED_RULE,
    CURSOR_SETUP_RANGED_RULE_FLAGS,
)
from tandem.model import deal_search, wording
from tandem.model.filters import (
    ATTRIBUTIONS,
    LOOKBACK_RANGE,
    MAX_DEAL_ID,
    OVERLAP_RANGE,
    SIGNALS,
    URL_KEYS,
    Filters,
    Options,
    deal_from_url,
    from_url,
    rules_from_url,
    shown_value,
)
from tandem.model.weekly import iso_label
from tandem.ui.state import PAGE_URL_KEYS, last_review_week
from tests.apptest import ROOT, dashboard_on

PAGES = {"": "weekly_review", "communication": "communication", "contested_deals": "contested_deals",
         "rules_events": "rules_events", "conversion": "conversion", "deal_explorer": "deal_explorer",
         "overview": "overview"}
THOROUGH = os.environ.get("TANDEM_PROPERTY_PROFILE") == "thorough"
URL_PAGE_EXAMPLES = 1000 if THOROUGH else 20
SINGLE = {"start", "end", "attribution", "presentation", "week", "lookback", "overlap", "deal", "min_amount",
          "max_amount", "contested", "q"}
EVERY_KEY = sorted(URL_KEYS | {k for keys in PAGE_URL_KEYS.values() for k in keys})

# values a link could carry, valid and hostile: SQL fragments, markdown and HTML, dates out of
# range, negative and huge numbers, unicode and control characters, ids that do not exist
HOSTILE = ["", " ", "0", "1", "-1", "-999999", "99999999999999999999", "1e309", "nan", "inf", "1.5", "0x10",
           "25,000", "'; drop table deals; --", "1 or 1=1", "\" or \"\"=\"", "$start", "?", "%", "%00", "\x00",
           "\u202e", "😀", "Ünïcödé", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1900-01-01",
           "2025-06-02", "2026-11-23", "2026-W47", "2025-W30", "2026-W99", "<script>alert(1)</script>",
           "[Log in again](http://example.test)", "**URGENT**", "owner", "source", "true", "D0000171",
           "D9999999", "double_claim", "out_of_scope", "won", "open", "Proposal", "Enterprise", "West",
           "Key Accounts", "int-a", "embed"]


def values_strategy(extra: list[str]):
    return st.one_of(st.sampled_from(HOSTILE + extra), st.text(max_size=30),
                     st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "'", "9"]), st.integers(1000, 10_000)))


def params_strategy(extra: list[str]):
    keys = st.one_of(st.sampled_from(EVERY_KEY), st.text(min_size=1, max_size=20))
    return st.dictionaries(keys, st.lists(values_strategy(extra), min_size=1, max_size=3), max_size=6)


# -- the oracle ------------------------------------------------------------------------------

def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _amount(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= deal_search.MAX_AMOUNT else None


def _whole(text: str, low: int, high: int) -> bool:
    return text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 6 and low <= int(text) <= high


def expected(params: dict[str, list[str]], path: str, opts: Options, deal_opts, deal_ids: set[str] | None,
             weeks: set[str]) -> tuple[set[str], bool]:
    """(keys the page does not know, whether any value of a known key is invalid). With
    `deal_ids` None, any well-formed deal id counts as valid (a URL reader cannot know which exist)."""
    known = URL_KEYS | set(PAGE_URL_KEYS.get(path, ())) | {"embed", "embed_options"}
    unknown = {key for key in params if key not in known}
    invalid = False
    for key, values in params.items():
        if key in unknown or key in ("embed", "embed_options"):
            continue
        if key in SINGLE and len(values) > 1:
            invalid = True
        first = values[0]
        if key in ("start", "end"):
            start, end = _iso((params.get("start") or [""])[0]), _iso((params.get("end") or [""])[0])
            invalid |= (start is None or end is None or end <= start or start < opts.first_day
                        or end > opts.last_day + dt.timedelta(days=1))
        elif key in ("team", "region", "segment"):
            allowed = {"team": opts.teams, "region": opts.regions, "segment": opts.segments}[key]
            invalid |= any(v not in allowed for v in values)
        elif key == "attribution":
            invalid |= first not in ATTRIBUTIONS
        elif key in ("presentation", "contested"):
            invalid |= first not in ("0", "1")
        elif key == "week":
            invalid |= bool(first) and first not in weeks
        elif key in ("lookback", "overlap"):
            invalid |= not _whole(first, *(LOOKBACK_RANGE if key == "lookback" else OVERLAP_RANGE))
        elif key == "signal":
            invalid |= any(v not in SIGNALS for v in values)
        elif key == "deal":
            invalid |= bool(first) and (len(first) > MAX_DEAL_ID or deal_ids is not None and first not in deal_ids)
        elif key in ("status", "stage", "product", "lead_source", "owner", "source"):
            allowed = {"status": deal_search.STATUSES, "stage": deal_search.STAGES, "product": deal_opts.products,
                       "lead_source": deal_opts.lead_sources, "owner": deal_opts.owners,
                       "source": deal_opts.sources}[key]
            invalid |= any(v not in allowed for v in values)
        elif key in ("min_amount", "max_amount"):
            invalid |= _amount(first) is None
            low, high = (_amount((params.get(k) or ["x"])[0]) for k in ("min_amount", "max_amount"))
            invalid |= low is not None and high is not None and low > high
        elif key == "q":
            invalid |= len(first) > deal_search.MAX_SEARCH
        elif key == "id":
            invalid |= (len(set(values)) > deal_search.MAX_LINKED_DEALS
                        or any(not v or len(v) > MAX_DEAL_ID or deal_ids is not None and v not in deal_ids
                               for v in values))
    return unknown, invalid


# -- the database ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data(small_db):
    opts = Options.from_frame(run("filter_options", db=small_db))
    deal_opts = deal_search.DealOptions.from_frame(run("deal_filter_options", db=small_db))
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        deal_ids = {row[0] for row in con.execute("select deal_id from deals").fetchall()}
    finally:
        con.close()
    weeks, day = set(), opts.first_day - dt.timedelta(days=opts.first_day.weekday())
    while day <= last_review_week(opts):  # the weeks the review offers
        weeks.add(iso_label(day))
        day += dt.timedelta(days=7)
    return {"db": small_db, "opts": opts, "deal_opts": deal_opts, "deal_ids": deal_ids, "weeks": weeks,
            "extra": sorted(opts.teams)[:2] + list(opts.regions[:1]) + sorted(deal_ids)[:2]}


# -- layer 1: the URL readers, 1,000 query strings per page ------------------------------------

def read_url(params, path: str, data) -> list[str]:
    """What the page's readers make of the URL: their notices (and a check that what they keep
    is valid)."""
    opts, default = data["opts"], Filters(start=data["opts"].first_day, end=data["opts"].last_day)
    filters, notices = from_url(params, opts, default, extra_keys=PAGE_URL_KEYS.get(path, ()))
    assert set(filters.teams) <= set(opts.teams) and set(filters.regions) <= set(opts.regions)
    assert opts.first_day <= filters.start < filters.end <= opts.last_day + dt.timedelta(days=1)
    if path in ("contested_deals", "deal_explorer"):
        rules, more = rules_from_url(params)
        assert LOOKBACK_RANGE[0] <= rules.lookback_days <= LOOKBACK_RANGE[1] and rules.signals
        deal, even_more = deal_from_url(params)
        assert deal is None or len(deal) <= MAX_DEAL_ID
        notices += more + even_more
    if path == "deal_explorer":
        deal_filters, more = deal_search.from_url(params, data["deal_opts"])
        assert set(deal_filters.owners) <= set(data["deal_opts"].owners)
        assert len(deal_filters.search) <= deal_search.MAX_SEARCH and len(deal_filters.deal_ids) <= 500
        notices += more
    return notices


@pytest.mark.parametrize("path", [p for p in PAGES if p != ""])  # the review's week is read by the page itself
def test_the_url_readers_keep_only_valid_values_and_say_what_they_ignored(path, data):
    @settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=params_strategy(data["extra"]))
    @example(params={"lookback": ["9" * 4301]})  # int() raised on it: a traceback on the Contested deals page
    def check(params):
        notices = read_url(params, path, data)
        unknown, invalid = expected(params, path, data["opts"], data["deal_opts"], None, data["weeks"])
        for key in unknown:
            assert any(shown_value(key) in notice for notice in notices), (key, notices)
        if invalid:
            assert notices, params

    check()


# -- layer 2: every page run whole, with DuckDB's query log -----------------------------------

# DuckDB logs each statement of a text on its own: a logged statement must be a statement of a
# query file or of the runner's fixed cursor setup, word for word
SQL_SOURCES = [path.read_text() for path in [*QUERIES_DIR.glob("*.sql"), *QUERIES_DIR.glob("connection/*.sql")]] + [
    CURSOR_SETUP, CURSOR_SETUP_DEFAULT_RULE, CURSOR_SETUP_RANGED_RULE, CURSOR_SETUP_RANGED_RULE_FLAGS]


def from_the_files(statement: str) -> bool:
    return not statement.strip() or any(statement.strip() in source for source in SQL_SOURCES)


def logged_sql(db) -> list[str]:
    con = queries.connection(db)
    rows = con.execute("select message from duckdb_logs() where type = 'QueryLog'").fetchall()
    con.execute("call truncate_duckdb_logs()")
    return [row[0] for row in rows]


def open_page(path: str, params: dict[str, list[str]]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, values in params.items():
        at.query_params[key] = values
    if path:
        at.switch_page(f"pages/{PAGES[path]}.py")
    return at.run()


@pytest.fixture(scope="module")
def logged_db(data):
    """The small demo with DuckDB's query log on its one connection (the runner's)."""
    queries.close_connections()
    con = queries.connection(data["db"])
    con.execute("call enable_logging('QueryLog')")
    yield data["db"]
    queries.close_connections()


@pytest.mark.parametrize("path", list(PAGES))
def test_any_url_on_any_page_gives_notices_not_errors_and_binds_every_value(path, data, logged_db, monkeypatch):
    dashboard_on(logged_db, monkeypatch)
    queries.connection(logged_db).execute("call enable_logging('QueryLog')")  # the cache clear kept it open
    seen = {"pages": 0, "statements": 0}

    @settings(max_examples=URL_PAGE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=params_strategy(data["extra"]))
    @example(params={"team": ["x'); drop table deals; --"], "q": ["' or 1=1 --"], "lookback": ["-5"],
                     "deal": ["D9999999"], "start": ["0001-01-01"], "end": ["9999-12-31"],
                     "[Log in again](http://example.test)": ["**URGENT**"]})
    @example(params={"id": ["D9999999", "x"]})  # deals a link names that do not exist: no notice, before
    @example(params={"lookback": ["9" * 4301], "overlap": ["7", "8"]})  # int() raised; a repeat was silent
    @example(params={"week": ["2026-W47", "2025-W30"], "deal": ["D0000171", "D0000171"]})
    def check(params):
        logged_sql(logged_db)  # start from an empty log
        at = open_page(path, params)
        assert not at.exception, (params, [e.message for e in at.exception])
        sql = logged_sql(logged_db)
        assert [text for text in sql if not from_the_files(text)] == [], params
        warnings = [wording.plain(w.value) for w in at.warning]
        unknown, invalid = expected(params, path, data["opts"], data["deal_opts"], data["deal_ids"], data["weeks"])
        for key in unknown:
            assert any(shown_value(key) in w for w in warnings), (key, warnings)
        if invalid:
            assert warnings or at.error, (params, warnings)
        # a notice is text, never a link or emphasis made from the URL
        assert not any(re.search(r"(?<!\\)\]\(", w.value) for w in at.warning), [w.value for w in at.warning]
        seen["pages"] += 1
        seen["statements"] += len(sql)

    check()
    assert seen["statements"], "the query log recorded nothing"  # (results cached: later pages run fewer)
    print(f"\n{path or 'weekly_review'}: {seen['pages']} query strings, {seen['statements']} SQL statements, "
          "every one a query file's text")


def test_the_query_log_sees_sql_made_from_a_value(logged_db):
    """The check above can fail: SQL with a value formatted into it is not a query file's text."""
    logged_sql(logged_db)
    cursor = queries.connection(logged_db).cursor()
    cursor.execute("use tandem")
    cursor.execute("select count(*) from deals where deal_id = 'D0000171'").fetchall()
    cursor.execute(queries.query_text("known_deal_ids"), {"deal_ids": ["D0000171"], "scope_agency": None}).fetchall()
    cursor.close()
    assert [from_the_files(text) for text in logged_sql(logged_db)] == [True, False, True]
