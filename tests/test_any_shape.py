"""Real data of any shape (issue 22): deals and no activities (the Maven-shaped fixture),
activities and no deals, and `summary` with the sidebar's filters equal to the pages.

Hand-worked figures: tests/fixtures/maven/README.md and tests/fixtures/summary/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tandem.cli.summary import compute_summary
from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tandem.model import coverage
from tandem.model.filters import Options
from tandem.model.pages import TITLES
from tandem.ui import state
from tests.maven import to_contract
from tests.test_weekly_review import KPI_LABELS

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_FIXTURE = Path(__file__).parent / "fixtures" / "summary"
PAGES = tuple(TITLES)  # every page of the navigation
NO_ACTIVITIES = coverage.missing("activities", "cross-team exchanges")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def imported(folder: Path, path: Path) -> Path:
    report = import_folder(folder, path)
    assert report.ok, report.error_text()
    return path


@pytest.fixture(scope="module")
def maven_db(tmp_path_factory) -> Path:
    return imported(to_contract(tmp_path_factory.mktemp("maven-contract")),
                    tmp_path_factory.mktemp("maven") / "maven.duckdb")


@pytest.fixture(scope="module")
def activities_only_db(tmp_path_factory) -> Path:
    """The summary fixture without deals, stage changes and claims (activities name no deal)."""
    folder = tmp_path_factory.mktemp("activities-only")
    for name in ("teams", "reps", "accounts", "contacts", "scope_rules"):
        shutil.copy(SUMMARY_FIXTURE / f"{name}.csv", folder)
    with open(SUMMARY_FIXTURE / "activities.csv", newline="") as source, \
            open(folder / "activities.csv", "w", newline="") as target:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, reader.fieldnames)
        writer.writeheader()
        writer.writerows({**row, "deal_id": ""} for row in reader)
    return imported(folder, tmp_path_factory.mktemp("activities-only-db") / "activities.duckdb")


@pytest.fixture(scope="module")
def summary_db(tmp_path_factory) -> Path:
    return imported(SUMMARY_FIXTURE, tmp_path_factory.mktemp("summary") / "summary.duckdb")


def open_page(db: Path, monkeypatch, page: str, **query_params) -> AppTest:
    """Open a page as a shared link would: the filters from the URL on the first run."""
    monkeypatch.setenv("TANDEM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    if page != "weekly_review":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- deals and no activities: the Maven-shaped fixture -------------------------------------

def test_the_import_needs_only_teams_reps_and_accounts(maven_db):
    with duckdb.connect(str(maven_db), read_only=True) as con:
        absent = con.execute("select value from tandem_meta where key = 'absent_tables'").fetchone()[0]
    assert absent == "contacts,deal_stage_changes,activities,claims,scope_rules,events,event_attendance"


def test_the_span_comes_from_the_deals(maven_db):
    """First engagement 2016-10-20 to the last close 2017-12-29: the sidebar and the default
    period follow the data, not today."""
    options = Options.from_frame(run("filter_options", db=maven_db))
    assert (options.first_day, options.last_day) == (dt.date(2016, 10, 20), dt.date(2017, 12, 29))
    default = state.default_filters(options)
    assert (default.start, default.end) == (dt.date(2017, 10, 2), dt.date(2017, 12, 25))
    assert state.last_review_week(options) == dt.date(2017, 12, 18)


def test_conversion_shows_each_team_with_no_date_change(maven_db, monkeypatch):
    at = open_page(maven_db, monkeypatch, "conversion")
    assert at.session_state["filter_period"] == (dt.date(2017, 10, 2), dt.date(2017, 12, 24))
    table = at.dataframe[0].value.set_index("Team")
    assert "Touches/won" not in table.columns  # no activity: a column of zeros would be a false finding
    shown = table[["Created", "Won", "Lost", "Won amount (EUR)", "Cycle (days)"]].to_dict("index")
    assert shown == {
        "Ada Moreau": {"Created": 3, "Won": 2, "Lost": 1, "Won amount (EUR)": 5460, "Cycle (days)": "21.0"},
        "Ben Okafor": {"Created": 1, "Won": 2, "Lost": 0, "Won amount (EUR)": 608, "Cycle (days)": "9.0"},
        "Cleo Varga": {"Created": 5, "Won": 1, "Lost": 1, "Won amount (EUR)": 60, "Cycle (days)": "16.0"},
    }
    assert infos(at) == [
        coverage.missing("deal_stage_changes", "which stages the deals reached"),
        "No deal of this period names a source rep: to see who sources the deals and who closes them, fill "
        "source_rep_id in deals.csv.",
        coverage.missing("activities", "how soon owners first touched the customer"),
        coverage.missing("activities", "whether exchanges between the owner and the source rep pay"),
    ]
    assert coverage.missing("activities", "customer touches per won deal") in [c.value for c in at.caption]


def test_the_weekly_review_reviews_the_datas_last_week(maven_db, monkeypatch):
    at = open_page(maven_db, monkeypatch, "weekly_review")
    assert at.selectbox(key="review_week").value == "2017-W51"
    shown = metrics(at)
    assert (shown["Deals created"], shown["Deals won"], shown["Won amount (EUR)"]) == ("4", "2", "4,958")
    assert (shown["Win rate, internal teams"], shown["Win rate, external teams"]) == ("100%", "—")
    assert "Cross-team calls" not in shown and "Contested deals" not in shown
    no_contest = ("No claims and no activities in this database: to see contested deals, import claims.csv (the "
                  "reps' registrations of deals and credit claims) or activities.csv (the reps' calls, emails and "
                  "meetings).")
    assert infos(at) == [NO_ACTIVITIES, coverage.missing("activities", "customer touches"), no_contest]
    week = compute_summary(dt.datetime(2017, 12, 18), dt.datetime(2017, 12, 25), db=maven_db)
    assert (week["deals"]["created"], week["deals"]["won"], week["deals"]["won_amount"]) == (4, 2, 4958.0)
    assert week["notes"] == [coverage.missing("activities", "exchanges and customer touches"), no_contest]


@pytest.mark.parametrize("page, says", [
    ("communication", coverage.missing("activities", "exchanges between reps and customer touches")),
    ("contested_deals", "No claims and no activities in this database: to see contested deals, import claims.csv"),
    ("overview", coverage.missing("activities", "activities per week")),
])
def test_pages_needing_activities_say_which_file_would_bring_them(maven_db, monkeypatch, page, says):
    at = open_page(maven_db, monkeypatch, page)
    assert any(info.startswith(says) for info in infos(at)), infos(at)
    # the overview still draws the deals per week
    assert len(at.get("plotly_chart")) == (1 if page == "overview" else 0)


def test_the_overview_and_the_deals_page_show_the_deals(maven_db, monkeypatch):
    overview = metrics(open_page(maven_db, monkeypatch, "overview"))
    assert {k: overview[k] for k in ("Data from", "Data to", "Deals", "Activities")} == {
        "Data from": "20 Oct 2016", "Data to": "29 Dec 2017", "Deals": "13", "Activities": "0"}
    deals = open_page(maven_db, monkeypatch, "deal_explorer")
    assert not infos(deals) or not infos(deals)[0].startswith("No deals in this database")
    # the active deals of the default period: OPP04 to OPP11, OPP13, OPP14
    listed = deals.dataframe[0].value.set_index("deal_id")
    assert sorted(listed.index) == [f"OPP{n:02d}" for n in (4, 5, 6, 7, 8, 9, 10, 11, 13, 14)]
    # no stage history: a deal closed as of the end shows its final stage, one still open in
    # the data its deals.csv stage, one closing after the end lead (definitions.md)
    assert listed.loc[["OPP13", "OPP08", "OPP09", "OPP11", "OPP14"], "stage"].tolist() == [
        "Won", "Lost", "Qualified", "Lead", "Lead"]


def test_with_claims_and_no_activities_double_claims_are_judged(tmp_path, monkeypatch):
    """OPP09 (open, Cleo Varga's Mona Diaz) claimed by Mona and by Ines Park (internal): a double
    claim; OPP06 claimed by its owner only. The other two signals say why they are off."""
    folder = to_contract(tmp_path / "contract")
    (folder / "claims.csv").write_text("deal_id,rep_id,claimed_at,kind\nOPP09,mona-diaz,2017-11-28,registration\n"
                                       "OPP09,ines-park,2017-12-01,credit\nOPP06,joel-ruiz,2017-10-11,credit\n")
    db = imported(folder, tmp_path / "claims.duckdb")
    at = open_page(db, monkeypatch, "contested_deals")
    shown = metrics(at)
    assert (shown["Contested active deals"], shown["Value at stake (EUR)"]) == ("1", "550")
    rule = next(m.value for m in at.markdown if "**Double claim**" in m.value)
    assert "**Out of scope** is off: the data has no activities (activities.csv)" in rule
    assert "**Uncoordinated overlap** is off: the data has no activities (activities.csv)" in rule
    summary = compute_summary(dt.datetime(2017, 10, 2), dt.datetime(2017, 12, 25), db=db)
    assert summary["contested"]["deal_ids"] == ["OPP09"] and summary["notes"] == [
        coverage.missing("activities", "exchanges and customer touches")]


# --- activities and no deals ------------------------------------------------------------------

@pytest.mark.parametrize("page, says", [
    ("conversion", coverage.missing("deals", "conversion per team")),
    ("deal_explorer", coverage.missing("deals", "the deals and their records")),
    ("contested_deals", coverage.missing("deals", "contested deals")),
])
def test_pages_needing_deals_say_which_file_would_bring_them(activities_only_db, monkeypatch, page, says):
    at = open_page(activities_only_db, monkeypatch, page, start="2025-03-03", end="2025-03-10")
    assert infos(at) == [says]


def test_activities_without_deals_show_the_exchanges(activities_only_db, monkeypatch):
    """The summary fixture's week 2025-W10 without its deals: exchanges and touches do not
    depend on deals (tests/test_summary.py has the hand-worked counts)."""
    at = open_page(activities_only_db, monkeypatch, "weekly_review", week="2025-W10")
    shown = metrics(at)  # tests/test_summary.py EXPECTED_OWNER: e01 e02 calls, e03 email; t07 t10 t13 internal
    assert (shown["Cross-team calls"], shown["Cross-team emails"]) == ("2", "1")
    assert (shown["Customer touches, internal reps"], shown["Customer touches, external reps"]) == ("3", "7")
    assert infos(at) == [coverage.missing("deals", "deal counts"), coverage.missing("deals", "contested deals"),
                         coverage.missing("deals", "win rates")]
    communication = open_page(activities_only_db, monkeypatch, "communication", start="2025-03-03", end="2025-03-10")
    assert communication.get("plotly_chart")
    overview = open_page(activities_only_db, monkeypatch, "overview")
    assert infos(overview) == [coverage.missing("deals", "deals per week")]
    assert len(overview.get("plotly_chart")) == 1  # the activities per week


# --- summary with the sidebar's filters equals the pages -------------------------------------

FILTER_SETS = [
    {},
    {"team": ["int-a"]},
    {"team": ["ext-x", "int-b"], "attribution": "source"},
    {"region": ["North"]},
    {"segment": ["smb"], "team": ["ext-y"]},
    {"region": ["South"], "segment": ["enterprise"]},
]


def summary_of(db, choices: dict) -> dict:
    return compute_summary(dt.datetime(2025, 3, 3), dt.datetime(2025, 3, 10), db=db,
                           attribution=choices.get("attribution", "owner"), teams=choices.get("team", ()),
                           regions=choices.get("region", ()), segments=choices.get("segment", ()))


@pytest.mark.parametrize("choices", FILTER_SETS, ids=lambda c: json.dumps(c) if c else "none")
def test_summary_with_filters_equals_the_weekly_review_and_conversion(summary_db, monkeypatch, choices):
    summary = summary_of(summary_db, choices)
    assert summary["filters"] == {"teams": choices.get("team", []), "regions": choices.get("region", []),
                                  "segments": choices.get("segment", [])}
    review = metrics(open_page(summary_db, monkeypatch, "weekly_review", week="2025-W10", **choices))
    for label, (group, key) in KPI_LABELS.items():
        assert review[label] == f"{summary[group][key]:,.0f}", label

    st.cache_data.clear()
    st.cache_resource.clear()
    conversion = open_page(summary_db, monkeypatch, "conversion", start="2025-03-03", end="2025-03-10", **choices)
    if not any(team["created"] + team["won"] + team["lost"] for team in summary["teams"]):
        assert infos(conversion)[0].startswith("No deal was created or closed in this period")
        return
    shown = conversion.dataframe[0].value.set_index("Team")
    assert set(shown.index) == {team["name"] for team in summary["teams"]}  # the selected teams only
    for team in summary["teams"]:
        row = shown.loc[team["name"]]
        assert (row["Created"], row["Won"], row["Lost"], row["Won amount (EUR)"]) == (
            team["created"], team["won"], team["lost"], team["won_amount"]), team["name"]


def test_the_filters_narrow_the_hand_worked_figures(summary_db):
    """Region North holds acc1 and acc3: of their deals d1 (won in the week), d5 (closed at the
    end: open) and d7 (created at the start) are active; d4 is created at the end, d6 closed
    before the start. Exchanges between reps ignore the region."""
    everyone, north = summary_of(summary_db, {}), summary_of(summary_db, {"region": ["North"]})
    assert north["cross_team"] == everyone["cross_team"]
    assert north["deals"] == {"active": 3, "created": 1, "won": 1, "lost": 0, "won_amount": 100000.0}
    assert [t["team_id"] for t in summary_of(summary_db, {"team": ["int-a", "ext-x"]})["teams"]] == ["ext-x", "int-a"]


def test_maven_summary_by_region(maven_db):
    germany = compute_summary(dt.datetime(2017, 10, 2), dt.datetime(2017, 12, 25), db=maven_db, regions=["Germany"])
    assert germany["deals"] == {"active": 4, "created": 3, "won": 2, "lost": 1, "won_amount": 5450.0}


def tandem(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tandem", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_takes_teams_by_name_or_id_and_echoes_the_filters(maven_db):
    out = tandem("summary", "--db", str(maven_db), "--start", "2017-10-02", "--end", "2017-12-25", "--json",
                 "--team", "ada moreau", "--team", "cleo-varga", "--region", "GERMANY", "--segment", "retail")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["filters"] == {"teams": ["ada-moreau", "cleo-varga"], "regions": ["Germany"],
                                  "segments": ["retail"]}
    # Bolt Ltd (retail, Germany) deals of Ada's and Cleo's teams: created 08 13 14, won 13, lost 08
    assert summary["deals"] == {"active": 3, "created": 3, "won": 1, "lost": 1, "won_amount": 4900.0}
    assert [t["team_id"] for t in summary["teams"]] == ["ada-moreau", "cleo-varga"]
    text = tandem("summary", "--db", str(maven_db), "--week", "2017-W51", "--team", "Ben Okafor")
    assert "filters: teams ben-okafor" in text.stdout
    assert f"note: {coverage.missing('activities', 'exchanges and customer touches')}" in text.stdout


@pytest.mark.parametrize("args, message", [
    (["--team", "nobody"], "error: unknown team 'nobody': the database has ada-moreau (Ada Moreau), ben-okafor "
                           "(Ben Okafor), cleo-varga (Cleo Varga)"),
    (["--region", "Mars"], "error: unknown region 'Mars': the database has Germany, United States"),
    (["--segment", ""], "error: unknown segment '': the database has medical, retail, technolgy"),
])
def test_cli_unknown_filter_values_give_one_line_and_status_2(maven_db, args, message):
    out = tandem("summary", "--db", str(maven_db), "--week", "2017-W51", *args)
    assert (out.returncode, out.stderr.strip(), out.stdout) == (2, message, "")


# --- the data's span and the default period, whatever the data covers ---------------------

def options(first: dt.date, last: dt.date) -> Options:
    return Options(teams={}, regions=(), segments=(), first_day=first, last_day=last)


@pytest.mark.parametrize("first, last, period, review_week", [
    # Wednesday to Friday of one week: no complete week, so all of it, and that week to review
    (dt.date(2017, 12, 20), dt.date(2017, 12, 22), (dt.date(2017, 12, 20), dt.date(2017, 12, 23)),
     dt.date(2017, 12, 18)),
    # one day
    (dt.date(2017, 12, 20), dt.date(2017, 12, 20), (dt.date(2017, 12, 20), dt.date(2017, 12, 21)),
     dt.date(2017, 12, 18)),
    # Monday to Sunday: exactly one complete week
    (dt.date(2017, 12, 18), dt.date(2017, 12, 24), (dt.date(2017, 12, 18), dt.date(2017, 12, 25)),
     dt.date(2017, 12, 18)),
    # a year ending on a Wednesday: 12 complete weeks ending with the last one
    (dt.date(2017, 1, 4), dt.date(2017, 12, 27), (dt.date(2017, 10, 2), dt.date(2017, 12, 25)),
     dt.date(2017, 12, 18)),
])
def test_default_period_and_review_week_lie_in_the_data(first, last, period, review_week):
    default = state.default_filters(options(first, last))
    assert (default.start, default.end) == period
    assert state.last_review_week(options(first, last)) == review_week


def test_coverage_sentences():
    assert coverage.missing("activities", "cross-team exchanges") == (
        "No activities in this database: to see cross-team exchanges, import activities.csv (the reps' calls, "
        "emails and meetings).")
    assert coverage.judgeable_signals({"deals", "claims"}) == ("double_claim",)
    assert coverage.judgeable_signals({"deals", "activities"}) == ("uncoordinated_overlap",)
    assert coverage.judgeable_signals({"deals", "activities", "scope_rules", "claims"}) == (
        "double_claim", "out_of_scope", "uncoordinated_overlap")
    assert coverage.judgeable_signals({"activities", "claims"}) == ()
    assert coverage.contest_missing({"deals", "claims"}) is None
    assert coverage.contest_missing({"activities"}) == coverage.missing("deals", "contested deals")


def test_deals_per_week_on_the_overview(maven_db):
    """13 deals created (OPP12 left out), 8 won (01 03 04 06 07 10 13 14), 4 lost (02 05 08 11),
    over the 63 weeks from 17 Oct 2016 (OPP01's week) to 25 Dec 2017 (OPP11's close, and OPP14's)."""
    from tandem.figures.overview import deals_by_week

    weeks = run("deals_by_week", db=maven_db)
    assert weeks.groupby("deal_event")["deal_count"].sum().to_dict() == {"created": 13, "lost": 4, "won": 8}
    assert (len(weeks), weeks["week_start"].min(), weeks["week_start"].max()) == (
        63 * 3, dt.datetime(2016, 10, 17), dt.datetime(2017, 12, 25))
    in_week_51 = weeks[weeks["week_start"] == dt.datetime(2017, 12, 18)].set_index("deal_event")["deal_count"]
    assert in_week_51.to_dict() == {"created": 4, "lost": 0, "won": 2}  # OPP10 11 13 14; OPP10 13
    assert deals_by_week(weeks).layout.title.text == "13 deals created, 8 won and 4 lost, Oct 2016 to Dec 2017"


@pytest.mark.parametrize("deal, header, stage_sentence", [
    ("OPP13", "· won · owner Joel Ruiz (Ada Moreau)", "No stage change in the data: its stage is the one of deals.csv, won."),
    ("OPP09", "· open, stage qualified · owner Mona Diaz (Cleo Varga)",
     "No stage change in the data: its stage is the one of deals.csv, qualified."),
])
def test_a_deal_record_without_history_or_activities(maven_db, monkeypatch, deal, header, stage_sentence):
    at = open_page(maven_db, monkeypatch, "deal_explorer", deal=deal)
    assert any(header in m.value for m in at.markdown), [m.value for m in at.markdown]
    captions = [c.value for c in at.caption]
    assert stage_sentence in captions
    assert coverage.missing("activities", "who touched this deal's customer") in captions
