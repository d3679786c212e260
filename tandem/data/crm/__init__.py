"""Importing a CRM's export (Salesforce, HubSpot, or any CRM through a mapping file): the
export is mapped to contract CSVs (`convert`), which the contract import then validates and
swaps in atomically, so a CRM import damages nothing the contract import would not."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tandem.data.crm.convert import ConversionReport, convert_export
from tandem.data.crm.files import ExportFileError
from tandem.data.crm.mapping import PRESETS, MappingError, load_mapping
from tandem.data.importer import ImportReport, import_folder
from tandem.data.progress import Progress, silent

__all__ = ["PRESETS", "ConversionReport", "ExportFileError", "MappingError", "import_any", "import_export"]


def import_export(folder: str | os.PathLike, source: str | os.PathLike, target: str | os.PathLike,
                  teams: str | os.PathLike | None = None, dry_run: bool = False,
                  progress: Progress = silent) -> tuple[ConversionReport, ImportReport | None]:
    """Map the export in `folder` with `source` (a preset name or a mapping file) and, unless
    `dry_run`, import the result into `target`. The import report is None for a dry run; the
    database is replaced exactly when it is ok. ExportFileError or MappingError (one clear
    sentence, nothing written) when the export or the mapping cannot be used."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder of export files")
    mapping = load_mapping(source)
    with tempfile.TemporaryDirectory(prefix="tandem-crm-") as work:
        out_dir, work_dir = Path(work) / "contract", Path(work) / "work"
        out_dir.mkdir()
        work_dir.mkdir()
        report = convert_export(folder, mapping, Path(teams) if teams else None, out_dir, work_dir,
                                lambda share, message: progress(0.5 * share, message))
        if dry_run:
            return report, None
        imported = import_folder(out_dir, target, lambda share, message: progress(0.5 + 0.5 * share, message))
    return report, imported


def import_any(folder: Path, source: str | os.PathLike, target: str | os.PathLike,
               teams: str | os.PathLike | None = None, dry_run: bool = False,
               progress: Progress = silent) -> dict:
    """Contract CSVs (`source` "contract") or a CRM export, checked only (`dry_run`: a contract
    import is then built in a scratch file and thrown away) or imported into `target`. The
    outcome as {"mapped": ConversionReport | None, "imported": ImportReport | None, "error":
    one sentence | None}, for the Import page."""
    if str(source) == "contract":
        with tempfile.TemporaryDirectory(prefix="tandem-check-") as scratch:
            report = import_folder(folder, Path(scratch) / "check.db" if dry_run else target, progress)
        return {"mapped": None, "imported": report, "error": None}
    try:
        mapped, imported = import_export(folder, source, target, teams=teams, dry_run=dry_run, progress=progress)
    except (ExportFileError, MappingError, NotADirectoryError) as error:
        return {"mapped": None, "imported": None, "error": str(error)}
    return {"mapped": mapped, "imported": imported, "error": None}
