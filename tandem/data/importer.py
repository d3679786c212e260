"""Import a folder of contract CSVs (one per table) into a new database, validated.

Every rule of the data contract is checked before anything is written where a reader
can see it: the rows are staged as text in a temporary database beside the target,
each rule runs as one SQL query over the staged text, and only when no rule is broken
are the rows typed, inserted, and the temporary file moved over the target. A
rejected import leaves the target byte-identical and reports at most the first
`MAX_PROBLEMS` problems, each naming file, line, column and rule.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tandem.data.contract import TABLES, Column, Table
from tandem.data.db import build_database
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
        if self.column:
            where += f", column {self.column}"
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
    """A value as shown in a message: quoted, shortened when long."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return '"' + text.replace("\n", "\\n") + '"'


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ----------------------------------------------------------------------------- files


def _read_header(path: Path) -> list[str] | None:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        first = next(csv.reader(handle), None)
    return None if first is None else [name.strip() for name in first]


def _first_non_utf8_line(path: Path) -> int | None:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _check_files(folder: Path, report: ImportReport) -> dict[str, tuple[Path | None, list[str]]]:
    """Find each table's file and read its header; file-level problems go to the report."""
    found: dict[str, tuple[Path | None, list[str]]] = {}
    known = {f"{t.name}.csv" for t in TABLES}
    for extra in sorted(p.name for p in folder.glob("*.csv") if p.name not in known):
        report.warnings.append(f"{extra}: not a table of the data contract, ignored")
    for order, table in enumerate(TABLES):
        path = folder / f"{table.name}.csv"
        file = path.name

        def problem(message, column=None):
            report.problems.append(Problem(order, -1, file, column, message))

        if not path.exists():
            if table.optional:
                found[table.name] = (None, [])
            else:
                problem("file missing (this table is required)")
            continue
        try:
            header = _read_header(path)
        except UnicodeDecodeError:
            report.problems.append(Problem(order, -1, file, None, "is not UTF-8 text", _first_non_utf8_line(path)))
            continue
        if not header:
            problem("file is empty (expected a header line with the column names)")
            continue
        duplicates = sorted({name for name in header if header.count(name) > 1})
        for name in duplicates:
            problem("column appears more than once in the header", name)
        for column in table.columns:
            if column.required and column.name not in header:
                problem("required column missing from the header", column.name)
        for name in header:
            if name not in table.column_names:
                report.warnings.append(f"{file}: unknown column {name!r} ignored")
        found[table.name] = (path, header)
    report.total_problems = len(report.problems)
    return found


def _locate_csv_error(path: Path, expected_fields: int) -> tuple[int | None, str]:
    """Find the first malformed line of a CSV file that DuckDB refused to read."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            start = 1
            for row in reader:
                if len(row) != expected_fields and row:
                    return start, f"has {len(row)} fields but the header has {expected_fields}"
                start = reader.line_num + 1
    except csv.Error as error:
        return start, f"is not valid CSV ({error})"
    except UnicodeDecodeError:
        return _first_non_utf8_line(path), "is not UTF-8 text"
    return None, "could not be read as CSV"


def _stage(con, table: Table, path: Path | None, header: list[str], order: int) -> Problem | None:
    """Load one file as text into temp table stg_<name>, one varchar column per contract column."""
    stage = f"stg_{table.name}"
    if path is None:  # optional table absent: an empty stage keeps every later query uniform
        columns = ", ".join(f"{_ident(c.name)} varchar" for c in table.columns)
        con.execute(f"create temp table {stage} ({columns})")
        return None
    # Trimmed header names map to file columns; missing optional columns become NULL.
    selected = ", ".join(
        (f"nullif(trim(column{header.index(c.name):05d}), '')" if c.name in header else "null::varchar")
        + f" as {_ident(c.name)}"
        for c in table.columns
    )
    try:
        con.execute(
            f"create temp table {stage} as select {selected} from read_csv($path, header = false, skip = 1, "
            "delim = ',', quote = '\"', escape = '\"', all_varchar = true, strict_mode = true, "
            "auto_detect = false, null_padding = false, columns = $columns)",
            {"path": str(path), "columns": {f"column{i:05d}": "varchar" for i in range(len(header))}},
        )
    except duckdb.Error:
        line, message = _locate_csv_error(path, len(header))
        return Problem(order, -1, path.name, None, message, line)
    return None


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
    shown = f"'\"' || {col} || '\"'"
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
    described = " || ', ' || ".join(f"'{name} \"' || s.{_ident(name)} || '\"'" for name in table.key)
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
    """Physical start line of the given 0-based data rows (quoted fields may span lines)."""
    lines: dict[int, int] = {}
    last = max(rows)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        start = reader.line_num + 1
        for index, _ in enumerate(reader):
            if index in rows:
                lines[index] = start
            if index >= last:
                break
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
            report.row_counts[table.name] = _insert(
                con, table, "try_cast(occurred_at as timestamp), activity_id" if table.name == "activities" else "rowid")
        absent = [t.name for t in TABLES if files[t.name][0] is None]
        return {"source": "import", "detail": str(folder.resolve()), "absent_tables": ",".join(absent)}

    try:
        build_database(target, fill, lambda message: progress(0.99, message))
    except _Rejected:
        return report
    progress(1.0, "done")
    return report
