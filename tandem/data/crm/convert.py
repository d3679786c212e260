"""From a CRM export to contract CSVs, every dropped row explained.

The export's files are loaded as text into a private in-memory DuckDB; file access is then
switched off and the mapping's SQL builds each contract table. Rows are dropped, each with
its reason, in this order: a value the mapping does not know (`value_of` gave
'unmapped:<value>'), the mapping's own drop rules, then every rule of the data contract
(the importer's, run over all rows until none breaks: a deal dropped for a missing owner
takes its stage changes with it). A reference in an optional column that does not resolve
is cleared rather than dropping the row. The result is written as contract CSVs, which the
contract import then validates and swaps in atomically, as for any import.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tandem.data.contract import TABLES, TABLES_BY_NAME
from tandem.data.crm.files import ExportFileError, load_file
from tandem.data.crm.mapping import PRESETS_DIR, Mapping, MappingError
from tandem.data.formulas import neutralise
from tandem.data.importer import contract_rules
from tandem.data.progress import Progress, silent

UNMAPPED = "unmapped:"
TEAMS_FILE_COLUMNS = ("crm_user", "team_id", "team_name", "kind", "agency")
TEAMS_TO_FILL = "tandem_teams_to_fill.csv"
EXAMPLES = 3  # example rows kept per reason
WRITE_BATCH = 50_000  # rows fetched at a time when writing the contract CSVs
MAX_ROUNDS = 10  # of contract rules: each round can only drop rows that depended on a dropped one


@dataclass
class TableOutcome:
    read: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason -> rows
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> a few rows, as text
    cleared: Counter = field(default_factory=Counter)  # reason -> rows whose optional reference was emptied

    def drop(self, reason: str, rows: int, examples: list[str]) -> None:
        self.dropped[reason] += rows
        shown = self.examples.setdefault(reason, [])
        shown += examples[:EXAMPLES - len(shown)]


@dataclass
class ConversionReport:
    mapping: str
    files: dict[str, str] = field(default_factory=dict)  # file -> its format, or "absent (optional)"
    tables: dict[str, TableOutcome] = field(default_factory=dict)
    unmapped: dict[str, Counter] = field(default_factory=dict)  # "deals.stage" -> value -> rows
    users_without_team: list[dict] = field(default_factory=list)
    teams_to_fill: str | None = None
    currencies: dict[str, dict] = field(default_factory=dict)  # code -> deals, amount (as exported)
    converted: bool = False  # amounts converted with the mapping's rates

    def as_dict(self) -> dict:
        return {
            "mapping": self.mapping, "files": self.files,
            "tables": {name: {"read": t.read, "kept": t.kept, "dropped": dict(t.dropped),
                              "examples": t.examples, "cleared": dict(t.cleared)}
                       for name, t in self.tables.items()},
            "unmapped_values": {column: dict(values) for column, values in self.unmapped.items()},
            "users_without_team": self.users_without_team, "teams_to_fill": self.teams_to_fill,
            "currencies": self.currencies, "amounts_converted": self.converted,
        }

    def table_counts(self) -> list[dict]:
        """Per contract table: rows read, kept, dropped."""
        return [{"table": name, "read": t.read, "kept": t.kept, "dropped": sum(t.dropped.values())}
                for name, t in self.tables.items()]

    def drops(self) -> list[dict]:
        """Every reason a row was dropped or a reference emptied, with its count and examples."""
        listed = []
        for name, t in self.tables.items():
            listed += [{"table": name, "reason": reason, "rows": rows, "what happened": "dropped",
                        "examples": "; ".join(t.examples.get(reason, []))} for reason, rows in t.dropped.most_common()]
            listed += [{"table": name, "reason": reason, "rows": rows, "what happened": "reference emptied",
                        "examples": ""} for reason, rows in t.cleared.most_common()]
        return listed

    def text(self) -> str:
        lines = [f"{self.mapping}: {len(self.files)} files"]
        lines += [f"  {file}: {found}" for file, found in self.files.items()]
        for name, t in self.tables.items():
            dropped = sum(t.dropped.values())
            lines.append(f"{name}: {t.read:,} read, {t.kept:,} kept" + (f", {dropped:,} dropped" if dropped else ""))
            for reason, rows in t.dropped.most_common():
                lines.append(f"  {rows:,} × {reason} (e.g. {'; '.join(t.examples.get(reason, []))})")
            for reason, rows in t.cleared.most_common():
                lines.append(f"  {rows:,} × {reason}: emptied, row kept")
        for column, values in self.unmapped.items():
            shown = ", ".join(f"{value!r} ({rows:,})" for value, rows in values.most_common(10))
            lines.append(f"values the mapping does not know, {column}: {shown}")
        if len(self.currencies) > 1:
            listed = ", ".join(f"{code} ({c['deals']:,} deal{'s' if c['deals'] != 1 else ''})"
                               for code, c in self.currencies.items())
            lines.append(f"deal amounts in {len(self.currencies)} currencies: {listed}; "
                         + ("converted with the mapping's rates." if self.converted else
                            "kept as they are (add [rates] to the mapping to convert them)."))
        if self.users_without_team:
            users = ", ".join(u["name"] or u["crm_user"] for u in self.users_without_team[:10])
            lines.append(f"{len(self.users_without_team)} CRM users have no team in the teams file ({users}"
                         f"{', ...' if len(self.users_without_team) > 10 else ''}): they get the default team of "
                         f"their kind." + (f" Fill in {self.teams_to_fill} and pass it with --teams."
                                           if self.teams_to_fill else ""))
        return "\n".join(lines)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _find(folder: Path, file: str) -> Path | None:
    """The export's file, its name compared without case (exports are renamed by hand)."""
    exact = folder / file
    if exact.is_file():
        return exact
    return next((p for p in folder.iterdir() if p.is_file() and p.name.lower() == file.lower()), None)


def _load_export(con, folder: Path, mapping: Mapping, work_dir: Path, report: ConversionReport) -> None:
    for source in mapping.files.values():
        path = _find(folder, source.file)
        if path is None:
            if not source.optional:
                raise ExportFileError(f"{source.file} is missing from {folder} (the {mapping.name} mapping needs it)")
            columns = ", ".join(f"{_ident(c)} varchar" for c in source.columns + source.optional_columns)
            con.execute(f"create table {_ident(source.name)} ({columns or 'none varchar'})")
            report.files[source.file] = "absent (optional): no rows"
            continue
        found, header = load_file(con, path, source.name, work_dir, source.encoding, source.delimiter)
        report.files[path.name] = str(found)
        for column, name in source.rename.items():
            if column in header:
                if name in header:  # the renamed column replaces the file's own
                    con.execute(f"alter table {_ident(source.name)} drop column {_ident(name)}")
                    header.remove(name)
                con.execute(f"alter table {_ident(source.name)} rename column {_ident(column)} to {_ident(name)}")
                header[header.index(column)] = name
        missing = [c for c in source.columns if c not in header]
        if missing:
            raise ExportFileError(f"{path.name}: no column {', '.join(map(repr, missing))} (the {mapping.name} mapping "
                                  f"needs it; the file has {', '.join(header[:12])}"
                                  f"{', ...' if len(header) > 12 else ''})")
        for column in source.optional_columns:
            if column not in header:
                con.execute(f"alter table {_ident(source.name)} add column {_ident(column)} varchar")


def _load_teams(con, teams: Path | None, work_dir: Path) -> None:
    if teams is None:
        con.execute("create table teams_file (" + ", ".join(f"{c} varchar" for c in TEAMS_FILE_COLUMNS) + ")")
        return
    if not teams.is_file():
        raise ExportFileError(f"no teams file at {teams}")
    _, header = load_file(con, teams, "teams_file_raw", work_dir)
    missing = [c for c in TEAMS_FILE_COLUMNS[:4] if c not in header]
    if missing:
        raise ExportFileError(f"{teams.name}: no column {', '.join(map(repr, missing))} (a teams file has "
                              f"{', '.join(TEAMS_FILE_COLUMNS)}; agency may be empty)")
    agency = "agency" if "agency" in header else "null"
    con.execute(f"create table teams_file as select crm_user, team_id, team_name, lower(kind) as kind, {agency} "
                "as agency from teams_file_raw where crm_user is not null")
    wrong = con.execute("select crm_user, kind from teams_file where kind is null or kind not in "
                        "('internal', 'external') limit 1").fetchone()
    if wrong:
        raise ExportFileError(f"{teams.name}: the kind of {wrong[0]!r} is {wrong[1]!r}, not internal or external")


def _helpers(con, mapping: Mapping) -> None:
    con.execute("create table crm_settings as select $nulls::varchar[] as null_values",
                {"nulls": list(mapping.null_values)})
    con.execute("create table crm_values (map_name varchar, source_key varchar, target_value varchar)")
    rows = [(name, key.strip().lower(), value)
            for name, pairs in mapping.values.items() for key, value in pairs.items()]
    if rows:
        con.executemany("insert into crm_values values (?, ?, ?)", rows)
    con.execute("create table crm_rates (code varchar, rate double)")
    if mapping.rates:
        con.executemany("insert into crm_rates values (?, ?)", list(mapping.rates.items()))
    formats = ", ".join(_literal(f) for f in mapping.date_formats)
    con.execute((PRESETS_DIR / "helpers.sql").read_text().replace("{date_formats}", formats))


def _examples(con, table: str, where: str, columns: list[str], value: str | None = None) -> list[str]:
    """A few rows as text: their first columns, then `value` (an unknown value, without its prefix)."""
    parts = [f"coalesce({_ident(c)}::varchar, '∅')" for c in columns]
    if value:
        parts.append(f"'\"' || substr({_ident(value)}::varchar, {len(UNMAPPED) + 1}) || '\"'")
    shown = " || ' ' || ".join(parts)
    return [row[0] for row in con.execute(f"select {shown} from {table} where {where} limit {EXAMPLES}").fetchall()]


def _map_table(con, spec, report: ConversionReport) -> TableOutcome:
    table = TABLES_BY_NAME[spec.table]
    outcome = TableOutcome()
    mapped = f"m_{table.name}"
    helpers = [name for name in spec.columns if name.startswith("_")]
    expressions = ", ".join([f"{spec.columns.get(c.name, 'null')} as {_ident(c.name)}" for c in table.columns]
                            + [f"{spec.columns[name]} as {_ident(name)}" for name in helpers])
    try:
        outcome.read = con.execute(f"select count(*) from {spec.source}").fetchone()[0]
        con.execute(f"create table {mapped} as select {expressions} from {spec.source}")
    except duckdb.Error as error:
        raise MappingError(f"[tables.{table.name}] does not run: {str(error).splitlines()[0]}") from None
    shown = [c.name for c in table.columns[:2]]
    for column in table.columns:
        unknown = f"{_ident(column.name)}::varchar like '{UNMAPPED}%'"
        values = con.execute(f"select substr({_ident(column.name)}::varchar, {len(UNMAPPED) + 1}), count(*) "
                             f"from {mapped} where {unknown} group by all order by 2 desc").fetchall()
        if values:
            report.unmapped[f"{table.name}.{column.name}"] = Counter(dict(values))
            outcome.drop(f"unknown {column.name} value", sum(n for _, n in values),
                         _examples(con, mapped, unknown, shown[:1], column.name))
            con.execute(f"delete from {mapped} where {unknown}")
    if table.name == "deals" and "_currency" in spec.columns:
        _currencies(con, mapped, outcome, report)
    for rule in spec.drops:
        try:
            rows = con.execute(f"select count(*) from {mapped} where {rule.when}").fetchone()[0]
        except duckdb.Error as error:
            raise MappingError(f"[tables.{table.name}] drop when {rule.when!r}: {str(error).splitlines()[0]}") from None
        if rows:
            outcome.drop(rule.reason, rows, _examples(con, mapped, rule.when, shown))
            con.execute(f"delete from {mapped} where {rule.when}")
    return outcome


def _currencies(con, mapped: str, outcome: TableOutcome, report: ConversionReport) -> None:
    """Report the currencies of the deals' amounts (`_currency`); with the mapping's rates
    (table crm_rates), convert them, and drop a deal whose currency has no rate."""
    found = con.execute(f"select coalesce(_currency, '(none)'), count(*), sum(amount) from {mapped} "
                        "group by all order by 2 desc, 1").fetchall()
    report.currencies = {code: {"deals": n, "amount": amount} for code, n, amount in found}
    if not con.execute("select count(*) from crm_rates").fetchone()[0]:
        return
    report.converted = True
    unknown = "_currency is not null and upper(_currency) not in (select code from crm_rates)"
    rows = con.execute(f"select count(*) from {mapped} where {unknown}").fetchone()[0]
    if rows:
        outcome.drop("amount in a currency the mapping has no rate for", rows,
                     _examples(con, mapped, unknown, ["deal_id", "_currency"]))
        con.execute(f"delete from {mapped} where {unknown}")
    con.execute(f"update {mapped} set amount = amount * (select rate from crm_rates where code = upper(_currency)) "
                "where _currency is not null")


def _stage(con, table) -> None:
    """m_<table> (typed by the mapping's SQL) as stg_<table> in the contract's text forms."""
    def text(column) -> str:
        ref = _ident(column.name)
        if column.type == "timestamp":
            return f"strftime(try_cast({ref} as timestamp), '%Y-%m-%dT%H:%M:%S')"
        if column.type == "date":
            return f"strftime(try_cast({ref} as date), '%Y-%m-%d')"
        if column.type == "bool":
            return f"case when {ref}::varchar in ('true', '1') then 'true' when {ref} is not null then 'false' end"
        return f"nullif(trim({ref}::varchar), '')"

    source = f"m_{table.name}"
    if not con.execute(f"select count(*) from information_schema.tables where table_name = '{source}'").fetchone()[0]:
        con.execute(f"create table {source} (" + ", ".join(f"{_ident(c.name)} varchar" for c in table.columns) + ")")
    con.execute(f"create table stg_{table.name} as select "
                + ", ".join(f"{text(c)} as {_ident(c.name)}" for c in table.columns) + f" from {source}")


def _general(message: str) -> str:
    """A contract rule's message without the row's own values: '"x" is before created_at "y"'
    -> 'is before created_at', so that rows group under one reason."""
    return re.sub(r'\s*"[^"]*"', "", message).strip()


def _apply_contract_rules(con, report: ConversionReport) -> None:
    rules = contract_rules()
    for _ in range(MAX_ROUNDS):
        changed = False
        for rule in rules:
            key = " || ' ' || ".join(f"coalesce(s.{_ident(c)}, '∅')"
                                     for c in rule.table.key or rule.table.column_names[:1])
            rows = con.execute(f"select s.row_index, {rule.message}, {key} from {rule.from_clause} "
                               f"where {rule.where}").fetchall()
            if not rows:
                continue
            changed = True
            name = rule.table.name
            outcome = report.tables.setdefault(name, TableOutcome())
            column = rule.table.column(rule.column) if rule.column else None
            first = rows[0][1]  # a message about a value names its column; a cross-column one is a sentence
            reason = f"{rule.column} {_general(first)}" if first.startswith('"') else _general(first)
            unresolved = column is not None and column.references and first.startswith('"') and "is not a" in first
            if unresolved:
                reason = f"{rule.column} names no row of {column.references.split('.')[0]} (absent from the export, " \
                         "or dropped)"
            row_ids = [row for row, _, _ in rows]
            if unresolved and not column.required:
                outcome.cleared[reason] += len(rows)
                con.execute(f"update stg_{name} set {_ident(column.name)} = null where rowid in "
                            f"(select unnest($rows::bigint[]))", {"rows": row_ids})
            else:
                outcome.drop(reason, len(rows), [f"{row_key}: {message}" for _, message, row_key in rows[:EXAMPLES]])
                con.execute(f"delete from stg_{name} where rowid in (select unnest($rows::bigint[]))",
                            {"rows": row_ids})
        if not changed:
            return


def _write_csv(con, table, out_dir: Path) -> int:
    """stg_<table> as a contract CSV, streamed (file access is off for DuckDB: Python writes)."""
    written = 0
    result = con.execute(f"select * from stg_{table.name}")
    with open(out_dir / f"{table.name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.column_names)
        while rows := result.fetchmany(WRITE_BATCH):
            # the CRM's text as the contract writes it: the import takes the formula apostrophe off again
            writer.writerows([[neutralise(v) if isinstance(v, str) else v for v in row] for row in rows])
            written += len(rows)
    return written


def _users_without_team(con, mapping: Mapping, folder: Path, report: ConversionReport) -> None:
    if not mapping.unassigned_sql:
        return
    try:
        rows = con.execute(mapping.unassigned_sql).fetchall()
    except duckdb.Error as error:
        raise MappingError(f"[unassigned] does not run: {str(error).splitlines()[0]}") from None
    report.users_without_team = [dict(zip(("crm_user", "name", "email", "kind"), row)) for row in rows]
    if not rows:
        return
    target = folder / TEAMS_TO_FILL
    try:
        with open(target, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*TEAMS_FILE_COLUMNS, "name", "email"])
            for user in report.users_without_team:
                writer.writerow([user["crm_user"], "", "", user["kind"] or "", "", user["name"] or "",
                                 user["email"] or ""])
        report.teams_to_fill = str(target)
    except OSError:  # a read-only export folder: the report still lists them
        report.teams_to_fill = None


def convert_export(folder: Path, mapping: Mapping, teams: Path | None, out_dir: Path, work_dir: Path,
                   progress: Progress = silent) -> ConversionReport:
    """Write the contract CSVs of the export in `folder` into `out_dir`; ExportFileError or
    MappingError (one clear sentence) when the files or the mapping cannot be used."""
    report = ConversionReport(mapping.name)
    con = duckdb.connect(":memory:")
    try:
        progress(0.02, "reading the export's files")
        _load_export(con, folder, mapping, work_dir, report)
        _load_teams(con, teams, work_dir)
        _helpers(con, mapping)
        con.execute("set enable_external_access = false")  # the mapping's SQL reads the loaded files only
        for number, statement in enumerate(mapping.prepare, start=1):
            try:
                con.execute(statement)
            except duckdb.Error as error:
                raise MappingError(f"prepare step {number} does not run: {str(error).splitlines()[0]}") from None
        con.execute("create table stage_order as select * from (values ('lead', 1), ('qualified', 2), "
                    "('proposal', 3), ('negotiation', 4), ('won', 5), ('lost', null)) s(stage, position)")
        for index, table in enumerate(TABLES):
            if table.name in mapping.tables:
                progress(0.1 + 0.3 * index / len(TABLES), f"mapping {table.name}")
                report.tables[table.name] = _map_table(con, mapping.tables[table.name], report)
            _stage(con, table)
        progress(0.45, "checking the contract's rules")
        _apply_contract_rules(con, report)
        _users_without_team(con, mapping, folder, report)
        for table in TABLES:
            if table.name in mapping.tables:
                report.tables[table.name].kept = _write_csv(con, table, out_dir)
    finally:
        con.close()
    return report

