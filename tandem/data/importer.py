"""Import a folder of contract CSVs (one per table) into a new database, validated.

Every rule of the data contract is checked before anything is written where a reader
can see it: the rows are staged as text in a temporary database beside the target,
each rule runs as one SQL query over the staged text, and only when no rule is broken
are the rows typed, inserted, and the temporary file moved over the target. A
rejected import leaves the target byte-identical and reports at most the first
`MAX_PROBLEMS` problems, each naming file, line, column and rule.

Before DuckDB reads a file, Python checks it: every byte (UTF-8, no NUL) and every row
(strict RFC 4180, the header's number of fields). DuckDB's reader alone takes some
broken quoting without an error, and Python's reading gives the exact line numbers.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tandem.data.contract import TABLES, Column, Table
from tandem.data.db import build_database
from tandem.data.formulas import RESTORE_PARAMETER, restore_sql
from tandem.data.progress import Progress, silent

MAX_PROBLEMS = 20

# Naive ISO 8601: a date, optionally a time (seconds and fractions optional), no zone.
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

SQL_TYPES = {"id": "varchar", "text": "varchar", "timestamp": "timestamp", "date": "date",
             "amount": "double", "duration": "double", "bool": "boolean"}


@dataclass(frozen=True, order=True)
class Problem:
    table_order: int
    row: int  # 0-based data row in the file; -1 for a problem with the whole file
    file: str
    column: str | None
    message: str
    line: int | None = None  # physical line of the row in the file, 1 = header
    first_row: int | None = None  # for a repeated key: the row it repeats

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:  # a name from the file's header, its line breaks made visible
            where += ", column " + self.column.replace("\n", "\\n").replace("\r", "\\r")
        return f"{where}: {self.message}"

    def at_lines(self, lines: dict[int, int]) -> "Problem":
        """This problem with its rows turned into physical line numbers."""
        message = self.message
        if self.first_row is not None:
            message += f" (first on line {lines[self.first_row]})"
        line = lines[self.row] if self.row >= 0 else self.line
        return Problem(self.table_order, self.row, self.file, self.column, message, line)


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    warnings: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    def error_text(self) -> str:
        shown = self.problems[:MAX_PROBLEMS]
        lines = [f"import refused: {self.total_problems} problem{'s' if self.total_problems != 1 else ''}"
                 " found; the database was not changed."]
        lines += [f"  {problem}" for problem in shown]
        if self.total_problems > len(shown):
            lines.append(f"  ... and {self.total_problems - len(shown)} more (the first {len(shown)} are shown)")
        return "\n".join(lines)

    def row_counts_text(self) -> str:
        return ", ".join(f"{n:,} {table}" for table, n in self.row_counts.items())


class _Rejected(Exception):
    """Raised inside the database build to abandon it; carries the report."""


def _quote(value: str) -> str:
    """A value as shown in a message: quoted, shortened when long, line breaks visible."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return '"' + text.replace("\n", "\\n").replace("\r", "\\r") + '"'


def _shown_sql(expression: str) -> str:
    """`_quote` in SQL, for the values that rules name in their messages."""
    text = f"case when length({expression}) > 60 then left({expression}, 57) || '...' else {expression} end"
    return f"""('"' || replace(replace({text}, chr(10), '\\n'), chr(13), '\\r') || '"')"""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ----------------------------------------------------------------------------- files

# The longest row DuckDB's CSV reader takes (its default `max_line_size`, set explicitly so
# that `_long_row` checks the same bound): bytes of the row without its line end.
MAX_ROW_BYTES = 2_000_000
# Python's csv module refuses fields over 128 KB by default (a process-wide setting, only
# ever raised here): it must read every row that DuckDB reads.
csv.field_size_limit(max(csv.field_size_limit(), MAX_ROW_BYTES))
# DuckDB drops the spaces before a quoted field (` "a,b"` is `a,b`); so does every csv.reader here.
CSV_FORMAT = {"skipinitialspace": True}
NUL_MESSAGE = "contains a NUL character (text has none: was the file saved as UTF-16, or is it a spreadsheet?)"


class _Lines:
    """The physical lines of an open CSV file as the csv module consumes them, counting the
    bytes of the row being read (DuckDB's limit is on those)."""

    def __init__(self, handle):
        self.handle = handle
        self.row_bytes = 0
        self.last = ""

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.last = next(self.handle)
        self.row_bytes += len(line.encode("utf-8", "surrogateescape"))
        return line

    def row_size(self) -> int:
        """Bytes of the row just read, without the end of its last line."""
        return self.row_bytes - (len(self.last) - len(self.last.rstrip("\r\n")))


TOO_LONG = f"is longer than {MAX_ROW_BYTES:,} bytes, the most a row may hold (a quote never closed?)"


def _bad_text(value: str) -> str | None:
    """Why `value` (decoded with surrogateescape) is not text, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    undecoded = next((ch for ch in value if "\udc80" <= ch <= "\udcff"), None)
    if undecoded is None:
        return None
    shown = "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in value)
    return (f"{_quote(shown)} is not UTF-8 text (byte 0x{ord(undecoded) - 0xDC00:02X}; "
            "save the file as UTF-8)")


def _is_text(path: Path) -> bool:
    """Whether the file is UTF-8 without NUL characters (a quick pass over its bytes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _locate_bad_text(path: Path, order: int) -> Problem:
    """The first field (else line) of a file that `_is_text` refused, and why."""
    file = path.name
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.reader(handle, **CSV_FORMAT)
        header, start = None, 1
        try:
            for row in reader:
                for index, value in enumerate(row):
                    if message := _bad_text(value):
                        # a column without a name (or beyond the header's) by its place
                        named = header[index] if header is not None and index < len(header) else ""
                        column = None if header is None else named or f"{index + 1} (no name)"
                        return Problem(order, -1, file, column, message, start)
                if header is None:
                    header = [name.strip() for name in row]
                start = reader.line_num + 1
        except csv.Error:  # broken quoting before the bad byte: the physical line is still known
            pass
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            if message := _bad_text(line.rstrip("\r\n")):
                return Problem(order, -1, file, None, message, number)
    raise AssertionError(f"{path}: no bad text found")  # _is_text and this function disagree


def _read_header(path: Path) -> tuple[list[str] | None, str | None]:
    """The trimmed column names of the first row, or None and why it cannot be read."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        try:
            first = next(csv.reader(handle, strict=True, **CSV_FORMAT), None)
        except csv.Error as error:  # a field over csv.field_size_limit is over MAX_ROW_BYTES too
            return None, TOO_LONG if "field limit" in str(error) else f"is not valid CSV ({error})"
    if first is None:
        return None, None
    return [name.strip() for name in first], None


def _named(name: str) -> str:
    """A column name as a warning shows it: quoted, shortened when long."""
    return repr(name if len(name) <= 60 else name[:57] + "...")


def _check_files(folder: Path, report: ImportReport) -> dict[str, tuple[Path | None, list[str]]]:
    """Find each table's file and read its header; file-level problems go to the report."""
    found: dict[str, tuple[Path | None, list[str]]] = {}
    known = {f"{t.name}.csv" for t in TABLES}
    for extra in sorted(p.name for p in folder.glob("*.csv") if p.name not in known):
        report.warnings.append(f"{extra}: not a table of the data contract, ignored")
    for order, table in enumerate(TABLES):
        path = folder / f"{table.name}.csv"
        file = path.name

        def problem(message, column=None, line=None):
            report.problems.append(Problem(order, -1, file, column, message, line))

        if not path.exists():
            if table.optional:
                found[table.name] = (None, [])
            else:
                problem("file missing (this table is required)")
            continue
        # Every byte checked before any parser reads the file: DuckDB takes NUL characters
        # as data, and a decoding error deep in the file would stop the line locator.
        if not _is_text(path):
            report.problems.append(_locate_bad_text(path, order))
            continue
        header, broken = _read_header(path)
        if broken:
            problem(broken, line=1)
            continue
        if not header or not any(header):
            if path.read_text(encoding="utf-8-sig").strip():
                problem("is empty (expected the header line with the column names)", line=1)
            else:
                problem("file is empty (expected a header line with the column names)")
            continue
        counts = Counter(header)
        for name in sorted(name for name, n in counts.items() if n > 1):
            problem("column appears more than once in the header", name[:60], line=1)
        for column in table.columns:
            if column.required and column.name not in counts:
                problem("required column missing from the header", column.name, line=1)
        unknown = [name for name in counts if name not in table.column_names]
        for name in unknown[:MAX_PROBLEMS]:
            report.warnings.append(f"{file}: unknown column {_named(name)} ignored")
        if len(unknown) > MAX_PROBLEMS:
            report.warnings.append(f"{file}: {len(unknown) - MAX_PROBLEMS} more unknown columns ignored")
        found[table.name] = (path, header)
    report.total_problems = len(report.problems)
    return found


def _read_rows(path: Path, expected_fields: int) -> tuple[int, tuple[int, str] | None]:
    """Read a CSV file as the contract wants it read (RFC 4180, strictly; a blank line is no
    row; every row with the header's number of fields): the number of data rows, and the
    first broken line with why (or None). Rows too long for DuckDB are `_long_row`'s."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True, **CSV_FORMAT)
        start, rows = 1, 0
        try:
            next(reader, None)  # the header
            start = reader.line_num + 1
            for row in reader:
                if row:
                    if len(row) != expected_fields:
                        return rows, (start, f"has {len(row)} fields but the header has {expected_fields}")
                    rows += 1
                start = reader.line_num + 1
        except csv.Error as error:  # a field over csv.field_size_limit is over MAX_ROW_BYTES too
            return rows, (start, TOO_LONG if "field limit" in str(error) else f"is not valid CSV ({error})")
    return rows, None


def _long_row(path: Path) -> int | None:
    """The first line of a data row longer than DuckDB reads (MAX_ROW_BYTES), or None: a
    slower pass, made only when DuckDB could not read the file."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, **CSV_FORMAT)
        next(reader, None)
        start, lines.row_bytes = reader.line_num + 1, 0
        for row in reader:
            if row and lines.row_size() > MAX_ROW_BYTES:
                return start
            lines.row_bytes = 0
            start = reader.line_num + 1
    return None


def _header_breaks_line(path: Path) -> bool:
    """Whether a quoted name of the header holds a line break."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return any("\r" in name or "\n" in name for name in next(csv.reader(handle, **CSV_FORMAT)))


def _plain_copy(path: Path, folder: Path) -> Path:
    """`path` as the plainest CSV (every field quoted, LF line ends, no BOM, no blank lines,
    the header's names replaced by plain ones), written by Python's reader and writer, for
    a file that DuckDB's reader refuses or misreads though every row is fine."""
    copy = folder / path.name
    with open(path, newline="", encoding="utf-8-sig") as source, \
            open(copy, "w", newline="", encoding="utf-8") as target:
        rows = csv.reader(source, **CSV_FORMAT)
        writer = csv.writer(target, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(f"column{i:05d}" for i in range(len(next(rows))))
        writer.writerows(row for row in rows if row)
    return copy


def _stage(con, table: Table, path: Path | None, header: list[str], order: int) -> Problem | None:
    """Load one file as text into temp table stg_<name>, one varchar column per contract column;
    a problem with the file's CSV (its line and why) stops it."""
    stage = f"stg_{table.name}"
    if path is None:  # optional table absent: an empty stage keeps every later query uniform
        columns = ", ".join(f"{_ident(c.name)} varchar" for c in table.columns)
        con.execute(f"create temp table {stage} ({columns})")
        return None

    # Trimmed header names map to file columns (values trimmed, empty ones NULL); missing
    # optional columns become NULL; text after an apostrophe that `export` wrote loses it
    # again (tandem.data.formulas).
    used = {c.name: f"column{header.index(c.name):05d}" for c in table.columns if c.name in header}
    trimmed = ", ".join(f"nullif(trim({ref}), '') as {ref}" for ref in used.values())
    selected = ", ".join(
        ("null::varchar" if c.name not in used else restore_sql(used[c.name]) if c.type in ("id", "text")
         else used[c.name]) + f" as {_ident(c.name)}"
        for c in table.columns)

    def load(source: Path, max_row_bytes: int) -> None:
        con.execute(
            f"create temp table {stage} as select {selected} from (select {trimmed} from read_csv($path, "
            "header = false, skip = 1, delim = ',', quote = '\"', escape = '\"', all_varchar = true, "
            "strict_mode = true, auto_detect = false, null_padding = false, max_line_size = $max_row_bytes, "
            "columns = $columns))",
            {"path": str(source), "columns": {f"column{i:05d}": "varchar" for i in range(len(header))},
             "max_row_bytes": max_row_bytes, **RESTORE_PARAMETER},
        )

    def loaded(source: Path, max_row_bytes: int = MAX_ROW_BYTES) -> bool:
        """Whether DuckDB read every row of `source` (else no stage table is left)."""
        try:
            load(source, max_row_bytes)
        except duckdb.Error:
            return False
        if con.execute(f"select count(*) from {stage}").fetchone()[0] == rows:
            return True
        con.execute(f"drop table {stage}")
        return False

    # Python's strict reader checks the file first, for exact line numbers and because
    # DuckDB's strict mode still takes some broken quoting, silently ('"a" "b"' reads as
    # 'a b', seen on 2.0.1).
    rows, broken = _read_rows(path, len(header))
    if broken:
        line, message = broken
        return Problem(order, -1, path.name, None, message, line)
    # DuckDB takes the line end from the first line: it refuses a file whose lines end in
    # different ways, and reads no row at all, without an error, when a quoted name of the
    # header holds a line break. Such files are read from their plain copy.
    if not _header_breaks_line(path) and loaded(path):
        return None
    if line := _long_row(path):
        return Problem(order, -1, path.name, None, TOO_LONG, line)
    with tempfile.TemporaryDirectory(prefix="tandem-import-") as folder:
        # quoting every field (and doubling a quote) makes a row at most 3 times longer
        if loaded(_plain_copy(path, Path(folder)), 3 * MAX_ROW_BYTES + 2):
            return None
    return Problem(order, -1, path.name, None, "could not be read as CSV (a file DuckDB cannot read: please report it)")


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One contract rule as a query over a staged table.

    `where` selects the rows breaking the rule from `source` (aliased `s`, with the
    file's 0-based row in `s.row_index`); `message` is an SQL expression for the text.
    `first_row`, when set, is an SQL expression for an earlier row the problem repeats.
    """

    table: Table
    column: str | None
    where: str
    message: str
    joins: str = ""
    source: str | None = None
    first_row: str = "null"

    @property
    def from_clause(self) -> str:
        source = self.source or f"(select *, rowid as row_index from stg_{self.table.name})"
        return f"{source} s {self.joins}"


def _typed(column: Column, alias: str = "s") -> str:
    ref = f"{alias}.{_ident(column.name)}"
    if column.type in ("timestamp", "date", "amount", "duration"):
        return f"try_cast({ref} as {SQL_TYPES[column.type]})"
    return ref


def _column_rules(table: Table, column: Column) -> list[Rule]:
    col = f"s.{_ident(column.name)}"
    shown = _shown_sql(col)
    rules = []
    if column.required:
        rules.append(Rule(table, column.name, f"{col} is null", "'is empty but required'"))
    if column.type == "timestamp":
        rules.append(Rule(table, column.name,
                          f"{col} is not null and (not regexp_full_match({col}, '{TIMESTAMP_PATTERN}') "
                          f"or try_cast({col} as timestamp) is null)",
                          f"{shown} || ' is not a date-time (expected ISO 8601 without time zone, "
                          "e.g. 2024-05-17T14:30:00)'"))
    elif column.type == "date":
        rules.append(Rule(table, column.name,
                          f"{col} is not null and (not regexp_full_match({col}, '{DATE_PATTERN}') "
                          f"or try_cast({col} as date) is null)",
                          f"{shown} || ' is not a date (expected YYYY-MM-DD)'"))
    elif column.type in ("amount", "duration"):
        number = f"try_cast({col} as double)"
        rules.append(Rule(table, column.name,
                          f"{col} is not null and ({number} is null or not isfinite({number}))",
                          f"{shown} || ' is not a number'"))
        rules.append(Rule(table, column.name, f"{number} < 0",
                          f"{shown} || ' is negative (must be 0 or more)'"))
    elif column.type == "bool":
        rules.append(Rule(table, column.name, f"{col} is not null and lower({col}) not in ('true', 'false')",
                          f"{shown} || ' is not true or false'"))
    if column.allowed:
        listed = ", ".join(f"'{v}'" for v in column.allowed)
        rules.append(Rule(table, column.name, f"{col} is not null and {col} not in ({listed})",
                          f"{shown} || ' is not one of {', '.join(column.allowed)}'"))
    if column.references:
        parent, key = column.references.split(".")
        rules.append(Rule(table, column.name, f"{col} is not null and p.{_ident(key)} is null",
                          f"{shown} || ' is not a {key} of {parent}.csv'",
                          joins=f"left join (select distinct {_ident(key)} from stg_{parent}) p "
                                f"on p.{_ident(key)} = {col}"))
    return rules


def _key_rule(table: Table) -> Rule:
    """Every repeat of a key after its first row is a problem (ids unique; a deal's
    stage changes have distinct changed_at, compared as instants). Rows whose key does
    not parse are left to the type rules."""
    keys = [_typed(table.column(name), alias="f") for name in table.key]
    described = " || ', ' || ".join(f"'{name} ' || {_shown_sql(f's.{_ident(name)}')}" for name in table.key)
    return Rule(
        table, table.key[-1],
        "s.first_row <> s.row_index",
        f"{described} || ' is not unique'",
        source=f"(select *, rowid as row_index, min(rowid) over (partition by {', '.join(keys)}) as first_row "
               f"from stg_{table.name} f where {' and '.join(f'{k} is not null' for k in keys)})",
        first_row="s.first_row",
    )


def _cross_rules() -> list[Rule]:
    by_name = {t.name: t for t in TABLES}
    deals, activities = by_name["deals"], by_name["activities"]
    created, closed = "try_cast(s.created_at as timestamp)", "try_cast(s.closed_at as timestamp)"
    return [
        Rule(deals, "closed_at", f"{closed} < {created}",
             "'\"' || s.closed_at || '\" is before created_at \"' || s.created_at || '\"'"),
        Rule(deals, "status", "s.status = 'open' and s.closed_at is not null",
             "'status is \"open\" but closed_at is set (open exactly when closed_at is empty)'"),
        Rule(deals, "status", "s.status in ('won', 'lost') and s.closed_at is null",
             "'status is \"' || s.status || '\" but closed_at is empty (open exactly when closed_at is empty)'"),
        Rule(deals, "stage",
             "s.status in ('won', 'lost') and s.stage in (select stage from stage_order) and s.stage <> s.status",
             "'\"' || s.stage || '\" does not agree with status \"' || s.status || '\"'"),
        Rule(deals, "stage", "s.status = 'open' and s.stage in ('won', 'lost')",
             "'\"' || s.stage || '\" is a closing stage but status is \"open\"'"),
        Rule(activities, "counterpart_rep_id", "s.counterpart_rep_id is not null and s.contact_id is not null",
             "'both counterpart_rep_id and contact_id are set (exactly one is allowed)'"),
        Rule(activities, "counterpart_rep_id", "s.counterpart_rep_id is null and s.contact_id is null",
             "'neither counterpart_rep_id nor contact_id is set (exactly one is required)'"),
    ]


def contract_rules() -> list[Rule]:
    """Every rule of the data contract, as queries over the staged tables stg_<name> (the
    CRM import uses them too, to drop the rows that break one)."""
    rules = []
    for table in TABLES:
        for column in table.columns:
            rules += _column_rules(table, column)
        if table.key:
            rules.append(_key_rule(table))
    return rules + _cross_rules()


def _run_rule(con, rule: Rule, order: int) -> tuple[int, list[Problem]]:
    rows = con.execute(
        f"select count(*) over () as n, s.row_index, {rule.message} as message, {rule.first_row} as first_row "
        f"from {rule.from_clause} where {rule.where} order by s.row_index limit {MAX_PROBLEMS}"
    ).fetchall()
    if not rows:
        return 0, []
    return rows[0][0], [Problem(order, row, f"{rule.table.name}.csv", rule.column, message, first_row=first)
                        for _, row, message, first in rows]


def _line_numbers(path: Path, rows: set[int]) -> dict[int, int]:
    """Physical start line of the given 0-based data rows (quoted fields may span lines),
    read as `_stage` reads them (a blank line is no row)."""
    lines: dict[int, int] = {}
    last = max(rows)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, **CSV_FORMAT)
        next(reader, None)
        start, index = reader.line_num + 1, 0
        for row in reader:
            if row:  # a blank line is no row: DuckDB skips it
                if index in rows:
                    lines[index] = start
                if index >= last:
                    break
                index += 1
            start = reader.line_num + 1
    return lines


def _attach_lines(problems: list[Problem], paths: dict[str, Path]) -> list[Problem]:
    rows_by_file: dict[str, set[int]] = {}
    for p in problems:
        rows = rows_by_file.setdefault(p.file, set())
        rows.update(r for r in (p.row, p.first_row) if r is not None and r >= 0)
    lines = {file: _line_numbers(paths[file], rows) for file, rows in rows_by_file.items() if rows}
    return [p.at_lines(lines.get(p.file, {})) for p in problems]


# ----------------------------------------------------------------------------- load


def _insert(con, table: Table, ordered_by: str = "rowid") -> int:
    def typed(column: Column) -> str:
        ref = _ident(column.name)
        if column.type == "bool":
            return f"lower({ref}) = 'true'"
        if column.type in SQL_TYPES and SQL_TYPES[column.type] != "varchar":
            return f"cast({ref} as {SQL_TYPES[column.type]})"
        return ref

    columns = ", ".join(_ident(c.name) for c in table.columns)
    selected = ", ".join(typed(c) for c in table.columns)
    con.execute(f"insert into {table.name} ({columns}) select {selected} from stg_{table.name} order by {ordered_by}")
    con.execute(f"drop table stg_{table.name}")
    return con.execute(f"select count(*) from {table.name}").fetchone()[0]


def import_folder(folder: str | os.PathLike, target: str | os.PathLike, progress: Progress = silent) -> ImportReport:
    """Validate the CSV files of `folder` and, when every rule holds, replace `target`.

    Returns the report; the database is replaced exactly when `report.ok`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder of CSV files")
    report = ImportReport()
    progress(0.0, "reading headers")
    files = _check_files(folder, report)
    if not report.ok:
        return report
    paths = {f"{name}.csv": path for name, (path, _) in files.items() if path is not None}
    total_bytes = sum(p.stat().st_size for p in paths.values()) or 1
    rules = contract_rules()

    def fill(con):
        done_bytes = 0
        for order, table in enumerate(TABLES):
            path, header = files[table.name]
            progress(0.5 * done_bytes / total_bytes, f"reading {table.name}.csv")
            broken = _stage(con, table, path, header, order)
            if broken:
                report.problems.append(broken)
                report.total_problems += 1
                raise _Rejected
            done_bytes += path.stat().st_size if path else 0
        for index, rule in enumerate(rules):
            progress(0.5 + 0.3 * index / len(rules), f"checking {rule.table.name}.csv")
            count, found = _run_rule(con, rule, TABLES.index(rule.table))
            report.total_problems += count
            report.problems += found
        if report.total_problems:
            report.problems = _attach_lines(sorted(report.problems)[:MAX_PROBLEMS], paths)
            raise _Rejected
        for index, table in enumerate(TABLES):
            progress(0.8 + 0.2 * index / len(TABLES), f"writing {table.name}")
            # Activities are stored in time order: queries filter by period, and
            # DuckDB's per-row-group min/max then skips most of the table.
            in_time = "try_cast(occurred_at as timestamp), activity_id"
            report.row_counts[table.name] = _insert(con, table, in_time if table.name == "activities" else "rowid")
        absent = [t.name for t in TABLES if files[t.name][0] is None]
        return {"source": "import", "detail": str(folder.resolve()), "absent_tables": ",".join(absent)}

    try:
        build_database(target, fill, lambda message: progress(0.99, message))
    except _Rejected:
        return report
    progress(1.0, "done")
    return report
