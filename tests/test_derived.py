"""The pre-computed tables (queries/derived/): they give exactly what the live
definitions give, for any as-of end, and an outdated file is refused with the way out."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.cli.whole_database import run
from tandem.data.config import QUERIES_DIR, ROOT
from tandem.data.db import CURSOR_SETUP, PRECOMPUTED_RULE_RANGE, DatabaseOutdated, derived_is_current
from tandem.data.queries import connection
from tandem.model.filters import DEFAULT_RULES
from tests.test_properties import BASE, build, datasets

# The as-of ends compared on the small demo database: before, inside and after its data.
ENDS = [dt.datetime(2024, 12, 2), dt.datetime(2025, 6, 2), dt.datetime(2026, 3, 9), dt.datetime(2026, 11, 23),
        dt.datetime(2030, 1, 1)]

# The served evidence (a filter over the pre-computed grain for a rule of the range) minus the
# live definition as of the same end, both ways. The live side reads deal_touches, which is
# served from its pre-computed table too: TOUCHES_DIFFERENCE proves that equal to
# deal_touches_live for the same lookback, so the two checks together prove the evidence.
EVIDENCE_DIFFERENCE = """
with derived as (
    select * from contest_evidence($end, $lookback_days, $overlap_days)
),
live as (
    select * exclude (valid_from, valid_until)
    from contest_evidence_timeline($end, $lookback_days, $overlap_days)
    where valid_from < $end and (valid_until is null or $end <= valid_until)
)
select 'only derived' as side, count(*) from (select * from derived except all select * from live)
union all
select 'only live', count(*) from (select * from live except all select * from derived)
"""
TOUCHES_DIFFERENCE = """
select 'only derived', count(*) from (
    select * from deal_touches($end, $lookback_days) except all select * from deal_touches_live($end, $lookback_days))
union all
select 'only live', count(*) from (
    select * from deal_touches_live($end, $lookback_days) except all select * from deal_touches($end, $lookback_days))
"""

# flags from the merged intervals minus flags straight from the evidence rows, both ways
FLAGS_DIFFERENCE = """
with from_intervals as (
    select deal_id, double_claim, out_of_scope, uncoordinated_overlap
    from deal_flags_at_ends([$end], null, $lookback_days, $overlap_days, [])
),
from_rows as (
    select deal_id, bool_or(signal = 'double_claim') as double_claim, bool_or(signal = 'out_of_scope') as out_of_scope,
           bool_or(signal = 'uncoordinated_overlap') as uncoordinated_overlap
    from contest_evidence($end, $lookback_days, $overlap_days)
    group by deal_id
)
select 'only derived', count(*) from (select * from from_intervals except all select * from from_rows)
union all
select 'only live', count(*) from (select * from from_rows except all select * from from_intervals)
"""


def table_difference(table: str, live: str) -> str:
    """A pre-computed table of a pure function of the data minus its live definition, both ways."""
    return f"""
select 'only derived', count(*) from (select * from {table} except all select * from {live})
union all
select 'only live', count(*) from (select * from {live} except all select * from {table})
"""


# the tables that are pure functions of the data (no as-of end, no rule)
PURE_TABLES = {
    "derived_deals": "deal_facts_live()",
    "derived_customer_touches": "customer_touches_live()",
    "derived_rep_exchanges": "rep_exchanges_live()",
    "derived_activities_by_week_and_kind": "activities_by_week_and_kind_live(null)",
}

# per deal and rep, served (pre-computed for lookback 30) minus straight from the touches
FIRST_TOUCHES_DIFFERENCE = """
with served as (
    select * from deal_rep_first_touches($end, $lookback_days)
),
live as (
    select deal_id, rep_id, rep_team_id, min(occurred_at) as first_touch_at,
           min(occurred_at) filter (where occurred_at >= deal_created_at) as first_touch_from_creation_at
    from deal_touches_live($end, $lookback_days)
    group by all
)
select 'only derived', count(*) from (select * from served except all select * from live)
union all
select 'only live', count(*) from (select * from live except all select * from served)
"""
TOUCH_COUNTS_DIFFERENCE = """
with served as (
    select * from closed_deal_touch_counts($end, $lookback_days)
),
live as (
    select t.deal_id, count(*) as touches
    from deal_touches_live($end, $lookback_days) t
    join deals_as_of($end) d using (deal_id)
    where d.closed_at is not null
    group by all
)
select 'only derived', count(*) from (select * from served except all select * from live)
union all
select 'only live', count(*) from (select * from live except all select * from served)
"""
PER_DEAL_DIFFERENCES = (FIRST_TOUCHES_DIFFERENCE, TOUCH_COUNTS_DIFFERENCE)
PURE_DIFFERENCES = tuple(table_difference(table, live) for table, live in PURE_TABLES.items())
NONE = {"only derived": 0, "only live": 0}


def differences(db, sql: str, end: dt.datetime, lookback_days: int = 30, overlap_days: int = 7) -> dict[str, int]:
    params = {"end": end, "lookback_days": lookback_days, "overlap_days": overlap_days}
    cursor = connection(db).cursor()
    try:
        cursor.execute(CURSOR_SETUP)
        return dict(cursor.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall())
    finally:
        cursor.close()


# The rules compared: the default, the corners of the pre-computed range, two inside it,
# and one outside it (computed live on both sides: its flags are still merged intervals).
RULES = [(30, 7), (0, 1), (90, 30), (10, 3), (60, 14), (120, 45)]


@pytest.mark.parametrize("end", ENDS)
def test_pre_computed_tables_equal_the_live_definitions(small_db, end):
    for lookback_days, overlap_days in RULES:
        rule = {"lookback_days": lookback_days, "overlap_days": overlap_days}
        for sql in (TOUCHES_DIFFERENCE, EVIDENCE_DIFFERENCE, FLAGS_DIFFERENCE, *PER_DEAL_DIFFERENCES):
            assert differences(small_db, sql, end, **rule) == NONE, (rule, sql)


def test_the_rules_compared_differ(small_db):
    """Not vacuous: on the small demo the rules compared above give different evidence, and a
    longer lookback sees more touches out of scope (a longer overlap both finds more pairs and
    coordinates more of them: either way, see test_the_pre_computed_tables_hold_evidence)."""
    end = ENDS[3]
    counts = {rule: run("contest_evidence", db=small_db, deal_ids=[], end=end, lookback_days=rule[0],
                        overlap_days=rule[1])["signal"].value_counts().to_dict() for rule in RULES}
    assert len({tuple(sorted(c.items())) for c in counts.values()}) == len(RULES), counts
    assert counts[(90, 30)]["out_of_scope"] > counts[(0, 1)]["out_of_scope"]


@pytest.mark.parametrize("table", PURE_TABLES)
def test_pre_computed_pure_tables_equal_their_definitions(small_db, table):
    assert differences(small_db, table_difference(table, PURE_TABLES[table]), ENDS[0]) == NONE
    cursor = connection(small_db).cursor()
    cursor.execute(CURSOR_SETUP)
    assert cursor.execute(f"select count(*) from {table}").fetchone()[0] > 0  # not vacuous
    cursor.close()


def test_the_per_deal_tables_are_not_empty(small_db):
    cursor = connection(small_db).cursor()
    cursor.execute(CURSOR_SETUP)
    end = dt.datetime(2026, 11, 23)
    params = {"end": end}
    assert cursor.execute("select count(*) from deal_rep_first_touches($end, 30) "
                          "where first_touch_from_creation_at is null", params).fetchone()[0] > 0
    assert cursor.execute("select count(*), sum(touches) > count(*) from closed_deal_touch_counts($end, 30)",
                          params).fetchone() > (0, False)
    cursor.close()


def test_the_pre_computed_tables_hold_evidence(small_db):
    """Not vacuous: the small demo has every signal, and pairs that become coordinated
    later (a bounded validity)."""
    cursor = connection(small_db).cursor()
    cursor.execute(CURSOR_SETUP)
    counts = dict(cursor.execute("select signal, count(*) from derived_contest_evidence_grain group by all").fetchall())
    assert set(counts) == {"double_claim", "out_of_scope", "uncoordinated_overlap"}
    bounded = cursor.execute("select count(*) from contest_evidence_in_range(30, 7) where valid_until is not null")
    assert bounded.fetchone()[0] > 0
    # pairs a rule with a shorter overlap sees and a longer one does not (an exchange in the
    # longer window coordinates them), and the other way round
    only = """select count(*) from (
                  select * from contest_evidence_in_range(30, $a) where signal = 'uncoordinated_overlap'
                  except all
                  select * from contest_evidence_in_range(30, $b) where signal = 'uncoordinated_overlap')"""
    assert cursor.execute(only, {"a": 3, "b": 20}).fetchone()[0] > 0
    assert cursor.execute(only, {"a": 20, "b": 3}).fetchone()[0] > 0
    cursor.close()


@given(rows=datasets(), end_day=st.integers(0, 100), lookback_days=st.integers(0, 90),
       overlap_days=st.integers(1, 30))
def test_pre_computed_evidence_on_random_data(rows, end_day, lookback_days, overlap_days):
    """For the default rule and a random rule of the pre-computed range, as of a random end."""
    db = build(rows)
    end = BASE + dt.timedelta(days=end_day, hours=end_day % 24)
    for rule in ({}, {"lookback_days": lookback_days, "overlap_days": overlap_days}):
        for sql in (TOUCHES_DIFFERENCE, EVIDENCE_DIFFERENCE, FLAGS_DIFFERENCE, *PER_DEAL_DIFFERENCES):
            assert differences(db, sql, end, **rule) == NONE, (rule, sql)
    for sql in PURE_DIFFERENCES:
        assert differences(db, sql, end) == NONE


def test_derived_columns_are_what_the_macros_give(small_db):
    cursor = connection(small_db).cursor()
    cursor.execute(CURSOR_SETUP)

    def columns(sql: str) -> list[tuple[str, str]]:
        return [(name, kind) for name, kind, *_ in cursor.execute(f"describe {sql}").fetchall()]

    assert columns("derived_deal_touches") == columns("select * from deal_touches_live('infinity'::timestamp, 30)")
    assert columns("derived_contest_evidence_grain") == columns(
        "select * from contest_evidence_grain('infinity'::timestamp)")
    assert columns("select * from contest_evidence_in_range(30, 7)") == columns(
        "select * from contest_evidence_timeline('infinity'::timestamp, 30, 7)") == columns("derived_contest_evidence")
    assert columns("derived_deal_flag_intervals") == columns(
        "select * from deal_flag_intervals_live('infinity'::timestamp, 30, 7)")
    for table, live in PURE_TABLES.items():
        assert columns(table) == columns(f"select * from {live}"), table
    assert columns("derived_deal_rep_touches") == columns("select * from deal_rep_touch_grain('infinity'::timestamp)")
    assert columns("select * from deal_rep_touches_at(30)") == columns(
        "select * from deal_rep_touch_summary('infinity'::timestamp, 30)")
    assert [name for name, _ in columns("derived_spans")] == [
        "first_activity_at", "last_activity_at", "first_deal_created_at", "last_deal_created_at", "first_data_at",
        "last_data_at"]
    cursor.close()


def test_the_default_rule_is_written_once_and_is_the_definitions():
    """The definitions' default rule (lookback 30 days, overlap 7 days) and the range of rules
    served from pre-computed tables (lookback 0-90, overlap 1-30) are written in one SQL file;
    the switching macros and the pre-computed steps call it, and Python reads it there."""
    assert DEFAULT_RULES == {"lookback_days": 30, "overlap_days": 7}
    assert PRECOMPUTED_RULE_RANGE == {"lookback_days": (0, 90), "overlap_days": (1, 30)}
    definitions = (ROOT / "docs" / "definitions.md").read_text()
    assert "`lookback_days` defaults to 30" in definitions and "default 7)" in definitions
    steps = [*(QUERIES_DIR / "shared").glob("*.sql"), *(QUERIES_DIR / "derived").glob("*.sql")]
    code = {p.name: re.sub(r"--[^\n]*", "", p.read_text()) for p in steps}
    assert [name for name, text in code.items() if re.search(r"(lookback|overlap)_days (?:=|<>|<|>) \d", text)] == []
    assert [name for name, text in code.items() if re.search(r"'infinity'::timestamp, \d", text)] == []
    default_steps = [name for name, text in code.items() if "'infinity'::timestamp, default_lookback_days()" in text]
    assert sorted(default_steps) == ["30_deal_flag_intervals.sql"]
    ranged_steps = [name for name, text in code.items()
                    if re.search(r"(_grain\('infinity'::timestamp(, \$deal_from, \$deal_to)?|"
                                 r"'infinity'::timestamp, max_lookback_days\(\))\)", text)]
    assert sorted(ranged_steps) == ["10_deal_touches.sql", "15_deal_rep_touches.sql", "20_contest_evidence_grain.sql"]
    switching = [name for name, text in code.items() if "lookback_days = default_lookback_days()" in text]
    assert sorted(switching) == ["40_contest_evidence.sql", "45_deal_signals.sql"]
    ranged = [name for name, text in code.items() if "rule_in_range(lookback_days" in text]
    assert sorted(ranged) == ["01_default_rule.sql", "30_deal_touches.sql", "40_contest_evidence.sql"]


def test_an_outdated_database_is_refused_and_precompute_mends_it(small_db, tmp_path):
    copy = tmp_path / "old.duckdb"
    shutil.copyfile(small_db, copy)
    con = duckdb.connect(str(copy))
    con.execute("update tandem_meta set value = 'older' where key = 'derived_version'")
    con.close()
    assert not derived_is_current(copy)
    with pytest.raises(DatabaseOutdated, match=r"python -m tandem precompute --db"):
        run("table_row_counts", db=copy)
    cli = [sys.executable, "-m", "tandem"]
    refused = subprocess.run([*cli, "summary", "--week", "2026-W47", "--db", str(copy)], cwd=ROOT,
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "precompute" in refused.stderr and "Traceback" not in refused.stderr
    mended = subprocess.run([*cli, "precompute", "--db", str(copy)], cwd=ROOT, capture_output=True, text=True)
    assert mended.returncode == 0, mended.stderr
    assert derived_is_current(copy)
    assert list(copy.parent.iterdir()) == [copy]  # no temporary file left
    summary = subprocess.run([*cli, "summary", "--week", "2026-W47", "--db", str(copy), "--json"], cwd=ROOT,
                             capture_output=True, text=True)
    original = subprocess.run([*cli, "summary", "--week", "2026-W47", "--db", str(small_db), "--json"], cwd=ROOT,
                              capture_output=True, text=True)
    assert summary.returncode == 0 and summary.stdout == original.stdout


def test_building_a_range_of_deals_at_a_time_gives_the_same_tables_in_the_same_order(small_db, tmp_path):
    """The steps built per range of deals (as for 2 million deals) give, with ranges of 37
    deals (the small demo has 200: 6 ranges), exactly the rows and row order of one range."""
    from tandem.data.db import build_derived

    ranged = tmp_path / "ranged.duckdb"
    shutil.copyfile(small_db, ranged)
    build_derived(ranged, deals_per_part=37)
    tables = ["derived_contest_evidence_grain", "derived_contest_evidence", "derived_deal_flag_intervals"]
    con = duckdb.connect(str(small_db), read_only=True)
    whole = {table: con.execute(f"select * from {table}").fetchall() for table in tables}
    con.close()
    con = duckdb.connect(str(ranged), read_only=True)
    for table in tables:
        assert len(whole[table]) > 50 and con.execute(f"select * from {table}").fetchall() == whole[table], table
    con.close()


@pytest.mark.parametrize("lookback_days, overlap_days", [(30, 7), (10, 3)])
def test_several_periods_in_one_query_equal_one_query_each(small_db, lookback_days, overlap_days):
    """deal_totals judges each period as of its own end, also when given several at once."""
    weeks = [dt.datetime(2026, 8, 31) + dt.timedelta(weeks=n) for n in range(4)]
    common = dict(db=small_db, lookback_days=lookback_days, overlap_days=overlap_days, attribution="owner",
                  teams=[], regions=[], segments=[], signals=[])
    together = run("deal_totals", starts=weeks, ends=[w + dt.timedelta(weeks=1) for w in weeks], **common)
    one_by_one = [run("deal_totals", starts=[w], ends=[w + dt.timedelta(weeks=1)], **common).iloc[0] for w in weeks]
    assert len(together) == 4
    for row, alone in zip(together.itertuples(index=False), one_by_one):
        assert row._asdict() | {"contested_deal_ids": list(row.contested_deal_ids)} == \
            alone.to_dict() | {"contested_deal_ids": list(alone["contested_deal_ids"])}
    assert together["contested"].sum() > 0 and together["won"].sum() > 0  # not vacuous


def test_pre_computed_spans_are_the_data_span(small_db):
    cursor = connection(small_db).cursor()
    cursor.execute(CURSOR_SETUP)
    derived = cursor.execute("select * from derived_spans").fetchall()
    live = cursor.execute("select min(occurred_at), max(occurred_at), min(created_at), max(created_at) "
                          "from activities, (select min(created_at) as created_at from deals "
                          "union all select max(created_at) from deals)").fetchall()
    # the data's span: every dated table (in the demo, activities run from first to last)
    dated = cursor.execute("""
        select min(t), max(t) from (
            select occurred_at as t from activities union all select created_at from deals
            union all select closed_at from deals union all select changed_at from deal_stage_changes
            union all select claimed_at from claims union all select held_on from events)""").fetchall()
    assert derived == [live[0] + dated[0]] and len(derived) == 1
    cursor.close()


# every query whose answer depends on the contest rule, with the definitions' default rule
RULE_QUERIES = ["contest_evidence", "contest_outcomes", "contested_deals", "contested_rate_by_region_segment",
                "contested_rate_by_team_pair", "deal_record", "deal_timeline", "deal_totals", "deal_touches",
                "handoff_latency_by_bucket", "matching_deal_totals", "matching_deals", "win_rate_by_exchange_quartile",
                "won_deal_touches_by_team"]


@pytest.mark.parametrize("rule", [DEFAULT_RULES, {"lookback_days": 10, "overlap_days": 3}],
                         ids=["default rule", "a rule in the range"])
@pytest.mark.parametrize("name", RULE_QUERIES)
def test_the_default_rule_schema_gives_what_the_switching_macros_give(small_db, name, rule):
    """tandem.data.queries resolves the switching macros to schema default_rule when the rule is
    the default, and to ranged_rule when it is in the pre-computed range; the answer must be the
    one main's macros give."""
    from tandem.data.queries import fetch_frame, query_parameters, query_text

    start, end = dt.datetime(2026, 8, 31), dt.datetime(2026, 11, 23)
    contested = run("contested_deals", db=small_db, start=start, end=end, attribution="owner", teams=[], regions=[],
                    segments=[], signals=[], **rule)["deal_id"].tolist()
    assert contested  # not vacuous
    every = dict(start=start, end=end, starts=[start, end - dt.timedelta(weeks=1)],
                 ends=[end - dt.timedelta(weeks=1), end], attribution="owner", teams=[], regions=[], segments=[],
                 signals=[], deal_id=contested[0], deal_ids=contested[:5], statuses=[], stages=[], min_amount=None,
                 max_amount=None, products=[], lead_sources=[], owner_rep_ids=[], source_rep_ids=[], search="",
                 contested_only=True, limit=2000, **rule)
    sql = query_text(name)
    params = {key: every[key] for key in query_parameters(sql) if key != "scope_agency"}
    served = run(name, db=small_db, **params)
    cursor = connection(small_db).cursor()
    cursor.execute(CURSOR_SETUP)  # schema main only: the switching macros
    switched = fetch_frame(cursor, sql, {**params, "scope_agency": None})
    cursor.close()
    pd.testing.assert_frame_equal(served, switched)
    assert len(served) > 0


def test_the_dashboard_refreshes_an_outdated_database_itself(small_db, tmp_path, monkeypatch):
    """The dashboard finds an outdated file through its query connection, refreshes the
    pre-computed tables and stored macros with a progress box, then draws the page."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest import dashboard_on

    copy = tmp_path / "old.duckdb"
    shutil.copyfile(small_db, copy)
    con = duckdb.connect(str(copy))
    con.execute("update tandem_meta set value = 'older' where key = 'derived_version'")
    con.execute("drop macro table main.deal_touches")  # as if an older version had other macros
    con.close()
    dashboard_on(copy, monkeypatch)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert derived_is_current(copy)
    assert at.title[0].value == "Weekly review"
    assert run("table_row_counts", db=copy).equals(run("table_row_counts", db=small_db))
