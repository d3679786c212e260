"""Importing a CRM export: the mapping engine, the Salesforce preset, the report, the CLI.

Fixtures: tests/fixtures/salesforce (README there). Every expected figure is worked out
from the files in the comments beside it.
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

from tandem.cli.summary import compute_summary
from tandem.data.crm import ExportFileError, MappingError, import_export
from tandem.data.crm.mapping import load_mapping

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
HUBSPOT = Path(__file__).parent / "fixtures" / "hubspot"


@pytest.fixture
def hand(tmp_path) -> Path:
    """A copy of the hand-made export (the import writes its teams file to fill beside it)."""
    return Path(shutil.copytree(FIXTURES / "hand", tmp_path / "hand"))


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def outcome(report, table: str) -> tuple[int, int, dict]:
    t = report.tables[table]
    return t.read, t.kept, dict(t.dropped)


def test_hand_made_export_every_row_accounted_for(hand, tmp_path):
    db = tmp_path / "sf.duckdb"
    mapped, imported = import_export(hand, "salesforce", db, teams=hand / "teams.csv")
    assert imported.ok, imported.error_text()
    assert mapped.files["User.csv"] == "cp1252, semicolon-delimited"
    assert mapped.files["Account.csv"] == "utf-8 with BOM, comma-delimited"
    # the three teams of the file (inside twice: by id and by email) and the default team of
    # partner users for Quinn, whom the file leaves out
    assert outcome(mapped, "teams") == (3, 3, {})
    # four users: everyone seen as owner or history author has a User row; the placeholder
    # owner id 000000000000000AAA is no user
    assert outcome(mapped, "reps") == (4, 4, {})
    assert rows(db, "select rep_id, name, team_id, started_on::varchar from reps order by rep_id") == [
        ("005A", "Anne Émond", "inside", "2023-01-02"), ("005B", "Bruno Díaz", "inside", "2023-01-03"),
        ("005P", "Paula Partner", "apex", "2023-02-01"), ("005Q", "Quinn Partner", "crm-partners", "2023-02-01")]
    assert rows(db, "select team_id, name, kind, agency from teams order by team_id") == [
        ("apex", "Apex Field Sales", "external", "Apex Outsourcing"),
        ("crm-partners", "Partner users (no team given)", "external", None),
        ("inside", "Inside Sales", "internal", None)]
    # Beta's owner is the placeholder (empty); its region falls back to BillingState
    assert rows(db, "select account_id, segment, region, owner_rep_id from accounts order by 1") == [
        ("001A", "Manufacturing", "France", "005A"), ("001B", "Retail", "CA", None),
        ("001P", "Consulting", "France", "005A")]
    assert outcome(mapped, "contacts") == (5, 2, {"the contact record of a partner user (a rep, not a customer)": 2,
                                                  "contact without an account": 1})
    assert outcome(mapped, "deals") == (6, 4, {"unknown stage value": 1, "deal without owner": 1})
    assert mapped.unmapped == {"deals.stage": {"Discovery Call": 1}, "deal_stage_changes.stage": {"Discovery Call": 1}}
    # 006C's amount "12,500.50" has a thousands comma; 006E was created and closed on 10 March:
    # it closes at its creation time, not at midnight before it
    assert rows(db, "select deal_id, amount, created_at::varchar, closed_at::varchar, status, stage, owner_rep_id "
                    "from deals order by 1") == [
        ("006A", 50000.0, "2024-02-01 10:00:00", "2024-03-20 00:00:00", "won", "won", "005A"),
        ("006B", 20000.0, "2024-02-05 10:00:00", "2024-03-25 00:00:00", "lost", "lost", "005B"),
        ("006C", 12500.5, "2024-03-01 10:00:00", None, "open", "proposal", "005P"),
        ("006E", 9000.0, "2024-03-10 15:00:00", "2024-03-10 15:00:00", "won", "won", "005Q")]
    # 9 history rows: 006D's stage is unknown, 006A's second Prospecting row is an amount
    # change, 006F's deal was dropped (no owner)
    assert outcome(mapped, "deal_stage_changes") == (9, 6, {
        "unknown stage value": 1, "history row that does not change the stage (an amount or date change)": 1,
        "deal_id names no row of deals (absent from the export, or dropped)": 1})
    # 7 tasks + 2 events + 2 other users attending 00U1 (005P, 005B; not the contact, not the
    # owner), each an exchange with the owner and a touch of 00U1's contact
    assert outcome(mapped, "activities") == (13, 9, {
        "activity on a lead (leads are not in Tandem)": 1, "task that is not a call, an email or a meeting": 1,
        "activity with no contact and no other rep": 1,
        "neither counterpart_rep_id nor contact_id is set (exactly one is required)": 1})
    # 00T7's contact 003Z is not in Contact.csv: emptied, then the activity has no counterpart
    assert dict(mapped.tables["activities"].cleared) == {
        "contact_id names no row of contacts (absent from the export, or dropped)": 1}
    assert rows(db, "select activity_id, occurred_at::varchar, channel, rep_id, counterpart_rep_id, contact_id, "
                    "deal_id, direction, duration_s from activities order by 1") == [
        ("00T1", "2024-02-12 14:00:00", "call", "005A", None, "003A", "006A", "outbound", 600.0),
        ("00T2", "2024-03-04 00:00:00", "email", "005A", "005P", None, "006C", "outbound", None),  # Paula's contact
        ("00T3", "2024-03-06 11:30:00", "call", "005Q", None, "003B", None, "inbound", None),
        ("00U1", "2024-02-20 09:00:00", "meeting", "005A", None, "003A", "006A", "outbound", 5400.0),
        ("00U1:touch:005B", "2024-02-20 09:00:00", "meeting", "005B", None, "003A", "006A", "outbound", 5400.0),
        ("00U1:touch:005P", "2024-02-20 09:00:00", "meeting", "005P", None, "003A", "006A", "outbound", 5400.0),
        ("00U1:with:005B", "2024-02-20 09:00:00", "meeting", "005A", "005B", None, "006A", "outbound", 5400.0),
        ("00U1:with:005P", "2024-02-20 09:00:00", "meeting", "005A", "005P", None, "006A", "outbound", 5400.0),
        ("00U2", "2024-03-12 15:00:00", "meeting", "005B", "005Q", None, None, "outbound", 3600.0)]  # Quinn's
    assert mapped.users_without_team == [
        {"crm_user": "005Q", "name": "Quinn Partner", "email": "quinn@agency.test", "kind": "external"}]
    with open(hand / "tandem_teams_to_fill.csv", newline="") as handle:
        assert list(csv.reader(handle)) == [["crm_user", "team_id", "team_name", "kind", "agency", "name", "email"],
                                            ["005Q", "", "", "external", "", "Quinn Partner", "quinn@agency.test"]]


def test_hand_made_export_figures(hand, tmp_path):
    """2024: cross-team 00T2 (email), 00U1:with:005P and 00U2 (meetings); within
    00U1:with:005B. Touches: 00T1, 00U1 by Anne and 00U1:touch:005B by Bruno (internal),
    00T3 by Quinn and 00U1:touch:005P by Paula (external). Won 006A (50,000, Inside) and 006E
    (9,000, Quinn's default team), lost 006B (Inside)."""
    db = tmp_path / "sf.duckdb"
    assert import_export(hand, "salesforce", db, teams=hand / "teams.csv")[1].ok
    year = compute_summary(dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1), db=db)
    assert year["cross_team"] == {"calls": 0, "emails": 1, "meetings": 2, "call_minutes": 0.0}
    assert year["within_team"] == {"calls": 0, "emails": 0, "meetings": 1}
    assert year["customer_touches"] == {"internal": 3, "external": 2}
    assert year["deals"] == {"active": 4, "created": 4, "won": 2, "lost": 1, "won_amount": 59000.0}
    teams = {t["team_id"]: (t["won"], t["lost"], t["won_amount"], t["win_rate"]) for t in year["teams"]}
    assert teams == {"inside": (1, 1, 50000.0, 0.5), "apex": (0, 0, 0.0, None), "crm-partners": (1, 0, 9000.0, 1.0)}


def test_public_sample_with_the_preset(tmp_path):
    """SFDC-Assets/data-cloud-workshop: its stage names are its own, and its CreatedDate is
    the day the sample was loaded (2024-01-22), after most of its close dates."""
    folder = Path(shutil.copytree(FIXTURES / "data-cloud-workshop", tmp_path / "export"))
    mapped, imported = import_export(folder, "salesforce", tmp_path / "db.duckdb", dry_run=True)
    assert imported is None and not (tmp_path / "db.duckdb").exists()
    # 84 of its 102 contacts have no AccountId
    assert outcome(mapped, "contacts") == (102, 18, {"contact without an account": 84})
    # Discovery 9, Proposal/Quote 8, Negotiation 9 are not standard stage names; 15 closed
    # deals close before their CreatedDate
    assert outcome(mapped, "deals") == (50, 9, {"unknown stage value": 26, "closed_at is before created_at": 15})
    assert mapped.unmapped == {"deals.stage": {"Negotiation": 9, "Discovery": 9, "Proposal/Quote": 8}}
    # every task is TaskSubtype "Task" (its kind is in the custom field Type__c); 15 are on leads
    assert outcome(mapped, "activities") == (75, 0, {"task that is not a call, an email or a meeting": 60,
                                                     "activity on a lead (leads are not in Tandem)": 15})
    assert [u["crm_user"] for u in mapped.users_without_team] == ["005Ec000004o8yHIAQ", "005Ec000004oBPNIA2"]


def test_public_sample_with_its_mapping(tmp_path):
    """The same sample through mapping.toml (extends the preset with its stage names and
    Type__c): 35 deals; of the 75 tasks, 15 on leads, 24 Other or Prep, 16 whose contact
    has no account (the contact dropped, the task left with no one), 20 customer touches."""
    folder = Path(shutil.copytree(FIXTURES / "data-cloud-workshop", tmp_path / "export"))
    db = tmp_path / "db.duckdb"
    mapped, imported = import_export(folder, folder / "mapping.toml", db)
    assert imported.ok, imported.error_text()
    assert outcome(mapped, "deals") == (50, 35, {"closed_at is before created_at": 15})
    assert outcome(mapped, "activities") == (75, 20, {
        "activity on a lead (leads are not in Tandem)": 15, "task that is not a call, an email or a meeting": 24,
        "neither counterpart_rep_id nor contact_id is set (exactly one is required)": 16})
    # the 20 kept by Type__c: Call 10, Email 5, Meeting 5 (counted in Task.csv by hand)
    assert rows(db, "select channel, count(*) from activities group by all order by 1") == [
        ("call", 10), ("email", 5), ("meeting", 5)]


def test_second_public_sample_won_amount_and_win_rate(tmp_path):
    """earthfink1982/salesforce-in-powerbi through its mapping: 36 opportunities, one
    (Farmers Coop., created 24 Feb 26) closes on 23 Feb 26 and is dropped. Won: 220,000 +
    85,000 + 75,000 + 30,000 + 50,000 + 350,000 + 915,000 + 440,000 + 90,000 + 235,000 +
    235,000 + 90,000 = 2,815,000 over 12 deals; lost: the 6 closed-lost of 2024 and Jackson
    Controls (2026) = 7; win rate 12 / 19; one user, so one team."""
    folder = Path(shutil.copytree(FIXTURES / "powerbi", tmp_path / "export"))
    db = tmp_path / "db.duckdb"
    mapped, imported = import_export(folder, folder / "mapping.toml", db)
    assert imported.ok, imported.error_text()
    assert outcome(mapped, "deals") == (36, 35, {"closed_at is before created_at": 1})
    summary = compute_summary(dt.datetime(2024, 1, 1), dt.datetime(2027, 1, 1), db=db)
    assert (summary["deals"]["won"], summary["deals"]["lost"], summary["deals"]["won_amount"]) == (12, 7, 2815000.0)
    (team,) = summary["teams"]
    assert (team["team_id"], team["won_amount"], team["win_rate"]) == ("crm-internal", 2815000.0, 12 / 19)


# --- bad input: one sentence, nothing written -------------------------------------------------

def test_a_missing_file_or_column_is_named_and_nothing_changes(hand, tmp_path):
    db = tmp_path / "db.duckdb"
    db.write_bytes(b"previous database")
    (hand / "Opportunity.csv").unlink()
    with pytest.raises(ExportFileError, match=r"^Opportunity.csv is missing from .* \(the Salesforce Data Export "
                                              r"mapping needs it\)$"):
        import_export(hand, "salesforce", db)
    (hand / "Opportunity.csv").write_text("Id,Name\n006A,Acme\n")
    with pytest.raises(ExportFileError, match=r"^Opportunity.csv: no column 'AccountId', 'StageName', "
                                              r"'CloseDate', 'IsClosed', 'IsWon', 'CreatedDate' \(the Salesforce Data "
                                              r"Export mapping needs it; the file has Id, Name\)$"):
        import_export(hand, "salesforce", db)
    assert db.read_bytes() == b"previous database"


def test_a_broken_teams_file_or_mapping_is_named(hand, tmp_path):
    (hand / "teams.csv").write_text("crm_user,team_id,team_name,kind\n005A,inside,Inside,partner\n")
    with pytest.raises(ExportFileError, match="teams.csv: the kind of '005A' is 'partner', not internal or external"):
        import_export(hand, "salesforce", tmp_path / "db.duckdb", teams=hand / "teams.csv")
    broken = tmp_path / "broken.toml"
    broken.write_text('extends = "salesforce"\n[tables.deals.columns]\namount = "no_such_function(Amount)"\n')
    with pytest.raises(MappingError, match=r"^\[tables.deals\] does not run: Catalog Error: Scalar Function with name "
                                           r"no_such_function does not exist!"):
        import_export(hand, broken, tmp_path / "db.duckdb")
    with pytest.raises(MappingError, match=r"no mapping file at .*nowhere.toml \(use salesforce, hubspot, or the path"):
        load_mapping(tmp_path / "nowhere.toml")
    (tmp_path / "bad.toml").write_text("name = \n")
    with pytest.raises(MappingError, match=r"^bad.toml: not a valid TOML file"):
        load_mapping(tmp_path / "bad.toml")
    (tmp_path / "nodeals.toml").write_text('extends = "salesforce"\n[tables.bogus]\nfrom = "User"\n')
    with pytest.raises(MappingError, match=r"^nodeals.toml: \[tables.bogus\]: not a table of the data contract"):
        load_mapping(tmp_path / "nodeals.toml")


def test_a_mapping_cannot_read_other_files(hand, tmp_path):
    """The mapping's SQL runs with file access off: it sees the export's files only."""
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    sneaky = tmp_path / "sneaky.toml"
    sneaky.write_text('extends = "salesforce"\n[tables.accounts.columns]\n'
                      f"name = \"(select password from read_csv('{secret}'))\"\n")
    with pytest.raises(MappingError, match="file system operations are disabled"):
        import_export(hand, sneaky, tmp_path / "db.duckdb")


def tandem(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tandem", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_dry_run_json_and_errors(hand, tmp_path):
    db = tmp_path / "db.duckdb"
    dry = tandem("import", str(hand), "--from", "salesforce", "--teams", str(hand / "teams.csv"), "--dry-run",
                 "--json", "--db", str(db))
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["dry_run"], report["imported"], report["tables"]["deals"]["dropped"]) == (
        True, None, {"unknown stage value": 1, "deal without owner": 1})
    assert report["unmapped_values"] == {"deals.stage": {"Discovery Call": 1},
                                         "deal_stage_changes.stage": {"Discovery Call": 1}}
    assert not db.exists()
    real = tandem("import", str(hand), "--from", "salesforce", "--teams", str(hand / "teams.csv"), "--db", str(db))
    assert real.returncode == 0, real.stderr
    assert "deals: 6 read, 4 kept, 2 dropped" in real.stdout
    assert real.stdout.strip().endswith(f"into {db}")
    missing = tandem("import", str(tmp_path), "--from", "salesforce", "--db", str(db))
    assert (missing.returncode, missing.stderr.strip().splitlines()[-1]) == (
        2, f"error: Account.csv is missing from {tmp_path} (the Salesforce Data Export mapping needs it); the "
           "database was not changed.")
    contract_only = tandem("import", str(hand), "--dry-run", "--db", str(db))
    assert (contract_only.returncode, contract_only.stderr.strip()) == (
        2, "error: --teams, --dry-run and --json go with --from salesforce|hubspot|MAPPING.toml")


def with_currencies(hand: Path) -> None:
    """006B in USD, 006C in GBP, the other deals in EUR."""
    lines = (hand / "Opportunity.csv").read_text().splitlines()
    codes = {"006B": "USD", "006C": "GBP"}
    (hand / "Opportunity.csv").write_text("\n".join([lines[0] + ",CurrencyIsoCode"] + [
        f"{line},{codes.get(line[:4], 'EUR')}" for line in lines[1:]]) + "\n")


def test_several_currencies_are_kept_and_reported(hand, tmp_path):
    """Without rates: amounts as exported, and the report says so (counted after the unknown
    stage of 006D, before 006F's missing owner)."""
    with_currencies(hand)
    db = tmp_path / "db.duckdb"
    mapped, imported = import_export(hand, "salesforce", db)
    assert imported.ok
    assert mapped.currencies == {"EUR": {"deals": 3, "amount": 60000.0}, "GBP": {"deals": 1, "amount": 12500.5},
                                 "USD": {"deals": 1, "amount": 20000.0}}
    assert not mapped.converted
    assert ("deal amounts in 3 currencies: EUR (3 deals), GBP (1 deal), USD (1 deal); kept as they are"
            in mapped.text())
    assert rows(db, "select deal_id, amount from deals order by 1") == [
        ("006A", 50000.0), ("006B", 20000.0), ("006C", 12500.5), ("006E", 9000.0)]


def test_rates_convert_the_amounts(hand, tmp_path):
    """USD at 0.5 and EUR at 1: 006B becomes 10,000; 006C (GBP, no rate) is dropped."""
    with_currencies(hand)
    mapping = tmp_path / "rates.toml"
    mapping.write_text('extends = "salesforce"\n[rates]\nEUR = 1\nUSD = 0.5\n')
    db = tmp_path / "db.duckdb"
    mapped, imported = import_export(hand, mapping, db)
    assert imported.ok and mapped.converted
    assert mapped.tables["deals"].dropped["amount in a currency the mapping has no rate for"] == 1
    assert rows(db, "select deal_id, amount from deals order by 1") == [
        ("006A", 50000.0), ("006B", 10000.0), ("006E", 9000.0)]


# --- HubSpot ---------------------------------------------------------------------------------

def test_hubspot_export_gives_the_hand_worked_tables(tmp_path):
    """tests/fixtures/hubspot/expected holds every row, worked out by hand from the export
    (its README gives the reasoning): the import makes exactly those rows."""
    folder = Path(shutil.copytree(HUBSPOT, tmp_path / "export"))
    db, reference = tmp_path / "hubspot.duckdb", tmp_path / "expected.duckdb"
    mapped, imported = import_export(folder, "hubspot", db, teams=folder / "teams.csv")
    assert imported.ok, imported.error_text()
    from tandem.data.importer import import_folder

    assert import_folder(HUBSPOT / "expected", reference).ok
    for table in ("teams", "reps", "accounts", "contacts", "deals", "deal_stage_changes", "activities"):
        assert sorted(rows(db, f"select * from {table}")) == sorted(rows(reference, f"select * from {table}")), table
    assert outcome(mapped, "contacts") == (5, 4, {"the contact record of an owner (a rep, not a customer)": 1})
    assert outcome(mapped, "deals") == (8, 7, {"unknown stage value": 1})
    assert outcome(mapped, "deal_stage_changes") == (32, 28, {
        "unknown stage value": 1,
        "entered a stage that maps to the deal's current one (e.g. Contract Sent after Decision Maker Bought-In)": 1,
        "deal_id names no row of deals (absent from the export, or dropped)": 2})
    assert outcome(mapped, "activities") == (11, 10, {"no associated contact and no other owner": 1})
    assert mapped.unmapped == {"deals.stage": {"Legal Review": 1}, "deal_stage_changes.stage": {"Legal Review": 1}}
    assert [u["name"] for u in mapped.users_without_team] == ["Piet Claes"]


def test_hubspot_figures(tmp_path):
    """README "Figures over the whole span"; then with Piet Claes named in the teams file as
    Nordwind's, his won 60007 (27,000) and his call move to the agency."""
    folder = Path(shutil.copytree(HUBSPOT, tmp_path / "export"))
    db = tmp_path / "hubspot.duckdb"
    assert import_export(folder, "hubspot", db, teams=folder / "teams.csv")[1].ok
    span = compute_summary(dt.datetime(2025, 1, 1), dt.datetime(2025, 5, 1), db=db)
    assert span["cross_team"] == {"calls": 0, "emails": 1, "meetings": 1, "call_minutes": 0.0}
    assert span["customer_touches"] == {"internal": 5, "external": 3}
    teams = {t["team_id"]: (t["won"], t["lost"], t["won_amount"]) for t in span["teams"]}
    assert teams == {"kestrel-sales": (2, 1, 63000.0), "nordwind": (1, 1, 36000.0), "crm-internal": (1, 0, 27000.0)}
    assert span["contested"]["count"] == 0

    with open(folder / "teams.csv", "a") as handle:
        handle.write("Piet Claes,nordwind,Nordwind Field Force,external,Nordwind Partners GmbH\n")
    mapped, imported = import_export(folder, "hubspot", db, teams=folder / "teams.csv")
    assert imported.ok and mapped.users_without_team == []
    span = compute_summary(dt.datetime(2025, 1, 1), dt.datetime(2025, 5, 1), db=db)
    teams = {t["team_id"]: (t["won"], t["lost"], t["won_amount"], t["win_rate"]) for t in span["teams"]}
    assert teams == {"kestrel-sales": (2, 1, 63000.0, 2 / 3), "nordwind": (2, 1, 63000.0, 2 / 3)}
    assert span["customer_touches"] == {"internal": 4, "external": 4}


def test_a_broken_csv_a_binary_file_and_a_forced_format(hand, tmp_path):
    """An unterminated quote would swallow the rest of the file: refused, with its line. A
    spreadsheet renamed .csv is not text. A mapping may force an encoding and a delimiter."""
    db = tmp_path / "db.duckdb"
    (hand / "Opportunity.csv").write_text("Id,AccountId,Name,StageName,CloseDate,IsClosed,IsWon,CreatedDate\n"
                                          '006A,001A,"Acme, unterminated,Closed Won,2024-03-20,1,1,2024-02-01\n'
                                          "006B,001A,Other,Closed Won,2024-03-20,1,1,2024-02-01\n")
    with pytest.raises(ExportFileError, match=r"^Opportunity.csv line 2: could not be read as utf-8, comma-delimited "
                                              r"CSV \(Value with unterminated quote found.\)$"):
        import_export(hand, "salesforce", db)
    (hand / "Account.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ExportFileError, match=r"^Account.csv: not a text file"):
        import_export(hand, "salesforce", db)
    forced = tmp_path / "forced.toml"
    forced.write_text('extends = "salesforce"\n[files.User]\nencoding = "utf-8"\n')
    with pytest.raises(ExportFileError, match=r"^User.csv: not utf-8 text \(byte 65\)$"):
        import_export(Path(shutil.copytree(FIXTURES / "hand", tmp_path / "again")), forced, db)
    assert not db.exists()
