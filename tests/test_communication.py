"""The Communication page: its queries on the hand-built fixture, and the page in AppTest."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tandem.importer import import_folder
from tandem.queries import run
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
        "Ines Arno and Xan Xu account for 25% of 4 cross-team exchanges",
        "Internal reps start 50% of cross-team conversations",  # e01 e03 internal; e02 e09 external
    ]
    silent = at.dataframe[0].value
    assert list(silent["internal_rep_name"]) == ["Ida Berg", "Ida Berg"]
    assert list(silent["external_rep_name"]) == ["Xan Xu", "Xia Xeno"]


def test_page_with_filters_and_presentation_mode(page):
    at = page(start="2025-03-03", end="2025-03-10", team="ext-y", presentation="1")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles[0] == "1 cross-team exchanges in the period"  # e03 ia1 -> ey1
    assert titles[2].endswith("account for 100% of 1 cross-team exchanges")
    assert "Ivo" not in titles[2] and "Internal rep 1" in titles[2]


def test_page_at_team_level(page, db):
    """The "Team × team" toggle aggregates the matrix to internal teams × agencies (it
    used to fail: the team column was grouped by twice)."""
    at = page(start="2025-03-03", end="2025-03-10")
    at.toggle(key="comm_by_team").set_value(True).run()
    assert not at.exception
    pairs = run("cross_team_exchanges_by_rep_pair", db=db, teams=[], **WEEK)
    by_team = pairs.groupby(["internal_team_name", "external_team_name"])["exchanges"].sum()
    spec = figure(at, by_team.idxmax()[0])  # the busiest team pair leads the title
    heatmap = spec["data"][0]
    assert heatmap["y"] == sorted(pairs["internal_team_name"].unique())
    assert heatmap["x"] == sorted(pairs["external_team_name"].unique())
    z = heatmap["z"]  # plotly sends numeric arrays as typed base64 buffers
    z = np.frombuffer(base64.b64decode(z["bdata"]), z["dtype"]).reshape([int(n) for n in z["shape"].split(",")])
    cells = {(y, x): int(n) for y, row in zip(heatmap["y"], z) for x, n in zip(heatmap["x"], row)}
    assert cells == {pair: int(by_team.get(pair, 0)) for pair in cells}
    assert sum(cells.values()) == 4  # the week's cross-team exchanges
    assert spec["layout"]["xaxis"]["title"]["text"] == "External team"
