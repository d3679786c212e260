"""The per-connection cache of deal flags for rules of the pre-computed range
(tandem.data.rule_flags): filled once per rule, read by the queries that follow, the least
recently used rules dropped, and never a wrong answer while sessions read and drop at once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from tandem.cli.whole_database import run
from tandem.data import queries, rule_flags
from tandem.data.db import CURSOR_SETUP

START, END = dt.datetime(2026, 8, 31), dt.datetime(2026, 11, 23)
RULES = [(10, 3), (0, 1), (90, 30), (45, 12), (5, 20), (60, 2)]


def totals(db, rule: tuple[int, int]) -> pd.DataFrame:
    weeks = [START + dt.timedelta(weeks=n) for n in range(12)]
    return run("deal_totals", db=db, starts=weeks, ends=[w + dt.timedelta(weeks=1) for w in weeks],
                       attribution="owner", teams=[], regions=[], segments=[], lookback_days=rule[0],
                       overlap_days=rule[1], signals=[])


def live_totals(db, rule: tuple[int, int]) -> pd.DataFrame:
    """The same query with schema main only: the flags merged live, no cache."""
    weeks = [START + dt.timedelta(weeks=n) for n in range(12)]
    cursor = queries.connection(db).cursor()
    try:
        cursor.execute(CURSOR_SETUP)
        return queries.fetch_frame(cursor, queries.query_text("deal_totals"), dict(
            starts=weeks, ends=[w + dt.timedelta(weeks=1) for w in weeks], attribution="owner", teams=[], regions=[],
            segments=[], lookback_days=rule[0], overlap_days=rule[1], signals=[], scope_agency=None))
    finally:
        cursor.close()


def cached_rules(db) -> set[tuple[int, int]]:
    cursor = queries.connection(db).cursor()
    try:
        return set(cursor.execute("select distinct rule_lookback_days, rule_overlap_days "
                                  "from memory.main.ranged_flag_intervals").fetchall())
    finally:
        cursor.close()


@pytest.fixture
def fresh(small_db):
    queries.close_connections()  # an empty cache
    yield small_db
    queries.close_connections()


def test_a_rule_is_computed_once_and_read_by_the_next_queries(fresh, monkeypatch):
    filled = []
    original = rule_flags.RuleFlags._run
    monkeypatch.setattr(rule_flags.RuleFlags, "_run",
                        lambda self, sql, rule: (filled.append((sql == rule_flags.FILL_SQL, rule)),
                                                 original(self, sql, rule)))
    first = totals(fresh, (10, 3))
    again = totals(fresh, (10, 3))
    run("contested_deals", db=fresh, start=START, end=END, attribution="owner", teams=[], regions=[],
                segments=[], lookback_days=10, overlap_days=3, signals=[])
    assert filled == [(True, (10, 3))]
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, live_totals(fresh, (10, 3)))
    assert first["contested"].sum() > 0  # not vacuous
    totals(fresh, (30, 7))  # the default rule reads its own pre-computed table
    assert cached_rules(fresh) == {(10, 3)}


def test_the_least_recently_used_rules_are_dropped(fresh, monkeypatch):
    monkeypatch.setattr(rule_flags, "KEPT_RULES", 2)
    answers = {rule: totals(fresh, rule) for rule in RULES}
    assert cached_rules(fresh) == set(RULES[-2:])
    totals(fresh, RULES[-2])  # used again: the newest
    totals(fresh, RULES[0])  # dropped before, computed again
    assert cached_rules(fresh) == {RULES[-2], RULES[0]}
    for rule in RULES:
        pd.testing.assert_frame_equal(totals(fresh, rule), answers[rule])
        pd.testing.assert_frame_equal(answers[rule], live_totals(fresh, rule))
    assert len({tuple(a["contested"]) for a in answers.values()}) > 1  # the rules differ here


def test_many_sessions_reading_and_dropping_rules_at_once_get_the_right_answers(fresh, monkeypatch):
    """Eight threads ask for six rules in different orders while only two are kept: a rule is
    dropped and filled again under the others' feet, and every answer is still the live one."""
    monkeypatch.setattr(rule_flags, "KEPT_RULES", 2)
    expected = {rule: live_totals(fresh, rule) for rule in RULES}
    orders = [RULES[k:] + RULES[:k] for k in range(len(RULES))] + [RULES[::-1], RULES[::2] + RULES[1::2]]

    def ask(order):
        return [(rule, totals(fresh, rule)) for rule in order * 2]

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        for answers in pool.map(ask, orders):
            for rule, answer in answers:
                pd.testing.assert_frame_equal(answer, expected[rule])
    assert len(cached_rules(fresh)) <= 2
