"""Database files: building a new one atomically, and opening one read-only.

Writers (import, demo) never touch the current database: they fill a temporary file
next to it and `os.replace` it over the target only when everything succeeded, so a
failure leaves the old file byte-identical and readers never see a half-built file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from tandem.data.config import QUERIES_DIR, SCHEMA_PATH

SHARED_DIR = QUERIES_DIR / "shared"  # DuckDB macros, created at every connection
DERIVED_DIR = QUERIES_DIR / "derived"  # tables pre-computed with the database
DEFAULT_RULE_SQL = SHARED_DIR / "01_default_rule.sql"


def _default_rules() -> dict[str, int]:
    """The definitions' default contest rule, read from the one file that writes its numbers
    (the pre-computed tables hold this rule)."""
    found = dict(re.findall(r"macro main\.default_(lookback|overlap)_days\(\) as (\d+);", DEFAULT_RULE_SQL.read_text()))
    return {"lookback_days": int(found["lookback"]), "overlap_days": int(found["overlap"])}


DEFAULT_RULES = _default_rules()


class DatabaseOutdated(Exception):
    """The file's pre-computed tables were built by other query definitions."""

# Every core (at least two threads), and spill to a folder we know is writable.
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
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Create the schema in a temporary file beside `target`, let `fill` load it, then
    atomically replace `target`.

    `fill(con)` inserts the rows and returns metadata (`source`, `detail`, ...) that is
    stored in `tandem_meta` together with `built_at`. The pre-computed tables are built
    next (`build_derived`, reporting each step to `progress`). Any exception removes the
    temporary file and propagates; `target` is then untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _replacing(target, ".building") as tmp:
        con = duckdb.connect(str(tmp), config=connection_config())  # DuckDB creates the file itself
        try:
            con.execute(SCHEMA_PATH.read_text())
            meta = dict(fill(con) or {})
            meta.setdefault("built_at", dt.datetime.now().replace(microsecond=0).isoformat())
            con.executemany("insert into tandem_meta values (?, ?)", [(k, str(v)) for k, v in meta.items()])
            con.execute("checkpoint")
        finally:
            con.close()
        build_derived(tmp, progress)
    return target


@contextlib.contextmanager
def _replacing(target: Path, suffix: str) -> Iterator[Path]:
    """A free temporary path beside `target`; moved over `target` when the block succeeds,
    removed (with its WAL) when it fails, so `target` is either replaced whole or untouched."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise


def backup_path(path: str | os.PathLike) -> Path:
    """Where the database replaced last is kept: one backup, beside the database."""
    path = Path(path)
    return path.with_name(path.name + ".backup")


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # instant: the replaced file's content lives on under this name
    except OSError:
        shutil.copyfile(source, target)


@contextlib.contextmanager
def keeping_backup(path: str | os.PathLike) -> Iterator[None]:
    """Run the block (an import); when it replaced the database at `path`, the database it
    replaced becomes the one backup (`backup_path`), else the previous backup stays."""
    path = Path(path)
    if not path.exists():
        yield
        return
    before = os.stat(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".previous", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    _link_or_copy(path, tmp)
    try:
        yield
        after = os.stat(path)
        if (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns):
            os.replace(tmp, backup_path(path))
    finally:
        tmp.unlink(missing_ok=True)


def restore_backup(path: str | os.PathLike) -> None:
    """Swap the database and its backup: the backup is served again, and the database it
    replaces becomes the backup (a second restore undoes the first)."""
    path, backup = Path(path), backup_path(path)
    if not backup.exists():
        raise FileNotFoundError(f"no backup of {path} to restore")
    if not path.exists():
        os.replace(backup, path)
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".swap", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    _link_or_copy(path, tmp)
    os.replace(backup, path)
    os.replace(tmp, backup)


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The shared query steps, as macros stored in the attached file `tandem` (writable),
    replacing those of an earlier version, including any whose name is gone."""
    stored = con.execute(
        "select schema_name, function_name, function_type from duckdb_functions() "
        "where database_name = 'tandem' and function_type in ('macro', 'table_macro') and not internal").fetchall()
    for schema, name, kind in sorted(set(stored)):
        con.execute(f'drop macro {"table " if kind == "table_macro" else ""}tandem."{schema}"."{name}"')
    for shared in sorted(SHARED_DIR.glob("*.sql")):
        con.execute(shared.read_text())


def derived_version() -> str:
    """Fingerprint of the definitions the pre-computed tables are made from."""
    digest = hashlib.sha256()
    for path in sorted(SHARED_DIR.glob("*.sql")) + sorted(DERIVED_DIR.glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def stored_derived_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select value from tandem.tandem_meta where key = 'derived_version'").fetchone()
    return row[0] if row else None


def derived_is_current(path: str | os.PathLike) -> bool:
    """Whether the file's pre-computed tables match the current query definitions."""
    con = duckdb.connect(":memory:", config=connection_config())
    try:
        con.execute("attach $path as tandem (read_only)", {"path": str(path)})
        return stored_derived_version(con) == derived_version()
    finally:
        con.close()


def build_derived(path: str | os.PathLike, progress: Callable[[str], None] | None = None) -> None:
    """(Re)build the pre-computed tables inside the database file at `path` (which no
    one else may have open): the derived steps of `queries/derived/`, in name order,
    over the shared macros (stored in the file too), then the version stamp that
    readers check."""
    con = duckdb.connect(":memory:", config=connection_config())
    try:
        con.execute("attach $path as tandem", {"path": str(path)})
        con.execute(CURSOR_SETUP)
        con.execute((DERIVED_DIR / "tables.sql").read_text())  # empty, so that the macros reading them bind
        create_macros(con)
        for step in sorted(DERIVED_DIR.glob("[0-9]*.sql")):
            if progress:
                progress(f"pre-computing {step.stem.split('_', 1)[-1].replace('_', ' ')}")
            con.execute(step.read_text())
        con.execute("delete from tandem_meta where key = 'derived_version'")
        con.execute("insert into tandem_meta values ('derived_version', $v)", {"v": derived_version()})
        con.execute("checkpoint")
    finally:
        con.close()


def rebuild_derived(path: str | os.PathLike, progress: Callable[[str], None] | None = None) -> Path:
    """Bring an existing database's pre-computed tables up to date without ever leaving
    a half-done file: work on a copy beside it, then atomically replace it."""
    path = require_database(path)
    with _replacing(path, ".derived") as tmp:
        shutil.copyfile(path, tmp)
        build_derived(tmp, progress)
    return path


def require_database(path: str | os.PathLike) -> Path:
    """The path, if a database file is there; else a FileNotFoundError saying how to make one."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}: run `python -m tandem demo` or `python -m tandem import FOLDER`")
    return path


def connect_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """Open an existing database file read-only (many readers, no writer)."""
    return duckdb.connect(str(require_database(path)), read_only=True, config=connection_config())


# Every cursor of an attached connection starts here: tables and macros from the file.
CURSOR_SETUP = "use tandem; set search_path = 'tandem.main'"
# The same for a query whose contest rule is the definitions' default: the macros of schema
# default_rule (queries/shared/00_schemas.sql) shadow their switching namesakes.
CURSOR_SETUP_DEFAULT_RULE = "use tandem; set search_path = 'tandem.default_rule,tandem.main'"


def attach_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the file attached read-only as `tandem`.

    The shared query steps (`queries/shared/*.sql`, DuckDB table macros) are stored in
    the file with the pre-computed tables, under the version stamp checked here, so
    they are never stale copies of older code. Cursors must run `CURSOR_SETUP` (or
    `CURSOR_SETUP_DEFAULT_RULE`).
    """
    path = require_database(path)
    con = duckdb.connect(":memory:", config=connection_config())
    con.execute("attach $path as tandem (read_only)", {"path": str(path)})
    con.execute(CURSOR_SETUP)
    if stored_derived_version(con) != derived_version():
        con.close()
        raise DatabaseOutdated(
            f"{path} was built by another version of Tandem's queries: update its pre-computed tables with "
            f"`python -m tandem precompute --db {path}` (or rebuild it with import or demo)")
    return con

