"""The Import page's pieces: offered only when allowed, uploads into a folder, the teams
table as a teams file, and the one backup of the replaced database."""

from __future__ import annotations

import os
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tandem.data.crm.files import ExportFileError
from tandem.data.crm.uploads import TEAMS_FILE, save_upload, write_teams_file
from tandem.data.db import backup_path, keeping_backup, restore_backup
from tandem.model.pages import TITLES
from tandem.ui import navigation

ROOT = Path(__file__).resolve().parent.parent


def test_the_page_is_offered_only_when_allowed(monkeypatch, small_db):
    monkeypatch.delenv("TANDEM_ALLOW_IMPORT", raising=False)
    assert len(navigation.pages()) == len(TITLES)
    monkeypatch.setenv("TANDEM_ALLOW_IMPORT", "1")
    assert len(navigation.pages()) == len(TITLES) + 1  # the Import page, last
    monkeypatch.setenv("TANDEM_DB", str(small_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/import_data.py").run()
    assert not at.exception and not at.info[0].value.startswith("Importing from the browser is switched off")
    assert at.radio(key="import_source").options == ["Tandem CSV files", "Salesforce Data Export", "HubSpot exports",
                                                     "Another CRM, with a mapping file (.toml)"]


def test_no_upload_folder_is_left_on_the_server_without_uploads(monkeypatch, small_db, tmp_path):
    """Each session's uploads go to a temporary folder; one was made at every visit of the page
    and never removed (40 after one run of the suite). Without files there is none."""
    monkeypatch.setenv("TANDEM_ALLOW_IMPORT", "1")
    monkeypatch.setenv("TANDEM_DB", str(small_db))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/import_data.py").run()
    for source in ("salesforce", "contract"):  # a CRM source shows the teams table as well
        at.radio(key="import_source").set_value(source).run()
        assert not at.exception
    assert at.info[0].value.startswith("Upload the files to import")
    assert list(tmp_path.glob("tandem-upload-*")) == []


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_uploads_land_in_the_folder_and_nowhere_else(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    assert save_upload("C:\\\\exports/../Account.csv", b"Id\n1\n", folder) == ["Account.csv"]
    archive = zipped({"export/Opportunity.csv": b"Id\n", "../../evil.csv": b"x\n", "readme.txt": b"",
                      "__MACOSX/._Task.csv": b"", "nested/": b""})
    assert save_upload("export.zip", archive, folder) == ["Opportunity.csv", "evil.csv"]
    assert sorted(p.name for p in folder.iterdir()) == ["Account.csv", "Opportunity.csv", "evil.csv"]
    assert not (tmp_path / "evil.csv").exists()
    with pytest.raises(ExportFileError, match="^report.xlsx: not a CSV file, a zip archive of CSV files or a mapping"):
        save_upload("report.xlsx", b"PK", folder)
    with pytest.raises(ExportFileError, match="^broken.zip: not a zip archive$"):
        save_upload("broken.zip", b"not a zip", folder)
    with pytest.raises(ExportFileError, match="^empty.zip: the archive has no CSV file$"):
        save_upload("empty.zip", zipped({"a.txt": b""}), folder)


def test_the_teams_table_becomes_a_teams_file(tmp_path):
    rows = [{"crm_user": " 005A ", "team_id": "inside", "team_name": "", "kind": "internal", "agency": None},
            {"crm_user": "005Q", "team_id": "", "team_name": "", "kind": "external", "agency": ""},  # incomplete
            {"crm_user": "Paula", "team_id": "apex", "team_name": "Apex", "kind": "external", "agency": "Apex Ltd"}]
    path = write_teams_file(rows, tmp_path)
    assert path == tmp_path / TEAMS_FILE
    assert path.read_text().splitlines() == ["crm_user,team_id,team_name,kind,agency",
                                             "005A,inside,inside,internal,", "Paula,apex,Apex,external,Apex Ltd"]
    assert write_teams_file(rows[1:2], tmp_path / "none") is None


def test_one_backup_of_the_replaced_database(tmp_path):
    db = tmp_path / "tandem.duckdb"
    db.write_text("first")

    def replace(text: str) -> None:  # as an import does: a new file moved over the old one
        new = tmp_path / "new"
        new.write_text(text)
        os.replace(new, db)

    with keeping_backup(db):
        replace("second")
    assert (db.read_text(), backup_path(db).read_text()) == ("second", "first")
    with keeping_backup(db):
        pass  # a refused import changes nothing: the backup stays the one before
    assert backup_path(db).read_text() == "first"
    with pytest.raises(RuntimeError), keeping_backup(db):
        raise RuntimeError("import failed")
    assert backup_path(db).read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tandem.duckdb", "tandem.duckdb.backup"]

    restore_backup(db)
    assert (db.read_text(), backup_path(db).read_text()) == ("first", "second")
    restore_backup(db)  # a second restore undoes the first
    assert (db.read_text(), backup_path(db).read_text()) == ("second", "first")
    backup_path(db).unlink()
    with pytest.raises(FileNotFoundError, match="no backup of"):
        restore_backup(db)


def test_checking_writes_nothing_and_importing_replaces(tmp_path):
    """import_any, what the page's two buttons run: contract CSVs checked in a scratch file,
    then imported; a CRM export that cannot be read gives its one sentence."""
    from tandem.data.crm import import_any

    target = tmp_path / "tandem.duckdb"
    contract = ROOT / "tests" / "fixtures" / "summary"
    checked = import_any(contract, "contract", target, dry_run=True)
    assert checked["imported"].ok and checked["error"] is None and not target.exists()
    done = import_any(contract, "contract", target)
    assert done["imported"].ok and target.exists()
    broken = import_any(tmp_path, "salesforce", target, dry_run=True)
    assert broken == {"mapped": None, "imported": None,
                      "error": f"Account.csv is missing from {tmp_path} (the Salesforce Data Export mapping needs it)"}
