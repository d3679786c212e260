"""The Conversion page: its queries on the hand-built fixture `tests/fixtures/conversion`,
its builders, and the page in AppTest (fixture with both attributions, small demo database).

Every expected number was worked out by hand from the CSV files for the period
[2025-02-01, 2025-04-01) with a 30-day lookback; the reasoning sits next to each figure.
The deals (owner / source, created, closed as of end 2025-04-01):

    d1  ia1 int-a / ex1 ext-x  02-03 09:00  won  02-13 09:00  100   handoff
    d2  ia1 int-a / ex1 ext-x  02-10        lost 03-12        200   handoff
    d3  ia2 int-a / ey1 ext-y  03-03 12:00  won  03-08        300   handoff
    d4  ex2 ext-x / ex2 ext-x  02-05        lost 02-20         50
    d5  ex2 ext-x / (none)     03-10        won  03-20         80
    d6  ib1 int-b / ex2 ext-x  03-15        open              400
    d7  ia1 int-a / ia1 int-a  2024-12-01   won  02-15        500   created before the period
    d8  ia2 int-a / ex1 ext-x  03-20        open (won 04-05, after end)  60
    d9  ex2 ext-x / ib1 int-b  02-20        lost 03-25         70
    d10 ia2 int-a / ex2 ext-x  03-05        lost 03-28         90   handoff
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from tandem.cli.whole_database import run
from tandem.data import queries
from tandem.data.db import CURSOR_SETUP
from tandem.data.importer import import_folder
from tandem.figures import conversion, downloads
from tandem.figures.style import team_colours
from tests.apptest import dashboard_on
from tests.stats import wilson

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "conversion"
PERIOD = dict(start=dt.datetime(2025, 2, 1), end=dt.datetime(2025, 4, 1))
NO_FILTER = dict(teams=[], regions=[], segments=[])
LOOKBACK = dict(lookback_days=30)
FIXTURE_DATES = (dt.date(2025, 2, 1), dt.date(2025, 4, 1))
def rate(k: int, n: int) -> tuple:
    """(win rate, low, high) as the queries give them; None when n = 0."""
    return (k / n, *wilson(k, n)) if n else (None, None, None)


def number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def assert_rows(frame: pd.DataFrame, columns: list[str], expected: list[tuple]) -> None:
    actual = [tuple(number(v) for v in row) for row in frame[columns].itertuples(index=False)]
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected):
        # numbers within 1e-12, everything else (names, None) exactly: pytest.approx
        # refuses text from pytest 9.2 on
        assert len(got) == len(want), (got, want)
        for g, w in zip(got, want):
            if isinstance(w, (int, float)) and not isinstance(w, bool):
                assert g == pytest.approx(w, rel=1e-12, abs=1e-12), (got, want)
            else:
                assert g == w, (got, want)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("conversion") / "conversion.duckdb"
    report = import_folder(FIXTURE, path)
    assert report.ok, report.error_text()
    return path


@pytest.mark.parametrize("k, n, low, high", [
    # published Wilson 95% intervals (no continuity correction), to 4 decimals
    (0, 10, 0.0, 0.2775),
    (5, 10, 0.2366, 0.7634),
    (1, 1, 0.2065, 1.0),
    (0, 1, 0.0, 0.7935),
    (3, 5, 0.2307, 0.8824),
])
def test_wilson_macros_match_published_values(db, k, n, low, high):
    cursor = queries.connection(db).cursor()
    try:
        cursor.execute(CURSOR_SETUP)
        got_low, got_high = cursor.execute("select wilson_low($k::double, $n::double), wilson_high($k::double, "
                                           "$n::double)", {"k": k, "n": n}).fetchone()
    finally:
        cursor.close()
    assert (round(got_low, 4), round(got_high, 4)) == (low, high)
    assert (got_low, got_high) == pytest.approx(wilson(k, n), abs=1e-15)


TEAM_COLUMNS = ["team_id", "created", "won", "lost", "closed", "won_amount", "win_rate", "win_rate_low",
                "win_rate_high", "median_cycle_days", "avg_deal_size"]


@pytest.mark.parametrize("attribution, expected", [
    # owner: ext-x owns d4 (lost), d5 (won, 10 d), d9 (lost), all created in the period.
    # ext-y owns nothing. int-a owns d1 d2 d3 d8 d10 (created) and d7 (created before);
    # won d1 (10 d) d3 (4.5 d) d7 (76 d: 31 + 31 + 14 days), d8 is open as of end; lost d2 d10;
    # median cycle 10, average size 900 / 3. int-b owns only the open d6: no closed deal.
    ("owner", [("ext-x", 3, 1, 2, 3, 80.0, *rate(1, 3), 10.0, 80.0),
               ("ext-y", 0, 0, 0, 0, 0.0, *rate(0, 0), None, None),
               ("int-a", 5, 3, 2, 5, 900.0, *rate(3, 5), 10.0, 300.0),
               ("int-b", 1, 0, 0, 0, 0.0, *rate(0, 0), None, None)]),
    # source: ext-x sourced d1 (won) d2 d4 d10 (lost) d6 d8 (open): 6 created. ext-y d3.
    # int-a d7 (created before, won, 76 d). int-b d9 (lost). d5 has no source rep: no team.
    ("source", [("ext-x", 6, 1, 3, 4, 100.0, *rate(1, 4), 10.0, 100.0),
                ("ext-y", 1, 1, 0, 1, 300.0, *rate(1, 1), 4.5, 300.0),
                ("int-a", 0, 1, 0, 1, 500.0, *rate(1, 1), 76.0, 500.0),
                ("int-b", 1, 0, 1, 1, 0.0, *rate(0, 1), None, None)]),
])
def test_team_conversion(db, attribution, expected):
    frame = run("team_conversion", db=db, attribution=attribution, **NO_FILTER, **PERIOD)
    assert_rows(frame, TEAM_COLUMNS, expected)


@pytest.mark.parametrize("attribution, expected", [
    # touches belonging to won deals: d1 t01 (source rep, before creation, by deal_id) and
    # t02; d3 t05 (not the owner) and t06; d7 t08; d5 t07 (no deal_id, acc2, in d5's window;
    # it also belongs to d8 and d9, which are not won in the period).
    ("owner", [("ext-x", 1, 1, 1.0), ("int-a", 3, 5, 5 / 3)]),
    ("source", [("ext-x", 1, 2, 2.0), ("ext-y", 1, 2, 2.0), ("int-a", 1, 1, 1.0)]),
])
def test_touches_per_won_deal(db, attribution, expected):
    frame = run("won_deal_touches_by_team", db=db, attribution=attribution, **LOOKBACK, **NO_FILTER, **PERIOD)
    assert_rows(frame, ["team_id", "won", "touches", "touches_per_won_deal"], expected)


STAGES = ["lead", "qualified", "proposal", "negotiation", "won"]


@pytest.mark.parametrize("attribution, expected", [
    # cohort created in the period, highest stage reached before end: d1 won, d2
    # negotiation, d3 won (skipping stages), d4 lead (lost at once), d5 won, d6 qualified,
    # d8 proposal (its win is after end), d9 qualified, d10 proposal (then back to qualified).
    ("owner", {"ext-x": [3, 2, 1, 1, 1],      # d4 d5 d9
               "int-a": [5, 5, 5, 3, 2],      # d1 d2 d3 d8 d10
               "int-b": [1, 1, 0, 0, 0]}),    # d6
    ("source", {"ext-x": [6, 5, 4, 2, 1],     # d1 d2 d4 d6 d8 d10
                "ext-y": [1, 1, 1, 1, 1],     # d3
                "int-b": [1, 1, 0, 0, 0]}),   # d9; d5 has no source rep
])
def test_stage_funnel(db, attribution, expected):
    frame = run("stage_funnel_by_team", db=db, attribution=attribution, **NO_FILTER, **PERIOD)
    got = {team: rows.sort_values("position")["reached"].tolist() for team, rows in frame.groupby("team_id")}
    assert got == expected
    for team, reached in expected.items():
        rows = frame[frame["team_id"] == team].sort_values("position")
        conversions = [number(v) for v in rows["conversion_to_next"]]
        wanted = [reached[i + 1] / reached[i] if reached[i] else None for i in range(4)] + [None]
        assert conversions == pytest.approx(wanted)


PATH_COLUMNS = ["level", "source_kind", "source_team_id", "owner_kind", "owner_team_id", "created", "created_amount",
                "won", "lost", "won_amount", "win_rate", "win_rate_low", "win_rate_high"]


def test_sourced_by_closed_by(db):
    # every deal counts: created in the period, or (d7) closed in it
    frame = run("deals_by_source_and_owner", db=db, attribution="owner", **NO_FILTER, **PERIOD)
    assert_rows(frame, PATH_COLUMNS, [
        ("kind", "external", None, "external", None, 1, 50.0, 0, 1, 0.0, *rate(0, 1)),         # d4
        ("kind", "external", None, "internal", None, 6, 1150.0, 2, 2, 400.0, *rate(2, 4)),     # d1 d2 d3 d6 d8 d10
        ("kind", "internal", None, "external", None, 1, 70.0, 0, 1, 0.0, *rate(0, 1)),         # d9
        ("kind", "internal", None, "internal", None, 0, 0.0, 1, 0, 500.0, *rate(1, 1)),        # d7
        ("kind", "none", None, "external", None, 1, 80.0, 1, 0, 80.0, *rate(1, 1)),            # d5
        ("team", "external", "ext-x", "external", "ext-x", 1, 50.0, 0, 1, 0.0, *rate(0, 1)),
        ("team", "external", "ext-x", "internal", "int-a", 4, 450.0, 1, 2, 100.0, *rate(1, 3)),  # d1 d2 d8 d10
        ("team", "external", "ext-x", "internal", "int-b", 1, 400.0, 0, 0, 0.0, *rate(0, 0)),    # d6
        ("team", "external", "ext-y", "internal", "int-a", 1, 300.0, 1, 0, 300.0, *rate(1, 1)),  # d3
        ("team", "internal", "int-b", "external", "ext-x", 1, 70.0, 0, 1, 0.0, *rate(0, 1)),
        ("team", "internal", "int-a", "internal", "int-a", 0, 0.0, 1, 0, 500.0, *rate(1, 1)),
        ("team", "none", None, "external", "ext-x", 1, 80.0, 1, 0, 80.0, *rate(1, 1)),
    ])
    assert frame.loc[frame["source_kind"] == "none", "source_team_name"].tolist()[-1] == "no source rep"
    # the team filter follows the attribution: Agency X owns d4 d5 d9, but sourced d1 d2 d4 d6 d8 d10
    owner = run("deals_by_source_and_owner", db=db, attribution="owner", teams=["ext-x"], regions=[], segments=[],
                **PERIOD)
    source = run("deals_by_source_and_owner", db=db, attribution="source", teams=["ext-x"], regions=[],
                 segments=[], **PERIOD)
    assert owner.query("level == 'kind'")["created"].sum() == 3
    assert source.query("level == 'kind'")["created"].sum() == 6


def test_handoff_latency(db):
    # handoffs (external source, internal owner) closed in the period: d1, d2, d3, d10
    # (d6 and d8 are open). d1: ia1's t02 6 hours after creation -> 0.25 d. d2: t03 is before
    # creation and does not count; t04 exactly 5 days after. d3: t05 is not the owner's;
    # ia2's t06 exactly 1 day after -> '1–3 days'. d10: ia2 never touched it.
    frame = run("handoff_latency_by_bucket", db=db, attribution="owner", **LOOKBACK, **NO_FILTER, **PERIOD)
    assert_rows(frame, ["bucket", "deals", "won", "lost", "win_rate", "win_rate_low", "win_rate_high",
                        "median_latency_days"], [
        ("< 1 day", 1, 1, 0, *rate(1, 1), 0.25),
        ("1–3 days", 1, 1, 0, *rate(1, 1), 1.0),
        ("4–7 days", 1, 0, 1, *rate(0, 1), 5.0),
        ("8–14 days", 0, 0, 0, *rate(0, 0), None),
        ("15–30 days", 0, 0, 0, *rate(0, 0), None),
        ("> 30 days", 0, 0, 0, *rate(0, 0), None),
        ("no owner touch", 1, 0, 1, *rate(0, 1), None),
    ])
    # under source, selecting Agency Y keeps only d3
    agency_y = run("handoff_latency_by_bucket", db=db, attribution="source", teams=["ext-y"], regions=[],
                   segments=[], **LOOKBACK, **PERIOD)
    assert agency_y.set_index("bucket")["deals"].to_dict() == {
        "< 1 day": 0, "1–3 days": 1, "4–7 days": 0, "8–14 days": 0, "15–30 days": 0, "> 30 days": 0,
        "no owner touch": 0}


@pytest.mark.parametrize("attribution, expected", [
    # created in the period, outcome as of end. owner: Feb external d4 d9 (lost); Feb internal
    # d1 (won) d2 (lost); Mar external d5 (won); Mar internal d3 (won) d10 (lost) d6 d8 (open).
    ("owner", [("2025-02-01", "external", 2, 0, 2, 0, *rate(0, 2)),
               ("2025-02-01", "internal", 2, 1, 1, 0, *rate(1, 2)),
               ("2025-03-01", "external", 1, 1, 0, 0, *rate(1, 1)),
               ("2025-03-01", "internal", 4, 1, 1, 2, *rate(1, 2))]),
    # source: Feb external d1 (won) d2 d4 (lost); Feb internal d9 (lost); Mar external d3
    # (won) d10 (lost) d6 d8 (open); d5 has no source rep.
    ("source", [("2025-02-01", "external", 3, 1, 2, 0, *rate(1, 3)),
                ("2025-02-01", "internal", 1, 0, 1, 0, *rate(0, 1)),
                ("2025-03-01", "external", 4, 1, 1, 2, *rate(1, 2))]),
])
def test_win_rate_by_creation_month(db, attribution, expected):
    frame = run("win_rate_by_creation_month", db=db, attribution=attribution, **NO_FILTER, **PERIOD)
    frame["month"] = frame["month"].astype(str)
    assert_rows(frame, ["month", "kind", "created", "won", "lost", "open", "win_rate", "win_rate_low",
                        "win_rate_high"], expected)


QUARTILE_COLUMNS = ["quartile", "deals", "min_exchanges", "max_exchanges", "won", "lost", "win_rate",
                    "win_rate_low", "win_rate_high"]


@pytest.mark.parametrize("attribution, teams, expected", [
    # deals closed in the period whose owner and source are of different kinds: d1, d2, d3,
    # d9, d10. Exchanges between the two in [created - 30 d, closed): d1 (ia1-ex1) e01 e02 = 2;
    # d2 e01 e02 e03 = 3 (e04 is exactly at its close); d3 (ia2-ey1) e05 exactly at the
    # window start = 1 (e06 exactly at the close); d9 (ex2-ib1) 0; d10 (ia2-ex2) 0.
    # Ranked by (exchanges, deal_id), ids as strings: d10 d9 | d3 | d1 | d2.
    ("owner", [], [(1, 2, 0, 0, 0, 2, *rate(0, 2)), (2, 1, 1, 1, 1, 0, *rate(1, 1)),
                   (3, 1, 2, 2, 1, 0, *rate(1, 1)), (4, 1, 3, 3, 0, 1, *rate(0, 1))]),
    # Agency X owns d9 only; it sourced d1 d2 d10
    ("owner", ["ext-x"], [(1, 1, 0, 0, 0, 1, *rate(0, 1))]),
    ("source", ["ext-x"], [(1, 1, 0, 0, 0, 1, *rate(0, 1)), (2, 1, 2, 2, 1, 0, *rate(1, 1)),
                           (3, 1, 3, 3, 0, 1, *rate(0, 1))]),
    ("owner", ["ext-y"], []),
])
def test_win_rate_by_exchange_quartile(db, attribution, teams, expected):
    frame = run("win_rate_by_exchange_quartile", db=db, attribution=attribution, teams=teams, regions=[],
                segments=[], **LOOKBACK, **PERIOD)
    assert_rows(frame, QUARTILE_COLUMNS, expected)


# ---- builders --------------------------------------------------------------------------

def owner_frames(db) -> dict[str, pd.DataFrame]:
    params = dict(attribution="owner", **NO_FILTER, **PERIOD)
    return {"teams": run("team_conversion", db=db, **params),
            "touches": run("won_deal_touches_by_team", db=db, **LOOKBACK, **params),
            "stages": run("stage_funnel_by_team", db=db, **params),
            "paths": run("deals_by_source_and_owner", db=db, **params)}


COLOURS = team_colours({"int-a": "internal", "int-b": "internal", "ext-x": "external", "ext-y": "external"})


def test_team_table_marks_teams_with_few_closed_deals(db):
    frames = owner_frames(db)
    figure, title, drawn = conversion.team_table(frames["teams"], frames["touches"], COLOURS)
    assert title == "No team closed 10 deals in the period: too few to compare win rates"
    # every team is listed, internal first, none hidden; all have fewer than 10 closed
    assert drawn["team_id"].tolist() == ["int-a", "int-b", "ext-x", "ext-y"]
    assert drawn["too_few_closed"].tolist() == [True, True, True, True]
    assert drawn["touches"].tolist() == [5, 0, 1, 0]
    # teams without a closed deal have no point; the others have hollow ones
    assert [trace.x[0] for trace in figure.data] == ["Inside A (few closed)", "Agency X (few closed)"]
    # with a threshold of 3, Inside A (3 of 5) and Agency X (1 of 3) compare; their intervals overlap
    _, title, drawn = conversion.team_table(frames["teams"], frames["touches"], COLOURS, min_closed=3)
    # Inside B and Agency Y, with no closed deal, are left out of the ranking, and the title says so
    assert title == ("Inside A has the highest win rate: 60% (23%–88%) of 5 closed deals, "
                     "within the interval of 1 other team; 2 teams with fewer than 3 closed deals left out")
    error = figure.data[0].error_y
    assert (error.array[0], error.arrayminus[0]) == pytest.approx(
        (100 * (wilson(3, 5)[1] - 0.6), 100 * (0.6 - wilson(3, 5)[0])))


def test_funnel_and_matrix_titles(db):
    frames = owner_frames(db)
    names = {"int-a": "Inside A", "int-b": "Inside B", "ext-x": "Agency X", "ext-y": "Agency Y"}
    kinds = {"int-a": "internal", "int-b": "internal", "ext-x": "external", "ext-y": "external"}
    figure, title, drawn = conversion.funnel(frames["stages"], names, kinds, COLOURS)
    # all teams: reached 9, 8, 6, 4, 3: 3 of 9 won; steps 8/9, 6/8, 4/6, 3/4: proposal is the weakest;
    # a cohort under 10 deals is told in counts, not percentages
    assert title == ("3 of the 9 deals created in the period have reached won; the weakest step is "
                     "proposal → negotiation (4 of 6 convert)")
    assert [trace.name for trace in figure.data] == ["Inside A (cohort 5)", "Inside B (cohort 1)",
                                                     "Agency X (cohort 3)"]
    assert list(figure.data[0].text) == ["", "100%", "100%", "60%", "67%"]  # from the stage before
    # external sources 7 of the 9 deals created; internal owners closed 900 of the 980 won, in 4 won deals
    # (d1 d3 d5 d7): under 10 deals, counts, or the base beside the share of value
    _, title, drawn = conversion.source_owner_matrix(frames["paths"], by_team=False, measure="created")
    assert title == ("External reps source 7 of the 9 deals created; internal reps close 92% of the won value "
                     "(4 deals won)")
    assert len(drawn) == 5
    figure, _, drawn = conversion.source_owner_matrix(frames["paths"], by_team=True, measure="created_amount")
    assert list(figure.data[0].y) == ["Agency X", "Agency Y", "Inside A", "Inside B", "no source rep"]
    assert list(figure.data[0].x) == ["Agency X", "Inside A", "Inside B"]


def test_latency_cohort_and_coordination_titles(db):
    params = dict(attribution="owner", **NO_FILTER, **PERIOD)
    _, title, _ = conversion.handoff_latency(run("handoff_latency_by_bucket", db=db, **LOOKBACK, **params))
    assert title == "Too few handoffs closed in the period to compare latencies (4 deals)"
    _, title, _ = conversion.cohort_trend(run("win_rate_by_creation_month", db=db, **params), *FIXTURE_DATES)
    # internal: d1 won, d2 lost (Feb), d3 won, d10 lost (Mar); external: d4 d9 lost (Feb), d5 won (Mar);
    # fewer than 10 closed: counts, not percentages
    assert title == "Deals created in the period, closed so far: internal teams won 2 of 4, external won 1 of 3"
    figure, title, _ = conversion.coordination(run("win_rate_by_exchange_quartile", db=db, **LOOKBACK, **params))
    assert title == ("Shared deals whose two reps talked most win 0% (0%–79%), against 0% (0%–66%) "
                     "for those who talked least")
    assert list(figure.data[0].x) == ["Q1: 0–0 exchanges<br>2 deals", "Q2: 1–1 exchanges<br>1 deal",
                                      "Q3: 2–2 exchanges<br>1 deal", "Q4: 3–3 exchanges<br>1 deal"]


def test_funnel_bars_lie_down_with_stage_names_and_no_empty_conversions(db):
    frames = owner_frames(db)
    names = {"int-a": "Inside A", "int-b": "Inside B", "ext-x": "Agency X", "ext-y": "Agency Y"}
    kinds = {"int-a": "internal", "int-b": "internal", "ext-x": "external", "ext-y": "external"}
    figure, _, _ = conversion.funnel(frames["stages"], names, kinds, COLOURS)
    assert {trace.orientation for trace in figure.data} == {"h"}
    assert list(figure.data[0].y) == ["Lead", "Qualified", "Proposal", "Negotiation", "Won"]
    assert figure.layout.yaxis.autorange == "reversed"  # lead on top
    # Inside B: 1 lead, 1 qualified, then nobody: 100%, 0%, and nothing beyond (no "n/a")
    assert list(figure.data[1].text) == ["", "100%", "0%", "", ""]


def test_one_deal_funnel_title():
    stages = pd.DataFrame({"team_id": ["t"] * 5, "stage": STAGES, "position": [1, 2, 3, 4, 5],
                           "reached": [1, 1, 0, 0, 0], "conversion_to_next": [1.0, 0.0, None, None, None]})
    _, title, _ = conversion.funnel(stages, {"t": "T"}, {"t": "internal"}, {})
    assert title == ("The one deal created in the period has not reached won; the weakest step is "
                     "qualified → proposal (0 of 1 convert)")


def test_money_is_labelled_with_its_currency(db, monkeypatch):
    monkeypatch.setenv("TANDEM_CURRENCY", "usd")
    frames = owner_frames(db)
    figure, _, drawn = conversion.source_owner_matrix(frames["paths"], by_team=False, measure="created_amount")
    assert figure.data[0].colorbar.title.text == "Value created (USD)"
    assert (figure.data[0].zmin, figure.data[0].zmax) == (0, 1150.0)  # from 0 to the largest cell (d1 d2 d3 d6 d8 d10)
    assert "1,150 USD<br>win 50%" in figure.data[0].text[0][1]  # external-sourced, internal-owned
    assert {"Value created (USD)", "Won amount (USD)"} <= set(downloads.for_download(drawn).columns)
    _, _, teams = conversion.team_table(frames["teams"], frames["touches"], COLOURS)
    rows = conversion.team_rows(teams)
    assert list(rows.columns) == ["Team", "Kind", "Created", "Won", "Lost", "Win rate", "95% interval",
                                  "Won amount (USD)", "Avg deal (USD)", "Cycle (days)", "Touches/won"]
    assert {"Won amount (USD)", "Avg deal size (USD)"} <= set(downloads.for_download(teams).columns)


def test_rankings_say_what_they_leave_out():
    # latency groups: two with 10 deals or more are ranked, the one with 4 deals is left out, and said so
    buckets = pd.DataFrame({"bucket": ["< 1 day", "1–3 days", "4–7 days"], "bucket_order": [1, 2, 3],
                            "deals": [12, 10, 4], "won": [9, 2, 4], "lost": [3, 8, 0]})
    buckets["win_rate"] = buckets["won"] / buckets["deals"]
    buckets["win_rate_low"] = [wilson(k, n)[0] for k, n in zip(buckets["won"], buckets["deals"])]
    buckets["win_rate_high"] = [wilson(k, n)[1] for k, n in zip(buckets["won"], buckets["deals"])]
    buckets["median_latency_days"] = [0.5, 2.0, 5.0]
    _, title, _ = conversion.handoff_latency(buckets)
    assert title == ("Handoffs win 75% when the owner's first touch comes after less than 1 day, 20% after "
                     "1–3 days; 1 latency group with fewer than 10 deals left out")
    # one team alone is not "the highest"
    teams = pd.DataFrame({"team_id": ["k"], "name": ["Key"], "kind": ["internal"], "created": [20], "won": [6],
                          "lost": [6], "closed": [12], "won_amount": [600.0], "win_rate": [0.5],
                          "win_rate_low": [wilson(6, 12)[0]], "win_rate_high": [wilson(6, 12)[1]],
                          "median_cycle_days": [3.0], "avg_deal_size": [100.0]})
    touches = pd.DataFrame({"team_id": ["k"], "touches": [12], "touches_per_won_deal": [2.0]})
    _, title, _ = conversion.team_table(teams, touches, {})
    assert title == "Key wins 50% (25%–75%) of 12 closed deals"


def test_coordination_with_one_group_does_not_compare(db):
    quartiles = run("win_rate_by_exchange_quartile", db=db, attribution="owner", teams=["ext-x"], regions=[],
                    segments=[], **LOOKBACK, **PERIOD)
    _, title, _ = conversion.coordination(quartiles)
    assert title == "Too few shared deals closed in the period to compare by exchanges (1 deal)"


# ---- the page --------------------------------------------------------------------------

def titles(at: AppTest) -> list[str]:
    # long titles are wrapped onto lines for display (tandem.ui.widgets.plot)
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"].replace("<br>", " ")
            for chart in at.get("plotly_chart")]


@pytest.fixture
def open_page(monkeypatch):
    """Open the page; the filters either come from the URL (query_params) or, with
    `attribution`, are set in the session state before the first run, as a user's sidebar
    would (see NOTES: sidebar widgets in AppTest)."""
    def open_(db, attribution: str | None = None, period: tuple[dt.date, dt.date] | None = None,
              **query_params) -> AppTest:
        dashboard_on(db, monkeypatch)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        for key, value in query_params.items():
            at.query_params[key] = value
        if attribution:
            at.session_state["filters_from_url_done"] = True
            if period:
                at.session_state["filter_period"] = period  # first and last day included
            for key in ("filter_teams", "filter_regions", "filter_segments"):
                at.session_state[key] = []
            at.session_state["filter_attribution"] = attribution
            at.session_state["presentation_mode"] = False
        at.run()
        at.switch_page("pages/conversion.py").run()
        assert not at.exception
        return at

    return open_


FIXTURE_PERIOD = (dt.date(2025, 2, 1), dt.date(2025, 3, 31))


def test_page_on_the_fixture_by_owner_and_by_source(db, open_page):
    owner = open_page(db, attribution="owner", period=FIXTURE_PERIOD)
    assert "team of its **owner**" in owner.caption[0].value
    assert titles(owner) == [
        "No team closed 10 deals in the period: too few to compare win rates",
        "3 of the 9 deals created in the period have reached won; the weakest step is proposal → negotiation "
        "(4 of 6 convert)",
        "External reps source 7 of the 9 deals created; internal reps close 92% of the won value (4 deals won)",
        "Too few handoffs closed in the period to compare latencies (4 deals)",
        "Deals created in the period, closed so far: internal teams won 2 of 4, external won 1 of 3",
        "Shared deals whose two reps talked most win 0% (0%–79%), against 0% (0%–66%) for those who talked least",
    ]
    table = owner.dataframe[0].value.set_index("Team")
    # fewer than 10 closed: marked; no closed deal: a dash, never "None"
    assert table.loc["Inside A", ["Kind", "Win rate", "95% interval"]].tolist() == ["Internal", "60% ⚠", "23%–88%"]
    assert table.loc["Inside B", ["Won", "Lost", "Win rate", "95% interval", "Avg deal (EUR)", "Cycle (days)",
                                  "Touches/won"]].tolist() == [0, 0] + ["—"] * 5
    assert table.loc["Inside A", ["Won amount (EUR)", "Avg deal (EUR)", "Cycle (days)", "Touches/won"]].tolist() == [
        900, "300", "10.0", "1.7"]

    source = open_page(db, attribution="source", period=FIXTURE_PERIOD)
    assert "team of its **source rep**" in source.caption[0].value
    table = source.dataframe[0].value.set_index("Team")
    assert table.loc["Inside A", "Win rate"] == "100% ⚠"  # d7 only (sourced by ia1)
    assert table.loc["Agency X", "Win rate"] == "25% ⚠"  # d1 won; d2 d4 d10 lost
    # reached 8, 7, 5, 3, 2 (d5 has no source rep): 2 of 8 won; steps 7/8, 5/7, 3/5, 2/3
    assert titles(source)[1] == ("2 of the 8 deals created in the period have reached won; the weakest step is "
                                 "proposal → negotiation (3 of 5 convert)")
    assert titles(source)[4] == ("Deals created in the period, closed so far: internal teams won 0 of 1, "
                                 "external won 2 of 5")


def test_page_says_so_when_the_filters_select_nothing(db, open_page):
    # from the URL: North is acc1, an enterprise account; no deal is North and smb
    at = open_page(db, start="2025-02-01", end="2025-04-01", region="North", segment="smb")
    assert titles(at) == []
    assert "No deal was created or closed in this period" in at.info[0].value


@pytest.mark.parametrize("attribution", ["owner", "source"])
def test_page_on_the_small_demo(small_db, open_page, attribution):
    started = time.perf_counter()
    at = open_page(small_db, attribution=attribution) if attribution == "source" else open_page(small_db)
    print(f"conversion page on small demo ({attribution}): {time.perf_counter() - started:.2f} s")
    assert f"team of its **{'source rep' if attribution == 'source' else 'owner'}**" in at.caption[0].value
    assert len(at.get("plotly_chart")) == 6
    assert titles(at)[2].startswith("External reps source")


# ---- time charts at every period length ---------------------------------------------------

def values(array) -> list:
    """A Plotly JSON array: numbers come base64-encoded under 'bdata' (NaN for a gap)."""
    if isinstance(array, dict):
        return [None if math.isnan(v) else float(v) for v in np.frombuffer(base64.b64decode(array["bdata"]),
                                                                              array["dtype"])]
    return list(array)


def chart_titled(at: AppTest, start: str) -> dict | None:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"].replace("<br>", " ").startswith(start):
            return spec
    return None


def points(figure: go.Figure) -> list:
    """The traces that draw data (the others only make the legend)."""
    return [trace for trace in figure.data if trace.hoverinfo != "skip"]


def test_cohort_trend_of_one_week_is_one_point_on_its_month(db):
    # the week 2025-03-03 to 03-10, outcome as of 03-10: internal created d3 (won 03-08) and
    # d10 (lost only on 03-28: open); external created nothing (d5 is created on 03-10, the end)
    start, end = dt.date(2025, 3, 3), dt.date(2025, 3, 10)
    months = run("win_rate_by_creation_month", db=db, attribution="owner", **NO_FILTER,
                 start=dt.datetime(2025, 3, 3), end=dt.datetime(2025, 3, 10))
    figure, title, drawn = conversion.cohort_trend(months, start, end)
    assert title == "Deals created in the period, closed so far: internal teams won 1 of 1"
    (trace,) = points(figure)
    assert [pd.Timestamp(x) for x in trace.x] == [pd.Timestamp("2025-03-01")]  # on the 1st: one kind, no dodge
    assert list(trace.y) == [100.0]
    assert trace.mode == "lines+markers" and trace.marker.size >= 10
    assert list(trace.marker.symbol) == ["circle-open"]  # a part of March only
    assert [t.name for t in figure.data if t.hoverinfo == "skip"] == ["Internal teams", "part of a month"]
    assert trace.error_y.arrayminus[0] == pytest.approx(100 * (1 - wilson(1, 1)[0]))
    axis = figure.layout.xaxis
    assert axis.type == "date"
    assert [pd.Timestamp(v) for v in axis.range] == [pd.Timestamp("2025-02-14"), pd.Timestamp("2025-03-16")]
    assert [pd.Timestamp(v) for v in axis.tickvals] == [pd.Timestamp("2025-03-01")]
    assert list(axis.ticktext) == ["3–9 Mar<br>2025"]
    assert drawn[["partial", "first_day", "last_day"]].values.tolist() == [[True, dt.date(2025, 3, 3),
                                                                            dt.date(2025, 3, 9)]]


def test_partial_months_are_named():
    months = conversion.period_months(dt.date(2025, 2, 10), dt.date(2025, 4, 2))
    assert months["month"].tolist() == [dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
    assert months["partial"].tolist() == [True, False, True]
    assert months["days_covered"].tolist() == ["10–28 Feb", "", "1 Apr"]
    assert conversion.partial_months_note(dt.date(2025, 2, 10), dt.date(2025, 4, 2)) == (
        "Hollow points: months the period covers only partly (10–28 Feb 2025 and 1 Apr 2025): their points "
        "stand for the deals created on those days only.")
    assert conversion.partial_months_note(dt.date(2025, 2, 1), dt.date(2025, 4, 1)) == ""


def test_cohort_trend_dodges_the_two_kinds_and_marks_partial_months(db):
    # February from the 10th (d2 lost, d4 lost, d9 lost: all created from the 10th? d4 is
    # created 02-05: out), all of March
    start, end = dt.date(2025, 2, 10), dt.date(2025, 4, 1)
    months = run("win_rate_by_creation_month", db=db, attribution="owner", **NO_FILTER,
                 start=dt.datetime(2025, 2, 10), end=dt.datetime(2025, 4, 1))
    figure, _, _ = conversion.cohort_trend(months, start, end)
    internal, external = points(figure)
    assert [pd.Timestamp(x) for x in internal.x] == [pd.Timestamp("2025-01-28"), pd.Timestamp("2025-02-25")]
    assert [pd.Timestamp(x) for x in external.x] == [pd.Timestamp("2025-02-05"), pd.Timestamp("2025-03-05")]
    assert list(internal.marker.symbol) == ["circle-open", "circle"]
    # internal February: d2 lost (d1 is created on 02-03); external February: d9 lost
    assert list(internal.y) == [0.0, 50.0] and list(external.y) == [0.0, 100.0]
    assert list(figure.layout.xaxis.ticktext) == ["10–28 Feb<br>2025", "Mar"]


# the weekly review's links open one week; a day, five weeks and two years are the other lengths to read well
PERIODS = {"1 day": ("2026-11-16", "2026-11-17"), "1 week": ("2026-11-16", "2026-11-23"),
           "5 weeks": ("2026-10-19", "2026-11-23"), "2 years": ("2024-11-25", "2026-11-23")}


@pytest.mark.parametrize("length", list(PERIODS))
def test_cohort_chart_at_every_period_length(small_db, open_page, length):
    start, end = PERIODS[length]
    at = open_page(small_db, start=start, end=end)
    assert not at.exception
    # the months of deals created in the period and closed (won or lost) before its end, by hand in SQL
    with duckdb.connect(str(small_db), read_only=True) as con:
        closed_months = [row[0] for row in con.execute(
            "select distinct date_trunc('month', created_at)::date from deals where created_at >= $start and "
            "created_at < $end and status in ('won', 'lost') and closed_at < $end order by 1",
            {"start": start, "end": end}).fetchall()]
    # no chart is drawn empty: each has a trace with data (the per-team chart gives way to a sentence too)
    for spec in (json.loads(c.proto.spec) for c in at.get("plotly_chart")):
        assert any(values(trace.get("x", [None])) != [None] for trace in spec["data"]), spec["layout"]["title"]
    chart = chart_titled(at, "Deals created in the period, closed so far")
    sentences = [info.value for info in at.info if "closed yet" in info.value]
    if not closed_months:
        assert chart is None
        assert len(sentences) == 1 and " created in this period ha" in sentences[0]
        return
    assert chart is not None and not sentences
    # a point stands on the 1st of its month, or 4 days off it when both kinds are drawn
    points = {(pd.Timestamp(x) + pd.Timedelta(days=5)).to_period("M").to_timestamp().date()
              for trace in chart["data"] for x, y in zip(values(trace["x"]), values(trace["y"])) if y is not None}
    assert sorted(points) == closed_months
    first = dt.date.fromisoformat(start).replace(day=1)
    last = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).replace(day=1)
    assert [pd.Timestamp(v) for v in chart["layout"]["xaxis"]["range"]] == [
        pd.Timestamp(first) - pd.Timedelta(days=15), pd.Timestamp(last) + pd.Timedelta(days=15)]
    assert chart["layout"]["xaxis"]["type"] == "date"
