"""Rules & events: the rules of engagement, where they leak, the events and the agency reps
at meetings closed to them, on the hand-built summary fixture (tests/fixtures/summary) with
events added here, every figure worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tandem.export import sections
from tandem.figures import event_markers, rules_events, style
from tandem.model import scope_rules, wording
from tandem.model.filters import ContestRules, Filters
from tandem.model.roles import ALL_DATA
from tandem.ui import state
from tests.apptest import dashboard_on, open_page_on_week

FIXTURE = Path(__file__).parent / "fixtures" / "summary"
RULE = dict(lookback_days=30, overlap_days=7)
ALL = dict(teams=[], regions=[], segments=[])
FIRST_QUARTER = dict(start=dt.datetime(2025, 1, 1), end=dt.datetime(2025, 3, 10))
WEEK = dict(start=dt.datetime(2025, 3, 3), end=dt.datetime(2025, 3, 10))

# ev1: a strategy meeting, internal only, with ex1 (Agency X) and ey1 (Agency Y) out of place
# ev2: a shared seminar; ev3: an internal-only team day with ex2 (Agency X) out of place;
# ev4: a convention nobody attended; ev5: before the week
EVENTS = """event_id,name,kind,held_on,internal_only
ev1,Strategy day,strategy_meeting,2025-03-04,true
ev2,Spring seminar,seminar,2025-03-06,false
ev3,Board prep,team_building,2025-03-07,true
ev4,Empty convention,convention,2025-03-08,false
ev5,Old convention,convention,2025-02-01,false
"""
ATTENDANCE = """event_id,rep_id
ev1,ia1
ev1,ia2
ev1,ex1
ev1,ey1
ev2,ia1
ev2,ex2
ev2,ey1
ev3,ib1
ev3,ex2
ev5,ia1
ev5,ex1
"""


def with_files(tmp_path_factory, name: str, **files: str) -> Path:
    folder = tmp_path_factory.mktemp(name) / "csv"
    shutil.copytree(FIXTURE, folder)
    for file, text in files.items():
        (folder / f"{file}.csv").write_text(text)
    path = folder.parent / "db.duckdb"
    assert import_folder(folder, path).ok
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return with_files(tmp_path_factory, "events", events=EVENTS, event_attendance=ATTENDANCE)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(v.tolist() if hasattr(v, "tolist") else None if pd.isna(v) else v for v in row)
            for row in frame[list(columns)].itertuples(index=False)]


# --- where the rules leak -------------------------------------------------------------------
# The out-of-scope evidence as of 2025-03-10 (lookback 30, overlap 7), every touch on a deal
# owned by the other force checked against the touching team's rules:
#   t01 ex1 11 Jan, acc1 (enterprise, North): belongs to d1 and d6 (both owned by internal
#       reps); ext-x may work smb only -> out of scope for both, stage lead for both;
#   t04 ex1 5 Mar on d1 (enterprise) at proposal -> out;
#   t07 ia1 5 Mar on d2 (owned by ex2), d2 at lead, int-a from qualified -> out;
#   t06 ey1 on d3 (smb South, qualified): ext-y South lead..proposal -> in;
#   t08, t11 ex1/ex2 on d7 (smb, lead) -> in; t12 ex2 on d3 (smb, qualified 6 Mar 09:00
#       before its 15:00) -> in; t13 ia2 on d5 (proposal) -> in.
# Deals as of 10 Mar: d1 won, d2 lost, d6 lost.

def test_leaks_by_team_and_month(db):
    leaks = run("out_of_scope_by_team_month", db=db, **RULE, **ALL, **FIRST_QUARTER)
    assert rows(leaks, "team_id", "month", "touches", "deals", "won", "lost", "open", "deal_ids") == [
        ("ext-x", pd.Timestamp("2025-01-01"), 1, 2, 1, 1, 0, ["d1", "d6"]),  # t01, on d1 and d6
        ("ext-x", pd.Timestamp("2025-03-01"), 1, 1, 1, 0, 0, ["d1"]),  # t04
        ("int-a", pd.Timestamp("2025-03-01"), 1, 1, 0, 1, 0, ["d2"]),  # t07
    ]
    # the team filter keeps the touching rep's team; the period the touch's time
    only = run("out_of_scope_by_team_month", db=db, **RULE, **{**ALL, "teams": ["int-a"]}, **FIRST_QUARTER)
    assert rows(only, "team_id", "touches") == [("int-a", 1)]
    week = run("out_of_scope_by_team_month", db=db, **RULE, **ALL, **WEEK)
    assert rows(week, "team_id", "touches") == [("ext-x", 1), ("int-a", 1)]
    # segments act on the deal's account: t07's d2 is on acc2 (smb)
    smb = run("out_of_scope_by_team_month", db=db, **RULE, **{**ALL, "segments": ["smb"]}, **FIRST_QUARTER)
    assert rows(smb, "team_id", "deal_ids") == [("int-a", ["d2"])]


def test_leaks_by_segment_region_and_stage(db):
    cells = run("out_of_scope_by_cell", db=db, **RULE, **ALL, **FIRST_QUARTER)
    assert rows(cells, "segment", "region", "stage", "touches", "deals", "won", "lost", "open", "amount") == [
        ("enterprise", "North", "lead", 1, 2, 1, 1, 0, 110000.0),  # t01: d1 100,000 + d6 10,000
        ("enterprise", "North", "proposal", 1, 1, 1, 0, 0, 100000.0),  # t04: d1
        ("smb", "South", "lead", 1, 1, 0, 1, 0, 20000.0),  # t07: d2
    ]
    table, title, _ = rules_events.leak_cells(cells)
    assert title == "Most leaks: Enterprise accounts in North at Lead (1 touch on 2 deals)"
    assert table["Segment"].tolist() == ["Enterprise", "Enterprise", "SMB"]


def test_the_leaks_are_the_contest_signals_evidence(db):
    """Same definition as the signal: the touches counted are the out_of_scope evidence."""
    evidence = run("contest_evidence", db=db, end=FIRST_QUARTER["end"], **RULE, deal_ids=[])
    evidence = evidence[(evidence["signal"] == "out_of_scope") & (evidence["evidence_at"] >= FIRST_QUARTER["start"])]
    leaks = run("out_of_scope_by_team_month", db=db, **RULE, **ALL, **FIRST_QUARTER)
    assert leaks["touches"].sum() == evidence["activity_id"].nunique() == 3
    assert sorted(d for ids in leaks["deal_ids"] for d in ids) == sorted(
        evidence.groupby(evidence["evidence_at"].dt.month)["deal_id"].unique().explode())


# --- the rules -----------------------------------------------------------------------------

def test_the_rules_matrix(db, tmp_path_factory):
    matrix, title, _ = rules_events.rules_matrix(run("rules_of_engagement", db=db), ["enterprise", "smb"])
    assert title == "4 rules for 4 of 4 teams"
    assert matrix.to_dict("records") == [
        {"Team": "Agency X", "Force": "X Partners", "Enterprise": "—", "SMB": "Lead → Qualified"},
        {"Team": "Agency Y", "Force": "Y Group", "Enterprise": "Lead → Proposal (South)",
         "SMB": "Lead → Proposal (South)"},
        {"Team": "Inside A", "Force": "internal", "Enterprise": "Qualified → Won", "SMB": "Qualified → Won"},
        {"Team": "Inside B", "Force": "internal", "Enterprise": "Lead → Won", "SMB": "Lead → Won"},
    ]
    # Agency Y without its rule: named, and all its touches on internal deals are out of scope
    rules = (FIXTURE / "scope_rules.csv").read_text().replace("ext-y,*,South,lead,proposal\n", "")
    without = with_files(tmp_path_factory, "no-y-rule", scope_rules=rules)
    matrix, title, _ = rules_events.rules_matrix(run("rules_of_engagement", db=without), ["enterprise", "smb"])
    assert title == ("3 rules for 3 of 4 teams; Agency Y has none, so every touch of its reps on the other "
                     "force's deals is out of scope")
    assert matrix.set_index("Team").loc["Agency Y", "SMB"] == "no rule"
    # t06 (ey1 on d3, 9 Mar) is then out of scope
    week = run("out_of_scope_by_team_month", db=without, **RULE, **ALL, **WEEK)
    assert rows(week, "team_id", "touches", "deal_ids") == [("ext-x", 1, ["d1"]), ("ext-y", 1, ["d3"]),
                                                            ("int-a", 1, ["d2"])]


# --- what if the rules changed ---------------------------------------------------------------

QUARTER_DEALS = dict(attribution="owner", teams=[], regions=[], segments=[], signals=[], **RULE, **FIRST_QUARTER)


def fixture_rules() -> list[dict]:
    return scope_rules.checked(pd.read_csv(FIXTURE / "scope_rules.csv", dtype=str), ["int-a", "int-b", "ext-x",
                                                                                     "ext-y"],
                               ["enterprise", "smb"], ["North", "South"])[0]


def test_the_what_if_with_the_databases_rules_changes_nothing(db):
    """The same definition: the edited list equal to the table gives the signal's figures."""
    same = run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=fixture_rules()).iloc[0]
    # unedited (null): the same figures, from the signal's stored evidence
    assert run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=None).iloc[0].to_dict() == same.to_dict()
    # before: t01, t04, t07 out of scope in the quarter; deals d1, d2, d6 with the signal;
    # contested: d1 (also a double claim), d2, d3 (uncoordinated overlap), d6: 180,000
    assert same.to_dict() == dict(touches_before=3, touches_after=3, touches_to_in_scope=0, touches_to_out_of_scope=0,
                                  deals_before=3, deals_after=3, deals_gaining=0, deals_losing=0,
                                  contested_before=4, contested_after=4, at_stake_before=180000.0,
                                  at_stake_after=180000.0)


def test_the_what_ifs_before_is_the_contested_deals_pages_figure(db):
    """Its contested deals and value at stake before any edit are the Contested deals page's."""
    totals = run("deal_totals", db=db, starts=[FIRST_QUARTER["start"]], ends=[FIRST_QUARTER["end"]],
                 attribution="owner", teams=[], regions=[], segments=[], signals=[], **RULE).iloc[0]
    before = run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=None).iloc[0]
    assert (before["contested_before"], before["at_stake_before"]) == (totals["contested"],
                                                                      totals["contested_amount"])


def test_widening_one_rule_removes_exactly_the_touches_counted_by_hand(db):
    """Agency X may work any segment from lead to proposal (was: SMB to qualified): t01
    (enterprise, lead) and t04 (enterprise, proposal) come into scope; d6 (only t01) and
    d1 (t01, t04) lose the signal; d1 stays contested by its double claim, d6 (10,000) is no
    longer contested."""
    wider = [dict(rule, segment="*", stage_to="proposal") if rule["team_id"] == "ext-x" else rule
             for rule in fixture_rules()]
    after = run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=wider).iloc[0]
    assert after.to_dict() == dict(touches_before=3, touches_after=1, touches_to_in_scope=2, touches_to_out_of_scope=0,
                                   deals_before=3, deals_after=1, deals_gaining=0, deals_losing=2,
                                   contested_before=4, contested_after=3, at_stake_before=180000.0,
                                   at_stake_after=170000.0)
    assert rules_events.what_if_sentence(after) == (
        "Under the edited rules, 2 touches would be in scope and 0 more out of scope; 2 deals would lose the "
        "out-of-scope signal and 0 gain it; value at stake 180,000 EUR → 170,000 EUR")
    # removing Inside B's rule: ib1 touched no deal of the other force, nothing changes; removing
    # Agency Y's: t06 (ey1 on d3, 9 Mar) goes out of scope, d3 gains the signal (already contested)
    without_b = [rule for rule in fixture_rules() if rule["team_id"] != "int-b"]
    assert run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=without_b).iloc[0]["touches_after"] == 3
    without_y = [rule for rule in fixture_rules() if rule["team_id"] != "ext-y"]
    changed = run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=without_y).iloc[0]
    assert (changed["touches_to_out_of_scope"], changed["deals_gaining"], changed["contested_after"]) == (1, 1, 4)
    # no rule at all: the signal is off, as with an empty scope_rules file
    off = run("what_if_scope_rules", db=db, **QUARTER_DEALS, rules=[]).iloc[0]
    assert (off["touches_after"], off["deals_after"], off["contested_after"], off["at_stake_after"]) == (0, 0, 2,
                                                                                                       150000.0)


def test_the_editors_rows_are_checked_and_written_for_import():
    rows = pd.DataFrame([["ext-x", "*", "*", "lead", "proposal"], ["int-a", "smb", None, "lead", "won"],
                         ["ext-y", "smb", "South", "won", "lead"], ["ext-q", "smb", "South", "lead", "won"],
                         [None, None, None, None, None]], columns=list(scope_rules.FIELDS))
    rules, problems = scope_rules.checked(rows, ["int-a", "ext-x", "ext-y"], ["smb"], ["South"])
    assert rules == [dict(team_id="ext-x", segment="*", region="*", stage_from="lead", stage_to="proposal")]
    assert problems == [
        "Row 2 is left out: choose its team, segment, region and both stages.",
        "Row 3 is left out: its range starts at won, after lead.",
        "Row 4 is left out: one of its values is not a team, segment, region or stage of this database."]
    assert scope_rules.csv_bytes(rules) == b"team_id,segment,region,stage_from,stage_to\next-x,*,*,lead,proposal\n"


# --- events ---------------------------------------------------------------------------------

def test_events_attendance_by_force(db):
    attendance = run("events_attendance", db=db, teams=[], **WEEK)
    assert rows(attendance, "event_id", "force", "attendees", "intruders", "shared", "closed_to_agencies") == [
        ("ev1", "internal", 2, 0, False, True), ("ev1", "X Partners", 1, 1, False, True),
        ("ev1", "Y Group", 1, 1, False, True),
        ("ev2", "internal", 1, 0, True, False), ("ev2", "X Partners", 1, 0, True, False),
        ("ev2", "Y Group", 1, 0, True, False),
        ("ev3", "internal", 1, 0, False, True), ("ev3", "X Partners", 1, 1, False, True),
        ("ev4", None, 0, 0, True, False),  # nobody came; ev5 is before the week
    ]
    table, title, _ = rules_events.events_table(attendance)
    assert title == "4 events; agency reps attended 2 meetings closed to them"
    assert table[["Event", "Internal", "X Partners", "Y Group", rules_events.OUT_OF_PLACE]].values.tolist() == [
        ["Strategy day", 2, 1, 1, 2], ["Spring seminar", 1, 1, 1, 0], ["Board prep", 1, 1, 0, 1],
        ["Empty convention", 0, 0, 0, 0]]
    # the team filter keeps the attendees of the selected teams, and every event
    agency_x = run("events_attendance", db=db, teams=["ext-x"], **WEEK)
    assert rows(agency_x, "event_id", "force", "attendees") == [
        ("ev1", "X Partners", 1), ("ev2", "X Partners", 1), ("ev3", "X Partners", 1), ("ev4", None, 0)]


# Two touches after the seminar (ev2, 6 Mar, attended by ia1, ex2 and ey1), for the
# before/after test only: ia1 and ex2 on d3 on 8 Mar.
AFTER_SEMINAR = ("t90,2025-03-08T10:00:00,call,ia1,,c2,d3,outbound,300,after the seminar\n"
                 "t91,2025-03-08T14:00:00,call,ex2,,c2,d3,outbound,300,after the seminar\n")


def test_before_and_after_a_shared_event(tmp_path_factory):
    """ev2 (a seminar on 6 Mar) is the week's only shared event with pairs: (ia1, ex2) and
    (ia1, ey1); one week: before = [27 Feb, 6 Mar), after = [7 Mar, 14 Mar).
    Exchanges: ia1-ey1 e03 (5 Mar) before; ia1-ex2 e09 (9 Mar) after. So 1 and 1, one pair
    of two talking on each side. Deals both reps of a pair touched: before none (ia1's t07
    on d2 is 5 Mar, but neither agency rep touched d2 in the window; t12 is 6 Mar 15:00,
    after the window); after d3 (ia1 t90 with ex2 t91, and with ey1 t06 on 9 Mar): 1 deal,
    contested as of 14 Mar (its t05/t06 overlap: ia2 and ey1 never talked in the window)."""
    activities = (FIXTURE / "activities.csv").read_text() + AFTER_SEMINAR
    db = with_files(tmp_path_factory, "before-after", events=EVENTS, event_attendance=ATTENDANCE,
                    activities=activities)
    pairs = run("shared_event_pairs", db=db, teams=[], weeks=1, signals=[], **RULE, **WEEK)
    assert rows(pairs, "event_id", "pairs", "exchanges_before", "exchanges_after", "talking_before",
                "talking_after", "deals_before", "contested_before", "deals_after", "contested_after",
                "after_complete") == [("ev2", 2, 1, 1, 1, 1, 0, 0, 1, 1, False)]
    # the data ends on 10 Mar, before the after window's end: the verdict waits
    (row,) = [r for _, r in pairs.iterrows()]
    assert rules_events.coordination_verdict(row) == "after window not over"
    assert rules_events.coordination_verdict({**row, "after_complete": True}) == "cannot be told apart from noise"
    low, high = row["talking_before_low"], row["talking_before_high"]
    assert (round(low, 4), round(high, 4)) == (0.0945, 0.9055)  # Wilson for 1 of 2
    # the team filter keeps a pair with either rep's team: Agency Y keeps (ia1, ey1) only
    only_y = run("shared_event_pairs", db=db, teams=["ext-y"], weeks=1, signals=[], **RULE, **WEEK)
    assert rows(only_y, "pairs", "exchanges_before", "exchanges_after") == [(1, 1, 0)]
    figure, title, drawn = rules_events.before_after(pairs, 1)
    assert title == "The after window of every shared event is not over yet"
    # d3 contested as of 14 Mar: 1 of 1, Wilson 21%–100%
    assert drawn[["contested_rate_before", "contested_rate_after"]].values.tolist() == [
        ["—", "1 of 1 (100%; 21%–100%)"]]


def test_agency_reps_at_closed_meetings_are_flagged(db):
    intrusions = run("event_intrusions", db=db, teams=[], **WEEK)
    assert rows(intrusions, "event_id", "rep_id", "agency") == [
        ("ev1", "ex1", "X Partners"), ("ev1", "ey1", "Y Group"), ("ev3", "ex2", "X Partners")]
    assert rules_events.intrusion_sentence(intrusions) == (
        "2 agency reps attended Strategy day (04 Mar 2025), an internal-only strategy meeting: Xan Xu, Yul Yates; "
        "1 agency rep attended Board prep (07 Mar 2025), an internal-only event: Xia Xeno")
    assert rules_events.intrusion_title(intrusions) == "3 agency reps at 2 meetings closed to agencies"


# --- the pages and the report ----------------------------------------------------------------

def test_the_page_shows_the_rules_the_leaks_and_the_events(db, monkeypatch):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week("rules_events")
    markdown = " ".join(m.value for m in at.markdown)
    assert "**4 rules for 4 of 4 teams**" in markdown
    assert "**4 events; agency reps attended 2 meetings closed to them**" in markdown
    assert [w.value for w in at.warning] == [wording.literal(  # names from the data shown as they are
        "2 agency reps attended Strategy day (04 Mar 2025), an internal-only strategy meeting: Xan Xu, Yul Yates; "
        "1 agency rep attended Board prep (07 Mar 2025), an internal-only event: Xia Xeno.")]
    assert len(at.get("plotly_chart")) == 2  # the leaks by team and month, the shared events before and after


def test_the_page_in_presentation_mode_names_no_rep(db, monkeypatch):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week("rules_events", session={"presentation_mode": True})  # the sidebar's switch
    assert "Agency A rep 1" in at.warning[0].value and "Xan Xu" not in at.warning[0].value


def test_without_events_the_page_says_which_file_to_import(monkeypatch, tmp_path):
    target = tmp_path / "db.duckdb"
    assert import_folder(FIXTURE, target).ok  # the summary fixture has no events.csv
    dashboard_on(target, monkeypatch)
    at = open_page_on_week("rules_events")
    assert any("No events in this database: to see who attended which event, import events.csv" in i.value
               for i in at.info)


def test_the_weekly_review_lists_the_weeks_events_and_flags_the_intrusions(db, monkeypatch):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week("weekly_review", week="2025-W10")
    assert "**4 events; agency reps attended 2 meetings closed to them**" in [m.value for m in at.markdown]
    assert any(wording.plain(w.value).startswith("2 agency reps attended Strategy day (04 Mar 2025)")
               for w in at.warning)
    report = sections.weekly_review(sections.Source(db, ALL_DATA), Filters(start=WEEK["start"].date(), end=WEEK["end"].date()),
                                    WEEK["start"].date())
    titles = [b.title for b in report.blocks]
    assert "4 events; agency reps attended 2 meetings closed to them" in titles
    assert "Needs attention: agency reps at a closed meeting" in titles


def test_the_report_section_is_the_pages(db):
    section = sections.rules_events_page(sections.Source(db, ALL_DATA), Filters(start=WEEK["start"].date(),
                                                                      end=WEEK["end"].date()), ContestRules())
    assert [b.title for b in section.blocks] == [
        "4 rules for 4 of 4 teams", "2 out-of-scope touches; Agency X made 50% of them",
        "Most leaks: Enterprise accounts in North at Proposal (1 touch on 1 deal)",
        "4 events; agency reps attended 2 meetings closed to them",
        "The after window of every shared event is not over yet", "3 agency reps at 2 meetings closed to agencies"]


def chart_events(at) -> list[list[str]]:
    """The events marked on each chart of the page, by the names of their lines."""
    import json

    return [[shape["name"].removeprefix(event_markers.SHAPE_PREFIX)
             for shape in json.loads(chart.proto.spec)["layout"].get("shapes", [])
             if shape.get("name", "").startswith(event_markers.SHAPE_PREFIX)]
            for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("page, charts", [
    # the weekly volumes and the coordination ratio (the matrix and who-starts are not time charts)
    ("communication", [["ev1", "ev2", "ev3", "ev4"], ["ev1", "ev2", "ev3", "ev4"], [], []]),
    # the heatmaps, the trend, the outcomes: the trend only
    ("contested_deals", [[], [], ["ev1", "ev2", "ev3", "ev4"], [], []]),
    # activities and deals per week over all of the data: ev5 (1 Feb) too
    ("overview", [["ev5", "ev1", "ev2", "ev3", "ev4"], ["ev5", "ev1", "ev2", "ev3", "ev4"]]),
])
def test_every_time_chart_shows_the_events_unless_switched_off(db, monkeypatch, page, charts):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week(page)
    assert chart_events(at) == charts
    at = open_page_on_week(page, session={state.SHOW_EVENTS: False})
    assert chart_events(at) == [[] for _ in charts]


def test_event_markers_say_what_and_who():
    attendance = pd.DataFrame({"event_id": ["e1", "e1", "e2"], "name": ["Strategy day", "Strategy day", "Expo"],
                               "kind": ["strategy_meeting", "strategy_meeting", "convention"],
                               "held_on": [dt.date(2025, 3, 6)] * 2 + [dt.date(2025, 3, 4)],
                               "internal_only": [True, True, False], "force": ["internal", "X Partners", None],
                               "attendees": [2, 1, 0]})
    markers = event_markers.markers(attendance)
    assert markers[["symbol", "colour", "hover"]].values.tolist() == [
        ["■", style.INTERNAL, "Strategy day (strategy meeting, internal only): 2 internal, 1 X Partners"],
        ["◆", event_markers.SHARED_COLOUR, "Expo (convention): no attendee recorded"]]
    figure = event_markers.annotated(go.Figure(), markers)
    # both on the Monday of their week (3 Mar), side by side; the day itself on hover
    assert [(a.x, a.xshift, a.hovertext[:14]) for a in figure.layout.annotations] == [
        (pd.Timestamp("2025-03-03"), 0, "Thu 06 Mar 202"), (pd.Timestamp("2025-03-03"), 14, "Tue 04 Mar 202")]


def test_the_demo_strategy_meeting_story(small_db):
    """The demo plants agency reps at an internal-only strategy meeting: the page's query finds them."""
    intrusions = run("event_intrusions", db=small_db, teams=[], start=dt.datetime(2026, 9, 7),
                     end=dt.datetime(2026, 9, 14))
    assert intrusions["event_name"].unique().tolist() == ["Strategy Meeting Q4 2026"]
    assert intrusions["kind"].unique().tolist() == ["strategy_meeting"] and len(intrusions) >= 2


# --- from a leak to its deals ------------------------------------------------------------------

def test_a_leak_cell_opens_its_deals_on_the_deals_page(db, monkeypatch):
    """A click on the January cell of Agency X (t01, on d1 and d6) selects that row; its link
    names d1 and d6; the Deals page opened with it shows exactly them."""
    leaks = run("out_of_scope_by_team_month", db=db, **RULE, **ALL, **FIRST_QUARTER)
    figure, _, _ = rules_events.leaks_by_team_month(leaks)
    trace = figure.data[0]
    january = next(c for c, x, y in zip(trace.customdata, trace.x, trace.y) if (x, y) == ("Jan 2025", "Agency X"))
    chosen = rules_events.selected_leak({"selection": {"points": [{"customdata": january}]}}, leaks)
    assert list(chosen["deal_ids"]) == ["d1", "d6"]
    assert rules_events.leak_sentence(chosen) == ("Agency X, Jan 2025: 1 out-of-scope touch on 2 deals (1 won, "
                                                  "1 lost, 0 open)")
    assert rules_events.selected_leak({"selection": {"points": [{"customdata": 99}]}}, leaks) is None
    assert rules_events.selected_leak({}, leaks) is None

    from tandem.model import deal_search

    filters, notices = deal_search.from_url({"id": ["d1", "d6", "d1", "x" * 101]}, deal_search.DealOptions())
    assert filters.deal_ids == ("d1", "d6") and filters.to_url() == {"id": ["d1", "d6"]}
    assert notices == ["Ignored 1 of the 3 deals named by the URL: a link names at most 500 deals, each an id of at "
                       "most 100 characters."]
    dashboard_on(db, monkeypatch)
    at = open_page_on_week("deal_explorer", id=["d1", "d6"])
    assert any(i.value.startswith("Only the 2 deals named by the link you followed") for i in at.info)
    assert at.metric[0].value == "1"  # of the two, the week's active deals: d1 (d6 closed on 1 Feb)
