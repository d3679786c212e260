"""Who may see what, enforced in SQL (issue 21): every query file run in an agency
manager's scope on a hand-built fixture shows nothing of another agency, and no query
runs without a scope.

The fixture (tests/fixtures/scope, its README says who is in which scope) has one internal
team and two agencies; every row that is the other agency's (Bravo) has `bravo` in a field.
So the same data without Bravo is the fixture without those lines, and a query in Alpha's
scope must give exactly the same answer on both: a Bravo row, count or sum that got in
would change it (Bravo's amounts are 300,000 and 4,000,000).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tandem.data import queries
from tandem.data.importer import import_folder
from tandem.model import pseudonyms
from tandem.model.roles import ALL_DATA, Identity, Scope

FIXTURE = Path(__file__).parent / "fixtures" / "scope"
ALPHA = Scope(agency="Alpha Outsourcing")
BRAVO = Scope(agency="Bravo Partners")
START, END = dt.datetime(2024, 1, 1), dt.datetime(2024, 7, 1)
DEAL_IDS = ["d-alpha", "d-shared", "d-bravo", "d-bravo-inside", "d-internal"]
# what Alpha's manager must never see: Bravo's data, the events closed to agencies, and the internal
# deal no Alpha rep worked with its touch and the internal exchange (ids as they would show)
SECRET = ["bravo", "strategy day", "internal kickoff", "cobalt seminar", "ev-strategy", "ev-kickoff",
          "d-internal", "cobalt expansion", "x-ivo-2", "x-ana-ivo"]
EDITED_RULES = [  # a what-if: the fixture's rules with Alpha's widened to mid-sized accounts
    {"team_id": "int-ka", "segment": "*", "region": "*", "stage_from": "lead", "stage_to": "won"},
    {"team_id": "ext-alpha", "segment": "mid", "region": "*", "stage_from": "lead", "stage_to": "proposal"},
    {"team_id": "ext-bravo", "segment": "mid", "region": "*", "stage_from": "lead", "stage_to": "qualified"},
]


@pytest.fixture(scope="module")
def full_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scope") / "full.duckdb"
    assert import_folder(FIXTURE, path).ok
    return path


@pytest.fixture(scope="module")
def without_bravo_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scope-csv")
    for csv in FIXTURE.glob("*.csv"):
        lines = csv.read_text().splitlines()
        (folder / csv.name).write_text("\n".join([lines[0], *(x for x in lines[1:] if "bravo" not in x.lower())]) + "\n")
    path = tmp_path_factory.mktemp("scope") / "without-bravo.duckdb"
    result = import_folder(folder, path)
    assert result.ok, result
    return path


VALUES = {
    "start": START, "end": END, "teams": [], "regions": [], "segments": [], "attribution": "owner",
    "lookback_days": 30, "overlap_days": 7, "signals": [], "deal_ids": [], "statuses": [], "stages": [],
    "min_amount": None, "max_amount": None, "products": [], "lead_sources": [], "owner_rep_ids": [],
    "source_rep_ids": [], "search": "", "contested_only": False, "limit": 1000, "weeks": 4, "max_exchanges": 1000,
    "starts": [START, dt.datetime(2024, 3, 1)], "ends": [dt.datetime(2024, 3, 1), END], "rules": None,
}
# The parameters that pick one thing: every choice, Bravo's included (a link naming it).
CHOICES = {
    "deal_id": [{"deal_id": deal} for deal in DEAL_IDS],
    "rep_a": [{"rep_a": "r-ana", "rep_b": b} for b in ("r-al", "r-bravo", "r-ivo")],
    "internal_team": [{"internal_team": "int-ka", "external_team": t} for t in ("ext-alpha", "ext-bravo")],
    "rules": [{"rules": None}, {"rules": EDITED_RULES}],
    "contested_only": [{"contested_only": False}, {"contested_only": True}],
    "deal_ids": [{"deal_ids": []}, {"deal_ids": DEAL_IDS}],
}


def calls(name: str) -> list[dict]:
    """Every way the test runs query `name`: the default values, and each choice in turn."""
    wanted = queries.query_parameters(queries.query_text(name)) - queries.SCOPE_PARAMETERS
    base = {key: VALUES[key] for key in wanted if key in VALUES}
    variants = [[{}]]
    for key, options in CHOICES.items():
        if key in wanted:
            variants.append(options)
    runs = [base]
    for options in variants[1:]:
        runs = [{**run, **option} for run in runs for option in options]
    return [{key: value for key, value in run.items() if key in wanted} for run in runs]


def comparable(frame: pd.DataFrame) -> list[tuple]:
    """The rows as plain values, in a fixed order (lists as tuples, NaN as None)."""
    def plain(value):
        if isinstance(value, (list, tuple, np.ndarray)):
            return tuple(plain(v) for v in value)
        return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else value
    rows = [tuple(plain(v) for v in row) for row in frame.itertuples(index=False)]
    return sorted(rows, key=repr)


def cells(frame: pd.DataFrame) -> list[str]:
    return [str(value).lower() for row in frame.itertuples(index=False) for value in row] + [
        str(c).lower() for c in frame.columns]


QUERY_NAMES = queries.query_names()


def without_the_files_span(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The time the whole file covers (definitions.md "Data span") is the file's, the same for
    every user, so that periods and their defaults agree; and a build time differs between two
    files. Left out of the comparison, not of the name check."""
    if name == "data_source":
        return frame.drop(columns=[c for c in frame.columns if c == "built_at" or c.endswith("_at")])
    if name == "filter_options":
        return frame[frame["kind"] != "period"]
    return frame


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_an_agency_managers_query_shows_nothing_of_another_agency(name, full_db, without_bravo_db):
    for params in calls(name):
        seen = queries.run(name, db=full_db, scope=ALPHA, **params)
        shown = seen[["pseudonym"]] if name == "name_pseudonyms" else seen  # the masking table's keys are not shown
        leaked = sorted({secret for secret in SECRET for cell in cells(shown) if secret in cell})
        assert not leaked, f"{name} {params}: {leaked} in Alpha's answer"
        if name == "name_pseudonyms":  # the masking table: its real names are never shown, checked below
            continue
        same_without = queries.run(name, db=without_bravo_db, scope=ALPHA, **params)
        assert comparable(without_the_files_span(name, seen)) == comparable(without_the_files_span(name, same_without)), (
            f"{name} {params}: Bravo's data changed Alpha's answer")


def test_the_fixture_has_bravo_data_that_every_figure_would_show(full_db, without_bravo_db):
    """Without a scope, Bravo's rows change the answer of every query: so the test above would
    catch a query that ignored the scope."""
    unchanged = set()
    for name in QUERY_NAMES:
        if all(comparable(without_the_files_span(name, queries.run(name, db=full_db, scope=ALL_DATA, **params)))
               == comparable(without_the_files_span(name, queries.run(name, db=without_bravo_db, scope=ALL_DATA,
                                                                       **params)))
               for params in calls(name)):
            unchanged.add(name)
    assert unchanged == set()


def test_exact_figures_in_alphas_scope(full_db):
    """Worked out by hand from the fixture's README."""
    counts = queries.run("table_row_counts", db=full_db, scope=ALPHA).set_index("table_name")["row_count"].to_dict()
    # activities: Al's two touches and Ana's on d-shared, and the two Ana-Al exchanges (Ivo's touches
    # name deals out of scope, Ana-Ivo is internal); accounts: those of the two deals
    assert counts == {"teams": 2, "reps": 3, "accounts": 2, "contacts": 2, "deals": 2, "deal_stage_changes": 4,
                      "activities": 5, "claims": 3, "scope_rules": 2, "events": 1, "event_attendance": 2}
    totals = queries.run("deal_totals", db=full_db, scope=ALPHA, starts=[START], ends=[END], lookback_days=30,
                         overlap_days=7, attribution="owner", teams=[], regions=[], segments=[], signals=[]).iloc[0]
    assert (totals["active"], totals["contested_amount"]) == (2, 20000)
    events = queries.run("events_attendance", db=full_db, scope=ALPHA, start=START, end=END, teams=[])
    assert events[["event_id", "force", "attendees"]].values.tolist() == [
        ["ev-fair", "internal", 1], ["ev-fair", "Alpha Outsourcing", 1]]
    assert queries.run("event_intrusions", db=full_db, scope=ALPHA, start=START, end=END, teams=[]).empty
    known = queries.run("known_deal_ids", db=full_db, scope=ALPHA, deal_ids=DEAL_IDS)["deal_id"]
    assert sorted(known) == ["d-alpha", "d-shared"]
    # the other agency's reps are one "Other agency", its own are numbered apart
    names = queries.run("name_pseudonyms", db=full_db, scope=ALPHA).set_index("id")["pseudonym"].to_dict()
    assert (names["r-al"], names["r-bravo"], names["r-ana"]) == ("Agency rep 1", "Other agency rep 1",
                                                                 "Internal rep 1")


def test_bravos_scope_is_its_own(full_db):
    known = queries.run("known_deal_ids", db=full_db, scope=BRAVO, deal_ids=DEAL_IDS)["deal_id"]
    assert sorted(known) == ["d-bravo", "d-bravo-inside"]
    assert sorted(queries.run("known_deal_ids", db=full_db, scope=ALL_DATA, deal_ids=DEAL_IDS)["deal_id"]) == sorted(
        DEAL_IDS)


def test_no_query_runs_without_a_scope(full_db):
    with pytest.raises(queries.QueryError, match="no scope given"):
        queries.run("table_row_counts", db=full_db)
    with pytest.raises(queries.QueryError, match="scope_agency comes from the scope"):
        queries.run("table_row_counts", db=full_db, scope=ALPHA, scope_agency=None)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_file_applies_the_scope(name):
    """The runner refuses a query that does not read `$scope_agency`, and binding it is the
    runner's alone: executed without it, the SQL fails."""
    assert "$scope_agency" in queries.query_text(name)


def test_a_query_file_without_the_scope_is_refused(tmp_path, monkeypatch, full_db):
    (tmp_path / "every_deal.sql").write_text("-- Every deal.\n-- Parameters: none.\nselect deal_id from deals\n")
    monkeypatch.setattr(queries, "QUERIES_DIR", tmp_path)
    with pytest.raises(queries.QueryError, match="does not apply the scope"):
        queries.run("every_deal", db=full_db, scope=ALL_DATA)


def test_the_scope_comes_from_the_identity():
    assert Identity("amy", "agency_manager", "Alpha Outsourcing").scope.query_parameters() == {
        "scope_agency": "Alpha Outsourcing"}
    for role in ("admin", "director", "internal_manager", "presenter"):
        assert Identity("x", role).scope.query_parameters() == {"scope_agency": None}


def test_the_fixture_folder_is_importable_as_is(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "copy")
    assert import_folder(tmp_path / "copy", tmp_path / "x.duckdb").ok


def test_an_agency_manager_sees_other_agencies_and_internal_reps_under_pseudonyms(full_db):
    scope = Identity("amy", "agency_manager", "Alpha Outsourcing").scope
    hidden = pseudonyms.names_hidden_from(queries.run("name_pseudonyms", db=full_db, scope=scope), scope)
    frame = pd.DataFrame({"rep_id": ["r-al", "r-ana", "r-bravo"], "rep_name": ["Al Marsh", "Ana Lima", "Bo Bravo"],
                          "rep_team_id": ["ext-alpha", "int-ka", "ext-bravo"],
                          "rep_team_name": ["Alpha Field", "Key Accounts", "Bravo Field"],
                          "account_id": ["a1", "a2", "a3"], "account_name": ["Acme", "Borealis", "Cobalt"],
                          "subject": ["a", None, "b"]})
    shown = pseudonyms.pseudonymise(frame, hidden, only_listed=True)
    assert shown["rep_name"].tolist() == ["Al Marsh", "Internal rep 1", "Other agency rep 1"]
    assert shown["rep_team_name"].tolist() == ["Alpha Field", "Key Accounts", "Other agency"]
    assert shown["account_name"].tolist() == ["Acme", "Borealis", "Cobalt"]  # accounts are not hidden by role
    assert shown["subject"].equals(frame["subject"])  # free text is not hidden by role


def test_an_internal_manager_sees_agency_reps_under_pseudonyms_and_a_director_every_name(full_db):
    frame = pd.DataFrame({"rep_id": ["r-al", "r-ana", "r-bravo"], "rep_name": ["Al Marsh", "Ana Lima", "Bo Bravo"]})
    internal = Identity("ian", "internal_manager").scope
    hidden = pseudonyms.names_hidden_from(queries.run("name_pseudonyms", db=full_db, scope=internal), internal)
    assert pseudonyms.pseudonymise(frame, hidden, only_listed=True)["rep_name"].tolist() == [
        "Agency A rep 1", "Ana Lima", "Agency B rep 1"]
    director = Identity("dee", "director").scope
    assert pseudonyms.names_hidden_from(queries.run("name_pseudonyms", db=full_db, scope=director), director) is None


@pytest.fixture(scope="module")
def two_others_db(tmp_path_factory) -> Path:
    """The fixture with a third agency, Charlie, and Bravo's and Charlie's reps both claiming
    Alpha's deal d-shared (owned by internal Ana, sourced by Alpha's Al) in March."""
    folder = tmp_path_factory.mktemp("scope-three")
    for csv in FIXTURE.glob("*.csv"):
        (folder / csv.name).write_text(csv.read_text())
    extra = {"teams.csv": "ext-charlie,Charlie Field,external,Charlie Co\n",
             "reps.csv": "r-charlie,Cy Charlie,ext-charlie,,2023-01-02,\n",
             "claims.csv": "d-shared,r-bravo,2024-03-05T08:00:00,registration\n"
                           "d-shared,r-charlie,2024-03-06T08:00:00,registration\n"}
    for name, lines in extra.items():
        with open(folder / name, "a") as file:
            file.write(lines)
    path = tmp_path_factory.mktemp("scope") / "three.duckdb"
    assert import_folder(folder, path).ok
    return path


def test_other_agencies_are_one_in_an_agency_managers_team_pairs(two_others_db):
    """Alpha's manager sees Bravo and Charlie as one "Other agency": d-shared, worked by Key
    Accounts (owner), Alpha, Bravo and Charlie (claims) and contested (double claim, every
    claimant's team in the conflict), counts once under Key Accounts × Other agency; the
    director sees each agency's pair."""
    params = {key: VALUES[key] for key in ("start", "end", "lookback_days", "overlap_days", "attribution", "teams",
                                           "regions", "segments", "signals")}
    pairs = queries.run("contested_rate_by_team_pair", db=two_others_db, scope=ALPHA, **params)
    rows = {row.external_team_name: (row.external_team_id, row.worked_by_both, row.contested, row.contested_amount)
            for row in pairs.itertuples()}
    assert set(pairs["internal_team_name"]) == {"Key Accounts"} and len(pairs) == len(rows) == 2
    assert rows == {"Alpha Field": ("ext-alpha", 1, 1, 20000.0), "Other agency": ("(other agency)", 1, 1, 20000.0)}
    whole = queries.run("contested_rate_by_team_pair", db=two_others_db, scope=ALL_DATA, **params)
    assert set(whole["external_team_name"]) == {"Alpha Field", "Bravo Field", "Charlie Field"}
    assert whole.set_index("external_team_name").loc["Charlie Field", "worked_by_both"] == 1
    # the contested deal's teams, a text: the other agencies named as one there too
    contested = queries.run("contested_deals", db=two_others_db, scope=ALPHA, **params).set_index("deal_id")
    assert contested.loc["d-shared", "teams_involved"] == "Alpha Field, Key Accounts, Other agency"
    contested = queries.run("contested_deals", db=two_others_db, scope=ALL_DATA, **params).set_index("deal_id")
    assert contested.loc["d-shared", "teams_involved"] == "Alpha Field, Bravo Field, Charlie Field, Key Accounts"


# names of what Alpha's manager may see only under pseudonyms, or not at all, in the three-agency
# fixture: other agencies, their teams and reps, the internal reps, and the deals out of its scope
HIDDEN_FROM_ALPHA = ["bravo partners", "bravo field", "bo bravo", "charlie co", "charlie field", "cy charlie",
                     "ana lima", "ivo dias", "bravo cobalt deal", "bravo renewal", "cobalt expansion"]


@pytest.mark.parametrize("name", [n for n in QUERY_NAMES if n != "name_pseudonyms"])
def test_a_deal_other_agencies_worked_shows_them_to_an_agency_manager_only_as_other_agency(name, two_others_db):
    """The equality check above cannot see what a deal in Alpha's scope shows of the other
    agencies that worked it (their part is in scope, under pseudonyms): every query, with every
    choice, in Alpha's scope on the three-agency fixture and with the names Alpha's role may not
    see replaced as the dashboard replaces them, names none of them."""
    hidden = pseudonyms.names_hidden_from(queries.run("name_pseudonyms", db=two_others_db, scope=ALPHA), ALPHA)
    for params in calls(name):
        shown = pseudonyms.pseudonymise(queries.run(name, db=two_others_db, scope=ALPHA, **params), hidden,
                                        only_listed=True)
        leaked = sorted({secret for secret in HIDDEN_FROM_ALPHA for cell in cells(shown) if secret in cell})
        assert not leaked, f"{name} {params}: {leaked} in Alpha's answer"
