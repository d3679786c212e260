"""The Communication page: its queries on the hand-built fixture, and the page in AppTest."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tandem.figures import communication, style
from tandem.model import weekly
from tests.apptest import dashboard_on

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "summary"
WEEK = dict(start=dt.datetime(2025, 3, 3), end=dt.datetime(2025, 3, 10))
NO_FILTER = dict(teams=[], regions=[], segments=[])


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("communication") / "summary.duckdb"
    assert import_folder(FIXTURE, path).ok
    return path


@pytest.mark.parametrize("max_exchanges, expected", [
    # customer touches in 2025-W10 by account: acc2 ia1 (t07), ey1 (t06), ex2 (t12);
    # acc3 ib1 (t10), ia2 (t13), ex1 (t08 t14), ex2 (t11). Exchanges in the week:
    # ia1-ey1 e03, ia1-ex2 e09, ia2-ex1 e01, ia2-ex2 e02; ib1 talked with ex1 (e12) and
    # ex2 (e11) only before the week.
    (1, [("ib1", "ex1", 1, 0), ("ib1", "ex2", 1, 0)]),
    (2, [("ib1", "ex1", 1, 0), ("ib1", "ex2", 1, 0), ("ia1", "ex2", 1, 1), ("ia1", "ey1", 1, 1),
         ("ia2", "ex1", 1, 1), ("ia2", "ex2", 1, 1)]),
])
def test_silent_pairs(db, max_exchanges, expected):
    pairs = run("silent_pairs", db=db, max_exchanges=max_exchanges, **NO_FILTER, **WEEK)
    assert [(r.internal_rep_id, r.external_rep_id, r.shared_accounts, r.exchanges)
            for r in pairs.itertuples()] == expected


def test_silent_pairs_filters(db):
    # South is acc2 only: ib1 shares nothing there
    south = run("silent_pairs", db=db, max_exchanges=2, teams=[], regions=["South"], segments=[], **WEEK)
    assert [(r.internal_rep_id, r.external_rep_id) for r in south.itertuples()] == [("ia1", "ex2"), ("ia1", "ey1")]
    # a team keeps the pairs with a rep of that team on either side
    agency_y = run("silent_pairs", db=db, max_exchanges=2, teams=["ext-y"], regions=[], segments=[], **WEEK)
    assert [(r.internal_rep_id, r.external_rep_id) for r in agency_y.itertuples()] == [("ia1", "ey1")]


def test_weekly_series(db):
    start = dict(start=dt.datetime(2025, 2, 24), end=WEEK["end"])
    touches = run("customer_touches_by_week", db=db, **NO_FILTER, **start)
    # week of 24 Feb: t03 (ia1, 26 Feb), t05 (ia2, 2 Mar); W10: 3 internal, 7 external
    assert [(str(r.week_start)[:10], r.kind, r.touches) for r in touches.itertuples()] == [
        ("2025-02-24", "external", 0), ("2025-02-24", "internal", 2),
        ("2025-03-03", "external", 7), ("2025-03-03", "internal", 3)]
    within = run("exchanges_by_week", db=db, teams=[], **WEEK)
    within = within[within["exchange_kind"] == "within_team"]
    assert within.set_index("channel")["exchanges"].to_dict() == {"call": 2, "email": 0, "meeting": 1}
    assert within.set_index("channel")["call_minutes"].to_dict()["call"] == 7.0  # e05 300 s + e06 120 s


def test_pair_detail(db):
    history = run("rep_pair_exchanges_by_week", db=db, rep_a="ex2", rep_b="ia2",
                  start=dt.datetime(2025, 2, 24), end=WEEK["end"])
    assert [(str(r.week_start)[:10], r.channel, r.exchanges) for r in history.itertuples()] == [
        ("2025-02-24", "call", 0), ("2025-02-24", "email", 1), ("2025-02-24", "meeting", 0),  # e08 ia2 -> ex2
        ("2025-03-03", "call", 1), ("2025-03-03", "email", 0), ("2025-03-03", "meeting", 0)]  # e02 ex2 -> ia2
    shared = run("rep_pair_shared_accounts", db=db, rep_a="ia2", rep_b="ex1", regions=[], segments=[], **WEEK)
    assert [(r.account_id, r.touches_by_rep_a, r.touches_by_rep_b) for r in shared.itertuples()] == [("acc3", 1, 2)]


@pytest.fixture
def page(db, monkeypatch):
    dashboard_on(db, monkeypatch)

    def open_page(**query_params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        for key, value in query_params.items():
            at.query_params[key] = value
        at.run()
        at.switch_page("pages/communication.py").run()
        assert not at.exception
        return at

    return open_page


def figure(at: AppTest, title_start: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def test_page_shows_the_query_figures(page):
    at = page(start="2025-03-03", end="2025-03-10")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles == [
        "4 cross-team exchanges in the period",
        "40.0 cross-team exchanges per 100 customer touches",  # 4 exchanges / 10 touches
        # under 10 exchanges, shares are told as counts, not "25%"
        "Ines Arno and Xan Xu account for 1 of 4 cross-team exchanges",
        "Internal reps start 2 of 4 cross-team conversations",  # e01 e03 internal; e02 e09 external
    ]
    silent = at.dataframe[0].value
    assert list(silent["internal_rep_name"]) == ["Ida Berg", "Ida Berg"]
    assert list(silent["external_rep_name"]) == ["Xan Xu", "Xia Xeno"]


def test_page_with_filters_and_presentation_mode(page):
    at = page(start="2025-03-03", end="2025-03-10", team="ext-y", presentation="1")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles[0] == "1 cross-team exchanges in the period"  # e03 ia1 -> ey1
    assert titles[2].endswith("account for 1 of 1 cross-team exchanges")
    assert "Ivo" not in titles[2] and "Internal rep 1" in titles[2]


def test_page_at_team_level(page, db):
    """The "Team × team" toggle aggregates the matrix to internal teams × agencies (it
    used to fail: the team column was grouped by twice): one square per team pair, its
    count written in it, coloured from 0."""
    at = page(start="2025-03-03", end="2025-03-10")
    at.toggle(key="comm_by_team").set_value(True).run()
    assert not at.exception
    spec = figure(at, "Inside A and Agency X account for 3 of 4 cross-team exchanges")  # e01 e02 e09 of 4
    squares = spec["data"][0]
    assert squares["type"] == "scatter" and squares["marker"]["symbol"] == "square"
    assert (squares["y"], squares["x"], squares["text"]) == (["Inside A", "Inside A"], ["Agency X", "Agency Y"],
                                                             ["3", "1"])  # e03 for Agency Y
    assert squares["marker"]["cmin"] == 0 and squares["marker"]["cmax"] == 3
    assert spec["layout"]["xaxis"]["title"]["text"] == "External team"


def numbers(array) -> list:
    """A numeric array of a figure spec (plotly sends them as typed base64 buffers)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), array["dtype"]).tolist()
    return list(array)


def click_square(at: AppTest, internal: str, external: str) -> AppTest:
    """Select the matrix square of these two names (rows, columns) as the browser does when a
    user clicks it: the chart's widget state then holds the clicked point, in the form seen in
    Chromium. AppTest has no API to click a Plotly chart; tests/test_browser_communication.py
    clicks for real."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.selection_mode)
    trace = json.loads(chart.proto.spec)["data"][0]
    index = list(zip(trace["y"], trace["x"])).index((internal, external))
    point = {"curve_number": 0, "point_number": index, "point_index": index, "x": external, "y": internal,
             "customdata": numbers(trace["customdata"])[index], "marker_color": numbers(trace["marker"]["color"])[index]}
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}})
    at._run(states)
    assert not at.exception
    return at


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_clicking_a_rep_square_shows_the_pairs_detail(page):
    """W09 and W10: Ines Arno and Xia Xeno exchanged e08 (email, W09, started by Ines Arno) and
    e02 (call without duration, W10); both touched acc2 (t05, t12) and acc3 (t13, t11)."""
    at = page(start="2025-02-24", end="2025-03-10")
    assert not any("talked in" in json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart"))
    click_square(at, "Ines Arno", "Xia Xeno")
    assert "**Ines Arno (Inside A) × Xia Xeno (Agency X)**: 2 exchanges, 1 call (0 minutes), 1 email, 0 meetings; " \
           "1 started by the internal rep." in markdown(at)
    history = figure(at, "Ines Arno and Xia Xeno talked in 2 of 2 weeks")
    assert [numbers(bar["y"]) for bar in history["data"]] == [[0, 1], [1, 0], [0, 0]]  # call, email, meeting
    shared = next(frame.value for frame in at.dataframe if "account_name" in frame.value.columns)
    assert shared.to_dict("records") == [
        {"account_name": "Southside Shop", "touches_by_rep_a": 1, "touches_by_rep_b": 1},
        {"account_name": "Northern Bakery", "touches_by_rep_a": 1, "touches_by_rep_b": 1}]


def test_clicking_a_team_square_shows_the_team_pairs_detail(page):
    """W09 and W10, Inside A × Agency X: e08 (ia2 -> ex2 email, W09), e01 (ia2 -> ex1 call
    600 s), e02 (ex2 -> ia2 call), e09 (ex2 -> ia1 meeting) in W10; three pairs of reps."""
    at = page(start="2025-02-24", end="2025-03-10")
    at.toggle(key="comm_by_team").set_value(True).run()
    click_square(at, "Inside A", "Agency X")
    assert ("**Inside A × Agency X**: 4 exchanges between 3 pairs of reps, 2 calls (10 minutes), 1 email, 1 meeting; "
            "2 started by the internal side.") in markdown(at)
    history = figure(at, "Inside A and Agency X talked in 2 of 2 weeks")
    assert [numbers(bar["y"]) for bar in history["data"]] == [[0, 2], [1, 0], [0, 1]]  # call, email, meeting
    reps = next(frame.value for frame in at.dataframe if "initiated_by_internal" in frame.value.columns)
    assert [tuple(row) for row in reps[["internal_rep_name", "external_rep_name", "exchanges", "call_minutes"]]
            .itertuples(index=False)] == [("Ines Arno", "Xia Xeno", 2, 0), ("Ines Arno", "Xan Xu", 1, 10),
                                          ("Ivo Alder", "Xia Xeno", 1, 0)]


def test_a_silent_team_pair_says_so(page):
    """W09 and W10: Inside B talked with Agency X only (e11, e12): its Agency Y square holds 0."""
    at = page(start="2025-02-24", end="2025-03-10")
    at.toggle(key="comm_by_team").set_value(True).run()
    squares = figure(at, "Inside A and Agency X account for")["data"][0]
    assert list(zip(squares["y"], squares["x"], squares["text"])) == [
        ("Inside A", "Agency X", "4"), ("Inside A", "Agency Y", "1"), ("Inside B", "Agency X", "2"),
        ("Inside B", "Agency Y", "0")]
    click_square(at, "Inside B", "Agency Y")
    assert "**Inside B × Agency Y**: no cross-team exchange between these two teams in the period." in markdown(at)
    assert not any("talked in" in json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart"))


def test_team_pair_exchanges_by_week(db):
    history = run("team_pair_exchanges_by_week", db=db, internal_team="int-a", external_team="ext-x",
                  start=dt.datetime(2025, 2, 24), end=WEEK["end"])
    assert [(str(r.week_start)[:10], r.channel, r.exchanges) for r in history.itertuples()] == [
        ("2025-02-24", "call", 0), ("2025-02-24", "email", 1), ("2025-02-24", "meeting", 0),  # e08
        ("2025-03-03", "call", 2), ("2025-03-03", "email", 0), ("2025-03-03", "meeting", 1)]  # e01 e02, e09
    # the other agency, and the week before: e10 (ey1 -> ia2, Sunday 23 Feb) belongs to the week of 17 Feb
    agency_y = run("team_pair_exchanges_by_week", db=db, internal_team="int-a", external_team="ext-y",
                   start=dt.datetime(2025, 2, 17), end=dt.datetime(2025, 2, 24))
    assert agency_y.set_index("channel")["exchanges"].to_dict() == {"call": 1, "email": 0, "meeting": 0}


def test_rep_matrix_squares(db):
    """W10: rows Inside A's reps by volume (Ines Arno and Ivo Alder 2 each, by name), columns
    Agency X's (Xia Xeno 2, Xan Xu 1) then Agency Y's (Yul Yates); one square per pair who
    exchanged, which pair it is in customdata for the click, a line between the two agencies."""
    pairs = run("cross_team_exchanges_by_rep_pair", db=db, teams=[], **WEEK)
    figure, title, drawn = communication.pair_matrix(pairs, "all", by_team=False)
    squares = figure.data[0]
    assert (squares.type, squares.marker.symbol, squares.mode) == ("scatter", "square", "markers")
    assert list(figure.layout.yaxis.categoryarray) == ["Ines Arno", "Ivo Alder"]
    assert list(figure.layout.xaxis.categoryarray) == ["Xia Xeno", "Xan Xu", "Yul Yates"]
    # where each pair's ids stand among the sorted ids ia1 ia2 and ex1 ex2 ey1: 3 x internal + external
    assert squares.customdata.tolist() == [4, 3, 1, 2]
    assert list(squares.marker.color) == [1, 1, 1, 1] and squares.marker.cmin == 0
    assert [(shape.x0, shape.x1) for shape in figure.layout.shapes] == [(1.5, 1.5)]
    assert [(note.text, note.x) for note in figure.layout.annotations] == [("Agency X", 0.5), ("Agency Y", 2)]
    assert drawn.to_dict("list") == {"internal_rep_name": ["Ines Arno", "Ines Arno", "Ivo Alder", "Ivo Alder"],
                                     "external_rep_name": ["Xia Xeno", "Xan Xu", "Xia Xeno", "Yul Yates"],
                                     "exchanges": [1, 1, 1, 1]}
    # calls only: e01 and e02; every rep keeps a row or column (ordered by calls, then name),
    # the squares without a call go
    figure, title, drawn = communication.pair_matrix(pairs, "call", by_team=False)
    assert figure.data[0].customdata.tolist() == [3, 4]  # ia2 with ex1, ex2
    assert list(figure.layout.yaxis.categoryarray) == ["Ines Arno", "Ivo Alder"]
    assert list(figure.layout.xaxis.categoryarray) == ["Xan Xu", "Xia Xeno", "Yul Yates"]
    assert title == "Ines Arno and Xan Xu account for 1 of 2 cross-team calls"


def test_reps_sharing_a_name_keep_their_own_rows():
    pairs = pd.DataFrame({
        "internal_rep_id": ["i1", "i2"], "internal_rep_name": ["Sam Lee", "Sam Lee"],
        "internal_team_id": ["t", "t"], "internal_team_name": ["Team", "Team"],
        "external_rep_id": ["e1", "e1"], "external_rep_name": ["Ann Roe", "Ann Roe"],
        "external_team_id": ["a", "a"], "external_team_name": ["Agency", "Agency"],
        "exchanges": [2, 1], "calls": [2, 1], "emails": [0, 0], "meetings": [0, 0], "call_minutes": [1.0, 1.0],
        "initiated_by_internal": [1, 1], "initiated_by_external": [1, 0]})
    figure, _, _ = communication.pair_matrix(pairs, "all", by_team=False)
    assert list(figure.layout.yaxis.categoryarray) == ["Sam Lee (i1)", "Sam Lee (i2)"]


@pytest.mark.parametrize("event, by_team, cell", [
    (None, False, None),
    ({"selection": {"points": [], "point_indices": [], "box": [], "lasso": []}}, False, None),
    # W10: the internal reps ia1 ia2, the external ex1 ex2 ey1; the teams int-a, and ext-x ext-y
    ({"selection": {"points": [{"point_index": 1, "x": "Xan Xu", "y": "Ines Arno", "customdata": 3}]}}, False,
     ("ia2", "ex1")),
    ({"selection": {"points": [{"point_index": 1, "x": "Agency Y", "y": "Inside A", "customdata": 1}]}}, True,
     ("int-a", "ext-y")),
    ({"selection": {"points": [{"point_index": 1, "x": "?", "y": "?", "customdata": 6}]}}, False, None),  # no third rep
])
def test_selected_cell(db, event, by_team, cell):
    pairs = run("cross_team_exchanges_by_rep_pair", db=db, teams=[], **WEEK)
    assert communication.selected_cell(event, pairs, by_team) == cell


def weekly_frame(weeks: list[str], cross_calls: list[int], minutes: list[float] | None = None) -> pd.DataFrame:
    """An exchanges_by_week frame: cross-team calls as given, one within-team email a week."""
    rows = []
    for n, week in enumerate(weeks):
        for kind, channel, count in (("cross_team", "call", cross_calls[n]), ("cross_team", "email", 0),
                                     ("cross_team", "meeting", 0), ("within_team", "call", 0),
                                     ("within_team", "email", 1), ("within_team", "meeting", 0)):
            call_minutes = (minutes[n] if minutes else 0.0) if (kind, channel) == ("cross_team", "call") else 0.0
            rows.append((pd.Timestamp(week), kind, channel, count, call_minutes))
    return pd.DataFrame(rows, columns=["week_start", "exchange_kind", "channel", "exchanges", "call_minutes"])


# Wednesday 1 Jan 2025 to Monday 3 Mar: the week of 30 Dec is partial, then 8 complete weeks
NINE_WEEKS = [str(dt.date(2024, 12, 30) + dt.timedelta(weeks=n)) for n in range(9)]


@pytest.mark.parametrize("calls, trend", [
    # the partial first week (100) is left out; the 4 weeks before the last 4 hold 4 calls, under
    # the minimum base of 10: the counts, not "up 75%"
    ([100, 1, 2, 0, 1, 3, 2, 1, 1], "; in the last 4 weeks they rose to 7 from the previous 4 weeks' 4"),
    ([100, 5, 5, 5, 5, 6, 6, 6, 7], "; in the last 4 weeks they rose 25%"),  # 25 against 20
    ([100, 5, 5, 5, 5, 5, 5, 5, 5], "; in the last 4 weeks they held steady"),
])
def test_weekly_volume_trend_over_the_last_complete_weeks(calls, trend):
    exchanges = weekly_frame(NINE_WEEKS, calls)
    _, title, _ = communication.weekly_volumes(exchanges, "exchanges", dt.date(2025, 1, 1), dt.date(2025, 3, 3))
    assert title == f"{sum(calls)} cross-team exchanges in the period{trend}"


def test_no_trend_under_eight_complete_weeks():
    """A period ending on a Sunday has 7 complete weeks here (the last one ends after it)."""
    exchanges = weekly_frame(NINE_WEEKS, [100, 1, 2, 0, 1, 3, 2, 1, 1])
    _, title, _ = communication.weekly_volumes(exchanges, "exchanges", dt.date(2025, 1, 1), dt.date(2025, 3, 2))
    assert title == "111 cross-team exchanges in the period"


def test_call_minutes_are_whole_minutes():
    """Drawn, downloaded and told in whole minutes; the trend's base is the calls behind them
    (4 before, under the minimum base: the minutes themselves)."""
    exchanges = weekly_frame(NINE_WEEKS, [0, 1, 1, 1, 1, 1, 1, 1, 1], minutes=[0, 2.4, 2.4, 2.4, 2.4, 3.6, 3.6, 3.6, 3.6])
    figure, title, drawn = communication.weekly_volumes(exchanges, "call_minutes", dt.date(2025, 1, 1),
                                                        dt.date(2025, 3, 3))
    assert drawn["cross-team call minutes"].tolist() == [0, 2, 2, 2, 2, 4, 4, 4, 4]
    assert numbers(figure.data[0].y) == [0, 2, 2, 2, 2, 4, 4, 4, 4]
    assert title == "24 cross-team call minutes in the period; in the last 4 weeks they rose to 14 from the previous " \
                    "4 weeks' 10"  # 9.6 and 14.4 minutes, told rounded


@pytest.mark.parametrize("last_calls, last_touches, trend", [
    (30, 200, "; in the last 4 weeks it rose 50%"),  # 10.0 then 15.0 per 100 touches, over 20 exchanges
    (10, 400, "; in the last 4 weeks it fell 75%"),  # 2.5 per 100
])
def test_coordination_trend_and_axis_from_zero(last_calls, last_touches, trend):
    """8 complete weeks (Monday 6 Jan to Monday 3 Mar): 20 exchanges over 200 touches in the first 4."""
    weeks = NINE_WEEKS[1:]
    calls = [5, 5, 5, 5] + [last_calls // 4] * 3 + [last_calls - 3 * (last_calls // 4)]
    touches = pd.DataFrame([(pd.Timestamp(week), kind, 25 if n < 4 else last_touches // 8)
                            for n, week in enumerate(weeks) for kind in ("internal", "external")],
                           columns=["week_start", "kind", "touches"])
    figure, title, drawn = communication.coordination_ratio(weekly_frame(weeks, calls), touches, dt.date(2025, 1, 6),
                                                            dt.date(2025, 3, 3))
    overall = 100 * (20 + last_calls) / (200 + last_touches)
    assert title == f"{overall:.1f} cross-team exchanges per 100 customer touches{trend}"
    assert figure.layout.yaxis.rangemode == "tozero"
    assert drawn["exchanges_per_100_touches"].tolist()[:4] == [10.0] * 4


def test_silent_pairs_table_fits_and_names_no_ids(page):
    at = page(start="2025-03-03", end="2025-03-10")
    silent = at.dataframe[0].value
    assert list(silent.columns) == ["internal_rep_name", "internal_team_name", "external_rep_name",
                                    "external_team_name", "shared_accounts", "exchanges"]
    assert not silent.isna().any().any()


SMALL_PERIODS = {"1 day": ("2026-11-16", "2026-11-17"), "1 week": ("2026-11-16", "2026-11-23"),
                 "5 weeks": ("2026-10-19", "2026-11-23"), "2 years": ("2024-11-25", "2026-11-23")}


@pytest.mark.parametrize("length", list(SMALL_PERIODS))
def test_weekly_charts_read_well_at_any_period_length(small_db, monkeypatch, length):
    """On the small demo database: every weekly chart's axis spans the period's weeks (one
    week is one bar, not an axis of milliseconds), its ticks fall on Mondays, its bars have a
    week's width; a trend is told only over 8 complete weeks. The pair detail likewise."""
    start, end = SMALL_PERIODS[length]
    dashboard_on(small_db, monkeypatch)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["start"], at.query_params["end"] = start, end
    at.run()
    at.switch_page("pages/communication.py").run()
    assert not at.exception
    first, last = weekly.period_weeks(dt.date.fromisoformat(start), dt.date.fromisoformat(end))

    def check_weekly_charts(count: int) -> None:
        weekly = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        weekly = [spec for spec in weekly if spec["layout"]["xaxis"].get("type") == "date"]
        assert len(weekly) == count
        for spec in weekly:
            axis = spec["layout"]["xaxis"]
            weeks = (last - first).days // 7 + 1
            pad = pd.Timedelta(days=3.5) * (1 + max(0, 4 - weeks))  # at least 4 weeks wide
            assert [pd.Timestamp(bound) for bound in axis["range"]] == [pd.Timestamp(first) - pad,
                                                                         pd.Timestamp(last) + pad]
            ticks = [dt.date.fromisoformat(tick[:10]) for tick in axis["tickvals"]]
            assert ticks[0] == first and all(tick.weekday() == 0 for tick in ticks) and len(ticks) <= style.MAX_TICKS
            assert all(trace["width"] == style.WEEK_BAR_WIDTH_MS for trace in spec["data"] if trace["type"] == "bar")
            told = "in the last 4 weeks" in spec["layout"]["title"]["text"]
            assert told == (length == "2 years" and "talked in" not in spec["layout"]["title"]["text"])

    check_weekly_charts(2)  # volumes, coordination
    pairs = run("cross_team_exchanges_by_rep_pair", db=small_db, teams=[], start=dt.datetime.fromisoformat(start),
                end=dt.datetime.fromisoformat(end))
    busiest = pairs.sort_values(["exchanges", "internal_rep_id"], ascending=[False, True]).iloc[0]
    click_square(at, busiest["internal_rep_name"], busiest["external_rep_name"])
    check_weekly_charts(3)  # and the pair's weeks


def test_a_lone_week_shows_its_values():
    """One week: the ratio's point has its value written beside it (8 exchanges per 50 touches)."""
    touches = pd.DataFrame({"week_start": [pd.Timestamp("2025-03-03")] * 2, "kind": ["internal", "external"],
                            "touches": [30, 20]})
    figure, title, _ = communication.coordination_ratio(weekly_frame(["2025-03-03"], [8]), touches,
                                                        dt.date(2025, 3, 3), dt.date(2025, 3, 10))
    assert title == "16.0 cross-team exchanges per 100 customer touches"
    assert list(figure.data[0].text) == ["16.0"]


def test_many_reps_show_the_busiest():
    """60 internal reps (i00 exchanged 1 time with Ext 1, ... i59 60 times; each once with Ext 2):
    the busiest pairs are i59, i58, ... with Ext 1, so the 30 drawn internal reps are i30 to i59,
    busiest first; Ext 2 is drawn too (room on its side). The title tells of every pair."""
    pairs = pd.DataFrame([{
        "internal_rep_id": f"i{n:02d}", "internal_rep_name": f"Rep {n:02d}", "internal_team_id": "t",
        "internal_team_name": "Team", "external_rep_id": f"e{side}", "external_rep_name": f"Ext {side}",
        "external_team_id": "a", "external_team_name": "Agency", "exchanges": n + 1 if side == 1 else 1,
        "calls": 0, "emails": 0, "meetings": 0, "call_minutes": 0.0, "initiated_by_internal": 0,
        "initiated_by_external": 0} for n in range(60) for side in (1, 2)])
    figure, title, drawn = communication.pair_matrix(pairs, "all", by_team=False)
    rows = list(figure.layout.yaxis.categoryarray)
    assert rows == [f"Rep {n:02d}" for n in range(59, 29, -1)]
    assert list(figure.layout.xaxis.categoryarray) == ["Ext 1", "Ext 2"]  # 1,830 then 60 exchanges
    assert len(figure.data[0].x) == len(drawn) == 60
    assert title == "Rep 59 and Ext 1 account for 3% of 1,890 cross-team exchanges"  # 60 of 1,830 + 60
    assert (figure.layout.yaxis.title.text, figure.layout.xaxis.title.text) == ("Internal reps: 30 of 60",
                                                                                "External rep")
    assert "Drawn: the 30 × 2 busiest of 60 × 2 reps (internal × external)" in communication.matrix_note(
        pairs, "all", by_team=False)
    # i29 with Ext 1 (30 exchanges) is the busiest pair left out
    assert communication.matrix_reps(pairs, "all").busiest_left_out == 30


def three_by_three() -> pd.DataFrame:
    """Three internal reps (Ada and Ben of Team A, Cy of Team B) and three external ones (Xia
    and Yan of Agency X, Zoe of Agency Y); seven pairs, their exchanges by channel:

        Ada-Xia 9 calls                  Cy-Xia  2 calls, 5 emails     Ada-Yan 4 calls
        Ben-Yan 5 calls, 2 emails        Cy-Zoe  6 emails              Ada-Zoe 2 emails
        Ben-Xia 1 meeting
    """
    rows = [("i1", "Ada", "e1", "Xia", 9, 0, 0), ("i2", "Ben", "e2", "Yan", 5, 2, 0),
            ("i3", "Cy", "e1", "Xia", 2, 5, 0), ("i3", "Cy", "e3", "Zoe", 0, 6, 0),
            ("i1", "Ada", "e2", "Yan", 4, 0, 0), ("i1", "Ada", "e3", "Zoe", 0, 2, 0),
            ("i2", "Ben", "e1", "Xia", 0, 0, 1)]
    teams = {"i1": "Team A", "i2": "Team A", "i3": "Team B", "e1": "Agency X", "e2": "Agency X", "e3": "Agency Y"}
    return pd.DataFrame([{
        "internal_rep_id": i, "internal_rep_name": internal, "internal_team_id": teams[i][-1],
        "internal_team_name": teams[i], "external_rep_id": e, "external_rep_name": external,
        "external_team_id": teams[e][-1], "external_team_name": teams[e], "exchanges": calls + emails + meetings,
        "calls": calls, "emails": emails, "meetings": meetings, "call_minutes": float(calls),
        "initiated_by_internal": calls + emails + meetings, "initiated_by_external": 0}
        for i, internal, e, external, calls, emails, meetings in rows])


@pytest.mark.parametrize("channel, per_side, searched, internal, external, added, busiest_left_out", [
    # pairs by exchanges: Ada-Xia 9, Ben-Yan 7 (before Cy-Xia 7: Ben before Cy), Cy-Xia 7, Cy-Zoe 6, Ada-Yan 4, ...
    ("all", 1, (), ["i1"], ["e1"], [], 7),  # Ada-Xia; Ben-Yan and Cy-Xia (7) left out
    ("all", 2, (), ["i1", "i2"], ["e1", "e2"], [], 7),  # Ada-Xia, Ben-Yan; Cy-Xia (7) left out, not the rep totals'
    ("all", 3, (), ["i1", "i2", "i3"], ["e1", "e2", "e3"], [], None),  # everyone: nothing left out
    ("all", 30, (), ["i1", "i2", "i3"], ["e1", "e2", "e3"], [], None),
    ("all", 2, ("i3",), ["i1", "i2", "i3"], ["e1", "e2"], ["i3"], 6),  # Cy added: Cy-Xia drawn, Cy-Zoe (6) not
    ("all", 2, ("e3",), ["i1", "i2"], ["e1", "e2", "e3"], ["e3"], 7),  # Zoe added: Ada-Zoe drawn
    ("all", 2, ("i1", "e3"), ["i1", "i2"], ["e1", "e2", "e3"], ["e3"], 7),  # Ada is drawn anyway
    ("all", 2, ("nobody",), ["i1", "i2"], ["e1", "e2"], [], 7),  # an id of no pair: ignored
    # emails: Cy-Zoe 6, Cy-Xia 5, Ada-Zoe 2 (before Ben-Yan 2: Ada before Ben); Xia fills the external side
    ("email", 2, (), ["i3", "i1"], ["e3", "e1"], [], 2),
])
def test_the_matrix_draws_the_reps_of_the_busiest_pairs(channel, per_side, searched, internal, external, added,
                                                         busiest_left_out):
    reps = communication.matrix_reps(three_by_three(), channel, per_side, searched)
    assert (list(reps.internal), list(reps.external), list(reps.added), reps.busiest_left_out) == (
        internal, external, added, busiest_left_out)
    assert (reps.internal_all, reps.external_all) == (3, 3)


def test_a_cut_matrix():
    """Two reps a side: Ada (15 exchanges in all) above Ben (8); Xia (17) before Yan (11); the
    four squares of their pairs, each with its pair's place among all the ids (i1 i2 i3 x e1 e2 e3)."""
    figure, title, drawn = communication.pair_matrix(three_by_three(), "all", by_team=False, per_side=2)
    squares = figure.data[0]
    assert list(figure.layout.yaxis.categoryarray) == ["Ada", "Ben"]
    assert list(figure.layout.xaxis.categoryarray) == ["Xia", "Yan"]
    assert list(zip(squares.y, squares.x, squares.marker.color, squares.customdata.tolist())) == [
        ("Ada", "Xia", 9, 0), ("Ada", "Yan", 4, 1), ("Ben", "Xia", 1, 3), ("Ben", "Yan", 7, 4)]
    assert (figure.layout.yaxis.title.text, figure.layout.xaxis.title.text) == ("Internal reps: 2 of 3",
                                                                                "External reps: 2 of 3")
    assert figure.layout.yaxis.ticktext is None  # no rep searched: no name in bold
    assert title == "Ada and Xia account for 25% of 36 cross-team exchanges"  # 9 of all 36, drawn or not
    assert drawn.to_dict("list") == {"internal_rep_name": ["Ada", "Ada", "Ben", "Ben"],
                                     "external_rep_name": ["Xia", "Yan", "Xia", "Yan"], "exchanges": [9, 4, 1, 7]}
    # emails: Cy (11 emails) and Ada (2) by team, Team A first; Xia (5) then Zoe (8) by agency
    figure, title, _ = communication.pair_matrix(three_by_three(), "email", by_team=False, per_side=2)
    assert list(figure.layout.yaxis.categoryarray) == ["Ada", "Cy"]
    assert list(figure.layout.xaxis.categoryarray) == ["Xia", "Zoe"]
    assert list(zip(figure.data[0].y, figure.data[0].x, figure.data[0].marker.color)) == [
        ("Ada", "Zoe", 2), ("Cy", "Xia", 5), ("Cy", "Zoe", 6)]  # Ada-Xia: no email, blank
    assert title == "Cy and Zoe account for 40% of 15 cross-team emails"  # 2 + 5 + 6 + 2 emails


def test_a_searched_rep_is_drawn_in_bold():
    figure, _, _ = communication.pair_matrix(three_by_three(), "all", by_team=False, per_side=2, searched=("i3",))
    assert list(figure.layout.yaxis.categoryarray) == ["Ada", "Ben", "Cy"]  # Cy's team after Ada and Ben's
    assert list(figure.layout.yaxis.ticktext) == ["Ada", "Ben", "<b>Cy</b>"]
    assert figure.layout.yaxis.title.text == "Internal rep"  # all three drawn
    assert list(zip(figure.data[0].y, figure.data[0].x)) == [("Ada", "Xia"), ("Ada", "Yan"), ("Ben", "Xia"),
                                                              ("Ben", "Yan"), ("Cy", "Xia")]
    assert [shape.y0 for shape in figure.layout.shapes] == [1.5]  # the line between Team A and Team B


RULES = ("Rows: internal reps by team ({teams}), then by their exchanges with every external rep, most first; "
         "columns: external reps by agency (named above), likewise. Lines separate the teams; pairs with no "
         "exchanges are blank.")
CUT = (" Drawn: the 2 × 2 busiest of 3 × 3 reps (internal × external), those of the busiest pairs: pairs are taken "
       "from the most exchanges down (ties by name) while their two reps fit in 2 a side. Every pair with more than "
       "{left_out} exchanges is drawn; the \"Full matrix (CSV)\" download holds every pair.")


@pytest.mark.parametrize("per_side, searched, note", [
    (3, (), RULES.format(teams="Team A, then Team B")),  # every rep drawn: no word of a cut
    (2, (), RULES.format(teams="Team A") + CUT.format(left_out=7)),
    (2, ("i1",), RULES.format(teams="Team A") + CUT.format(left_out=7) + " Names in bold: the reps you searched for."),
    # Cy's 13 exchanges: 7 with Xia (drawn), 6 with Zoe (not)
    (2, ("i3",), RULES.format(teams="Team A, then Team B") + CUT.format(left_out=6)
     + " Names in bold: the reps you searched for. Cy is not among the busiest, drawn because you searched for "
       "this rep: 7 of their 13 exchanges are with drawn reps."),
])
def test_the_matrix_caption_says_what_is_drawn(per_side, searched, note):
    assert communication.matrix_note(three_by_three(), "all", False, per_side, searched) == note


def test_the_busiest_pair_left_out_in_words():
    """One rep a side with every other pair at 1 exchange: "more than 1 exchange". Calls, two a
    side, with Cy's call to Xia taken away: every pair left out has no call."""
    pairs = three_by_three().assign(exchanges=[9, 1, 1, 1, 1, 1, 1])
    assert "Every pair with more than 1 exchange is drawn;" in communication.matrix_note(pairs, "all", False, 1)
    pairs = three_by_three()
    pairs.loc[pairs["internal_rep_id"] == "i3", "calls"] = 0
    assert "Every pair with calls is drawn;" in communication.matrix_note(pairs, "call", False, 2)


@pytest.mark.parametrize("searched, internal, external, cell", [
    ((), "Ben", "Yan", ("i2", "e2")),
    ((), "Ada", "Yan", ("i1", "e2")),
    (("i3",), "Cy", "Xia", ("i3", "e1")),  # a searched rep's square
    (("e3",), "Ada", "Zoe", ("i1", "e3")),
])
def test_a_click_in_the_cut_matrix_opens_its_pair(searched, internal, external, cell):
    """The square's customdata, as the browser sends it back, names the pair that was clicked."""
    pairs = three_by_three()
    figure, _, _ = communication.pair_matrix(pairs, "all", by_team=False, per_side=2, searched=searched)
    index = list(zip(figure.data[0].y, figure.data[0].x)).index((internal, external))
    event = {"selection": {"points": [{"point_index": index, "x": external, "y": internal,
                                       "customdata": int(figure.data[0].customdata[index])}]}}
    assert communication.selected_cell(event, pairs, by_team=False) == cell


def test_rep_choices():
    assert communication.rep_choices(three_by_three()) == {
        "i1": "Ada · Team A", "i2": "Ben · Team A", "i3": "Cy · Team B", "e1": "Xia · Agency X",
        "e2": "Yan · Agency X", "e3": "Zoe · Agency Y"}


def test_page_cuts_the_matrix_and_finds_a_rep(page, db, monkeypatch):
    """W10 with one rep a side (sizes made small for the fixture): the four pairs have 1 exchange
    each, so by name Ines Arno and Xan Xu are drawn; searching Xia Xeno adds her column and her
    square with Ines Arno (e02). Two downloads: the drawn matrix and every pair."""
    monkeypatch.setattr(communication, "MATRIX_SIZES", (1, 2))
    monkeypatch.setattr(communication, "MATRIX_SIZE", 1)
    at = page(start="2025-03-03", end="2025-03-10")
    spec = figure(at, "Ines Arno and Xan Xu account for 1 of 4 cross-team exchanges")
    assert (spec["layout"]["yaxis"]["categoryarray"], spec["layout"]["xaxis"]["categoryarray"]) == (
        ["Ines Arno"], ["Xan Xu"])
    assert any(c.value.startswith(communication.matrix_note(run("cross_team_exchanges_by_rep_pair", db=db, teams=[],
                                                                **WEEK), "all", False, 1))
               and " Drawn: the 1 × 1 busiest of 2 × 3 reps (internal × external), " in c.value
               and "Every pair with more than 1 exchange is drawn;" in c.value for c in at.caption)
    search = at.multiselect(key="comm_rep_search")
    assert search.options == ["Ines Arno · Inside A", "Ivo Alder · Inside A", "Xan Xu · Agency X",
                              "Xia Xeno · Agency X", "Yul Yates · Agency Y"]
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels[2:4] == ["Download CSV", "Full matrix (CSV)"]  # after the two weekly charts'

    search.set_value(["ex2"]).run()
    assert not at.exception
    spec = figure(at, "Ines Arno and Xan Xu account for")
    assert spec["layout"]["xaxis"]["categoryarray"] == ["Xia Xeno", "Xan Xu"]  # Xia Xeno's 2 exchanges first
    assert spec["layout"]["xaxis"]["ticktext"] == ["<b>Xia Xeno</b>", "Xan Xu"]
    assert list(zip(spec["data"][0]["y"], spec["data"][0]["x"])) == [("Ines Arno", "Xia Xeno"),
                                                                     ("Ines Arno", "Xan Xu")]
    assert any("Xia Xeno is not among the busiest, drawn because you searched for this rep: 1 of their "
               "2 exchanges are with drawn reps." in c.value for c in at.caption)
    click_square(at, "Ines Arno", "Xia Xeno")
    assert any(m.startswith("**Ines Arno (Inside A) × Xia Xeno (Agency X)**: 1 exchange") for m in markdown(at))


@pytest.mark.parametrize("internal, external, title", [
    (3, 1, "Internal reps start 3 of 4 cross-team conversations"),  # under 10: the counts
    (9, 3, "Internal reps start 75% of cross-team conversations"),
])
def test_initiator_share_in_words(internal, external, title):
    pairs = pd.DataFrame({"internal_team_name": ["Team"], "external_team_name": ["Agency"],
                          "initiated_by_internal": [internal], "initiated_by_external": [external]})
    assert communication.initiator_shares(pairs)[1] == title


def test_small_counts_get_whole_number_ticks():
    """One day with 2 cross-team calls: the y axis counts 0, 1, 2 (no 0.5); 40 a week: Plotly's own ticks."""
    for calls, dtick in ((2, 1), (40, None)):
        figure, _, _ = communication.weekly_volumes(weekly_frame(["2025-03-03"], [calls]), "exchanges",
                                                    dt.date(2025, 3, 3), dt.date(2025, 3, 4))
        assert (figure.layout.yaxis.dtick, figure.layout.yaxis.rangemode) == (dtick, "tozero")
