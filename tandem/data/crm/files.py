"""Reading a CRM's export files as they come: any of UTF-8 (with or without BOM), cp1252 or
latin-1, `,` `;` or tab delimited, into DuckDB tables of text, one column per header name."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

DELIMITERS = (",", ";", "\t")
SAMPLE_BYTES = 64 * 1024


class ExportFileError(ValueError):
    """A file of the export that cannot be read: the message names it and says why."""


@dataclass(frozen=True)
class FileFormat:
    encoding: str  # utf-8-sig, utf-8, cp1252 or latin-1
    delimiter: str

    def __str__(self) -> str:
        shown = {"\t": "tab", ",": "comma", ";": "semicolon"}[self.delimiter]
        return f"{self.encoding.replace('-sig', ' with BOM')}, {shown}-delimited"


def detect_format(path: Path) -> FileFormat:
    """The encoding (UTF-8 when the whole file decodes as such, else cp1252, else latin-1)
    and the delimiter (the candidate that splits the header into the most columns)."""
    raw = path.read_bytes()
    if b"\x00" in raw[:SAMPLE_BYTES]:
        raise ExportFileError(f"{path.name}: not a text file (an export's CSV files are text; is it a spreadsheet "
                              "or an archive renamed?)")
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = next(e for e in ("utf-8", "cp1252", "latin-1") if _decodes(raw, e))
    text = raw[:SAMPLE_BYTES].decode(encoding, errors="replace")
    header = next(csv.reader(io.StringIO(text)), None)
    if not text.strip() or header is None:
        raise ExportFileError(f"{path.name}: the file is empty (expected a header line with the column names)")
    first_line = text.splitlines()[0]
    delimiter = max(DELIMITERS, key=lambda d: len(next(csv.reader([first_line], delimiter=d))))
    return FileFormat(encoding, delimiter)


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def load_file(con: duckdb.DuckDBPyConnection, path: Path, table: str, work_dir: Path, encoding: str | None = None,
              delimiter: str | None = None) -> tuple[FileFormat, list[str]]:
    """Load `path` into table `table` (every column text, names trimmed, empty values null);
    returns its format and header. The encoding and delimiter are detected unless given. A
    file not in UTF-8 is first re-encoded into `work_dir`."""
    found = detect_format(path)
    if encoding or delimiter:
        found = FileFormat(encoding or found.encoding, delimiter or found.delimiter)
    try:
        codecs.lookup(found.encoding)
    except LookupError:
        raise ExportFileError(f"{path.name}: unknown encoding {found.encoding!r}") from None
    source = path
    if found.encoding in ("utf-8", "utf-8-sig"):
        try:
            if encoding:  # detected UTF-8 decodes already; a forced one may not
                path.read_bytes().decode(found.encoding)
        except UnicodeDecodeError as error:
            raise ExportFileError(f"{path.name}: not {found.encoding} text (byte {error.start})") from None
    else:
        source = work_dir / f"{table}.utf8.csv"
        try:
            source.write_text(path.read_text(encoding=found.encoding), encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ExportFileError(f"{path.name}: not {found.encoding} text (byte {error.start})") from None
    with open(source, newline="", encoding="utf-8-sig") as handle:
        header = [name.strip() for name in next(csv.reader(handle, delimiter=found.delimiter))]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ExportFileError(f"{path.name}: column {duplicates[0]!r} appears more than once in the header")
    columns = {f"c{i:05d}": "varchar" for i in range(len(header))}
    selected = ", ".join(f"nullif(trim(c{i:05d}), '') as \"{name.replace(chr(34), chr(34) * 2)}\""
                         for i, name in enumerate(header))
    try:
        con.execute(
            f"create table \"{table}\" as select {selected} from read_csv($path, header = false, skip = 1, "
            "delim = $delim, quote = '\"', escape = '\"', all_varchar = true, strict_mode = true, "
            "auto_detect = false, null_padding = true, columns = $columns)",
            {"path": str(source), "delim": found.delimiter, "columns": columns})
    except duckdb.Error as error:
        # strict: an unterminated quote would otherwise swallow the rest of the file silently
        line = re.search(r"CSV Error on Line: (\d+)", str(error))
        where = f" line {line.group(1)}" if line else ""
        reason = next((text.strip() for text in str(error).splitlines() if "quote" in text.lower()), "")
        raise ExportFileError(f"{path.name}{where}: could not be read as {found} CSV"
                              + (f" ({reason})" if reason else "")) from None
    return found, header
