"""The pandas baseline of the benchmark (tandem.cli.bench_pandas) gives exactly the figures of
our queries for the same arguments: ids and booleans equal, counts equal, floats to
1e-9. Otherwise the benchmark would compare different work."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from tandem.cli import bench_pandas
from tandem.cli.bench import weekly_review_series
from tandem.cli.whole_database import run
from tandem.data.importer import import_folder

SUMMARY = Path(__file__).parent / "fixtures" / "summary"
NO_FILTERS = {"teams": [], "regions": [], "segments": []}


def d(*args) -> dt.datetime:
    return dt.datetime(*args)


# small demo: data from 2024-11-23 to 2026-11-23 (end of the data, a Monday)
SMALL_PERIODS = [
    (d(2026, 11, 16), d(2026, 11, 23)),  # the last week of the data
    (d(2025, 6, 2), d(2025, 6, 9)),  # a week
    (d(2026, 6, 1), d(2026, 8, 31)),  # a quarter
    (d(2026, 8, 31), d(2026, 11, 23)),  # the quarter at the data's end
    (d(2026, 11, 23), d(2026, 11, 30)),  # after the data
    (d(2024, 11, 1), d(2026, 12, 1)),  # everything
    (d(2025, 3, 5, 13, 30), d(2025, 4, 17, 8, 15)),  # not aligned on days
]
# hand-built fixture: the week of tests/test_summary.py and periods around its boundaries
SUMMARY_PERIODS = [
    (d(2025, 3, 3), d(2025, 3, 10)),
    (d(2025, 2, 24), d(2025, 3, 3)),
    (d(2025, 3, 5, 12), d(2025, 3, 9, 9, 59, 59)),
    (d(2025, 3, 10), d(2025, 3, 17)),
    (d(2025, 1, 1), d(2025, 4, 1)),
]
# (lookback_days, overlap_days): the definitions' default (served from the pre-computed tables on
# the SQL side) and others (computed live there)
RULES = [(30, 7), (10, 3)]
MORE_RULES = [(0, 1), (29, 8), (60, 6)]


@pytest.fixture(scope="module")
def summary_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench-summary") / "summary.duckdb"
    report = import_folder(SUMMARY, path)
    assert report.ok, report.error_text()
    return path


@pytest.fixture(scope="module")
def small_tables(small_db):
    return bench_pandas.load_tables(small_db)


@pytest.fixture(scope="module")
def summary_tables(summary_db):
    return bench_pandas.load_tables(summary_db)


def is_null(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame):
    """Same columns, same rows in the same order; floats to 1e-9, everything else exact."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    for column in expected.columns:
        got, want = actual[column].tolist(), expected[column].tolist()
        for row, (a, e) in enumerate(zip(got, want)):
            where = f"{column}[{row}]"
            if is_null(e):
                assert is_null(a), where
            elif isinstance(e, float):
                assert not is_null(a) and a == pytest.approx(e, rel=1e-9, abs=1e-9), where
            else:
                assert a == e and type(a) is type(e), f"{where}: {a!r} != {e!r}"


def check_period(db, tables, start, end, rules=RULES):
    expected = run("cross_team_exchanges_by_rep_pair", db=db, start=start, end=end, teams=[])
    assert_same_frame(bench_pandas.communication_matrix(tables, start, end),
                      expected[list(bench_pandas.MATRIX_COLUMNS)])

    for attribution in ("owner", "source"):
        expected = run("team_conversion", db=db, start=start, end=end, attribution=attribution, **NO_FILTERS)
        assert_same_frame(bench_pandas.conversion_per_team(tables, start, end, attribution),
                          expected[list(bench_pandas.TEAM_COLUMNS)])

    for lookback_days, overlap_days in rules:
        expected = run("contested_deals", db=db, start=start, end=end, lookback_days=lookback_days,
                       overlap_days=overlap_days, attribution="owner", signals=[], **NO_FILTERS)
        actual = bench_pandas.contested_signals(tables, start, end, lookback_days, overlap_days)
        assert_same_frame(actual, expected[["deal_id", *bench_pandas.SIGNAL_COLUMNS]])


def check_weeks(db, tables, week_start, weeks):
    expected = weekly_review_series(db, week_start, weeks)
    actual = bench_pandas.weekly_review(tables, week_start, weeks)
    assert list(actual.index) == list(expected.index)
    assert_same_frame(actual.reset_index(), expected.reset_index())


@pytest.mark.parametrize("start, end", SMALL_PERIODS)
def test_small_demo_periods(small_db, small_tables, start, end):
    check_period(small_db, small_tables, start, end)


@pytest.mark.parametrize("start, end", SUMMARY_PERIODS)
def test_summary_fixture_periods(summary_db, summary_tables, start, end):
    check_period(summary_db, summary_tables, start, end)


def test_other_rules(small_db, small_tables, summary_db, summary_tables):
    check_period(summary_db, summary_tables, *SUMMARY_PERIODS[0], rules=MORE_RULES)
    check_period(small_db, small_tables, *SMALL_PERIODS[2], rules=MORE_RULES)


def test_summary_fixture_hand_worked_figures(summary_tables):
    """The figures of tests/test_summary.py, worked out by hand, for 2025-W10."""
    start, end = d(2025, 3, 3), d(2025, 3, 10)
    contested = bench_pandas.contested_signals(summary_tables, start, end)
    assert contested["deal_id"].tolist() == ["d1", "d2", "d3"]
    assert contested[list(bench_pandas.SIGNAL_COLUMNS)].sum().tolist() == [1, 2, 1]
    for overlap_days, ids in ((8, ["d1", "d2"]), (6, ["d1", "d2", "d7"]), (3, ["d1", "d2", "d7"])):
        assert bench_pandas.contested_signals(summary_tables, start, end, 30, overlap_days)["deal_id"].tolist() == ids
    week = bench_pandas.weekly_review(summary_tables, dt.date(2025, 3, 3), weeks=1).iloc[0]
    assert week[["cross_calls", "cross_emails", "touches_internal", "touches_external", "created", "won",
                 "contested"]].tolist() == [2, 1, 3, 7, 2, 2, 3]
    assert week["won_amount"] == 160000.0 and week["contested_amount"] == 170000.0
    assert week["win_rate_internal"] == 1.0 and week["win_rate_external"] == 0.0


def summary_variant(tmp_path, drop: str | None = None, append: dict[str, str] | None = None) -> Path:
    """The summary fixture imported with one CSV left out and lines appended to others."""
    folder = tmp_path / "csv"
    folder.mkdir()
    for csv in SUMMARY.glob("*.csv"):
        if csv.name != drop:
            (folder / csv.name).write_text(csv.read_text() + (append or {}).get(csv.name, ""))
    db = tmp_path / "variant.duckdb"
    report = import_folder(folder, db)
    assert report.ok, report.error_text()
    return db


def test_summary_fixture_without_scope_rules(tmp_path):
    """No scope rules at all: out_of_scope is off (docs/definitions.md), on both sides."""
    db = summary_variant(tmp_path, drop="scope_rules.csv")
    tables = bench_pandas.load_tables(db)
    check_period(db, tables, d(2025, 3, 3), d(2025, 3, 10), rules=[(30, 7), (10, 3)])
    assert bench_pandas.contested_signals(tables, d(2025, 3, 3), d(2025, 3, 10))["deal_id"].tolist() == ["d1", "d3"]


def test_stage_change_exactly_at_a_touch(tmp_path):
    """The stage at time t is the last change with changed_at <= t: d2 moving to qualified
    exactly when ia1 touches it (t07) puts t07 inside int-a's qualified..won rule, so d2
    is no longer out of scope."""
    db = summary_variant(tmp_path, append={"deal_stage_changes.csv": "d2,qualified,2025-03-05T09:00:00,ex2\n"})
    tables = bench_pandas.load_tables(db)
    check_period(db, tables, d(2025, 3, 3), d(2025, 3, 10), rules=[(30, 7)])
    assert bench_pandas.contested_signals(tables, d(2025, 3, 3), d(2025, 3, 10))["deal_id"].tolist() == ["d1", "d3"]


def test_touch_exactly_at_a_close_does_not_belong(tmp_path):
    """A touch without deal_id exactly at d8's close (2025-03-03 00:00) is outside d8's
    window [created - lookback, close): ey1 (ext-y, lead..proposal) on internal-owned d8,
    then at stage won, would otherwise make d8 out of scope."""
    db = summary_variant(tmp_path, append={
        "activities.csv": "t99,2025-03-03T00:00:00,call,ey1,,c2,,outbound,60,touch at d8's close\n"})
    tables = bench_pandas.load_tables(db)
    check_period(db, tables, d(2025, 3, 3), d(2025, 3, 10), rules=[(30, 7)])
    assert "d8" not in bench_pandas.contested_signals(tables, d(2025, 3, 3), d(2025, 3, 10))["deal_id"].tolist()


def test_summary_fixture_weekly_review(summary_db, summary_tables):
    check_weeks(summary_db, summary_tables, dt.date(2025, 3, 10), weeks=6)


@pytest.mark.parametrize("week_start", [dt.date(2026, 11, 16), dt.date(2026, 1, 5)])
def test_small_demo_weekly_review(small_db, small_tables, week_start):
    check_weeks(small_db, small_tables, week_start, weeks=4)


@pytest.fixture(scope="module")
def demo_tables(demo_db):
    return bench_pandas.load_tables(demo_db)


def test_demo_scale_last_quarter_and_weeks(demo_db, demo_tables):
    """At demo scale (about 500,000 activities): the benchmark's own arguments."""
    check_period(demo_db, demo_tables, d(2026, 8, 31), d(2026, 11, 23), rules=[(30, 7), (10, 3)])
    check_weeks(demo_db, demo_tables, dt.date(2026, 11, 16), weeks=2)
