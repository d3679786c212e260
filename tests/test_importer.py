"""Importer: every contract rule refused with a precise message, the old database kept
byte-identical, everything the contract calls valid accepted as it is."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tandem.data.contract import TABLES
from tandem.data.exporter import export_database
from tandem.data.importer import MAX_PROBLEMS, import_folder

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
TS_HINT = " is not a date-time (expected ISO 8601 without time zone, e.g. 2024-05-17T14:30:00)"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path) -> Path:
    """A writable copy of the minimal valid fixture."""
    return Path(shutil.copytree(MINIMAL, tmp_path / "csv"))


@pytest.fixture(scope="module")
def minimal_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("minimal") / "minimal.duckdb"
    assert import_folder(MINIMAL, path).ok
    return path


@pytest.fixture
def existing_db(tmp_path, minimal_db) -> Path:
    """A database that a refused import must leave byte-identical."""
    return Path(shutil.copy(minimal_db, tmp_path / "current.duckdb"))


def edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_minimal_fixture_imports_with_everything_the_contract_calls_valid(tmp_path):
    db = tmp_path / "t.duckdb"
    report = import_folder(MINIMAL, db)
    assert report.ok, report.error_text()
    assert report.warnings == []
    assert report.row_counts == {"teams": 2, "reps": 3, "accounts": 2, "contacts": 2, "deals": 3,
                                 "deal_stage_changes": 7, "activities": 6, "claims": 2, "scope_rules": 2,
                                 "events": 2, "event_attendance": 3}
    # a touch dated before its deal's creation, a touch on another account's deal,
    # an activity after the rep left: all kept as they are
    assert rows(db, "select activity_id, occurred_at::varchar, contact_id, deal_id from activities "
                    "where activity_id in ('x1', 'x4', 'x5') order by 1") == [
        ("x1", "2024-01-20 10:00:00", "c1", "d1"),
        ("x4", "2024-03-10 09:00:00", "c2", "d1"),
        ("x5", "2024-07-01 09:00:00", "c2", None),
    ]
    # stage changes may move backwards; a quoted field may span lines; types are typed
    assert rows(db, "select stage from deal_stage_changes where deal_id = 'd2' order by changed_at") == [
        ("proposal",), ("qualified",), ("proposal",)]
    assert rows(db, "select subject from activities where activity_id = 'x2'") == [("Handoff\nabout Acme",)]
    assert rows(db, "select amount, created_at::varchar from deals where deal_id = 'd2'") == [
        (8500.5, "2024-03-04 10:00:00")]
    assert rows(db, "select event_id, internal_only from events order by 1") == [("e1", True), ("e2", False)]
    assert rows(db, "select value from tandem_meta where key = 'source'") == [("import",)]


# One row per rule: (file, text to replace, replacement, first problem reported).
BROKEN = [
    # required values and types
    ("reps.csv", "r3,Cleo Park", "r3,", 'reps.csv line 4, column name: is empty but required'),
    ("activities.csv", "x3,2024-02-06T14:00:00", "x3,2024-13-01",
     'activities.csv line 5, column occurred_at: "2024-13-01"' + TS_HINT),
    ("activities.csv", "x1,2024-01-20T10:00:00", "x1,2024-01-20T10:00:00+02:00",
     'activities.csv line 2, column occurred_at: "2024-01-20T10:00:00+02:00"' + TS_HINT),
    ("claims.csv", "2024-01-25T08:00:00", "yesterday",
     'claims.csv line 2, column claimed_at: "yesterday"' + TS_HINT),
    ("reps.csv", "2023-03-01", "01/03/2023",
     'reps.csv line 3, column started_on: "01/03/2023" is not a date (expected YYYY-MM-DD)'),
    ("deals.csv", "120000", "120k", 'deals.csv line 2, column amount: "120k" is not a number'),
    ("deals.csv", "8500.5", "-8500.5", 'deals.csv line 3, column amount: "-8500.5" is negative (must be 0 or more)'),
    ("activities.csv", "outbound,600,", "outbound,-600,",
     'activities.csv line 2, column duration_s: "-600" is negative (must be 0 or more)'),
    ("events.csv", "2024-03-15,true", "2024-03-15,yes",
     'events.csv line 2, column internal_only: "yes" is not true or false'),
    # enumerations
    ("teams.csv", "external,Apex", "partner,Apex",
     'teams.csv line 3, column kind: "partner" is not one of internal, external'),
    ("deals.csv", "2024-03-04 10:00,,open,proposal", "2024-03-04 10:00,,pending,proposal",
     'deals.csv line 3, column status: "pending" is not one of open, won, lost'),
    ("deal_stage_changes.csv", "d1,qualified", "d1,closing",
     'deal_stage_changes.csv line 2, column stage: "closing" is not one of lead, qualified, proposal, '
     'negotiation, won, lost'),
    ("activities.csv", "x3,2024-02-06T14:00:00,meeting", "x3,2024-02-06T14:00:00,sms",
     'activities.csv line 5, column channel: "sms" is not one of call, email, meeting'),
    ("activities.csv", "d1,outbound,600", "d1,out,600",
     'activities.csv line 2, column direction: "out" is not one of outbound, inbound'),
    ("claims.csv", "registration", "finders_fee",
     'claims.csv line 2, column kind: "finders_fee" is not one of registration, credit'),
    ("scope_rules.csv", "lead,qualified", "lost,qualified",
     'scope_rules.csv line 3, column stage_from: "lost" is not one of lead, qualified, proposal, negotiation, won'),
    ("events.csv", "convention", "party",
     'events.csv line 3, column kind: "party" is not one of convention, seminar, product_launch, team_building, '
     'strategy_meeting'),
    # unique keys
    ("teams.csv", "int-ka,Key Accounts,internal,\n", "int-ka,Key Accounts,internal,\nint-ka,Copy,internal,\n",
     'teams.csv line 3, column team_id: team_id "int-ka" is not unique (first on line 2)'),
    ("deal_stage_changes.csv", "d1,proposal,2024-03-01T10:00:00", "d1,proposal,2024-02-10 10:00",
     'deal_stage_changes.csv line 3, column changed_at: deal_id "d1", changed_at "2024-02-10 10:00" '
     'is not unique (first on line 2)'),
    ("activities.csv", "x6,", "x1,", 'activities.csv line 8, column activity_id: activity_id "x1" is not unique '
                                     '(first on line 2)'),
    # references
    ("reps.csv", "r3,Cleo Park,ext-a", "r3,Cleo Park,ext-z",
     'reps.csv line 4, column team_id: "ext-z" is not a team_id of teams.csv'),
    ("accounts.csv", "Manufacturing,r1", "Manufacturing,r9",
     'accounts.csv line 2, column owner_rep_id: "r9" is not a rep_id of reps.csv'),
    ("contacts.csv", "c2,a2", "c2,a7",
     'contacts.csv line 3, column account_id: "a7" is not a account_id of accounts.csv'),
    ("deals.csv", "won,won,r1,r2", "won,won,r1,r7",
     'deals.csv line 2, column source_rep_id: "r7" is not a rep_id of reps.csv'),
    ("deal_stage_changes.csv", "d3,lost", "d4,lost",
     'deal_stage_changes.csv line 8, column deal_id: "d4" is not a deal_id of deals.csv'),
    ("activities.csv", ",c2,,outbound,90", ",c3,,outbound,90",
     'activities.csv line 7, column contact_id: "c3" is not a contact_id of contacts.csv'),
    ("activities.csv", "x6,2024-03-05T09:00:00,email,r3,r1", "x6,2024-03-05T09:00:00,email,r3,r8",
     'activities.csv line 8, column counterpart_rep_id: "r8" is not a rep_id of reps.csv'),
    ("claims.csv", "d1,r1", "d1,r5", 'claims.csv line 3, column rep_id: "r5" is not a rep_id of reps.csv'),
    ("scope_rules.csv", "ext-a,smb", "ext-b,smb", 'scope_rules.csv line 3, column team_id: "ext-b" is not a team_id of '
                                                  'teams.csv'),
    ("event_attendance.csv", "e2,r3", "e3,r3",
     'event_attendance.csv line 4, column event_id: "e3" is not a event_id of events.csv'),
    # rules across columns
    ("deals.csv", "2024-04-01,2024-04-20T12:00:00", "2024-04-01,2024-03-20T12:00:00",
     'deals.csv line 4, column closed_at: "2024-03-20T12:00:00" is before created_at "2024-04-01"'),
    ("deals.csv", "2024-03-04 10:00,,open", "2024-03-04 10:00,2024-05-01,open",
     'deals.csv line 3, column status: status is "open" but closed_at is set (open exactly when closed_at is empty)'),
    ("deals.csv", "2024-02-01T09:00:00,2024-05-10T16:30:00,won", "2024-02-01T09:00:00,,won",
     'deals.csv line 2, column status: status is "won" but closed_at is empty (open exactly when closed_at is empty)'),
    ("deals.csv", "lost,lost,r3", "lost,negotiation,r3",
     'deals.csv line 4, column stage: "negotiation" does not agree with status "lost"'),
    ("deals.csv", "open,proposal", "open,won",
     'deals.csv line 3, column stage: "won" is a closing stage but status is "open"'),
    ("activities.csv", "x5,2024-07-01T09:00:00,call,r2,,c2", "x5,2024-07-01T09:00:00,call,r2,r1,c2",
     "activities.csv line 7, column counterpart_rep_id: both counterpart_rep_id and contact_id are set "
     "(exactly one is allowed)"),
    ("activities.csv", "x3,2024-02-06T14:00:00,meeting,r1,,c1", "x3,2024-02-06T14:00:00,meeting,r1,,",
     "activities.csv line 5, column counterpart_rep_id: neither counterpart_rep_id nor contact_id is set "
     "(exactly one is required)"),
    # files and CSV structure
    ("reps.csv", "rep_id,name,team_id,email,started_on,left_on", "rep_id,name,team_id,email,start,left_on",
     "reps.csv line 1, column started_on: required column missing from the header"),
    ("teams.csv", "team_id,name,kind,agency", "team_id,name,kind,name", "teams.csv line 1, column name: column "
                                                                         "appears more than once in the header"),
    ("activities.csv", "x3,2024-02-06T14:00:00,meeting,r1,,c1,,outbound,3600,",
     "x3,2024-02-06T14:00:00,meeting,r1,,c1,,outbound,3600,,extra",
     "activities.csv line 5: has 11 fields but the header has 10"),
    ("contacts.csv", "c2,a2,Eli Stone,", 'c2,a2,"Eli Stone,', 'contacts.csv line 3: is not valid CSV '
                                                              '(unexpected end of data)'),
]


@pytest.mark.parametrize("file, old, new, expected", BROKEN,
                         ids=[f"{c[0]}:{c[3].split(': ', 1)[1][:40]}" for c in BROKEN])
def test_broken_file_is_refused_with_a_precise_message_and_the_database_kept(folder, existing_db, file, old, new,
                                                                            expected):
    edit(folder, file, old, new)
    before = digest(existing_db)
    report = import_folder(folder, existing_db)
    assert not report.ok
    assert str(report.problems[0]) == expected
    assert report.total_problems == 1, report.error_text()
    assert digest(existing_db) == before
    assert sorted(p.name for p in existing_db.parent.iterdir()) == ["csv", "current.duckdb"]


def test_missing_required_file_and_empty_file(folder, existing_db):
    (folder / "accounts.csv").unlink()
    (folder / "teams.csv").write_text("")
    before = digest(existing_db)
    report = import_folder(folder, existing_db)
    assert [str(p) for p in report.problems] == [
        "teams.csv: file is empty (expected a header line with the column names)",
        "accounts.csv: file missing (this table is required)",
    ]
    assert digest(existing_db) == before


def test_file_that_is_not_utf8_is_refused(folder, existing_db):
    (folder / "accounts.csv").write_bytes("account_id,name,segment,region\na1,Caf\xe9,smb,North\n".encode("latin-1"))
    report = import_folder(folder, existing_db)
    assert [str(p) for p in report.problems] == [
        'accounts.csv line 2, column name: "Caf\ufffd" is not UTF-8 text (byte 0xE9; save the file as UTF-8)']


def test_optional_tables_and_columns_may_be_absent_and_extra_columns_warn(folder, tmp_path):
    for name in ("claims", "scope_rules", "event_attendance", "events"):
        (folder / f"{name}.csv").unlink()
    edit(folder, "teams.csv", "team_id,name,kind,agency\n", "team_id,name,kind,agency,colour\n")
    edit(folder, "teams.csv", "int-ka,Key Accounts,internal,\n", "int-ka,Key Accounts,internal,,blue\n")
    edit(folder, "teams.csv", "Apex Outsourcing\n", "Apex Outsourcing,red\n")
    (folder / "contacts.csv").write_text("contact_id,account_id,name\nc1,a1,Dora Díaz\nc2,a2,Eli Stone\n")
    (folder / "notes.csv").write_text("anything\n")
    db = tmp_path / "t.duckdb"
    report = import_folder(folder, db)
    assert report.ok, report.error_text()
    assert report.warnings == ["notes.csv: not a table of the data contract, ignored",
                               "teams.csv: unknown column 'colour' ignored"]
    assert rows(db, "select count(*) from claims union all select count(*) from scope_rules") == [(0,), (0,)]
    assert rows(db, "select title from contacts") == [(None,), (None,)]
    assert rows(db, "select value from tandem_meta where key = 'absent_tables'") == [
        ("claims,scope_rules,events,event_attendance",)]


def test_at_most_twenty_problems_are_listed_with_the_total(folder, existing_db):
    lines = "".join(f"y{i},2024-02-30T10:00:00,call,r1,r2,,,outbound,,\n" for i in range(30))
    (folder / "activities.csv").write_text((folder / "activities.csv").read_text() + lines)
    report = import_folder(folder, existing_db)
    assert report.total_problems == 30
    assert len(report.problems) == MAX_PROBLEMS
    assert str(report.problems[0]) == 'activities.csv line 9, column occurred_at: "2024-02-30T10:00:00"' + TS_HINT
    assert report.error_text().splitlines()[0] == "import refused: 30 problems found; the database was not changed."
    assert report.error_text().splitlines()[-1] == "  ... and 10 more (the first 20 are shown)"


def test_cli_exit_status_and_messages(folder, existing_db):
    edit(folder, "deals.csv", "120000", "120k")
    before = digest(existing_db)
    result = subprocess.run([sys.executable, "-m", "tandem", "import", str(folder), "--db", str(existing_db)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert 'deals.csv line 2, column amount: "120k" is not a number' in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(existing_db) == before
    missing = subprocess.run([sys.executable, "-m", "tandem", "import", str(folder / "nope"), "--db", str(existing_db)],
                             capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: {folder / 'nope'} is not a folder of CSV files"


def test_export_of_a_missing_database_makes_no_folder(tmp_path):
    """Issue 19: `export` made its target folder before finding that the database was not there."""
    target = tmp_path / "out" / "csv"
    result = subprocess.run([sys.executable, "-m", "tandem", "export", str(target), "--db",
                             str(tmp_path / "no.duckdb")], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith(f"error: no database at {tmp_path / 'no.duckdb'}")
    assert not (tmp_path / "out").exists()


def same_rows(db_a: Path, db_b: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows of a, rows of a that b lacks or has a different number of times)."""
    con = duckdb.connect()
    con.execute("attach $a as a (read_only)", {"a": str(db_a)})
    con.execute("attach $b as b (read_only)", {"b": str(db_b)})
    result = {}
    for table in TABLES:
        n = con.execute(f"select count(*) from a.{table.name}").fetchone()[0]
        diff = con.execute(f"select count(*) from ((select * from a.{table.name} except all "
                           f"select * from b.{table.name}) union all (select * from b.{table.name} except all "
                           f"select * from a.{table.name}))").fetchone()[0]
        result[table.name] = (n, diff)
    con.close()
    return result


def test_round_trip_of_the_demo_database(demo_db, tmp_path):
    export_database(demo_db, tmp_path / "csv")
    report = import_folder(tmp_path / "csv", tmp_path / "again.duckdb")
    assert report.ok, report.error_text()
    comparison = same_rows(demo_db, tmp_path / "again.duckdb")
    assert all(n > 0 for n, _ in comparison.values()), comparison
    assert {table: diff for table, (_, diff) in comparison.items()} == {t.name: 0 for t in TABLES}


def test_formula_text_round_trip_export_import_export(folder, tmp_path):
    """Issue 19: `export` writes text a spreadsheet would run as a formula after an apostrophe
    (one more when it already starts with apostrophes before such a character); `import`
    takes exactly one off. Names stay what they are through export -> import, and a second
    export is byte-identical to the first."""
    edit(folder, "teams.csv", "int-ka,Key Accounts,internal,", "int-ka,=SUM(A1),internal,@home")
    edit(folder, "accounts.csv", '"Acme, Inc."', "''=x")  # one apostrophe off: the name is '=x
    edit(folder, "accounts.csv", "Borealis", "-5 deals")
    edit(folder, "deals.csv", "Acme framework", "+1 555")
    edit(folder, "activities.csv", '"Intro call, before the deal existed"', "\"=cmd|' /C calc'!A0\"")
    edit(folder, "activities.csv", "After Ben left", '"\tTab"')
    edit(folder, "events.csv", "Trade fair", "'quoted'")  # no formula character after it: kept
    first = tmp_path / "first.duckdb"
    assert import_folder(folder, first).ok
    assert rows(first, "select name, agency from teams where team_id = 'int-ka'") == [("=SUM(A1)", "@home")]
    assert rows(first, "select name from accounts order by account_id") == [("'=x",), ("-5 deals",)]
    assert rows(first, "select subject from activities where activity_id in ('x1', 'x5') order by activity_id") == [
        ("=cmd|' /C calc'!A0",), ("\tTab",)]
    assert rows(first, "select name from events where event_id = 'e2'") == [("'quoted'",)]

    export_database(first, tmp_path / "out1")
    assert (tmp_path / "out1" / "teams.csv").read_text() == (
        "team_id,name,kind,agency\next-a,Apex Field,external,Apex Outsourcing\nint-ka,'=SUM(A1),internal,'@home\n")
    assert (tmp_path / "out1" / "accounts.csv").read_text().splitlines()[1:] == [
        "a1,''=x,enterprise,North,Manufacturing,r1", "a2,'-5 deals,smb,South,,"]
    assert (tmp_path / "out1" / "deals.csv").read_text().splitlines()[1].startswith("d1,a1,'+1 555,Platform,120000.0,")

    again = tmp_path / "again.duckdb"
    assert import_folder(tmp_path / "out1", again).ok
    assert {table: diff for table, (_, diff) in same_rows(first, again).items()} == {t.name: 0 for t in TABLES}
    export_database(again, tmp_path / "out2")
    for table in TABLES:
        name = f"{table.name}.csv"
        assert (tmp_path / "out2" / name).read_bytes() == (tmp_path / "out1" / name).read_bytes(), name
