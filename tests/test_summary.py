"""The metrics of docs/definitions.md on the hand-built fixture `tests/fixtures/summary`.

Every expected number below was worked out by hand from the CSV files, for the week
2025-W10 = [2025-03-03 00:00, 2025-03-10 00:00), lookback 30 days, overlap 7 days.
The reasoning sits next to each figure.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tandem.cli.summary import compute_summary
from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tests.stats import wilson

FIXTURE = Path(__file__).parent / "fixtures" / "summary"
START, END = dt.datetime(2025, 3, 3), dt.datetime(2025, 3, 10)
@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("summary") / "summary.duckdb"
    report = import_folder(FIXTURE, path)
    assert report.ok, report.error_text()
    return path


@pytest.fixture(scope="module")
def db_without_scope_rules(tmp_path_factory) -> Path:
    folder = Path(shutil.copytree(FIXTURE, tmp_path_factory.mktemp("noscope") / "csv"))
    (folder / "scope_rules.csv").unlink()
    path = folder.parent / "noscope.duckdb"
    assert import_folder(folder, path).ok
    return path


def team(team_id, name, kind, created, won, lost, won_amount, median_cycle_days):
    closed = won + lost
    low, high = wilson(won, closed) if closed else (None, None)
    return {"team_id": team_id, "name": name, "kind": kind, "created": created, "won": won, "lost": lost,
            "won_amount": won_amount, "win_rate": won / closed if closed else None, "win_rate_low": low,
            "win_rate_high": high, "median_cycle_days": median_cycle_days}


EXPECTED_OWNER = {
    "period": {"start": "2025-03-03T00:00:00", "end": "2025-03-10T00:00:00"},
    "params": {"lookback_days": 30, "overlap_days": 7, "attribution": "owner"},
    "filters": {"teams": [], "regions": [], "segments": []},
    "notes": [],  # the fixture has activities, deals and claims
    # cross-kind: e01 call 600 s + e02 call (no duration: 0) = 2 calls, 10.0 minutes; e03 email;
    # e09 meeting. e07 is at end (does not exist), e08/e10/e11/e12 are before start.
    "cross_team": {"calls": 2, "emails": 1, "meetings": 1, "call_minutes": 10.0},
    # e05 int-a with int-b and e06 ext-x with ext-y count as within-team; e04 meeting.
    "within_team": {"calls": 2, "emails": 0, "meetings": 1},
    # in the period: internal t07 t10 t13; external t02 t04 t06 t08 t11 t12 t14 (t15 at end)
    "customer_touches": {"internal": 3, "external": 7},
    # active: d1 d2 d3 d5 (closed at end = open) d7 d8 (closed at start); not d4 (created
    # at end) nor d6 (closed before start). created: d2, d7 (at start). won: d1, d8 (at
    # start); d5 closed at end is open. lost: d2.
    "deals": {"active": 6, "created": 2, "won": 2, "lost": 1, "won_amount": 160000.0},
    # d1: claims by ex1 and ia1; ex1 (ext-x: smb only) touched enterprise acc1 (t01, t04).
    # d2: ia1 (int-a: qualified..won) touched external-owned d2 while at lead (t07).
    # d3: ia2 t05 and ey1 t06 6 days 23:59:59 apart; their only exchange e10 is one second
    # before [t05 - 7 d, t06 + 7 d]. d5's internal claim is at end; d6 is contested but
    # not active; d7's pairs are coordinated (e12, and e11 exactly on the window start).
    "contested": {"count": 3, "amount": 170000.0, "rate": 0.5,
                  "by_signal": {"double_claim": 1, "out_of_scope": 2, "uncoordinated_overlap": 1},
                  "deal_ids": ["d1", "d2", "d3"]},
    # owner teams: int-a owns d1 d3 d7 d8; ext-x d2; ext-y d5 (open as of end); int-b d6
    # (closed before start). Cycles: d1 23 d 3 h = 23.125 d, d8 10 d 12 h = 10.5 d,
    # median of two = 16.8125.
    "teams": [
        team("ext-x", "Agency X", "external", 1, 0, 1, 0.0, None),
        team("ext-y", "Agency Y", "external", 0, 0, 0, 0.0, None),
        team("int-a", "Inside A", "internal", 1, 2, 0, 160000.0, 16.8125),
        team("int-b", "Inside B", "internal", 0, 0, 0, 0.0, None),
    ],
}

# source teams: ext-x sourced d1 (won) d2 (lost, created) d6 d7 (created); ext-y d3 d8
# (won, 10.5 d); int-a d5 (open as of end); int-b nothing.
EXPECTED_SOURCE_TEAMS = [
    team("ext-x", "Agency X", "external", 2, 1, 1, 100000.0, 23.125),
    team("ext-y", "Agency Y", "external", 0, 1, 0, 60000.0, 10.5),
    team("int-a", "Inside A", "internal", 0, 0, 0, 0.0, None),
    team("int-b", "Inside B", "internal", 0, 0, 0, 0.0, None),
]


def assert_same(actual, expected):
    """Exact equality, floats to the last few bits (the Wilson bounds are computed two ways)."""
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys()
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-12)
    else:
        assert actual == expected and type(actual) is type(expected)


def test_wilson_reference_values():
    """The independent formula agrees with published Wilson intervals."""
    assert wilson(1, 2) == pytest.approx((0.0945312, 0.9054688), abs=1e-7)
    assert wilson(2, 2) == pytest.approx((0.3423802, 1.0), abs=1e-7)
    assert wilson(0, 1) == pytest.approx((0.0, 0.7934507), abs=1e-7)
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)


def test_summary_owner_attribution(db):
    assert_same(compute_summary(START, END, db=db), EXPECTED_OWNER)


def test_summary_source_attribution_changes_only_the_team_figures(db):
    expected = dict(EXPECTED_OWNER, params={**EXPECTED_OWNER["params"], "attribution": "source"},
                    teams=EXPECTED_SOURCE_TEAMS)
    assert_same(compute_summary(START, END, attribution="source", db=db), expected)


def test_without_scope_rules_out_of_scope_is_off(db_without_scope_rules):
    summary = compute_summary(START, END, db=db_without_scope_rules)
    # d2 was contested only by out_of_scope; d1 keeps its double claim
    assert summary["contested"] == {"count": 2, "amount": 150000.0, "rate": 2 / 6,
                                    "by_signal": {"double_claim": 1, "out_of_scope": 0, "uncoordinated_overlap": 1},
                                    "deal_ids": ["d1", "d3"]}


@pytest.mark.parametrize("overlap_days, expected_ids, overlaps", [
    (7, ["d1", "d2", "d3"], 1),
    # 8 days: t03/t04 (exactly 7 days apart) overlap and ia1 and ex1 never talk (e07 is
    # at end): d1 gains the signal; d3's window now starts 2025-02-22 10:00 and holds e10
    (8, ["d1", "d2"], 1),
    # 6 days: t05/t06 (6 d 23:59:59) no longer overlap, so d3 is not contested; d7's
    # window for t10/t11 now starts 2025-02-28 10:00, after e11: d7 becomes contested
    (6, ["d1", "d2", "d7"], 1),
    # 3 days: d3 not contested (its touches are almost 7 days apart), d7 as at 6 days
    (3, ["d1", "d2", "d7"], 1),
])
def test_overlap_days_changes_the_set_as_defined(db, overlap_days, expected_ids, overlaps):
    contested = compute_summary(START, END, overlap_days=overlap_days, db=db)["contested"]
    assert contested["deal_ids"] == expected_ids
    assert contested["by_signal"]["uncoordinated_overlap"] == overlaps


def test_lookback_days_moves_the_window_start(db):
    """t01 is exactly at d1's window start (created - 30 days): it belongs to d1 at 30
    days, not at 29. t02 is exactly at d1's close: it never belongs to d1."""
    def d1_touches(lookback):
        touches = run("deal_touches", db=db, end=END, lookback_days=lookback, deal_ids=["d1"])
        return touches["activity_id"].tolist()

    assert d1_touches(30) == ["t01", "t03", "t04"]
    assert d1_touches(29) == ["t03", "t04"]


def test_touch_belonging(db):
    touches = run("deal_touches", db=db, end=END, lookback_days=30, deal_ids=[])
    belongs = touches.groupby("activity_id")["deal_id"].apply(sorted).to_dict()
    assert belongs == {
        "t01": ["d1", "d6"],  # no deal_id: acc1's windows of d1 (start, inclusive) and d6
        "t03": ["d1"], "t04": ["d1"], "t05": ["d3"], "t06": ["d3"], "t07": ["d2"],
        "t08": ["d7"], "t10": ["d7"], "t11": ["d7"],
        "t12": ["d2", "d3"],  # no deal_id: in the windows of both acc2 deals open then
        "t13": ["d5"],
        # t02: exactly at d1's close, d6 closed: belongs to none; t14: its deal d4 is
        # created at end, so it does not exist; t15: at end
    }


def test_contest_evidence_rows(db):
    evidence = run("contest_evidence", db=db, end=END, lookback_days=30, overlap_days=7, deal_ids=["d1", "d2", "d3"])
    rows = [(r.deal_id, r.signal, r.rep_id, r.activity_id, str(r.evidence_at), r.other_rep_id, r.other_activity_id,
             None if r.other_evidence_at is None or str(r.other_evidence_at) == "NaT" else str(r.other_evidence_at),
             r.detail)
            for r in evidence.astype(object).where(evidence.notna(), None).itertuples()]
    assert rows == [
        ("d1", "double_claim", "ex1", None, "2025-02-11 09:00:00", None, None, None, "registration"),
        ("d1", "double_claim", "ia1", None, "2025-03-05 13:00:00", None, None, None, "credit"),
        ("d1", "out_of_scope", "ex1", "t01", "2025-01-11 09:00:00", None, None, None, "lead"),
        ("d1", "out_of_scope", "ex1", "t04", "2025-03-05 10:00:00", None, None, None, "proposal"),
        # d2 has no stage change before t07: its stage then is lead, outside int-a's rule
        ("d2", "out_of_scope", "ia1", "t07", "2025-03-05 09:00:00", None, None, None, "lead"),
        ("d3", "uncoordinated_overlap", "ia2", "t05", "2025-03-02 10:00:00", "ey1", "t06", "2025-03-09 09:59:59", None),
    ]


def test_d7_at_lead_is_in_scope_and_its_boundary_exchange_coordinates(db):
    """t08 (ex1) on d7 before its first change: stage lead, inside ext-x's smb lead..qualified
    rule (d7's current stage, proposal, would be outside it). e11 sits exactly on the start
    of the coordination window of t10/t11, which is inclusive."""
    evidence = run("contest_evidence", db=db, end=END, lookback_days=30, overlap_days=7, deal_ids=["d7"])
    assert evidence.empty


# Filters: (attribution, teams, regions, segments) -> deal figures, worked by hand.
FILTER_CASES = [
    # int-a owns d1 d3 d7 d8: all active; created d7; won d1 d8; contested d1 d3
    ("owner", ["int-a"], [], [], dict(active=4, created=1, won=2, lost=0, won_amount=160000.0, contested=2,
                                       contested_amount=150000.0, contested_rate=0.5)),
    # source ext-x: d1 d2 d6 d7 -> active d1 d2 d7; created d2 d7; won d1; lost d2; contested d1 d2
    ("source", ["ext-x"], [], [], dict(active=3, created=2, won=1, lost=1, won_amount=100000.0, contested=2,
                                        contested_amount=120000.0, contested_rate=2 / 3)),
    # South is acc2: d2 d3 d8
    ("owner", [], ["South"], [], dict(active=3, created=1, won=1, lost=1, won_amount=60000.0, contested=2,
                                       contested_amount=70000.0, contested_rate=2 / 3)),
    # enterprise is acc1: d1 (active) and d6 (closed before start)
    ("owner", [], [], ["enterprise"], dict(active=1, created=0, won=1, lost=0, won_amount=100000.0, contested=1,
                                            contested_amount=100000.0, contested_rate=1.0)),
    # North and smb is acc3: d5 d7 active, neither contested; d4 does not exist
    ("owner", [], ["North"], ["smb"], dict(active=2, created=1, won=0, lost=0, won_amount=0.0, contested=0,
                                            contested_amount=0.0, contested_rate=0.0)),
    # int-b owns only d6, not active: no active deal, so no rate
    ("owner", ["int-b"], [], [], dict(active=0, created=0, won=0, lost=0, won_amount=0.0, contested=0,
                                       contested_amount=0.0, contested_rate=None)),
]


@pytest.mark.parametrize("attribution, teams, regions, segments, expected", FILTER_CASES)
def test_deal_filters(db, attribution, teams, regions, segments, expected):
    totals = run("deal_totals", db=db, starts=[START], ends=[END], lookback_days=30, overlap_days=7, signals=[],
                 attribution=attribution, teams=teams, regions=regions, segments=segments).iloc[0].to_dict()
    actual = {key: totals[key] for key in expected}
    if expected["contested_rate"] is None:
        assert math.isnan(actual.pop("contested_rate"))
        expected = {k: v for k, v in expected.items() if k != "contested_rate"}
    assert actual == pytest.approx(expected)


@pytest.mark.parametrize("regions, segments, expected", [
    (["North"], [], {"internal": 2, "external": 5}),  # c1 c3: t10 t13 / t02 t04 t08 t11 t14
    (["South"], [], {"internal": 1, "external": 2}),  # c2: t07 / t06 t12
    ([], ["enterprise"], {"internal": 0, "external": 2}),  # c1: t02 t04
])
def test_customer_touch_filters(db, regions, segments, expected):
    touches = run("customer_touches_by_kind", db=db, start=START, end=END, teams=[], regions=regions,
                  segments=segments)
    assert touches.groupby("kind")["touches"].sum().to_dict() == expected


def test_exchange_team_filter_keeps_either_side(db):
    exchanges = run("exchanges_by_channel", db=db, start=START, end=END, teams=["ext-y"])
    counts = {(r.exchange_kind, r.channel): r.exchanges for r in exchanges.itertuples() if r.exchanges}
    assert counts == {("cross_team", "email"): 1, ("within_team", "call"): 1}  # e03 ia1->ey1, e06 ex1->ey1


def test_rep_pairs_and_initiators(db):
    pairs = run("cross_team_exchanges_by_rep_pair", db=db, start=START, end=END, teams=[])
    assert [(r.internal_rep_id, r.external_rep_id, r.calls, r.emails, r.meetings, r.call_minutes,
             r.initiated_by_internal, r.initiated_by_external) for r in pairs.itertuples()] == [
        ("ia1", "ex2", 0, 0, 1, 0.0, 0, 1),  # e09 ex2 -> ia1
        ("ia1", "ey1", 0, 1, 0, 0.0, 1, 0),  # e03
        ("ia2", "ex1", 1, 0, 0, 10.0, 1, 0),  # e01
        ("ia2", "ex2", 1, 0, 0, 0.0, 0, 1),  # e02
    ]


def test_cross_team_exchanges_by_week(db):
    weekly = run("exchanges_by_week", db=db, start=dt.datetime(2025, 2, 24), end=END, teams=[])
    weekly = weekly[weekly["exchange_kind"] == "cross_team"]
    # week of 24 Feb: e11 call (e10 is on Sunday 23 Feb, the week before), e12 and e08 emails
    assert [(str(r.week_start.date() if hasattr(r.week_start, "date") else r.week_start), r.channel, r.exchanges)
            for r in weekly.itertuples()] == [
        ("2025-02-24", "call", 1), ("2025-02-24", "email", 2), ("2025-02-24", "meeting", 0),
        ("2025-03-03", "call", 2), ("2025-03-03", "email", 1), ("2025-03-03", "meeting", 1),
    ]


def test_stage_funnel(db):
    funnel = run("stage_funnel_by_team", db=db, start=START, end=END, attribution="owner", teams=[], regions=[],
                 segments=[])
    rows = [(r.team_id, r.stage, r.reached, None if math.isnan(r.conversion_to_next) else r.conversion_to_next)
            for r in funnel.itertuples()]
    # cohort: d2 (ext-x, only a change to lost: reaches lead only) and d7 (int-a, up to proposal)
    assert rows == [
        ("ext-x", "lead", 1, 0.0), ("ext-x", "qualified", 0, None), ("ext-x", "proposal", 0, None),
        ("ext-x", "negotiation", 0, None), ("ext-x", "won", 0, None),
        ("int-a", "lead", 1, 1.0), ("int-a", "qualified", 1, 1.0), ("int-a", "proposal", 1, 0.0),
        ("int-a", "negotiation", 0, None), ("int-a", "won", 0, None),
    ]


def tandem(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tandem", *args], capture_output=True, text=True)


def test_cli_json_prints_the_hand_worked_figures(db):
    by_week = tandem("summary", "--db", str(db), "--week", "2025-W10", "--json")
    by_dates = tandem("summary", "--db", str(db), "--start", "2025-03-03", "--end", "2025-03-10", "--json")
    assert by_week.returncode == 0, by_week.stderr
    assert by_week.stdout == by_dates.stdout
    assert_same(json.loads(by_week.stdout), EXPECTED_OWNER)
    text = tandem("summary", "--db", str(db), "--week", "2025-W10")
    assert "Contested  3 of the active deals (50.0%), value at stake 170,000.00" in text.stdout


@pytest.mark.parametrize("args, message", [
    (["--week", "2025-W54"], 'error: "2025-W54" is not an ISO week (expected YYYY-Www, e.g. 2026-W47)'),
    (["--start", "2025-03-10", "--end", "2025-03-03"], "error: --end 2025-03-03 must be after --start 2025-03-10"),
    (["--week", "2025-W10", "--lookback-days", "-1"], "error: --lookback-days must be 0 or more, not -1"),
    (["--start", "2025-03-03"], "error: --start needs --end (the day after the period)"),
    (["--start", "2025-02-30", "--end", "2025-03-03"],
     'error: argument --start: "2025-02-30" is not a date (expected YYYY-MM-DD) (see `python -m tandem summary --help`)'),
])
def test_cli_bad_arguments_give_one_line_and_status_2(db, args, message):
    result = tandem("summary", "--db", str(db), *args)
    assert result.returncode == 2
    assert result.stderr.strip() == message
