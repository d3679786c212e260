"""Streamlit glue shared by the entry point and the pages: the database on first
start, and query results cached per (query, parameters, database version)."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import streamlit as st

from tandem.data import queries
from tandem.data.config import DEFAULT_DB_PATH, QUERIES_DIR, db_path
from tandem.model import pseudonyms
from tandem.model.roles import Scope
from tandem.ui import sign_in

_first_build = threading.Lock()  # two sessions opening a fresh clone build the demo once


_current_files: set[tuple[int, int]] = set()  # database versions whose pre-computed tables were checked


def ensure_database() -> None:
    """Make sure the configured database exists and its pre-computed tables match the
    queries; on a fresh clone build the demo one, after an update of Tandem refresh the
    pre-computed tables, showing progress in the page. A missing custom database stops
    with instructions."""
    path = db_path()
    if path.exists():
        _ensure_derived(path)
        return
    if path.resolve() != DEFAULT_DB_PATH.resolve():
        st.error(f"No database at `{path}` (set by `TANDEM_DB`). Build one with "
                 f"`python -m tandem demo --db {path}` or `python -m tandem import FOLDER --db {path}`.")
        st.stop()
    with _first_build:
        if path.exists():  # another session built it while this one waited
            return
        from tandem.data.demo import build_demo

        st.info("First start: building the demo database (about 500,000 activities). "
                "This takes a few seconds and happens only once.")
        bar = st.progress(0.0, text="Starting")

        def show(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=message.capitalize())

        build_demo(path, scale="demo", end_date=dt.date.today(), progress=show)
    st.rerun()


def explain_unreadable(error: Exception) -> None:
    """The page in place of a database file that cannot be read (broken, or being copied over),
    or that another process is writing when this one has to (first build, refreshed tables)."""
    from tandem.data.db import DatabaseBusy

    if isinstance(error, DatabaseBusy):
        st.info(f"The database is being written ({error}).", icon=":material/hourglass:")
        return
    st.error(f"The database file `{error.path}` cannot be read: {error.reason}", icon=":material/error:")
    st.markdown(
        "If it is being replaced, the new data show as soon as the copy is complete: use the page again "
        "in a moment (`python -m tandem import` and `demo` replace the file in one step and never cause "
        "this; copying a file over it does). If the file is damaged, build it again with "
        f"`python -m tandem import FOLDER --db {error.path}` or `python -m tandem demo --db {error.path}`, "
        f"or put back the one it replaced, `{error.path.name}.backup`, when there is one.")


def _ensure_derived(path) -> None:
    from tandem.data.db import DatabaseOutdated, rebuild_derived

    if queries.database_version(path) in _current_files:
        return
    with _first_build:
        try:
            queries.connection(path)  # checks the stamp; the pages' queries use this connection next
            outdated = False
        except DatabaseOutdated:
            outdated = True
        if outdated:
            with st.status("Tandem was updated: refreshing the pre-computed tables of this database "
                           "(about 40 s for 10 million activities; once per update)", expanded=True) as status:
                rebuild_derived(path, progress=lambda message: status.write(message.capitalize()))
                status.update(label="Pre-computed tables up to date", state="complete")
            _current_files.add(queries.database_version(path))
            st.rerun()  # draw the page afresh, without the progress box
        _current_files.add(queries.database_version(path))


# cache_resource, not cache_data: cache_data pickles every result on the way in and out
# (40 ms for the 14,000 contested deals at xl); `fetch` hands each caller its own copy.
@st.cache_resource(show_spinner=False, max_entries=512)
def _cached(name: str, version: tuple, scope: Scope, params: tuple) -> pd.DataFrame:
    return queries.run(name, scope=scope, **{k: list(v) if isinstance(v, tuple) else v for k, v in params})


def _run_cached(name: str, scope: Scope, params: dict) -> pd.DataFrame:
    # the query file's own mtime too, so an edited query is never served from cache; the
    # scope is part of the key, so one user's results are never served to another's scope
    version = (queries.database_version(db_path()), (QUERIES_DIR / f"{name}.sql").stat().st_mtime_ns)
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _cached(name, version, scope, frozen)


# cache_resource, not cache_data: the maps are only read, and unpickling a copy for every query
# a page runs cost 0.04 s per query at xl (170,000 accounts and contacts); one object per
# database version and scope instead.
@st.cache_resource(show_spinner=False, max_entries=16)
def _every_pseudonym(version: tuple, scope: Scope) -> dict[str, dict[str, str]]:
    """Every name's pseudonym (presentation mode)."""
    return pseudonyms.pseudonym_maps(queries.run("name_pseudonyms", scope=scope))


@st.cache_resource(show_spinner=False, max_entries=16)
def _hidden_names(version: tuple, scope: Scope) -> dict[str, dict[str, str]] | None:
    """The pseudonyms of the names the scope's role may not see (None: it sees every name)."""
    return pseudonyms.names_hidden_from(queries.run("name_pseudonyms", scope=scope), scope)


def current_scope() -> Scope:
    """The signed-in user's scope, from the session's identity only (never the URL or a widget).
    Nobody signed in (a page run without the entry point) stops the run: no query without one."""
    who = sign_in.signed_in()
    if who is None:
        st.stop()
    return who.scope


@st.cache_resource(show_spinner=False, max_entries=256)
def _built(_builder, name: str, *args, **kwargs):
    return _builder(*args, **kwargs)


def built(builder, *args, **kwargs):
    """A chart builder's result (figure, title, drawn frame), kept across reruns and
    sessions for the same inputs: building a Plotly figure costs 20-200 ms of Python,
    and copying it out of st.cache_data (pickle) more. The result is shared, so callers
    must not change it (`tandem.ui.widgets.plot` wraps a long title on a copy)."""
    return _built(builder, f"{builder.__module__}.{builder.__qualname__}", *args, **kwargs)


def presentation_mode() -> bool:
    return current_scope().presentation_forced or bool(st.session_state.get("presentation_mode", False))


def run(name: str, pseudonymise: bool = True, **params) -> pd.DataFrame:
    """`tandem.data.queries.run` on the configured database in the signed-in user's scope,
    cached until the file changes.

    In presentation mode every name column is replaced by its pseudonym here, once for
    all pages, charts and downloads (see `tandem.model.pseudonyms`)."""
    return fetch(name, pseudonymise and presentation_mode(), current_scope(), **params)


def fetch(name: str, pseudonymise: bool, scope: Scope, **params) -> pd.DataFrame:
    """`run` with presentation mode and scope given rather than read from the session: for work
    done outside the script's run, like a download button's callable (run on another thread)."""
    frame = _run_cached(name, scope, params)
    if not (pseudonymise or scope.hides_names):
        return frame.copy()  # every name shown: no map to read
    version = queries.database_version(db_path())
    if pseudonymise or scope.presentation_forced:
        return pseudonyms.pseudonymise(frame, _every_pseudonym(version, scope))
    hidden = _hidden_names(version, scope)
    return pseudonyms.pseudonymise(frame, hidden, only_listed=True) if hidden else frame.copy()
