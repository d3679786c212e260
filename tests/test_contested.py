"""The Contested deals page: its queries on the hand-built fixture (tests/fixtures/summary,
whose week 2025-W10 is worked out in tests/test_summary.py), its builders, and the page
in AppTest with the default and other rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tandem.figures import contested, downloads
from tandem.model import contest
from tandem.model.filters import ContestRules, Filters, rules_from_url
from tests.apptest import dashboard_on, open_page_on_week

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "summary"
WEEK = dict(start=dt.datetime(2025, 3, 3), end=dt.datetime(2025, 3, 10))
DEALS = dict(attribution="owner", teams=[], regions=[], segments=[])
RULE = dict(lookback_days=30, overlap_days=7)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("contested") / "summary.duckdb"
    assert import_folder(FIXTURE, path).ok
    return path


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame[list(columns)].itertuples(index=False)]


# --- queries ------------------------------------------------------------------------------

def test_contested_deals_list(db):
    deals = run("contested_deals", db=db, signals=[], **RULE, **DEALS, **WEEK)
    assert rows(deals, "deal_id", "double_claim", "out_of_scope", "uncoordinated_overlap", "stage", "status",
                "team_name", "source_rep_name") == [
        ("d1", True, True, False, "won", "won", "Inside A", "Xan Xu"),
        ("d2", False, True, False, "lost", "lost", "Agency X", "Xia Xeno"),
        # d3's only change is to qualified on 6 Mar
        ("d3", False, False, True, "qualified", "open", "Inside A", "Yul Yates"),
    ]
    # the owner's team and the teams of the reps in the evidence: d1 ex1 (claim, t01, t04)
    # and ia1 (claim); d2 ia1 (t07) with owner ex2; d3 the pair ia2 / ey1
    assert deals["teams_involved"].tolist() == ["Agency X, Inside A", "Agency X, Inside A", "Agency Y, Inside A"]
    # d1: t01 on 11 Jan to ia1's credit claim on 5 Mar 13:00; d3: t05 to t06
    assert [(str(a), str(b)) for a, b in zip(deals["first_evidence_at"], deals["last_evidence_at"])] == [
        ("2025-01-11 09:00:00", "2025-03-05 13:00:00"), ("2025-03-05 09:00:00", "2025-03-05 09:00:00"),
        ("2025-03-02 10:00:00", "2025-03-09 09:59:59")]


@pytest.mark.parametrize("signals, overlap_days, ids, amount, first_evidence", [
    ([], 7, ["d1", "d2", "d3"], 170000.0, "2025-01-11 09:00:00"),
    # only out of scope: d1 (t01, t04) and d2 (t07)
    (["out_of_scope"], 7, ["d1", "d2"], 120000.0, "2025-01-11 09:00:00"),
    # only the claims: d1, whose evidence now starts with ex1's registration
    (["double_claim"], 7, ["d1"], 100000.0, "2025-02-11 09:00:00"),
    # overlap at 7 days: d3 (t05 / t06 are 6 d 23:59:59 apart)
    (["uncoordinated_overlap"], 7, ["d3"], 50000.0, "2025-03-02 10:00:00"),
    # at 3 days d3's touches are too far apart, and d7's pair t10 (ib1) / t11 (ex2) has a
    # coordination window starting 3 Mar 10:00, after e11 (27 Feb): d7 becomes contested
    (["uncoordinated_overlap"], 3, ["d7"], 5000.0, "2025-03-06 10:00:00"),
])
def test_signal_choice_and_overlap_change_the_set(db, signals, overlap_days, ids, amount, first_evidence):
    deals = run("contested_deals", db=db, signals=signals, lookback_days=30, overlap_days=overlap_days, **DEALS,
                **WEEK)
    assert deals["deal_id"].tolist() == ids
    assert str(deals["first_evidence_at"].iloc[0]) == first_evidence
    totals = run("deal_totals", db=db, signals=signals, lookback_days=30, overlap_days=overlap_days, **DEALS,
                 starts=[WEEK["start"]], ends=[WEEK["end"]]).iloc[0]
    assert list(totals["contested_deal_ids"]) == ids
    assert totals["contested"] == len(ids) and totals["contested_amount"] == amount
    assert totals["contested_rate"] == pytest.approx(len(ids) / 6)  # 6 active deals: d1 d2 d3 d5 d7 d8
    # the counts per signal ignore the choice
    assert (totals["double_claim"], totals["out_of_scope"]) == (1, 2)
    assert totals["uncoordinated_overlap"] == 1  # d3 at 7 days, d7 at 3 days


def test_contested_rate_by_region_segment(db):
    cells = run("contested_rate_by_region_segment", db=db, signals=[], **RULE, **DEALS, **WEEK)
    assert rows(cells, "region", "segment", "active", "contested", "contested_amount", "contested_rate") == [
        ("North", "enterprise", 1, 1, 100000.0, 1.0),  # acc1: d1 (d6 closed before the week)
        ("North", "smb", 2, 0, 0.0, 0.0),  # acc3: d5 d7 (d4 is created at the end)
        ("South", "smb", 3, 2, 70000.0, 2 / 3),  # acc2: d2 d3 contested, d8 not
    ]


def test_contested_rate_by_team_pair(db):
    pairs = run("contested_rate_by_team_pair", db=db, signals=[], **RULE, **DEALS, **WEEK)
    # worked by (owner, source, claims, touches): d1 ia1 ex1; d2 ex2 ia1 (t07); d3 ia2 ey1
    # ex2 (t12); d5 ey1 ia2 (t13; ia2's claim is at the end); d7 ia2 ex1 ib1 ex2; d8 ia1 ey1
    assert rows(pairs, "internal_team_id", "external_team_id", "worked_by_both", "contested", "contested_amount") == [
        ("int-a", "ext-x", 4, 2, 120000.0),  # d1 d2 d3 d7; conflict between the two in d1 d2
        ("int-a", "ext-y", 3, 1, 50000.0),  # d3 d5 d8; d3
        ("int-b", "ext-x", 1, 0, 0.0),  # d7, not contested
    ]
    # only the claims: d1 (ex1 against ia1)
    claims = run("contested_rate_by_team_pair", db=db, signals=["double_claim"], **RULE, **DEALS, **WEEK)
    assert rows(claims, "internal_team_id", "external_team_id", "contested") == [
        ("int-a", "ext-x", 1), ("int-a", "ext-y", 0), ("int-b", "ext-x", 0)]


def test_contest_outcomes(db):
    outcomes = run("contest_outcomes", db=db, signals=[], **RULE, **DEALS, **WEEK)
    # closed in the week: d1 won (internal owner, contested), d2 lost (external owner,
    # contested), d8 won (internal owner, not contested); d5 closes at the end: open
    assert rows(outcomes, "contested", "owner_kind", "won", "lost", "won_amount") == [
        (True, "external", 0, 1, 0.0), (True, "internal", 1, 0, 100000.0), (True, "all", 1, 1, 100000.0),
        (False, "external", 0, 0, 0.0), (False, "internal", 1, 0, 60000.0), (False, "all", 1, 0, 60000.0)]
    contested_all = outcomes.iloc[2]
    # Wilson 95% for 1 of 2: (0.0945, 0.9055)
    assert (contested_all["win_rate"], contested_all["win_rate_low"], contested_all["win_rate_high"]) == \
        pytest.approx((0.5, 0.094531, 0.905469), abs=1e-6)
    assert pd.isna(outcomes.iloc[3]["win_rate"])  # no closed uncontested deal with an external owner
    # only the overlap signal: d3 is open, so every closed deal is uncontested; 2 of 3 won
    overlap = run("contest_outcomes", db=db, signals=["uncoordinated_overlap"], **RULE, **DEALS, **WEEK)
    everything = overlap[(~overlap["contested"]) & (overlap["owner_kind"] == "all")].iloc[0]
    assert (everything["won"], everything["lost"]) == (2, 1)
    # published Wilson 95% interval for 2 of 3: (0.2077, 0.9385)
    assert (everything["win_rate_low"], everything["win_rate_high"]) == pytest.approx((0.2077, 0.9385), abs=1e-4)


def test_deal_record(db):
    record = run("deal_record", db=db, deal_id="d1", end=WEEK["end"], lookback_days=30).iloc[0]
    assert (record["deal_name"], record["account_name"], record["status"], record["stage"]) == (
        "D1 won in period", "Northwind Enterprise", "won", "won")
    assert (str(record["window_start"]), str(record["window_end"])) == ("2025-01-11 09:00:00", "2025-03-05 12:00:00")
    assert (record["owner_rep_name"], record["owner_kind"], record["source_rep_name"], record["source_kind"]) == (
        "Ivo Alder", "internal", "Xan Xu", "external")
    open_deal = run("deal_record", db=db, deal_id="d3", end=WEEK["end"], lookback_days=30).iloc[0]
    assert str(open_deal["window_end"]) == "2025-03-10 00:00:00" and open_deal["stage"] == "qualified"
    # d4 is created at the end: it does not exist yet; quotes and SQL are just an unknown id
    for missing in ("d4", "nope", "d1' or '1'='1"):
        assert run("deal_record", db=db, deal_id=missing, end=WEEK["end"], lookback_days=30).empty
        assert run("deal_timeline", db=db, deal_id=missing, end=WEEK["end"], lookback_days=30, overlap_days=7).empty


def test_deal_timeline(db):
    timeline = run("deal_timeline", db=db, deal_id="d3", end=WEEK["end"], lookback_days=30, overlap_days=7)
    # workers of d3: ia2 (owner, t05), ey1 (source, t06), ex2 (t12, an account touch in the
    # window). Cross-team exchanges between them: e10 ey1 -> ia2, e08 ia2 -> ex2, e02 ex2 ->
    # ia2 (e01 ia2 -> ex1 is with a rep who did not work the deal)
    assert rows(timeline, "event", "activity_id", "rep_id", "other_rep_id", "detail") == [
        ("exchange", "e10", "ey1", "ia2", None),
        ("touch", "t05", "ia2", None, "names the deal"),
        ("exchange", "e08", "ia2", "ex2", None),
        ("exchange", "e02", "ex2", "ia2", None),
        ("stage_change", None, "ia2", None, "qualified"),
        ("touch", "t12", "ex2", None, "account touch in the window"),
        ("touch", "t06", "ey1", None, "names the deal"),
    ]
    d1 = run("deal_timeline", db=db, deal_id="d1", end=WEEK["end"], lookback_days=30, overlap_days=7)
    assert rows(d1, "event", "activity_id", "rep_id", "detail") == [
        ("touch", "t01", "ex1", "account touch in the window"),
        ("claim", None, "ex1", "registration"),
        ("stage_change", None, "ia1", "qualified"),
        ("stage_change", None, "ia1", "proposal"),
        ("touch", "t03", "ia1", "names the deal"),
        ("touch", "t04", "ex1", "names the deal"),
        ("stage_change", None, "ia1", "won"),
        ("claim", None, "ia1", "credit"),
    ]


# --- builders -------------------------------------------------------------------------------

def test_weekly_counts_cut_the_period_into_iso_weeks(db):
    weeks = contest.week_periods(Filters(dt.date(2025, 2, 26), dt.date(2025, 3, 10)))
    totals = run("deal_totals", db=db, **weeks, **ContestRules().params(), **DEALS)
    counts = contest.weekly_counts(totals, weeks)
    # week of 24 Feb (from Wednesday 26 Feb), judged as of 3 Mar: active d1 d3 d5 d8; only d1
    # is contested (t01 by ex1 on an enterprise account: out of ext-x's smb scope; ia1's
    # claim comes on 5 Mar). Week of 3 Mar: the summary week.
    assert rows(counts, "active", "contested", "double_claim", "out_of_scope", "uncoordinated_overlap") == [
        (4, 1, 0, 1, 0), (6, 3, 1, 2, 1)]
    assert [str(d.date()) for d in counts["week_start"]] == ["2025-02-24", "2025-03-03"]


def test_headline_changes_against_the_previous_period():
    current = pd.Series({"active": 6, "contested": 3, "contested_amount": 170000.0, "contested_rate": 0.5})
    previous = pd.Series({"active": 4, "contested": 1, "contested_amount": 100000.0, "contested_rate": 0.25})
    figures = contest.headline(current, previous)
    assert [f["label"] for f in figures] == ["Contested active deals", "Value at stake (EUR)", "Contested rate"]
    # 1 contested deal before: under MIN_BASE (10) the change is the difference only, no percentage
    assert [(f["value"], f["delta"]) for f in figures] == [
        ("3", "+2"), ("170,000", "+70,000"), ("50.0%", "+25.0 pts")]
    nothing_before = pd.Series({"active": 0, "contested": 0, "contested_amount": 0.0, "contested_rate": None})
    assert [f["delta"] for f in contest.headline(current, nothing_before)] == [None, None, None]


def test_headline_percentages_only_over_ten_deals():
    before = pd.Series({"active": 100, "contested": 10, "contested_amount": 200000.0, "contested_rate": 0.1})
    after = pd.Series({"active": 100, "contested": 8, "contested_amount": 250000.0, "contested_rate": 0.08})
    # 10 contested deals before: the base is enough for percentages; the amount is theirs
    assert [f["delta"] for f in contest.headline(after, before)] == ["-2 (-20%)", "+50,000 (+25%)", "-2.0 pts"]
    # 8 before: the counts only
    assert [f["delta"] for f in contest.headline(before, after)] == ["+2", "-50,000", "+2.0 pts"]
    same = contest.headline(before, before)
    assert [(f["delta"], f["unchanged"]) for f in same] == [("no change", True)] * 3


def test_previous_period_has_the_same_length():
    assert contest.previous_period(Filters(dt.date(2025, 3, 3), dt.date(2025, 3, 10))) == {
        "start": dt.datetime(2025, 2, 24), "end": dt.datetime(2025, 3, 3)}


def test_heatmap_titles_say_which_cells_the_ranking_left_out():
    cells = pd.DataFrame({"region": ["Central", "Central", "North", "West"],
                          "segment": ["mid_market", "smb", "smb", "smb"],
                          "active": [20, 10, 40, 4], "contested": [10, 2, 4, 4]})
    cells = cells.assign(contested_amount=cells["contested"] * 1000.0,
                         contested_rate=cells["contested"] / cells["active"])
    figure, title, drawn = contested.region_segment_heatmap(cells)
    # regions: Central 12 of 30 (40%); North 4 of 40; West 4 of 4 would top the ranking but has
    # fewer than 10 deals; the others together: 8 of 44 (18%). Segments: mid_market 10 of 20,
    # smb 10 of 54 (19%)
    assert title == ("Central 40% contested (other regions 18%; 1 region with fewer than 10 deals not ranked); "
                     "Mid-market 50% contested (other segments 19%)")
    assert list(figure.data[0].x) == ["Mid-market", "SMB"]  # codes as words
    assert "value at stake (EUR)" in figure.data[0].hovertemplate
    assert list(downloads.for_download(drawn).columns)[-2:] == ["Value at stake (EUR)", "Contested rate"]

    # one region with 10 deals or more is no ranking: all regions compete, the top one with its
    # number of deals (East 2 of 3; the others 2 of 18), likewise segments (enterprise 2 of 3)
    few = pd.DataFrame({"region": ["North", "Central", "East"], "segment": ["smb", "smb", "enterprise"],
                        "active": [12, 6, 3], "contested": [0, 2, 2]})
    few = few.assign(contested_amount=0.0, contested_rate=few["contested"] / few["active"])
    assert contested.region_segment_heatmap(few)[1] == ("East 67% of 3 deals contested (other regions 11%); "
                                                        "Enterprise 67% of 3 deals contested (other segments 11%)")

    pairs = pd.DataFrame({"internal_team_name": ["Key Accounts", "Key Accounts", "Regional Sales"],
                          "external_team_name": ["Crestview Promotions", "Meridian", "Crestview Promotions"],
                          "worked_by_both": [20, 3, 12], "contested": [9, 3, 2]})
    pairs = pairs.assign(contested_amount=0.0, contested_rate=pairs["contested"] / pairs["worked_by_both"])
    # Key Accounts × Meridian: 3 of 3, under 10 deals; the others 5 of 15
    assert contested.team_pair_heatmap(pairs)[1] == (
        "Key Accounts × Crestview Promotions: 45% contested (other pairs 33%; 1 pair with fewer than 10 deals not "
        "ranked)")


def outcomes_frame(internal_won: int, external_won: int, lost: int) -> pd.DataFrame:
    """contest_outcomes rows: contested deals won by owner kind and lost; nothing uncontested closed."""
    rows = [(True, "external", external_won, 0), (True, "internal", internal_won, 0),
            (True, "all", internal_won + external_won, lost)]
    rows += [(False, kind, 0, 0) for kind in ("external", "internal", "all")]
    frame = pd.DataFrame(rows, columns=["contested", "owner_kind", "won", "lost"])
    closed = frame["won"] + frame["lost"]
    return frame.assign(won_amount=0.0, win_rate=(frame["won"] / closed).where(closed > 0),
                        win_rate_low=0.0, win_rate_high=1.0)


@pytest.mark.parametrize("internal_won, external_won, lost, title", [
    (2, 0, 1, "Internal owners ended up with all 2 contested deals won"),
    (2, 1, 0, "Internal owners ended up with 2 of the 3 contested deals won"),  # no percentage of 3
    (9, 3, 0, "Internal owners ended up with 75% of the 12 contested deals won"),
    (0, 0, 1, "The one contested deal closed in the period was lost"),
    (0, 0, 0, "No contested deal closed in the period"),
])
def test_outcome_titles_count_small_numbers(internal_won, external_won, lost, title):
    (owners, owners_title, drawn), (win, _, _) = contested.outcome_figures(
        outcomes_frame(internal_won, external_won, lost))
    assert owners_title == title
    assert drawn["deals"].tolist() == [internal_won, external_won, lost]
    assert (owners is None) == (internal_won + external_won + lost == 0)  # a sentence, not a blank chart
    assert (win is None) == (internal_won + external_won + lost == 0)  # else the contested deals' rate alone


def evidence_of(db, deal_id: str, **rule) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    rule = {**RULE, **rule}
    record = run("deal_record", db=db, deal_id=deal_id, end=WEEK["end"], lookback_days=rule["lookback_days"]).iloc[0]
    timeline = run("deal_timeline", db=db, deal_id=deal_id, end=WEEK["end"], **rule)
    evidence = run("contest_evidence", db=db, deal_ids=[deal_id], end=WEEK["end"], **rule)
    return record, timeline, evidence


def test_explanation_names_the_reps_the_times_and_the_missing_exchange(db):
    record, timeline, evidence = evidence_of(db, "d3")
    sentences = contest.explain(record, timeline, evidence, run("scope_rules_by_team", db=db), ContestRules())
    assert sentences == [
        "**Uncoordinated overlap**: **Ines Arno** (Inside A, internal) and **Yul Yates** (Agency Y, external) made "
        "1 pair of touches less than 7 days apart (closest: 02 Mar 2025 10:00 and 09 Mar 2025 09:59, 7.0 days "
        "apart) without talking to each other from 7 days before to 7 days after. Their nearest exchange, a call "
        "on 23 Feb 2025 09:59, is outside the 7-day margin (23 Feb 2025 10:00 to 16 Mar 2025 09:59)."]


def test_explanation_of_claims_and_out_of_scope_touches(db):
    record, timeline, evidence = evidence_of(db, "d1")
    sentences = contest.explain(record, timeline, evidence, run("scope_rules_by_team", db=db), ContestRules())
    assert sentences == [
        "**Double claim**: both forces claimed this deal. **Xan Xu** (Agency X, external): registration on "
        "11 Feb 2025; **Ivo Alder** (Inside A, internal): credit on 05 Mar 2025.",
        "**Out of scope**: **Xan Xu** (Agency X, external) touched the customer 2 times (first 11 Jan 2025, last "
        "05 Mar 2025; stages then: lead, proposal) on a deal owned by **Ivo Alder** (Inside A, internal). This is "
        "an Enterprise account in the North region; Agency X's agreed scope: SMB accounts in any region, stages "
        "lead to qualified.",
    ]


def test_timeline_rings_the_evidence(db):
    record, timeline, evidence = evidence_of(db, "d3")
    figure, title = contested.timeline_figure(record, timeline, evidence, {"int-a": "#0072B2", "ext-y": "#E69F00"})
    assert title == "D3 open: contested by uncoordinated overlap"
    ringed = next(t for t in figure.data if t.name == "overlapping touch")
    assert sorted(str(pd.Timestamp(x)) for x in ringed.x) == ["2025-03-02 10:00:00", "2025-03-09 09:59:59"]
    assert sorted(ringed.y) == ["Ines Arno · Inside A", "Yul Yates · Agency Y"]
    assert list(figure.layout.yaxis.categoryarray) == [
        "Ines Arno · Inside A", "Xia Xeno · Agency X", "Yul Yates · Agency Y"]  # internal first
    not_contested = contested.timeline_figure(record, timeline, evidence.iloc[0:0], {})[1]
    assert not_contested == "D3 open is not contested under the current rule"


@pytest.mark.parametrize("url, expected, notices", [
    ({}, ContestRules(), 0),
    ({"lookback": ["45"], "overlap": ["3"], "signal": ["double_claim", "out_of_scope"]},
     ContestRules(45, 3, ("double_claim", "out_of_scope")), 0),
    ({"lookback": ["-1"], "overlap": ["61"]}, ContestRules(), 2),
    ({"lookback": ["1e3"], "overlap": ["٣"]}, ContestRules(), 2),  # not plain ASCII digits
    ({"signal": ["bogus", "uncoordinated_overlap"]}, ContestRules(signals=("uncoordinated_overlap",)), 1),
    ({"signal": ["'; drop table deals; --"]}, ContestRules(), 1),
])
def test_rules_from_url(url, expected, notices):
    rules, messages = rules_from_url(url)
    assert rules == expected and len(messages) == notices
    if expected != ContestRules():
        assert rules_from_url({k: v if isinstance(v, list) else [v] for k, v in rules.to_url().items()})[0] == rules


def test_rule_params_share_the_default_cache():
    assert ContestRules().params() == {"lookback_days": 30, "overlap_days": 7, "signals": []}
    assert ContestRules(signals=("out_of_scope", "double_claim")).params()["signals"] == ["double_claim",
                                                                                          "out_of_scope"]
    with pytest.raises(ValueError):
        ContestRules(signals=()).params()


# --- the page -------------------------------------------------------------------------------

@pytest.fixture
def page(db, monkeypatch):
    dashboard_on(db, monkeypatch)

    def open_page(session: dict | None = None, **page_params) -> AppTest:
        return open_page_on_week("contested_deals", session, **page_params)

    return open_page


def metrics(at: AppTest) -> list[tuple[str, str, str]]:
    return [(m.label, m.value, m.delta) for m in at.metric]


def titles(at: AppTest) -> list[str]:
    # long titles are wrapped onto lines for display (tandem.ui.widgets.plot)
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "").replace("<br>", " ")
            for c in at.get("plotly_chart")]


def test_page_default_rule(page):
    at = page()
    # previous week [24 Feb, 3 Mar): 1 contested (d1) of 4 active; see test_weekly_counts
    assert metrics(at) == [("Contested active deals", "3", "+2"),
                           ("Value at stake (EUR)", "170,000", "+70,000"),
                           ("Contested rate", "50.0%", "+25.0 pts")]
    listed = at.dataframe[0].value
    assert listed["deal_name"].tolist() == ["D1 won in period", "D3 open", "D2 lost in period"]  # by amount
    assert listed["signals"].tolist() == ["double claim, out of scope", "uncoordinated overlap", "out of scope"]
    headings = [m.value for m in at.markdown if m.value.startswith("**")]
    # regions: North 1 of 3 active deals, South 2 of 3; segments: enterprise 1 of 1 (too few
    # for the 10-deal threshold, but every segment is below it, so all compete and the
    # title gives the number of deals), smb 2 of 5
    assert ("**South 67% of 3 deals contested (other regions 33%); Enterprise 100% of 1 deal contested "
            "(other segments 40%)**") in headings
    assert "**Inside A × Agency X: 50% of 4 deals contested (other pairs 25%)**" in headings
    assert titles(at)[2:] == ["3 contested deals in the week of 03 Mar 2025; out of scope is behind 2 of them",
                              "The one contested deal won ended with an internal owner",
                              "Contested deals win 50% (9%–91%) against 100% (21%–100%) for the others"]
    assert [i.value for i in at.info] == ["Select a deal in the list above to see its timeline and the evidence of "
                                          "each signal."]


def test_page_with_another_rule_from_the_url(page):
    at = page(overlap="3", signal="uncoordinated_overlap", deal="d7")
    assert metrics(at)[:2] == [("Contested active deals", "1", "+1"), ("Value at stake (EUR)", "5,000", "+5,000")]
    assert at.dataframe[0].value["deal_name"].tolist() == ["D7 created at start"]
    sentences = [m.value for m in at.markdown if m.value.startswith("- **Uncoordinated")]
    assert len(sentences) == 1 and "**Ida Berg** (Inside B, internal) and **Xia Xeno** (Agency X, external)" in \
        sentences[0]
    assert "D7 created at start: contested by uncoordinated overlap" in titles(at)
    assert at.slider(key="contest_overlap").value == 3


def test_page_rule_changed_by_the_user(page):
    at = page()
    at.slider(key="contest_overlap").set_value(3).run()
    assert not at.exception
    # at 3 days d3 drops out and d7 comes in
    assert sorted(at.dataframe[0].value["deal_name"]) == ["D1 won in period", "D2 lost in period",
                                                          "D7 created at start"]


def test_a_rule_outside_the_pre_computed_range_says_it_is_slower_and_gives_the_same_sets(page):
    inside = page(lookback="90", overlap="30")
    outside = page(lookback="91", overlap="30")
    assert not inside.exception and not outside.exception
    assert [w.value for w in inside.warning] == []
    assert [w.value for w in outside.warning] == [
        "This rule is outside the range Tandem prepares in advance (lookback 0–90 days, overlap 1–30 days), so it "
        "is computed from the raw activity: the page takes longer, up to a minute on a large database."]
    assert len(page(overlap="31").warning) == 1
    # lookback 90 and 91 days judge this fixture's deals alike (no touch of an account 90 days before a creation)
    assert metrics(inside) == metrics(outside)
    assert inside.dataframe[0].value.equals(outside.dataframe[0].value)


def test_page_without_signals_explains_itself(page):
    at = page(session={"contest_signals": []})
    assert [i.value for i in at.info] == ["Choose at least one signal: with none, no deal can be contested."]
    assert not at.metric


def test_page_ignores_bad_url_values(page):
    at = page(lookback="many", signal="<script>", deal="x" * 500)
    assert len(at.warning) == 3
    assert metrics(at)[0] == ("Contested active deals", "3", "+2")  # the default rule


def test_page_with_an_unknown_deal(page):
    at = page(deal="d1' or '1'='1")
    assert any("There is no deal" in w.value for w in at.warning)


def test_page_in_presentation_mode_hides_names(page):
    at = page(session={"presentation_mode": True}, deal="d3")
    shown = " ".join([m.value for m in at.markdown] + titles(at)
                     + [at.dataframe[0].value.to_csv()] + [d.value.to_csv() for d in at.dataframe[1:]])
    for table in ("reps", "contacts", "accounts"):
        for name in pd.read_csv(FIXTURE / f"{table}.csv")["name"]:
            assert name not in shown
    assert "Internal rep" in shown


# --- the page on periods of every length (demo database) -----------------------------------

def open_on_period(start: str, end: str, **page_params) -> AppTest:
    """The Contested deals page for the period [start, end) given in the URL, as the weekly
    review's evidence links open it."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["start"], at.query_params["end"] = start, end
    at.run()
    at.switch_page("pages/contested_deals.py")
    for key, value in page_params.items():
        at.query_params[key] = value
    at.run()
    return at


def chart_layouts(at: AppTest) -> dict[str, dict]:
    """Each chart's figure (data and layout) by its title (line breaks taken out)."""
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {c["layout"].get("title", {}).get("text", "").replace("<br>", " "): c for c in charts}


@pytest.mark.parametrize("start, end, first_monday, weeks", [
    ("2026-11-20", "2026-11-21", "2026-11-16", 1),  # one day, a Friday
    ("2026-11-16", "2026-11-23", "2026-11-16", 1),  # the week the weekly review's links open
    ("2026-10-19", "2026-11-23", "2026-10-19", 5),
    ("2024-11-25", "2026-11-23", "2024-11-25", 104),  # two years
])
def test_trend_reads_on_periods_of_any_length(small_db, monkeypatch, start, end, first_monday, weeks):
    dashboard_on(small_db, monkeypatch)
    at = open_on_period(start, end)
    assert not at.exception
    trend = next(c for c in chart_layouts(at).values()
                 if c["layout"].get("xaxis", {}).get("title", {}).get("text") == "Week (Monday start)")
    axis = trend["layout"]["xaxis"]
    first = pd.Timestamp(first_monday)
    last = first + pd.Timedelta(weeks=weeks - 1)
    # the range is the period's weeks, half a week either side, at least 4 weeks wide: one
    # week is one bar in the middle, not a block nor an axis of milliseconds
    pad = pd.Timedelta(days=3.5) * (1 + max(0, 4 - weeks))
    assert [pd.Timestamp(x) for x in axis["range"]] == [first - pad, last + pad]
    ticks = [pd.Timestamp(t) for t in axis["tickvals"]]
    assert ticks[0] == first and all(t.weekday() == 0 for t in ticks) and len(ticks) <= 12
    bars = trend["data"][0]
    assert bars["type"] == "bar" and bars["width"] == pytest.approx(0.8 * 7 * 24 * 3600 * 1000)
    assert [pd.Timestamp(x) for x in bars["x"]] == [first + pd.Timedelta(weeks=n) for n in range(weeks)]


@pytest.mark.parametrize("start, end, deal, lookback", [
    ("2026-11-16", "2026-11-23", "D0000171", "30"),  # one week; the deal's evidence spans Sep to Nov
    ("2024-11-25", "2026-11-23", "D0000052", "30"),  # two years; touched over five months
    ("2026-11-20", "2026-11-21", "D0000200", "0"),  # one day, a deal created that afternoon, no lookback
])
def test_deal_timeline_reads_on_short_and_long_periods(small_db, monkeypatch, start, end, deal, lookback):
    dashboard_on(small_db, monkeypatch)
    at = open_on_period(start, end, deal=deal, lookback=lookback)
    assert not at.exception
    record = run("deal_record", db=small_db, deal_id=deal, end=pd.Timestamp(end), lookback_days=int(lookback)).iloc[0]
    timeline = next(c for t, c in chart_layouts(at).items() if t.startswith(record["deal_name"]))
    axis = timeline["layout"]["xaxis"]
    low, high = (pd.Timestamp(x) for x in axis["range"])
    # the deal's window is on the axis, which spans at least a week: its ticks are dates,
    # not hours or milliseconds
    assert low <= record["window_start"] and record["window_end"] <= high
    assert high - low >= pd.Timedelta(days=7)
    assert axis["title"]["text"] == (f"Date ({low:%Y})" if low.year == high.year else f"Date ({low:%Y}–{high:%Y})")


def test_page_without_contested_deals_says_so(small_db, monkeypatch):
    """A week of the demo with 8 active deals, none contested: sentences, not blank charts."""
    dashboard_on(small_db, monkeypatch)
    at = open_on_period("2026-08-31", "2026-09-07")
    assert not at.exception
    assert [m.value for m in at.metric] == ["0", "0", "0.0%"]
    assert [i.value for i in at.info] == [
        "No contested deal at the end of any week of the period (under the rule above).",
        "No contested deal in this period under the rule above and the current filters.",
        "No contested deal closed in the period.", "Not enough closed deals to compare win rates."]
    headings = [m.value for m in at.markdown if m.value.startswith("**")]
    assert "**None of the 8 active deals is contested**" in headings
    assert "**No deal worked by both forces is contested**" in headings
    assert len(at.get("plotly_chart")) == 2  # the two heatmaps, which show where the active deals are
    assert "Why is it contested?" not in [h.value for h in at.subheader]


def test_list_columns_fit_and_name_the_currency(page):
    at = page()
    listed = at.dataframe[0]
    # fewer columns (owner, team, status and the evidence dates stay in the CSV), each with a
    # width, so that the list needs no horizontal scrolling beside the sidebar at 1440 px
    assert list(listed.proto.column_order) == ["deal_name", "account_name", "owner_rep_name", "teams_involved",
                                               "signals", "amount", "stage"]
    columns = json.loads(listed.proto.columns)
    assert columns["amount"]["label"] == "Amount (EUR)"
    assert sum(columns[c]["width"] for c in listed.proto.column_order) <= 940
    assert listed.proto.placeholder == "—"  # empty cells never say None
    assert "170,000 EUR at stake" in " ".join(c.value for c in at.caption)
    assert set(listed.value["stage"]) <= {"Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"}  # words


def test_deal_evidence_in_plain_words(small_db, monkeypatch):
    dashboard_on(small_db, monkeypatch)
    at = open_on_period("2026-11-16", "2026-11-23", deal="D0000171")
    shown = [m.value for m in at.markdown]
    assert ("**Core Platform for Keystone Textile Mills Industries (2026)** · Keystone Textile Mills Industries "
            "(East, Enterprise) · 75,250 EUR · open, stage negotiation · owner Felix Richter (Key Accounts)") in \
        " ".join(shown)
    out_of_scope = next(s for s in shown if s.startswith("- **Out of scope**"))
    assert out_of_scope.endswith(
        "This is an Enterprise account in the East region; Crestview Promotions' agreed scope: Mid-market accounts "
        "in any region, stages lead to qualified; SMB accounts in any region, stages lead to qualified.")
    overlap = next(s for s in shown if s.startswith("- **Uncoordinated overlap**"))
    assert "Their nearest exchange, an email on 20 Nov 2026 10:05" in overlap
    events = at.dataframe[-1]  # the events of the timeline, under the chart
    assert events.proto.placeholder == "—" and "Stage change" in set(events.value["event"])
