"""A mapping file: how the files of a CRM export become the tables of the data contract.

A mapping is TOML (the shipped presets are in queries/crm/; docs/crm-import.md describes
the format):

    name = "Salesforce Data Export"
    [source]
    date_formats = ["%Y-%m-%dT%H:%M:%S.%g", "%m/%d/%y %I:%M %p"]   # tried in order
    null_values = ["000000000000000AAA"]                            # read as empty
    [files.Opportunity]                 # the name the SQL below uses
    file = "Opportunity.csv"
    columns = ["Id", "StageName"]       # a missing one is an error
    optional_columns = ["Product__c"]   # read as empty when absent
    optional = false                    # an absent optional file has no rows
    rename = { Type__c = "Type" }       # a custom field read under the name the SQL uses
    encoding = "cp1252"                 # optional: detected otherwise, as the delimiter
    delimiter = ";"
    [values.stage]                      # value_of('stage', x); an unknown x is reported
    "Closed Won" = "won"
    [tables.deals]
    from = "Opportunity"                # SQL over the files (and `teams_file`)
    columns = { deal_id = "Id", stage = "value_of('stage', StageName)" }
    drop = [{ when = "owner_rep_id is null", reason = "deal without owner" }]
    prepare = ["create table users as select ..."]   # run first, in order: shared steps
    [rates]                             # optional: deals whose `_currency` helper column names
    USD = 0.92                          # another currency are converted; without rates,
                                        # amounts are kept and the currencies reported
    [unassigned]                        # CRM users without a team in the teams file
    sql = "select ... as crm_user, ... as name, ... as email, ... as kind from ..."

A mapping may start with `extends = "salesforce"` (a preset, or a file beside it) and give
only what differs: its tables merge into the base's key by key, and a file's
optional_columns add to the base's.

The SQL runs in DuckDB with file access disabled once the export is loaded: it reads only
the export's files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tandem.data.config import ROOT
from tandem.data.contract import TABLES_BY_NAME

PRESETS_DIR = ROOT / "queries" / "crm"
PRESETS = ("salesforce", "hubspot")


class MappingError(ValueError):
    """A mapping file that cannot be used: the message says where and why."""


@dataclass(frozen=True)
class SourceFile:
    name: str
    file: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    optional: bool = False
    rename: dict[str, str] = field(default_factory=dict)  # a column of the file -> the name the SQL uses
    encoding: str | None = None  # None: detected
    delimiter: str | None = None  # None: detected


@dataclass(frozen=True)
class Drop:
    when: str
    reason: str


@dataclass(frozen=True)
class TableMapping:
    table: str
    source: str  # the FROM clause
    columns: dict[str, str]  # contract column -> SQL expression
    drops: tuple[Drop, ...] = ()


@dataclass(frozen=True)
class Mapping:
    name: str
    path: Path
    date_formats: tuple[str, ...]
    null_values: tuple[str, ...]
    files: dict[str, SourceFile]
    values: dict[str, dict[str, str]]
    tables: dict[str, TableMapping]
    unassigned_sql: str | None = None
    prepare: tuple[str, ...] = field(default=())
    rates: dict[str, float] = field(default_factory=dict)  # currency code -> rate into the database's currency


def preset_path(name: str) -> Path:
    return PRESETS_DIR / f"{name}.toml"


def load_mapping(source: str | Path) -> Mapping:
    """A preset name (PRESETS) or the path of a mapping file."""
    path = preset_path(str(source)) if str(source) in PRESETS else Path(source)
    if not path.is_file():
        raise MappingError(f"no mapping file at {path} (use {', '.join(PRESETS)}, or the path of a .toml file)")
    return _parse(_read(path), path)


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The TOML of `path`, merged over the mapping it `extends` (a preset name or a path beside
    it): tables merge key by key, a file's optional_columns add to the base's, anything else (a
    list, a text) replaces the base's."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(f"{path.name}: not a valid TOML file ({error})") from None
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    base = preset_path(base_name) if base_name in PRESETS else path.parent / base_name
    _require(base.is_file() and base.resolve() not in seen, path,
             f"extends {base_name!r}: no such mapping (a preset name or a file beside this one), or a loop")
    return _merged(_read(base, (*seen, path.resolve())), data)


def _merged(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        elif key == "optional_columns" and isinstance(base.get(key), list):  # a file's extra columns add up
            merged[key] = base[key] + [c for c in value if c not in base[key]]
        else:
            merged[key] = value
    return merged


def _require(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise MappingError(f"{path.name}: {message}")


def _strings(value, path: Path, where: str) -> tuple[str, ...]:
    _require(isinstance(value, list) and all(isinstance(v, str) for v in value), path,
             f"{where} must be a list of strings")
    return tuple(value)


def _parse(data: dict, path: Path) -> Mapping:
    source = data.get("source", {})
    files = {}
    for name, spec in data.get("files", {}).items():
        _require(isinstance(spec, dict) and isinstance(spec.get("file"), str), path,
                 f"[files.{name}] needs file = \"<name>.csv\"")
        files[name] = SourceFile(name, spec["file"], _strings(spec.get("columns", []), path, f"[files.{name}] columns"),
                                 _strings(spec.get("optional_columns", []), path, f"[files.{name}] optional_columns"),
                                 bool(spec.get("optional", False)), dict(spec.get("rename", {})),
                                 spec.get("encoding"), spec.get("delimiter"))
    _require(bool(files), path, "no [files.<name>] section: which files does the export have?")
    values = {}
    for name, pairs in data.get("values", {}).items():
        _require(isinstance(pairs, dict) and all(isinstance(v, str) for v in pairs.values()), path,
                 f"[values.{name}] must map text to text")
        values[name] = dict(pairs)
    tables = {}
    for table, spec in data.get("tables", {}).items():
        _require(table in TABLES_BY_NAME, path, f"[tables.{table}]: not a table of the data contract "
                                                f"({', '.join(TABLES_BY_NAME)})")
        _require(isinstance(spec.get("from"), str), path, f"[tables.{table}] needs from = \"<SQL source>\"")
        columns = spec.get("columns", {})
        known = TABLES_BY_NAME[table].column_names
        for column in columns:  # a name starting with _ is a helper column, for drop rules only
            _require(column in known or column.startswith("_"), path,
                     f"[tables.{table}] column {column!r} is not a column of {table} ({', '.join(known)})")
        missing = [c.name for c in TABLES_BY_NAME[table].columns if c.required and c.name not in columns]
        _require(not missing, path, f"[tables.{table}] has no expression for the required column(s) "
                                    f"{', '.join(missing)}")
        drops = tuple(Drop(d["when"], d["reason"]) for d in spec.get("drop", []))
        tables[table] = TableMapping(table, spec["from"], dict(columns), drops)
    for required in ("teams", "reps", "accounts"):
        _require(required in tables, path, f"no [tables.{required}]: teams, reps and accounts are required")
    unassigned = data.get("unassigned", {}).get("sql")
    rates = data.get("rates", {})
    _require(isinstance(rates, dict) and all(isinstance(r, (int, float)) and r > 0 for r in rates.values()), path,
             "[rates] must map currency codes to positive numbers (what one unit is worth in the database's currency)")
    return Mapping(str(data.get("name", path.stem)), path,
                   _strings(source.get("date_formats", ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
                            path, "[source] date_formats"),
                   _strings(source.get("null_values", []), path, "[source] null_values"),
                   files, values, tables, unassigned, _strings(data.get("prepare", []), path, "prepare"),
                   {code.strip().upper(): float(rate) for code, rate in rates.items()})
