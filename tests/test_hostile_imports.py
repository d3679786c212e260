"""Hostile imports (issue 19, item 4): whatever bytes a contract CSV holds, `python -m tandem
import` never shows a traceback; it either imports the file's data as they are (exit 0) or
exits 2 naming, for every problem, the file, the line, the column (where one applies) and
the rule, and leaves the existing database byte-identical with nothing beside it.

The property test mutates one table file of the valid minimal fixture (tests/fixtures/minimal):
values (formulas, 1 MB text, any text), header names (duplicated, missing, extra), rows (a field
more or less, blank, repeated), line ends (LF, CRLF, CR, mixed), then bytes (a UTF-8 BOM,
quotes, NUL, invalid UTF-8, latin-1). Its examples: 8 per example of the property profile
(tests/conftest.py), 200 in the suite, 3,200 with TANDEM_PROPERTY_PROFILE=thorough.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tandem.cli.main import main
from tandem.data.contract import TABLES_BY_NAME
from tandem.data.formulas import (
    NEUTRALISE_PARAMETER,
    RESTORE_PARAMETER,
    neutralise,
    neutralise_sql,
    restore,
    restore_sql,
)
from tandem.data.importer import import_folder

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
FILES = sorted(p.name for p in MINIMAL.glob("*.csv"))
HOSTILE_EXAMPLES = 4 * settings.default.max_examples
MB = 1 << 20
BOM = b"\xef\xbb\xbf"
# what DuckDB's trim() removes around a value: the Unicode space separators (not tab or CR)
SPACES = "".join(chr(i) for i in range(0x3001) if unicodedata.category(chr(i)) == "Zs")
FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x.test","Open")', "+1 555", "-5 deals", "@SUM(A1)",
            "'=x", "''-y", "\tTab", "=1+1", "'", "'@home", "= spaced"]
# rules about a whole line rather than one of its values: no column applies
WHOLE_LINE = re.compile(r"is not valid CSV|has \d+ fields|is longer than|contains a NUL")


@dataclass(frozen=True)
class Outcome:
    status: int
    out: str
    err: str
    replaced: bool  # the target database is no longer the file it was

    @property
    def problems(self) -> list[str]:
        lines = self.err.split("\n")  # only LF ends a printed line (a value may hold U+0085 or U+2028)
        start = next(i for i, line in enumerate(lines) if line.startswith("import refused: "))
        return [line[2:] for line in lines[start + 1:] if line.startswith("  ") and not line.startswith("  ... and ")]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def existing(tmp_path_factory) -> tuple[Path, str]:
    """A database imported from the minimal fixture, and its sha256."""
    path = tmp_path_factory.mktemp("existing") / "existing.duckdb"
    assert import_folder(MINIMAL, path).ok
    return path, digest(path)


def run_import(existing: tuple[Path, str], file: str, data: bytes | Callable[[Path], None], work: Path) -> Outcome:
    """`python -m tandem import` in this process, on the minimal folder with `file` replaced
    by `data` (or written by it), into a copy of the existing database; checks what holds
    either way."""
    folder = Path(shutil.copytree(MINIMAL, work / "csv"))
    if callable(data):
        data(folder / file)
    else:
        (folder / file).write_bytes(data)
    (work / "db").mkdir()
    target = work / "db" / "current.duckdb"
    with contextlib.suppress(OSError):  # a hard link: the import replaces the name, never the file
        os.link(existing[0], target)
    if not target.exists():
        shutil.copyfile(existing[0], target)
    before = os.stat(target).st_ino
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(["import", str(folder), "--db", str(target)])
        except SystemExit as stop:  # argparse's way out
            status = stop.code
    outcome = Outcome(status, out.getvalue(), err.getvalue(), os.stat(target).st_ino != before)
    assert "Traceback" not in outcome.out + outcome.err
    assert outcome.status in (0, 2), outcome
    assert sorted(p.name for p in target.parent.iterdir()) == ["current.duckdb"]  # no temporary file left
    if outcome.status == 2:
        assert not outcome.replaced and digest(target) == existing[1]
    else:
        assert outcome.replaced and outcome.err.count("import refused") == 0
    return outcome


# ----------------------------------------------------------------------------- reading a file as the import must


def physical_lines(data: bytes) -> int:
    """Lines as an editor counts them (LF, CRLF or CR end a line)."""
    return len(re.findall(rb"\r\n|\r|\n", data)) + (not re.search(rb"[\r\n]$", data) and bool(data))


def rows_by_line(data: bytes) -> tuple[list[str], dict[int, list[str]]]:
    """The header and the data rows by their first line, read by Python's csv module with
    the importer's reading (spaces before a quoted field dropped, a blank line no row)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), skipinitialspace=True)
    header = [name.strip() for name in next(reader)]
    rows, start = {}, reader.line_num + 1
    for row in reader:
        if row:
            rows[start] = row
        start = reader.line_num + 1
    return header, rows


def stored(column, value: str | None):
    """A file's value as the database must hold it."""
    value = value.strip(SPACES) if value is not None else None
    if not value:
        return None
    if column.type in ("id", "text"):
        return restore(value)
    if column.type == "timestamp":
        return dt.datetime.fromisoformat(value)
    if column.type == "date":
        return dt.date.fromisoformat(value)
    if column.type in ("amount", "duration"):
        return float(value)
    return value.lower() == "true"


def check_refusal(outcome: Outcome, file: str, data: bytes) -> None:
    """Every problem names its file and line (and column, where one applies) within the
    file; a value it quotes is the value at that line and column."""
    assert outcome.problems, outcome.err
    for problem in outcome.problems:
        found = re.fullmatch(r"(?P<file>[a-z_]+\.csv)(?: line (?P<line>\d+))?(?:, column (?P<column>.+?))?: "
                             r"(?P<rule>.+)", problem, re.S)
        assert found, problem
        if found["rule"].startswith("file is empty"):
            assert found["file"] == file and not data.decode("utf-8-sig", "replace").strip()
            continue
        assert found["line"], problem
        line = int(found["line"])
        source = data if found["file"] == file else (MINIMAL / found["file"]).read_bytes()
        assert 1 <= line <= physical_lines(source), problem
        assert found["column"] or line == 1 or WHOLE_LINE.match(found["rule"]), problem
        if (found["file"] == file and found["column"] and line > 1 and found["rule"].startswith('"')
                and "is not UTF-8 text" not in found["rule"]):
            header, rows = rows_by_line(data)
            value = rows[line][header.index(found["column"])].strip(SPACES)
            shown = restore(value) if TABLES_BY_NAME[file[:-4]].column(found["column"]).type in ("id", "text") \
                else value
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            assert found["rule"].startswith('"' + shown.replace("\n", "\\n").replace("\r", "\\r") + '"'), problem


def check_imported(target: Path, file: str, data: bytes) -> None:
    """The table holds exactly the file's rows, as the file writes them."""
    table = TABLES_BY_NAME[file[:-4]]
    header, rows = rows_by_line(data)
    expected = Counter(
        tuple(stored(c, row[header.index(c.name)] if c.name in header else None) for c in table.columns)
        for row in rows.values())
    with duckdb.connect(str(target), read_only=True) as con:
        got = Counter(con.execute(f"select {', '.join(table.column_names)} from {table.name}").fetchall())
    assert got == expected


def check_import(existing, file: str, data: bytes) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="hostile-") as work:
        outcome = run_import(existing, file, data, Path(work))
        if outcome.status == 2:
            check_refusal(outcome, file, data)
        else:
            check_imported(Path(work) / "db" / "current.duckdb", file, data)
    return outcome


# ----------------------------------------------------------------------------- hostile files


@st.composite
def hostile_files(draw) -> tuple[str, bytes]:
    file = draw(st.sampled_from(FILES))
    rows = list(csv.reader(io.StringIO((MINIMAL / file).read_text(), newline="")))
    values = st.one_of(st.sampled_from(FORMULAS), st.text(max_size=12),
                       st.builds(str.__add__, st.sampled_from("=+-@'\t\r"), st.text(max_size=8)))
    for _ in range(draw(st.integers(0, 3))):
        width = len(rows[0])
        if not width:  # every column dropped (or an empty header): nothing left to edit
            break
        row, column = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, width - 1))
        edit = draw(st.sampled_from(["value", "value", "huge", "duplicate_name", "drop_column", "extra_column",
                                     "short_row", "long_row", "blank_row", "repeat_row", "header_only", "empty"]))
        if edit == "value" and row > 0 and column < len(rows[row]):
            rows[row][column] = draw(values)
        elif edit == "huge" and column < len(rows[row]):  # 1 MB, a formula character first or not
            rows[row][column] = draw(st.sampled_from(["", "=", "'-"])) + "x" * MB
        elif edit == "duplicate_name":
            rows[0][column] = rows[0][draw(st.integers(0, width - 1))]
        elif edit == "drop_column":
            rows = [r[:column] + r[column + 1:] for r in rows]
        elif edit == "extra_column":
            rows = [r[:column] + [draw(st.sampled_from(["colour", "name", ""])) if i == 0 else "x"] + r[column:]
                    for i, r in enumerate(rows)]
        elif edit == "short_row" and row > 0:
            rows[row] = rows[row][:-1]
        elif edit == "long_row" and row > 0:
            rows[row] = rows[row] + ["extra"]
        elif edit == "blank_row":
            rows.insert(row + 1, [])
        elif edit == "repeat_row":
            rows.insert(row + 1, list(rows[row]))
        elif edit == "header_only":
            rows = rows[:1]
        elif edit == "empty":
            rows = []
        if not rows:
            break
    endings = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    text = io.StringIO()
    for row in rows:
        ending = draw(st.sampled_from(["\n", "\r\n", "\r"])) if endings == "mixed" else endings
        csv.writer(text, quoting=quoting, lineterminator=ending).writerow(row)
    data = draw(st.sampled_from([b"", BOM])) + text.getvalue().encode()
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b'"', b",", b"\x00", b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", BOM, b"\r",
                                     b"\n", b" ", "é".encode("latin-1"), b'""', b" \"a,\nb\" "])
                    | st.binary(min_size=1, max_size=3))
        data = data[:at] + junk + data[at + draw(st.integers(0, 3)):]
    return file, data


ACCOUNTS = (MINIMAL / "accounts.csv").read_bytes()
ACTIVITIES = (MINIMAL / "activities.csv").read_bytes()


@settings(max_examples=HOSTILE_EXAMPLES)
@given(hostile_files())
@example(("accounts.csv", BOM + ACCOUNTS))
@example(("accounts.csv", ACCOUNTS.replace(b"Borealis", b"=cmd|' /C calc'!A0")))
@example(("activities.csv", ACTIVITIES.replace(b"\n", b"\r\n")))
@example(("accounts.csv", ACCOUNTS.replace(b"Borealis", b"B" * MB).replace(b"smb", b"")))
@example(("accounts.csv", ACCOUNTS.replace(b"\na2", b"\n\na2").replace(b"smb", b"")))
@example(("accounts.csv", ACCOUNTS.replace(b"owner_rep_id\n", b"owner_rep_id\r\n").replace(b"smb", b"")))
@example(("accounts.csv", ACCOUNTS.replace(b"Manufacturing,r1", "Manufacturing,\x85".encode())))  # NEL in a message
def test_any_bytes_import_or_exit_2_naming_file_line_column_and_rule(existing, case):
    check_import(existing, *case)


# ----------------------------------------------------------------------------- found by fuzzing


FOUND = [
    # a field over Python's csv limit (128 KB) made the line locator crash: a traceback
    ("huge field and a bad value", "accounts.csv", ACCOUNTS.replace(b"Borealis", b"B" * MB).replace(b"smb", b""),
     ['accounts.csv line 3, column segment: is empty but required']),
    ("huge header name", "accounts.csv", ACCOUNTS.replace(b"industry", b"i" * MB).replace(b"smb", b""),
     ['accounts.csv line 3, column segment: is empty but required']),
    # a value too long for the row limit was called "field larger than field limit (131072)"
    ("3 MB row", "accounts.csv", ACCOUNTS.replace(b"Borealis", b"B" * (3 * MB)),
     ["accounts.csv line 3: is longer than 2,000,000 bytes, the most a row may hold (a quote never closed?)"]),
    # a blank line counted as a row: every later line number was one too small
    ("blank line before a bad row", "accounts.csv", ACCOUNTS.replace(b"\na2", b"\n\n\na2").replace(b"smb", b""),
     ["accounts.csv line 5, column segment: is empty but required"]),
    # DuckDB refuses a file whose lines do not all end alike: "could not be read as CSV", no line
    ("CRLF header, LF rows", "accounts.csv", ACCOUNTS.replace(b"owner_rep_id\n", b"owner_rep_id\r\n")
     .replace(b"smb", b""), ["accounts.csv line 3, column segment: is empty but required"]),
    # DuckDB read no row at all, without an error, when a quoted header name held a line break
    # (a CR ends a line, for the line numbers too: the header is lines 1 and 2)
    ("CR in a quoted header name", "activities.csv", ACTIVITIES.replace(b"activity_id", b'"\ractivity_id"', 1)
     .replace(b"x3,2024-02-06T14:00:00", b"x3,2024-02-30T14:00:00"),
     ['activities.csv line 6, column occurred_at: "2024-02-30T14:00:00" is not a date-time (expected ISO 8601 without '
      'time zone, e.g. 2024-05-17T14:30:00)']),
    ("LF in a quoted header name, CRLF rows", "teams.csv",
     (MINIMAL / "teams.csv").read_bytes().replace(b"\n", b"\r\n").replace(b"agency", b'"age\nncy"'), []),
    # a column name with a line break was printed raw
    ("CR in a header name, NUL in its column", "activities.csv",
     ACTIVITIES.replace(b"occurred_at", b'"o\rccurred_at"', 1).replace(b"x2,", b"x2,\x00"),
     ["activities.csv line 4, column o\\rccurred_at: contains a NUL character (text has none: was the file saved as "
      "UTF-16, or is it a spreadsheet?)"]),
    # DuckDB's strict mode took two quoted parts apart by a space as one value ("a2" "x,\ny" read as
    # 'a2 x,\ny') and a space after a closing quote: now refused, like every broken quote
    ("quoted parts apart by a space", "contacts.csv",
     (MINIMAL / "contacts.csv").read_bytes().replace(b"c2,a2,", b'"c2","a2" "x,\ny",'),
     ["contacts.csv line 3: is not valid CSV (',' expected after '\"')"]),
    ("a space after a closing quote", "accounts.csv", ACCOUNTS.replace(b'"Acme, Inc."', b'"Acme, Inc." '),
     ["accounts.csv line 2: is not valid CSV (',' expected after '\"')"]),
    # a blank first line was "file is empty"
    ("blank first line", "accounts.csv", b"\n" + ACCOUNTS,
     ["accounts.csv line 1: is empty (expected the header line with the column names)"]),
    # NUL characters were imported as data; a UTF-16 file gave "required column missing" for each column
    ("NUL in a value", "accounts.csv", ACCOUNTS.replace(b"Borealis", b"Bore\x00alis"),
     ["accounts.csv line 3, column name: contains a NUL character (text has none: was the file saved as UTF-16, or "
      "is it a spreadsheet?)"]),
    ("UTF-16 without BOM", "teams.csv", (MINIMAL / "teams.csv").read_text().encode("utf-16-le"),
     ["teams.csv line 1: contains a NUL character (text has none: was the file saved as UTF-16, or is it a "
      "spreadsheet?)"]),
    # latin-1 after the first 8 KB, or in a value: now the line, the column and the byte
    ("latin-1 in a value", "accounts.csv", ACCOUNTS.replace(b"Borealis", "Boréalis".encode("latin-1")),
     ['accounts.csv line 3, column name: "Bor\ufffdalis" is not UTF-8 text (byte 0xE9; save the file as UTF-8)']),
    # a 1 MB value was quoted whole in the message
    ("1 MB enumeration value", "teams.csv", (MINIMAL / "teams.csv").read_bytes().replace(b"external", b"e" * MB),
     ['teams.csv line 3, column kind: "' + "e" * 57 + '..." is not one of internal, external']),
]


@pytest.mark.parametrize("file, data, expected", [case[1:] for case in FOUND], ids=[case[0] for case in FOUND])
def test_found_by_fuzzing(existing, file, data, expected):
    outcome = check_import(existing, file, data)  # the data imported as they are when no problem is expected
    assert (outcome.problems if outcome.status == 2 else []) == expected


def test_utf8_bom_and_formulas_are_accepted_as_data(existing, tmp_path):
    """A UTF-8 BOM before the header is no part of the data; formula text is data, kept as
    written, except the one apostrophe that `export` puts before it."""
    data = BOM + ACCOUNTS.replace(b"Borealis", b"=cmd|' /C calc'!A0").replace(b"North", b"'=x")
    outcome = run_import(existing, "accounts.csv", data, tmp_path)
    assert outcome.status == 0, outcome.err
    with duckdb.connect(str(tmp_path / "db" / "current.duckdb"), read_only=True) as con:
        assert con.execute("select account_id, name, region from accounts order by 1").fetchall() == [
            ("a1", "Acme, Inc.", "=x"), ("a2", "=cmd|' /C calc'!A0", "South")]


# ----------------------------------------------------------------------------- a million rows

ACTIVITY = "y{0},2024-03-{1:02d}T{2:02d}:00:00,call,r1,,c1,d1,outbound,60,Call {0}\n"


def test_a_million_rows_with_one_bad_value_near_the_end(existing, tmp_path):
    """One bad date-time on line 999,992 of 1,000,001: refused, naming that line, in seconds."""
    header = (MINIMAL / "activities.csv").read_text().splitlines()[0]

    def write(path: Path) -> None:  # 67 MB, streamed
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(header + "\n")
            handle.writelines(ACTIVITY.format(i, 1 + i % 28, i % 24) if i != 999_990 else
                              ACTIVITY.format(i, 13, 6).replace("2024-03-13", "2024-13-03") for i in range(1_000_000))

    started = time.perf_counter()
    outcome = run_import(existing, "activities.csv", write, tmp_path)
    seconds = time.perf_counter() - started  # writing the file included (about 1 s)
    assert outcome.problems == ['activities.csv line 999992, column occurred_at: "2024-13-03T06:00:00" is not a '
                                'date-time (expected ISO 8601 without time zone, e.g. 2024-05-17T14:30:00)']
    assert seconds < 30, seconds


# ----------------------------------------------------------------------------- spreadsheet formulas


@settings(max_examples=HOSTILE_EXAMPLES)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rx 1"), max_size=6) | st.text(max_size=6))
def test_restore_undoes_neutralise(text):
    assert restore(neutralise(text)) == text
    assert neutralise(restore(neutralise(text))) == neutralise(text)


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        yield connection


@settings(max_examples=HOSTILE_EXAMPLES)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\r\nx é"), max_size=6) | st.text(max_size=6))
def test_sql_and_python_apply_the_same_rule(con, text):
    """The exporter and the importer run the rule in DuckDB: the same results as in Python."""
    assert con.execute(f"select {neutralise_sql('$text')}", {"text": text, **NEUTRALISE_PARAMETER}).fetchone() == (
        neutralise(text),)
    assert con.execute(f"select {restore_sql('$text')}", {"text": text, **RESTORE_PARAMETER}).fetchone() == (
        restore(text),)


def test_neutralise_by_hand():
    assert [neutralise(t) for t in ["=SUM(A1)", "'=x", "''@y", "-5 deals", "@home", "+1", "\tx", "\rx", "'", "''x",
                                    "Acme = best", "x-1", "", " =x"]] == [
        "'=SUM(A1)", "''=x", "'''@y", "'-5 deals", "'@home", "'+1", "'\tx", "'\rx", "'", "''x",
        "Acme = best", "x-1", "", " =x"]
    assert [restore(t) for t in ["'=SUM(A1)", "''=x", "'x", "'", "=x", "'' =x"]] == [
        "=SUM(A1)", "'=x", "'x", "'", "=x", "'' =x"]


# ----------------------------------------------------------------------------- a CRM export

SALESFORCE = Path(__file__).parent / "fixtures" / "salesforce" / "hand"
SF_ACCOUNTS = (SALESFORCE / "Account.csv").read_bytes()
CRM_HOSTILE = [
    ("empty file", b"", "error: Account.csv: the file is empty (expected a header line with the column names); the "
                        "database was not changed."),
    ("NUL byte", SF_ACCOUNTS.replace(b"Acme", b"Ac\x00me"),
     "error: Account.csv: not a text file (an export's CSV files are text; is it a spreadsheet or an archive "
     "renamed?); the database was not changed."),
    ("unclosed quote", SF_ACCOUNTS + b'"broken,\n',
     "error: Account.csv line 5: could not be read as utf-8 with BOM, comma-delimited CSV (Value with unterminated "
     "quote found.); the database was not changed."),
]


@pytest.mark.parametrize("data, expected", [case[1:] for case in CRM_HOSTILE], ids=[case[0] for case in CRM_HOSTILE])
def test_crm_import_of_hostile_bytes_exits_2_with_one_line(existing, tmp_path, data, expected):
    """`import --from salesforce` reads its files through its own reader: a file it cannot
    read is one line naming it, status 2, the database byte-identical."""
    export = Path(shutil.copytree(SALESFORCE, tmp_path / "export"))
    (export / "Account.csv").write_bytes(data)
    (tmp_path / "db").mkdir()
    target = Path(shutil.copyfile(existing[0], tmp_path / "db" / "current.duckdb"))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(["import", str(export), "--from", "salesforce", "--teams", str(export / "teams.csv"),
                       "--db", str(target)])
    assert (status, err.getvalue().split("\n")[-2]) == (2, expected)  # after the progress bar's line
    assert digest(target) == existing[1] and sorted(p.name for p in target.parent.iterdir()) == ["current.duckdb"]


def test_crm_import_keeps_formula_text_as_data(existing, tmp_path):
    export = Path(shutil.copytree(SALESFORCE, tmp_path / "export"))
    (export / "Account.csv").write_bytes(SF_ACCOUNTS.replace(b"Acme Corp", b"=cmd|' /C calc'!A0"))
    target = tmp_path / "crm.duckdb"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["import", str(export), "--from", "salesforce", "--teams", str(export / "teams.csv"),
                     "--db", str(target)]) == 0
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select name from accounts where account_id = '001A'").fetchall() == [
            ("=cmd|' /C calc'!A0",)]


def test_the_what_if_download_writes_formulas_as_text():
    from tandem.model.scope_rules import FIELDS, csv_bytes

    rule = {name: "=cmd|' /C calc'!A0" if name == "team_id" else "*" for name in FIELDS}
    text = csv_bytes([rule]).decode()
    assert "'=cmd|' /C calc'!A0" in text and not any(line.startswith("=") for line in text.splitlines())
