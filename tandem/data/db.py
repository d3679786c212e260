"""Database files: building a new one atomically, and opening one read-only.

Writers (import, demo, precompute, restore) never touch the current database: they fill a
temporary file next to it and `os.replace` it over the target only when everything
succeeded, so a failure leaves the old file byte-identical and readers never see a
half-built file. One writer at a time per database (`writing`): it holds a lock beside the
file for the whole write and first settles what killed writers left behind, so a writer
killed at any point (SIGKILL, power cut) leaves the old database or the new one, a valid
backup, and nothing that blocks or piles up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import filecmp
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from tandem.data.config import QUERIES_DIR, SCHEMA_PATH

SHARED_DIR = QUERIES_DIR / "shared"  # DuckDB macros, created at every connection
DERIVED_DIR = QUERIES_DIR / "derived"  # tables pre-computed with the database
DEFAULT_RULE_SQL = SHARED_DIR / "01_default_rule.sql"


def _rule_numbers(which: str) -> dict[str, int]:
    """The numbers `default` or `max` of the contest rule, read from the one file that writes
    them: the definitions' default rule, and the longest lookback and overlap of the range of
    rules the pre-computed tables serve (from 0 and 1 days)."""
    pattern = rf"macro main\.{which}_(lookback|overlap)_days\(\) as (\d+);"
    found = dict(re.findall(pattern, DEFAULT_RULE_SQL.read_text()))
    return {"lookback_days": int(found["lookback"]), "overlap_days": int(found["overlap"])}


DEFAULT_RULES = _rule_numbers("default")
PRECOMPUTED_RULE_RANGE = {"lookback_days": (0, _rule_numbers("max")["lookback_days"]),
                          "overlap_days": (1, _rule_numbers("max")["overlap_days"])}


def rule_is_precomputed(params: dict) -> bool:
    """Whether the rule parameters among `params` (any of lookback_days, overlap_days) are in
    the range the pre-computed tables serve (queries/shared/01_default_rule.sql)."""
    return all(low <= params[key] <= high for key, (low, high) in PRECOMPUTED_RULE_RANGE.items() if key in params)


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
    temporary file and propagates; `target` is then untouched. `DatabaseBusy` when another
    writer is at work on `target`.
    """
    target = Path(target)
    with writing(target), _replacing(target, ".building") as tmp:
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


class DatabaseBusy(Exception):
    """Another writer holds the database's write lock."""


# The temporary files of a database's writers: `.<name>.<8 characters>.<kind>`, and DuckDB's
# WAL of those it builds. `previous` and `swap` may hold the only copy of a database (see
# `_settle_previous`, `_settle_swap`); the others are dropped.
_TEMPORARY = r"[a-z0-9_]{8}\.(building|derived|previous|swap|restoring|copying)(\.wal)?"
_held = threading.local()  # the databases this thread holds the write lock of


@contextlib.contextmanager
def writing(path: str | os.PathLike) -> Iterator[None]:
    """Be the one writer of the database at `path` for the block, or raise `DatabaseBusy` at once.

    The lock is `flock` on `.<name>.lock` beside the database, which the kernel releases when
    the process dies, however it dies. With it, every temporary file of this database is an
    abandoned one: they are settled before the block runs. Re-entrant within a thread (an
    import inside `keeping_backup`); another thread of the process is refused like another process.
    """
    path = Path(path)
    key = os.path.abspath(path)
    held = _held.__dict__.setdefault("paths", set())
    if key in held:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseBusy(f"another import, demo build, precompute or restore is writing {path}; "
                               "try again when it has finished") from None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(lock)):
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # the writer before removed this lock file after we opened it: lock the new one
    held.add(key)
    try:
        _settle_leftovers(path)
        yield
    finally:
        held.discard(key)
        lock.unlink(missing_ok=True)  # still locked: a writer that opened it meanwhile sees it is gone
        os.close(fd)


def _settle_leftovers(path: Path) -> None:
    """What writers of `path` killed before they finished left beside it (we hold its lock)."""
    pattern = re.compile(re.escape(f".{path.name}.") + _TEMPORARY)
    for leftover in sorted(path.parent.iterdir()):
        found = pattern.fullmatch(leftover.name)
        if not found:
            continue
        kind, wal = found.groups()
        if kind == "previous" and not wal:
            _settle_previous(leftover, path)
        elif kind == "swap" and not wal:
            _settle_swap(leftover, path)
        else:
            leftover.unlink(missing_ok=True)


def _temporary_path(database: Path, suffix: str) -> Path:
    """A free name beside `database` for one of its writer's temporary files. No file is created
    (an empty file under a `previous` or `swap` name would pass for a database)."""
    while True:
        tmp = database.with_name(f".{database.name}.{secrets.token_hex(4)}{suffix}")
        if not tmp.exists() and not Path(f"{tmp}.wal").exists():
            return tmp


def _replace(source: Path, target: Path) -> None:
    """`os.replace`, durable: the file's content reaches the disk before its new name does, and
    the name before we go on, so that a machine crash too leaves the old file or the new one."""
    fd = os.open(source, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(source, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _replacing(target: Path, suffix: str, database: Path | None = None) -> Iterator[Path]:
    """A free temporary path beside `target` (named after `database`, default `target`, whose
    writers clean it up if we die); moved over `target` when the block succeeds, removed (with
    its WAL) when it fails, so `target` is either replaced whole or untouched."""
    tmp = _temporary_path(database or target, suffix)
    try:
        yield tmp
        _replace(tmp, target)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        raise


def backup_path(path: str | os.PathLike) -> Path:
    """Where the database replaced last is kept: one backup, beside the database."""
    path = Path(path)
    return path.with_name(path.name + ".backup")


def _same_file(a: Path, b: Path) -> bool:
    """The same file (a hard link), or a copy of it by `_link_or_copy`: that keeps the modification
    time, so only files with the same size and time are compared byte for byte."""
    try:
        sa, sb = a.stat(), b.stat()
    except FileNotFoundError:
        return False
    if os.path.samestat(sa, sb):
        return True
    return (sa.st_size, sa.st_mtime_ns) == (sb.st_size, sb.st_mtime_ns) and filecmp.cmp(a, b, shallow=False)


def _link_or_copy(source: Path, target: Path, database: Path) -> None:
    """Give the free name `target` the content of `source`, whole from the moment it exists."""
    try:
        os.link(source, target)  # instant: the file's content lives on under both names
    except OSError:  # a file system without hard links: a copy, named `target` once complete
        with _replacing(target, ".copying", database) as copy:
            shutil.copy2(source, copy)


@contextlib.contextmanager
def keeping_backup(path: str | os.PathLike) -> Iterator[None]:
    """Run the block (an import) as the database's writer; when it replaced the database at
    `path`, the database it replaced becomes the one backup (`backup_path`), else the previous
    backup stays."""
    path = Path(path)
    with writing(path):
        if not path.exists():
            yield
            return
        previous = _temporary_path(path, ".previous")
        _link_or_copy(path, previous, path)
        try:
            yield
        finally:
            _settle_previous(previous, path)


def _settle_previous(previous: Path, path: Path) -> None:
    """`keeping_backup`'s second name for the database: if the database was replaced since, it
    is the replaced one and becomes the backup, else it goes. (Also for one left by a killed
    import: it may have been killed between replacing the database and moving the backup.)"""
    if _same_file(previous, path):
        previous.unlink()
    else:
        _replace(previous, backup_path(path))


def restore_backup(path: str | os.PathLike) -> None:
    """Swap the database and its backup: the backup is served again, and the database it
    replaces becomes the backup (a second restore undoes the first)."""
    path, backup = Path(path), backup_path(path)
    with writing(path):
        if not backup.exists():
            raise FileNotFoundError(f"no backup of {path} to restore")
        if not path.exists():
            _replace(backup, path)
            return
        # Ordered so that a kill anywhere loses neither database and leaves a backup: the database
        # gets a second name (swap), the backup's content replaces it, then swap replaces the backup.
        swap = _temporary_path(path, ".swap")
        _link_or_copy(path, swap, path)
        with _replacing(path, ".restoring") as restoring:
            _link_or_copy(backup, restoring, path)
        _settle_swap(swap, path)


def _settle_swap(swap: Path, path: Path) -> None:
    """`restore_backup`'s second name for the database it replaces: once the backup's content is
    the database (the same file), swap is the only name of the replaced one and becomes the
    backup; before that it goes. (Also for one left by a killed restore.)"""
    if _same_file(backup_path(path), path):
        _replace(swap, backup_path(path))
    else:
        swap.unlink()


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


_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


def query_parameters(sql: str) -> set[str]:
    """The `$names` a query uses (its header comment may mention others)."""
    return set(_PARAMETER.findall(_COMMENT.sub("", sql)))


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


# The steps that pair each deal's touches are built for this many deals at a time: at 2
# million deals (scale xxl) the pairs of all deals at once spilled over 60 GB to disk; at
# 200,000 (xl) ranges of 40,000 took the build's peak memory from 11.2 to 4.7 GB.
DEALS_PER_PART = 100_000


def build_derived(path: str | os.PathLike, progress: Callable[[str], None] | None = None,
                  deals_per_part: int = DEALS_PER_PART) -> None:
    """(Re)build the pre-computed tables inside the database file at `path` (which no
    one else may have open): the derived steps of `queries/derived/`, in name order,
    over the shared macros (stored in the file too), then the version stamp that
    readers check. A step with the parameters $deal_from and $deal_to runs once per
    range of `deals_per_part` deals, in id order."""
    con = duckdb.connect(":memory:", config=connection_config())
    try:
        con.execute("attach $path as tandem", {"path": str(path)})
        con.execute(CURSOR_SETUP)
        con.execute((DERIVED_DIR / "tables.sql").read_text())  # empty, so that the macros reading them bind
        create_macros(con)
        ranges = None
        for step in sorted(DERIVED_DIR.glob("[0-9]*.sql")):
            if progress:
                progress(f"pre-computing {step.stem.split('_', 1)[-1].replace('_', ' ')}")
            sql = step.read_text()
            if "deal_from" not in query_parameters(sql):
                con.execute(sql)
                continue
            if ranges is None:
                bounds = [row[0] for row in con.execute((DERIVED_DIR / "deal_ranges.sql").read_text(),
                                                        {"size": deals_per_part}).fetchall()]
                ranges = list(zip(["", *bounds], [*bounds, None]))
            for deal_from, deal_to in ranges:
                con.execute(sql, {"deal_from": deal_from, "deal_to": deal_to})
        con.execute("delete from tandem_meta where key = 'derived_version'")
        con.execute("insert into tandem_meta values ('derived_version', $v)", {"v": derived_version()})
        con.execute("checkpoint")
    finally:
        con.close()


def rebuild_derived(path: str | os.PathLike, progress: Callable[[str], None] | None = None) -> Path:
    """Bring an existing database's pre-computed tables up to date without ever leaving
    a half-done file: work on a copy beside it, then atomically replace it."""
    path = require_database(path)
    with writing(path), _replacing(path, ".derived") as tmp:
        shutil.copyfile(path, tmp)
        build_derived(tmp, progress)
    return path


def require_database(path: str | os.PathLike) -> Path:
    """The path, if a database file is there; else a FileNotFoundError saying how to make one."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"no database at {path}: run `python -m tandem demo` or `python -m tandem import FOLDER`")
    return path


def connect_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """Open an existing database file read-only (many readers, no writer)."""
    return duckdb.connect(str(require_database(path)), read_only=True, config=connection_config())


# Every cursor of an attached connection starts here: tables and macros from the file.
CURSOR_SETUP = "use tandem; set search_path = 'tandem.main'"
# The same for a query whose contest rule is in the pre-computed range, and for one whose rule
# is the definitions' default: the macros of schemas ranged_rule and default_rule
# (queries/shared/00_schemas.sql) shadow their switching namesakes.
CURSOR_SETUP_RANGED_RULE = "use tandem; set search_path = 'tandem.ranged_rule,tandem.main'"
# ... and for a query of such a rule whose deal flags the connection holds (tandem.data.rule_flags).
# Not first: with a schema of another catalog first, DuckDB 2.0.1 finds no table macro that
# exists in two schemas of the tandem catalog (deal_rep_first_touches: "does not exist").
CURSOR_SETUP_RANGED_RULE_FLAGS = ("use tandem; set search_path = "
                                  "'tandem.ranged_rule,memory.ranged_rule_flags,tandem.main'")
CONNECTION_DIR = QUERIES_DIR / "connection"  # run in the in-memory database of every read-only connection
CURSOR_SETUP_DEFAULT_RULE = "use tandem; set search_path = 'tandem.default_rule,tandem.ranged_rule,tandem.main'"


def attach_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the file attached read-only as `tandem`.

    The shared query steps (`queries/shared/*.sql`, DuckDB table macros) are stored in
    the file with the pre-computed tables, under the version stamp checked here, so
    they are never stale copies of older code. Cursors must run `CURSOR_SETUP` (or
    another `CURSOR_SETUP_*`). The in-memory database holds the cache of
    `queries/connection/ranged_flag_intervals.sql` (tandem.data.rule_flags).
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
    con.execute((CONNECTION_DIR / "ranged_flag_intervals.sql").read_text())
    return con

