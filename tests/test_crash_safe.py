"""Crash-safe writes (issue 19, item 6): a writer killed at any point leaves the old database
or the new one, a valid backup, and nothing that a later write does not clean up.

Each writer runs in a subprocess (its own session) over an existing database and is killed
with SIGKILL: the commands (demo, import, precompute) at delays spread over one uninterrupted
run's duration; the Import page's steps (an import keeping a backup, a restore), which are
too quick to hit by time, just before each of their links and renames.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tandem.data.contract import TABLES
from tandem.data.db import backup_path, derived_is_current
from tandem.data.importer import import_folder

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
DEMO = ["demo", "--scale", "small", "--seed", "42", "--end-date", "2026-11-23"]
BUSY = "error: another import, demo build, precompute or restore is writing {db}; try again when it has finished"

# The Import page's writers in a subprocess that SIGKILLs itself just before its `kill_at`-th
# link or rename (0: never), so that every state between two steps is reached exactly; it
# prints how many steps it took. With "copies", hard links fail as on file systems without them.
DRIVER = """
import os, signal, sys
from tandem.data.db import keeping_backup, restore_backup

action, kill_at, db, folder, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
steps = 0

def no_link(*args, **kwargs):
    raise OSError(1, "Operation not permitted")

def step(call):
    def counted(*args, **kwargs):
        global steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return call(*args, **kwargs)
    return counted

os.link, os.replace = step(os.link if files == "links" else no_link), step(os.replace)
if action == "restore":
    restore_backup(db)
else:  # as pages/import_data.py does
    from tandem.data.importer import import_folder
    with keeping_backup(db):
        import_folder(folder, db)
print(steps)
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inspect(path: Path) -> dict:
    """What a reader finds: the file must open read-only."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        meta = dict(con.execute("select key, value from tandem_meta").fetchall())
        counts = {t.name: con.execute(f'select count(*) from "{t.name}"').fetchone()[0] for t in TABLES}
    finally:
        con.close()
    return {"sha": sha(path), "meta": meta, "counts": counts, "current": derived_is_current(path)}


def is_complete_like(state: dict, expected: dict) -> bool:
    """A complete new database: stamped, pre-computed tables current, the rows and metadata of
    an uninterrupted build (all but its build time)."""
    def stamp(meta):
        return {k: v for k, v in meta.items() if k != "built_at"}
    return ("built_at" in state["meta"] and "derived_version" in state["meta"] and state["current"]
            and state["counts"] == expected["counts"] and stamp(state["meta"]) == stamp(expected["meta"]))


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def leftover_names(folder: Path, db: Path, backup: Path) -> list[str]:
    return [n for n in names(folder) if n not in (db.name, backup.name)]


def command(args: list[str], db: Path) -> list[str]:
    return [sys.executable, "-m", "tandem", *args, "--db", str(db)]


def run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, start_new_session=True, timeout=120)


def drive(action: str, kill_at: int, db: Path, files: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", DRIVER, action, str(kill_at), str(db), str(MINIMAL), files])


@pytest.fixture(scope="module")
def templates(tmp_path_factory, small_db) -> dict[str, Path]:
    """Valid databases to start from: the small demo, the minimal import, and the minimal
    import with pre-computed tables from other definitions (what precompute replaces)."""
    folder = tmp_path_factory.mktemp("templates")
    shutil.copyfile(small_db, folder / "small.duckdb")
    assert import_folder(MINIMAL, folder / "minimal.duckdb").ok
    shutil.copyfile(folder / "minimal.duckdb", folder / "stale.duckdb")
    con = duckdb.connect(str(folder / "stale.duckdb"))
    con.execute("update tandem_meta set value = 'stale' where key = 'derived_version'")
    con.close()
    assert not derived_is_current(folder / "stale.duckdb")
    return {"small": folder / "small.duckdb", "minimal": folder / "minimal.duckdb", "stale": folder / "stale.duckdb"}


# writer: its arguments, the database it replaces, how many kills
COMMANDS = {
    "demo": (DEMO, "minimal", 3),
    "import": (["import", str(MINIMAL)], "small", 3),
    "precompute": (["precompute"], "stale", 3),
}


@pytest.mark.parametrize("writer", list(COMMANDS))
def test_a_command_killed_at_any_time_leaves_the_old_or_the_new_database(writer, templates, tmp_path):
    args, old_name, kills = COMMANDS[writer]
    db, backup = tmp_path / "tandem.duckdb", backup_path(tmp_path / "tandem.duckdb")
    shutil.copyfile(templates["small"], backup)  # the commands never touch it
    backup_sha = sha(backup)
    old = inspect(templates[old_name])

    def run_to_end() -> float:
        started = time.monotonic()
        result = run(command(args, db))
        assert result.returncode == 0, result.stderr
        return time.monotonic() - started

    shutil.copyfile(templates[old_name], db)
    duration = run_to_end()
    expected = inspect(db)
    assert expected["current"] and expected["sha"] != old["sha"]

    rng = random.Random(19)  # one delay in each equal slice of the run, from its start to its end
    fractions = [(i + rng.random()) / kills for i in range(kills)]
    outcomes = []
    for number, fraction in enumerate(fractions):
        shutil.copyfile(templates[old_name], db)
        started = time.monotonic()
        writer_process = subprocess.Popen(command(args, db), cwd=ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)
        if number == kills - 1:
            # The last kill lands while the writer's temporary files exist: on a loaded machine the
            # pace of the last run is a poor clock, and a kill by time alone can miss the writing.
            while writer_process.poll() is None and not leftover_names(tmp_path, db, backup):
                time.sleep(0.005)
            time.sleep(rng.random() * max(0.0, duration - (time.monotonic() - started)) / 2)
        else:
            time.sleep(fraction * duration)  # of the last uninterrupted run: the machine's current pace
        delay = time.monotonic() - started
        os.killpg(writer_process.pid, signal.SIGKILL)
        writer_process.wait()
        leftovers = leftover_names(tmp_path, db, backup)
        state = inspect(db)
        outcome = "old" if state["sha"] == old["sha"] else "new" if is_complete_like(state, expected) else "broken"
        outcomes.append((round(fraction, 2), round(delay, 2), writer_process.returncode, outcome, leftovers))
        assert outcome != "broken", outcomes
        assert writer_process.returncode == -signal.SIGKILL or outcome == "new", outcomes
        assert sha(backup) == backup_sha

        # the next build of the same kind, run to the end: the new database, and nothing left over
        duration = run_to_end()
        assert is_complete_like(inspect(db), expected)
        assert names(tmp_path) == [db.name, backup.name], outcomes
        assert sha(backup) == backup_sha
    print(f"\n{writer}: last run {duration:.2f} s; kills (fraction, delay s, status, outcome, leftovers): {outcomes}")
    # the kills hit the writer mid-run, with its temporary files beside the database
    assert any(leftovers for *_, leftovers in outcomes), outcomes


@pytest.mark.parametrize("files", ["links", "copies"])
def test_an_import_keeping_a_backup_killed_between_any_two_steps(files, templates, tmp_path):
    """The Import page's import: the database it replaces becomes the backup, even when the
    import is killed after replacing the database and before moving the backup."""
    from tandem.data.db import writing

    db, backup = tmp_path / "tandem.duckdb", backup_path(tmp_path / "tandem.duckdb")
    old, previous = sha(templates["small"]), sha(templates["minimal"])

    def start():
        shutil.copyfile(templates["small"], db)
        shutil.copyfile(templates["minimal"], backup)

    start()
    result = drive("import", 0, db, files)
    assert result.returncode == 0, result.stderr
    steps = int(result.stdout)
    expected = inspect(db)
    # the database gets a second name (a link, or a copy renamed), the new one replaces it, the second name
    # becomes the backup
    assert sha(backup) == old and steps == {"links": 3, "copies": 4}[files]
    for kill_at in range(1, steps + 1):
        start()
        assert drive("import", kill_at, db, files).returncode == -signal.SIGKILL
        replaced = kill_at == steps  # killed after replacing the database, before moving the backup
        state = inspect(db)
        assert is_complete_like(state, expected) if replaced else state["sha"] == old, kill_at
        assert inspect(backup)["sha"] == previous, kill_at

        with writing(db):  # the next write settles what the killed one left, before it writes anything
            pass
        assert inspect(db)["sha"] == state["sha"], kill_at
        assert inspect(backup)["sha"] == (old if replaced else previous), kill_at
        assert names(tmp_path) == [db.name, backup.name], kill_at

        before = sha(db)
        result = drive("import", 0, db, files)
        assert result.returncode == 0, result.stderr
        assert is_complete_like(inspect(db), expected) and sha(backup) == before, kill_at
        assert names(tmp_path) == [db.name, backup.name], kill_at


@pytest.mark.parametrize("files", ["links", "copies"])
def test_a_restore_killed_between_any_two_steps(files, templates, tmp_path):
    """A restore swaps the database and its backup: killed anywhere, the next restore still
    swaps the two databases, and neither is lost."""
    db, backup = tmp_path / "tandem.duckdb", backup_path(tmp_path / "tandem.duckdb")
    current, kept = sha(templates["small"]), sha(templates["minimal"])

    def start():
        shutil.copyfile(templates["small"], db)
        shutil.copyfile(templates["minimal"], backup)

    start()
    result = drive("restore", 0, db, files)
    assert result.returncode == 0, result.stderr
    assert (sha(db), sha(backup)) == (kept, current)
    steps = int(result.stdout)
    assert steps == {"links": 4, "copies": 6}[files]
    for kill_at in range(1, steps + 1):
        start()
        assert drive("restore", kill_at, db, files).returncode == -signal.SIGKILL
        swapped = kill_at == steps  # killed after the database became the backup's content, before the last rename
        assert inspect(db)["sha"] == (kept if swapped else current), kill_at
        assert inspect(backup)["sha"] == kept, kill_at  # still there, the database's own or its twin

        # the next restore first completes the killed one's swap, then swaps back
        result = drive("restore", 0, db, files)
        assert result.returncode == 0, (kill_at, result.stderr)
        assert (sha(db), sha(backup)) == ((current, kept) if swapped else (kept, current)), kill_at
        assert names(tmp_path) == [db.name, backup.name], kill_at


def test_a_second_writer_is_refused_while_one_is_writing(templates, tmp_path):
    """One writer at a time per database: another one stops at once with one line and exit
    status 2, and leaves the live writer's temporary file alone."""
    from tandem.data.db import writing

    db = tmp_path / "tandem.duckdb"
    shutil.copyfile(templates["small"], db)
    before = sha(db)
    live = tmp_path / ".tandem.duckdb.abcd1234.building"  # named like a writer's temporary file
    with writing(db):
        live.write_bytes(b"being written")
        for args in (DEMO, ["import", str(MINIMAL)], ["precompute"]):
            result = run(command(args, db))
            assert (result.returncode, result.stderr.splitlines()[-1]) == (2, BUSY.format(db=db)), args
        assert live.read_bytes() == b"being written"
        assert sha(db) == before
    # released: the next writer finds that file abandoned and removes it
    result = run(command(["import", str(MINIMAL)], db))
    assert result.returncode == 0, result.stderr
    assert names(tmp_path) == [db.name]


def test_one_writer_across_threads_and_the_same_one_when_nested(tmp_path):
    """Dashboard sessions are threads of one process: a second one is refused too; an import
    inside `keeping_backup` is the same writer."""
    from tandem.data.db import DatabaseBusy, writing

    db = tmp_path / "tandem.duckdb"
    refused = []

    def another_session():
        try:
            with writing(db):
                refused.append(None)
        except DatabaseBusy as error:
            refused.append(str(error))

    with writing(db):
        with writing(db):
            pass
        session = threading.Thread(target=another_session)
        session.start()
        session.join()
    assert refused == [BUSY.format(db=db).removeprefix("error: ")]
    assert names(tmp_path) == []  # the lock file goes with the lock
