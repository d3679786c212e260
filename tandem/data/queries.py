"""The query runner: `run(name, scope=..., **params)` executes `queries/<name>.sql` and returns a DataFrame.

Values only ever reach SQL as bound parameters (`$start`, `$teams`, ...); the SQL text
comes from the files of `queries/`, never from string formatting. Every query is run in a
scope (who is asking: `tandem.model.roles.Scope`), whose parameters (`$scope_agency`) the
runner binds and every query applies; there is no default, so no query runs without one. Each call gets its
own cursor of one read-only connection per database file, reopened when the file is
replaced (import, demo build), so concurrent Streamlit sessions never share a cursor
and never read a stale file.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from tandem.data import rule_flags
from tandem.data.config import QUERIES_DIR, db_path
from tandem.data.db import (
    CURSOR_SETUP,
    CURSOR_SETUP_DEFAULT_RULE,
    CURSOR_SETUP_RANGED_RULE,
    CURSOR_SETUP_RANGED_RULE_FLAGS,
    DEFAULT_RULES,
    attach_read_only,
    query_parameters,
    require_database,
    rule_is_precomputed,
)


class QueryError(Exception):
    """A query was called wrongly: unknown name, missing or unexpected parameters, no scope."""


# The parameters a scope binds: only the runner sets them, from the scope it is given.
SCOPE_PARAMETERS = frozenset({"scope_agency"})


class DatabaseUnreadable(Exception):
    """The database file is there but cannot be read: not a DuckDB file, truncated, or being
    written in place (a plain `cp` over it) at this moment."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} cannot be read: {reason}")
        self.path, self.reason = path, reason



_lock = threading.Lock()
# path -> (file version, connection); one connection per database file per process.
# A plain module cache rather than st.cache_resource because the CLI uses it too.
_connections: dict[Path, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}
# Connections to a replaced file, closed only this long after: closing a connection closes its
# cursors, and another session's query may still be running on one of them.
RETIRED_FOR_S = 600
_retired: list[tuple[float, duckdb.DuckDBPyConnection]] = []


def database_version(path: str | os.PathLike) -> tuple[int, int]:
    """Changes whenever the file is replaced: part of every cache key on query results."""
    stat = Path(path).stat()
    return stat.st_ino, stat.st_mtime_ns


def connection(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The process's read-only connection to the current version of the database file."""
    path = require_database(Path(db_path(path)).resolve())
    version = database_version(path)
    with _lock:
        cached = _connections.get(path)
        if cached and cached[0] == version:
            return cached[1]
        now = time.monotonic()
        while _retired and now - _retired[0][0] > RETIRED_FOR_S:
            _close(_retired.pop(0)[1])
        if cached:  # the file was replaced: new queries go to the new one
            _retired.append((now, _connections.pop(path)[1]))
        try:
            con = attach_read_only(path)  # the shared macros are stored in the file
        except duckdb.Error as error:
            raise DatabaseUnreadable(path, str(error).removeprefix("IO Error: ")) from None
        _connections[path] = (version, con)
        return con


def _close(con: duckdb.DuckDBPyConnection) -> None:
    rule_flags.forget(con)
    con.close()


def close_connections() -> None:
    """Close every cached connection (the next query reopens one): tests and the benchmark."""
    with _lock:
        for con in [con for _, con in _connections.values()] + [con for _, con in _retired]:
            _close(con)
        _connections.clear()
        _retired.clear()


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(query_names())}")
    return path.read_text()


def run(name: str, db: str | os.PathLike | None = None, *, scope=None, **params) -> pd.DataFrame:
    """Run `queries/<name>.sql` with named parameters bound; lists bind as DuckDB lists.

    `scope` (a `tandem.model.roles.Scope`, or anything with its `query_parameters()`) says
    whose data the query may read; it is required, and its parameters cannot be passed
    any other way."""
    if scope is None:
        raise QueryError(f"query {name!r}: no scope given (who is asking decides what it may read)")
    given = SCOPE_PARAMETERS & params.keys()
    if given:
        raise QueryError(f"query {name!r}: {', '.join(sorted(given))} comes from the scope, not a parameter")
    params = {**params, **scope.query_parameters()}
    sql = query_text(name)
    wanted = query_parameters(sql)
    if not SCOPE_PARAMETERS <= wanted:
        raise QueryError(f"query {name!r} does not apply the scope (${', $'.join(sorted(SCOPE_PARAMETERS))})")
    missing = sorted(wanted - params.keys())
    unexpected = sorted(params.keys() - wanted)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing parameter(s) {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected parameter(s) {', '.join(unexpected)}")
        raise QueryError(f"query {name!r}: {'; '.join(parts)}")
    con = connection(db)
    cursor = con.cursor()
    rule = {key: params[key] for key in DEFAULT_RULES if key in wanted}
    try:
        if rule == {key: DEFAULT_RULES[key] for key in rule}:
            setup, flags = CURSOR_SETUP_DEFAULT_RULE, contextlib.nullcontext()
        elif rule_is_precomputed(rule) and len(rule) == len(DEFAULT_RULES):  # deal flags need both numbers
            setup = CURSOR_SETUP_RANGED_RULE_FLAGS
            flags = rule_flags.of(con).reading((int(rule["lookback_days"]), int(rule["overlap_days"])))
        else:
            setup = CURSOR_SETUP_RANGED_RULE if rule_is_precomputed(rule) else CURSOR_SETUP
            flags = contextlib.nullcontext()
        with flags:
            cursor.execute(setup)
            return fetch_frame(cursor, sql, {key: params[key] for key in wanted})
    except duckdb.IOException as error:  # the file was cut short or overwritten in place under the query
        raise DatabaseUnreadable(Path(db_path(db)), str(error).removeprefix("IO Error: ")) from None
    finally:
        cursor.close()


# Arrow straight from a cursor copies the result once more; the copy is cheap next to the
# conversion it saves, and the relation API would plan the query twice. Ignored for the whole
# process: warnings.catch_warnings() around each call is not thread-safe (sessions run queries
# in threads), and let the warning through when two queries ended at once.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


def fetch_frame(cursor: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """Execute on a prepared cursor and return the result as `frame_from_arrow` makes it."""
    return frame_from_arrow(cursor.execute(sql, params).to_arrow_table())


# pandas' nullable types for Arrow's integers and booleans (Arrow would make floats and objects)
_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """A DuckDB result as a DataFrame through Arrow, with the dtypes DuckDB's `.df()` gives.

    Why not `.df()`: it makes a Python object of every text value, which pandas then turns
    into its Arrow-backed `str`; through Arrow the text is copied once. On the 74,000
    named rep pairs of the communication matrix that is 0.05 s instead of 0.2 s.
    Same dtypes as `.df()`: decimals (sums of integers) as float64, dates as
    datetime64[us], integers and booleans as numpy types, or pandas' nullable ones when
    the column has a null. (Unlike `.df()`, an all-null text column is `str`, not object.)
    """
    casts = {pa.types.is_decimal: pa.float64(), pa.types.is_date: pa.timestamp("us")}
    fields = [pa.field(f.name, next((to for test, to in casts.items() if test(f.type)), f.type)) for f in table.schema]
    if any(f.type != g.type for f, g in zip(fields, table.schema)):
        table = table.cast(pa.schema(fields))
    frame = table.to_pandas(types_mapper=_NULLABLE.get)
    for position, column in enumerate(table.columns):
        if column.type in _NULLABLE and column.null_count == 0:
            frame.isetitem(position, frame.iloc[:, position].to_numpy(dtype=column.type.to_pandas_dtype()))
    return frame
