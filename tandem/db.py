"""Database files: building a new one atomically, and opening one read-only.

Writers (import, demo) never touch the current database: they fill a temporary file
next to it and `os.replace` it over the target only when everything succeeded, so a
failure leaves the old file byte-identical and readers never see a half-built file.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Callable

import duckdb

from tandem.config import SCHEMA_PATH

# Two cores here: let DuckDB use both, and spill to a folder we know is writable.
THREADS = max(2, os.cpu_count() or 2)


def connection_config(temp_directory: str | os.PathLike | None = None) -> dict:
    # asof_loop_join_threshold 0: DuckDB otherwise turns an ASOF join whose left side it
    # underestimates (< 64 rows) into a nested loop; on the demo data the contest signals
    # took 25 s instead of 0.4 s for any week but the last.
    config = {"threads": THREADS, "asof_loop_join_threshold": 0}
    config["temp_directory"] = str(temp_directory or Path(tempfile.gettempdir()) / "tandem-duckdb-spill")
    return config


def build_database(
    target: str | os.PathLike,
    fill: Callable[[duckdb.DuckDBPyConnection], dict[str, str]],
) -> Path:
    """Create the schema in a temporary file beside `target`, let `fill` load it, then
    atomically replace `target`.

    `fill(con)` inserts the rows and returns metadata (`source`, `detail`, ...) that is
    stored in `tandem_meta` together with `built_at`. Any exception from `fill` removes
    the temporary file and propagates; `target` is then untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB must create the file itself
    try:
        con = duckdb.connect(str(tmp), config=connection_config())
        try:
            con.execute(SCHEMA_PATH.read_text())
            meta = dict(fill(con) or {})
            meta.setdefault("built_at", dt.datetime.now().replace(microsecond=0).isoformat())
            con.executemany("insert into tandem_meta values (?, ?)", [(k, str(v)) for k, v in meta.items()])
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, target)
    except BaseException:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    return target


def require_database(path: str | os.PathLike) -> Path:
    """The path, if a database file is there; else a FileNotFoundError saying how to make one."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}: run `python -m tandem demo` or `python -m tandem import FOLDER`")
    return path


def connect_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """Open an existing database file read-only (many readers, no writer)."""
    return duckdb.connect(str(require_database(path)), read_only=True, config=connection_config())


# Every cursor of an attached connection starts here: tables from the file, macros from memory.
CURSOR_SETUP = "use tandem; set search_path = 'tandem.main,memory.main'"


def attach_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the file attached read-only as `tandem`.

    The shared query steps (`queries/shared/*.sql`, DuckDB table macros) are created in
    the in-memory catalog from the code at every connection, so they can never be
    stale copies stored in an older database file. Cursors must run `CURSOR_SETUP`.
    """
    path = require_database(path)
    con = duckdb.connect(":memory:", config=connection_config())
    con.execute("attach $path as tandem (read_only)", {"path": str(path)})
    con.execute(CURSOR_SETUP)
    return con

