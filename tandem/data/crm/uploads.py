"""Files uploaded in the browser, into a folder the import reads: CSV files as they are, a zip
archive's CSV files (names only, no folders: a member cannot land outside the folder), a
mapping file, and the teams table the page edits."""

from __future__ import annotations

import csv
import zipfile
from io import BytesIO
from pathlib import Path

from tandem.data.crm.convert import TEAMS_FILE_COLUMNS
from tandem.data.crm.files import ExportFileError

MAX_UNZIPPED_BYTES = 4 * 1024**3  # an archive that unpacks to more is refused (a zip bomb)
TEAMS_FILE = "tandem_teams.csv"  # the teams table edited in the page, beside the export's files


def save_upload(name: str, data: bytes, folder: Path) -> list[str]:
    """Write one uploaded file into `folder`; returns the names written (a zip's CSV files)."""
    base = Path(name).name
    if base.lower().endswith(".zip"):
        return _unzip(base, data, folder)
    if not base.lower().endswith((".csv", ".toml")):
        raise ExportFileError(f"{base}: not a CSV file, a zip archive of CSV files or a mapping (.toml)")
    (folder / base).write_bytes(data)
    return [base]


def _unzip(name: str, data: bytes, folder: Path) -> list[str]:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise ExportFileError(f"{name}: not a zip archive") from None
    members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".csv")
               and not Path(m.filename).name.startswith(".")]
    if not members:
        raise ExportFileError(f"{name}: the archive has no CSV file")
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise ExportFileError(f"{name}: the archive unpacks to more than {MAX_UNZIPPED_BYTES // 1024**3} GB")
    written = []
    for member in members:
        base = Path(member.filename).name
        (folder / base).write_bytes(archive.read(member))
        written.append(base)
    return written


def write_teams_file(rows: list[dict], folder: Path) -> Path | None:
    """The teams table as edited (rows with a crm_user and a team_id), as a teams file; None
    when no row is complete."""
    complete = [r for r in rows if str(r.get("crm_user") or "").strip() and str(r.get("team_id") or "").strip()]
    if not complete:
        return None
    path = folder / TEAMS_FILE
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEAMS_FILE_COLUMNS)
        for row in complete:
            values = {c: str(row.get(c) or "").strip() for c in TEAMS_FILE_COLUMNS}
            values["team_name"] = values["team_name"] or values["team_id"]  # a team needs a name
            writer.writerow([values[c] for c in TEAMS_FILE_COLUMNS])
    return path
