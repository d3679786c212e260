"""The query runner: `run(name, **params)` executes `queries/<name>.sql` and returns a DataFrame.

Values only ever reach SQL as bound parameters (`$start`, `$teams`, ...); the SQL text
comes from the files of `queries/`, never from string formatting. Each call gets its
own cursor of one read-only connection per database file, reopened when the file is
replaced (import, demo build), so concurrent Streamlit sessions never share a cursor
and never read a stale file.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import duckdb
import pandas as pd

from tandem.config import QUERIES_DIR, db_path
from tandem.db import CURSOR_SETUP, attach_read_only, require_database


class QueryError(Exception):
    """A query was called wrongly: unknown name, missing or unexpected parameters."""


_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")

_lock = threading.Lock()
# path -> (file version, connection); one connection per database file per process.
# A plain module cache rather than st.cache_resource because the CLI uses it too.
_connections: dict[Path, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}


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
        if cached:
            cached[1].close()  # the file was replaced: drop the connection to the old one
        con = attach_read_only(path)  # with the shared macros, created as memory.main.<name>
        _connections[path] = (version, con)
        return con


def close_connections() -> None:
    """Close every cached connection (the next query reopens one): tests and the benchmark."""
    with _lock:
        for _, con in _connections.values():
            con.close()
        _connections.clear()


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(query_names())}")
    return path.read_text()


def query_parameters(sql: str) -> set[str]:
    """The `$names` a query uses (its header comment may mention others)."""
    return set(_PARAMETER.findall(_COMMENT.sub("", sql)))


def run(name: str, db: str | os.PathLike | None = None, **params) -> pd.DataFrame:
    """Run `queries/<name>.sql` with named parameters bound; lists bind as DuckDB lists."""
    sql = query_text(name)
    wanted = query_parameters(sql)
    missing = sorted(wanted - params.keys())
    unexpected = sorted(params.keys() - wanted)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing parameter(s) {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected parameter(s) {', '.join(unexpected)}")
        raise QueryError(f"query {name!r}: {'; '.join(parts)}")
    cursor = connection(db).cursor()
    try:
        cursor.execute(CURSOR_SETUP)
        return cursor.execute(sql, {key: params[key] for key in wanted}).df()
    finally:
        cursor.close()
