"""Issue 19, item 5: presentation mode leaks nothing.

Every page of the dashboard, in the states that show the most names (the weekly review on
a week with a newly contested deal and on one with agency reps at closed meetings; a
selected rep pair and team pair on Communication; a selected deal on Contested deals and on
Deals, whose owner and source rep filters are then set), with presentation mode on from the
URL (`presentation=1`) and from the sidebar's switch, is scanned for every rep, contact,
account and deal name of the small demo database: every text the page and the sidebar
render (every string of every element: markdown, captions, headings, alerts, metrics, widget
labels, options and help, link buttons, expander labels, column configs, whole Plotly specs;
every cell, column name and index of every table), the URL, and every download's bytes (CSV
as text, Excel unzipped with its XML read). The sidebar's Export control builds the report
of every page, as HTML, and it is scanned too. Pass: 0 real names. The same views without
presentation mode show real names (the scan can fail).

Slides and PDF reports are scanned by tests/test_report.py::test_presentation_mode_leaves_no_real_name
(the same report content; they need Chromium).

Issue 21, "done when" (at the end): the same pages, states and downloads, and the exported
report, signed in as the manager of one agency, hold no other agency's name, team or rep, no
internal rep's name and no deal out of its scope (the same views signed in as the director
name them: the scan can fail).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.offline
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from tandem.cli import whole_database
from tandem.data import queries
from tandem.data.users import User, save_users
from tandem.model import weekly
from tandem.model.filters import ContestRules, Options
from tandem.model.pages import TITLES
from tandem.model.roles import Scope
from tandem.ui import sign_in
from tandem.ui.state import default_filters, last_review_week
from tests.apptest import ROOT, dashboard_on

MIN_NAME_LENGTH = 4  # shorter names would match ordinary words
MODES = ("url", "switch")
# pages that show names without presentation mode in the views opened below (Conversion and
# Data overview show teams and counts only)
SHOWS_NAMES = ("weekly_review", "communication", "contested_deals", "rules_events", "deal_explorer")
# downloads that hold names without presentation mode ({deal}: the selected deal)
NAMED_FILES = {"communication": {"tandem_rep_matrix.csv", "tandem_silent_pairs.csv", "tandem_team_pair_reps.csv"},
               "contested_deals": {"tandem_contested_deals.csv", "tandem_deal_{deal}_timeline.csv"},
               "rules_events": {"tandem_agency_reps_at_closed_meetings.csv"},
               "deal_explorer": {"tandem_deals.csv", "tandem_deals.xlsx", "tandem_deal_{deal}_timeline.csv"}}


# --- what the database calls its reps, contacts, accounts and deals -------------------------

def real_names(db) -> list[str]:
    """Every rep, contact and account name, and every deal name (deal names hold their
    account's name; presentation mode shows "Deal <id>"), of at least MIN_NAME_LENGTH characters."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [name for (name,) in con.execute(
            "select name from reps union select name from contacts union select name from accounts "
            "union select name from deals").fetchall()]
    return sorted(name for name in names if name and len(name) >= MIN_NAME_LENGTH)


@dataclass(frozen=True)
class Views:
    """The page parameters that show the most names on the small demo database."""
    week: str  # a week of the weekly review with a deal that became contested ("Needs attention")
    intrusion_week: str  # a week with agency reps at meetings closed to them (named in a warning)
    deal: str  # a contested deal of the default period with the longest timeline
    owner: str  # its owner and source rep (the Deals page's filters, stated in words and in the Excel file)
    source: str


@pytest.fixture(scope="module")
def views(small_db) -> Views:
    return views_of(small_db, whole_database.run)


def views_of(db, run) -> Views:
    """The views with the most names among the data `run` reads (a query runner in a scope)."""
    opts = Options.from_frame(run("filter_options", db=db))
    filters = default_filters(opts)
    rules = ContestRules().params()
    scope = filters.params("attribution", "teams", "regions", "segments")
    contested = run("contested_deals", db=db, **rules, **filters.params("start", "end"), **scope)
    end = filters.params("end")["end"]
    deal = max(contested["deal_id"], key=lambda deal_id: len(run(
        "deal_timeline", db=db, deal_id=deal_id, end=end, lookback_days=rules["lookback_days"],
        overlap_days=rules["overlap_days"])))
    row = contested.set_index("deal_id").loc[deal]

    def became_contested(week_start: dt.date) -> int:
        now, before = (run("contested_deals", db=db, **rules, **scope, **weekly.week_period(day))
                       for day in (week_start, week_start - dt.timedelta(days=7)))
        return len(set(now["deal_id"]) - set(before["deal_id"]))

    def intrusions(week_start: dt.date) -> int:
        return len(run("event_intrusions", db=db, teams=[], **weekly.week_period(week_start)))

    last = last_review_week(opts)
    weeks = [last - dt.timedelta(weeks=n) for n in range(12)]
    return Views(week=weekly.iso_label(max(weeks, key=became_contested)),
                 intrusion_week=weekly.iso_label(max(weeks, key=intrusions)), deal=str(deal),
                 owner=row["owner_rep_id"], source=row["source_rep_id"])


# --- AppTest as the server runs the app ------------------------------------------------------------

def _run_the_entry_point(main_script_path: str) -> None:
    """In place of Streamlit's `script_runner._mpa_v1`, which it runs instead of the main script
    when the app has a `pages/` folder and has not called st.navigation in this process (the
    legacy multipage routing: the page's file alone, without dashboard.py and so without the
    sidebar). A server calls
    st.navigation once and then runs dashboard.py at every rerun; AppTest forgets it at
    every run, so a rerun after a click would run the page alone, the sidebar's presentation
    switch not drawn and its value dropped (NOTES.md). Here every run goes through
    dashboard.py, as in the browser."""
    code = compile(Path(main_script_path).read_text(), main_script_path, "exec")
    exec(code, {"__name__": "__main__", "__file__": main_script_path})  # noqa: S102


@dataclass
class Downloads:
    """The download buttons' files of the last run: (file name, bytes). A button's file is
    made when it is clicked (`data` is a callable, kept by Streamlit's media file manager),
    so the callables are caught on their way in and called here, as a click would, outside
    the script's run; a file given as bytes is caught as it is stored."""
    made: list = field(default_factory=list)

    def files(self) -> list[tuple[str, bytes]]:
        result = []
        for name, data in self.made:
            content = data() if callable(data) else data
            result.append((name, content.encode() if isinstance(content, str) else bytes(content)))
        return result


@pytest.fixture
def downloads(small_db, monkeypatch) -> Downloads:
    """The dashboard on the small demo database, every run through the entry point, and
    its downloads caught."""
    dashboard_on(small_db, monkeypatch)
    monkeypatch.setattr(script_runner, "_mpa_v1", _run_the_entry_point)
    caught = Downloads()
    add_deferred, add = MediaFileManager.add_deferred, MediaFileManager.add

    def deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        caught.made.append((file_name, data_callable))
        return add_deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    def static(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if is_for_static_download:
            caught.made.append((file_name, path_or_data))
        return add(self, path_or_data, mimetype, coordinates, file_name=file_name,
                   is_for_static_download=is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    monkeypatch.setattr(MediaFileManager, "add", static)
    return caught


def run(at: AppTest, downloads: Downloads, action=None) -> AppTest:
    """Run the app (or `action`, which runs it), keeping only this run's downloads."""
    downloads.made.clear()
    (action or at.run)()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- everything a page renders ----------------------------------------------------------------

def proto_strings(message) -> list[str]:
    """Every string of a protobuf message, nested messages and map values included (bytes
    left out: the Arrow data of tables is read as a table); a JSON string (Plotly specs,
    column configs) also gives every string inside it."""
    found = []
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None and descriptor.message_type.GetOptions().map_entry:
            values = list(value.values())
        else:
            values = value if descriptor.is_repeated else [value]
        for item in values:
            if hasattr(item, "ListFields"):
                found += proto_strings(item)
            elif isinstance(item, str):
                found.append(item)
                found += json_strings(item)
    return found


def json_strings(text: str) -> list[str]:
    if text[:1] not in ("{", "["):
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "bdata" in node and "dtype" in node:  # a typed numeric array: numbers, no text
                return
            for key, value in node.items():
                found.append(str(key))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.append(node)

    walk(data)
    return found


def table_cells(frame: pd.DataFrame) -> list[str]:
    """Column names, index and every cell of a table, as text."""
    return ([str(c) for c in frame.columns] + [str(i) for i in frame.index]
            + [str(v) for v in frame.to_numpy().ravel()])


def rendered_texts(at: AppTest) -> list[str]:
    """All the text of the page and the sidebar (every string of every element, every cell
    of every table) and the URL."""
    texts = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        texts += proto_strings(proto)
        if node.type in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            lazy = proto.lazy_data if proto.HasField("lazy_data") else None
            assert lazy is None or not lazy.HasField("row_count") or lazy.row_count <= len(frame), \
                "a table sent in chunks: AppTest holds only its first rows"
            texts += table_cells(frame)
    return texts + [f"{key}={value}" for key, value in at.query_params.items()]


def file_texts(name: str, content: bytes) -> list[str]:
    """A download as text: an Excel file (a zip) unzipped, each XML part read (shared strings,
    sheets, properties); an HTML report without the plotly.js it embeds; a CSV decoded."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [archive.read(part).decode("utf-8") for part in archive.namelist()
                    if part.endswith((".xml", ".rels"))] + [name]
    text = content.decode("utf-8-sig")
    if name.endswith(".html"):
        text = text.replace(plotly.offline.get_plotlyjs(), "")  # the library: 4.6 MB and no data
    return [text, name]


def readable_text(text: str) -> str:
    """Text as a reader sees it: Markdown escapes (`Maple Tools Inc\\.`), HTML and XML
    entities and Plotly's line breaks (a wrapped title) undone, runs of spaces made one."""
    text = re.sub(r"<br\s*/?>", " ", text)
    text = html.unescape(re.sub(r"\\(.)", r"\1", text))
    return re.sub(r"[ \t]+", " ", text)


@dataclass
class Scan:
    texts: int = 0  # strings and table cells of the pages
    downloads: int = 0  # files
    files: list = field(default_factory=list)
    found: dict = field(default_factory=dict)  # where -> the real names seen there

    def add(self, where: str, texts: list[str], names: list[str]) -> None:
        blob = "\n".join(texts)
        readable = readable_text(blob)
        seen = [name for name in names if name in blob or " ".join(name.split()) in readable]
        if seen:
            self.found.setdefault(where, []).extend(seen)

    def add_run(self, at: AppTest, downloads: Downloads, where: str, names: list[str]) -> None:
        texts = rendered_texts(at)
        self.texts += len(texts)
        self.add(where, texts, names)
        for file_name, content in downloads.files():
            self.downloads += 1
            self.files.append(file_name)
            self.add(f"{where}, download {file_name}", file_texts(file_name, content), names)

    def names(self) -> set[str]:
        return {name for seen in self.found.values() for name in seen}

    def leaks(self) -> dict[str, list[str]]:
        return {where: sorted(set(seen))[:5] for where, seen in self.found.items()}


# --- the pages in the states with the most names ---------------------------------------------------

def numbers(array) -> list:
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), array["dtype"]).tolist()
    return list(array)


def click_busiest_square(at: AppTest) -> None:
    """Click the busiest square of the Communication page's matrix (as tests/test_communication.py
    does: the chart's widget state holds the clicked point, as the browser sends it)."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.selection_mode)
    trace = json.loads(chart.proto.spec)["data"][0]
    counts = numbers(trace["marker"]["color"])
    index = int(np.argmax(counts))
    point = {"curve_number": 0, "point_number": index, "point_index": index, "x": trace["x"][index],
             "y": trace["y"][index], "customdata": numbers(trace["customdata"])[index], "marker_color": counts[index]}
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"points": [point], "point_indices": [index], "box": [],
                                                   "lasso": []}})
    at._run(states)


def page_params(page: str, views: Views) -> dict[str, str]:
    return {"weekly_review": {"week": views.week}, "contested_deals": {"deal": views.deal},
            "deal_explorer": {"deal": views.deal}}.get(page, {})


def open_page(page: str, params: dict[str, str], downloads: Downloads, mode: str, signed=None) -> AppTest:
    """A new session opening `page` from a link with `params`, in presentation mode when
    `mode` says so: `presentation=1` in the link, or the sidebar's switch turned on after;
    signed in with the session value `signed` when given."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    if signed is not None:
        at.session_state[sign_in.SIGNED_IN] = signed
    for key, value in {**params, **({"presentation": "1"} if mode == "url" else {})}.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    run(at, downloads)
    assert at.toggle(key="presentation_mode").value is (mode == "url")
    if mode == "switch":
        run(at, downloads, at.toggle(key="presentation_mode").set_value(True).run)
        assert at.toggle(key="presentation_mode").value is True
    assert (at.query_params.get("presentation") == "1") is (mode in MODES)
    return at


def scan_page(page: str, views: Views, downloads: Downloads, mode: str, names: list[str], signed=None) -> Scan:
    """The page opened from a link with its parameters, then its other states with names:
    Weekly review, a week with agency reps at closed meetings; Communication, a rep pair's
    detail, then the team matrix and a team pair's detail; Deals, the owner and source rep
    filters set."""
    scan = Scan()
    agency_scope = signed is not None and signed[2] is not None  # (name, role, agency, signature)
    at = open_page(page, page_params(page, views), downloads, mode, signed)
    scan.add_run(at, downloads, f"{page} ({mode})", names)
    if page == "weekly_review":
        run(at, downloads, at.selectbox(key="review_week").set_value(views.intrusion_week).run)
        scan.add_run(at, downloads, f"{page} ({mode}, {views.intrusion_week})", names)
        # closed meetings are out of an agency manager's scope
        assert any("agency rep" in warning.value for warning in at.warning) is not agency_scope
    elif page == "communication":
        for by_team, detail in ((False, "account_name"), (True, "internal_rep_name")):
            run(at, downloads, at.toggle(key="comm_by_team").set_value(by_team).run)
            run(at, downloads, lambda: click_busiest_square(at))
            scan.add_run(at, downloads, f"{page} ({mode}, {'a team' if by_team else 'a rep'} pair)", names)
            # (an agency's busiest rep pair may share no account: an empty state, no table)
            assert any(detail in frame.value.columns for frame in at.dataframe) or agency_scope and not by_team, \
                f"no pair detail ({detail})"
    elif page == "deal_explorer":
        at.multiselect(key="deals_owners").set_value([views.owner])
        at.multiselect(key="deals_sources").set_value([views.source])
        run(at, downloads)
        scan.add_run(at, downloads, f"{page} ({mode}, owner and source rep filters)", names)
        assert len(downloads.made) == 3  # the CSV, the Excel file (its Filters sheet) and the deal's timeline
    return scan


@pytest.mark.parametrize("page", list(TITLES))
def test_presentation_mode_shows_no_real_name(page, small_db, views, downloads):
    names = real_names(small_db)
    scans = {mode: scan_page(page, views, downloads, mode, names) for mode in ("plain", *MODES)}
    counts = {mode: f"{s.texts:,} texts, {s.downloads} downloads, {len(s.names())} real names"
              for mode, s in scans.items()}
    print(f"\n{page}: {len(names)} names; {counts}; files: {', '.join(sorted(set(scans['url'].files)))}")
    leaks = {mode: scans[mode].leaks() for mode in MODES if scans[mode].found}
    assert leaks == {}, f"{page}: real names in presentation mode (where: the first 5): {leaks}"
    assert scans["url"].downloads == scans["switch"].downloads == scans["plain"].downloads  # the same buttons
    # the scan can fail: without presentation mode it finds names, in the page and in the files
    if page in SHOWS_NAMES:
        assert scans["plain"].found, f"{page} shows no real name without presentation mode: the scan proves nothing"
    named = {where.rsplit(" ", 1)[-1] for where in scans["plain"].found if ", download " in where}
    expected = {name.format(deal=views.deal) for name in NAMED_FILES.get(page, ())}
    assert named >= expected, f"no real name in {expected - named} without presentation mode"


def exported_report(views: Views, downloads: Downloads, mode: str, signed=None) -> list[tuple[str, bytes]]:
    """The HTML report of every page from the sidebar's Export control, after visiting the Deals
    page and the Contested deals page with the views' deal selected: [(file name, bytes)]."""
    at = open_page("deal_explorer", {"deal": views.deal}, downloads, mode, signed)
    run(at, downloads, at.switch_page("pages/contested_deals.py").run)
    assert at.session_state["contest_deal"] == at.session_state["deals_deal"] == views.deal
    at.multiselect(key="export_pages").set_value(list(TITLES))
    at.segmented_control(key="export_format").set_value("html")
    run(at, downloads)
    run(at, downloads, at.button(key="export_build").click().run)
    report = [(name, content) for name, content in downloads.files() if name.endswith(".html")]
    assert len(report) == 1 and not at.sidebar.error, [e.value for e in at.sidebar.error]
    return report


@pytest.mark.parametrize("mode", ["plain", *MODES])
def test_the_exported_report_shows_no_real_name(mode, small_db, views, downloads):
    """The sidebar's Export control, every page as one HTML report, after visiting the Deals page
    and the Contested deals page with a deal selected (each page's deal is in the report)."""
    names = real_names(small_db)
    report = exported_report(views, downloads, mode)
    scan = Scan()
    scan.add(report[0][0], file_texts(*report[0]), names)
    print(f"\nreport ({mode}): {len(names)} names, {report[0][0]}: {len(scan.names())} real names")
    if mode == "plain":  # the scan can fail
        assert len(scan.names()) > 10
    else:
        assert scan.found == {}, f"real names in the report (presentation mode from the {mode}): {scan.leaks()}"
        assert "Names of reps, contacts and accounts are pseudonyms" in file_texts(*report[0])[0]


# --- an agency manager's view (issue 21) -------------------------------------------------------

# the pages whose views name the agency's own reps (the others show teams, deals and counts)
AGENCY_SHOWS_OWN_REPS = ("communication", "contested_deals", "deal_explorer")
AGENCY = "Crestview Outsourcing"  # of the small demo database: 52 of its 200 deals in scope, 2 contested


def agency_names(db, agency: str) -> tuple[list[str], list[str]]:
    """What a manager of `agency` must never read: the other agencies, their teams and reps,
    the internal reps and the deals out of its scope (by name, less any name that something in
    its scope shares); and its own reps' names, which it reads (so the scan can fail)."""
    with duckdb.connect(str(db), read_only=True) as con:
        def names(sql: str) -> set[str]:
            return {name for (name,) in con.execute(sql, {"agency": agency}).fetchall() if name}

        other = names("""
            select coalesce(agency, name) from teams where kind = 'external' and coalesce(agency, name) <> $agency
            union select name from teams where kind = 'external' and coalesce(agency, name) <> $agency
            union select r.name from reps r join teams t using (team_id)
                  where t.kind = 'internal' or coalesce(t.agency, t.name) <> $agency
            union select name from deals
                  where deal_id not in (select deal_id from derived_deal_agencies where agency = $agency)""")
        own = names("select r.name from reps r join teams t using (team_id) where coalesce(t.agency, t.name) = $agency")
        seen = own | names("""
            select name from deals where deal_id in (select deal_id from derived_deal_agencies where agency = $agency)
            union select name from teams where kind = 'internal' or coalesce(agency, name) = $agency""")
    return (sorted(name for name in other - seen if len(name) >= MIN_NAME_LENGTH),
            sorted(name for name in own if len(name) >= MIN_NAME_LENGTH))


@pytest.fixture
def signed_users(small_db, downloads, tmp_path, monkeypatch) -> dict[str, tuple]:
    """A users file with a manager of AGENCY and a director; the signed session value of each
    one's sign-in."""
    users = {"amy": User("amy", "agency_manager", agency=AGENCY, email="amy@example.invalid"),
             "dee": User("dee", "director", email="dee@example.invalid")}
    save_users(users, tmp_path / "users.toml")
    monkeypatch.setenv("TANDEM_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("TANDEM_AUDIT", str(tmp_path / "audit.jsonl"))
    return {name: sign_in.session_value(user) for name, user in users.items()}


@pytest.fixture(scope="module")
def agency_views(small_db) -> Views:
    scope = Scope(agency=AGENCY)
    return views_of(small_db, lambda name, db, **params: queries.run(name, db, scope=scope, **params))


@pytest.mark.parametrize("page", list(TITLES))
def test_an_agency_manager_reads_nothing_of_another_agency(page, small_db, agency_views, downloads, signed_users):
    """Issue 21's "done when", on the small demo database: every page in the states with the most
    names (the views chosen among its own data) and every download, signed in as a manager of
    one agency, holds no other agency's name, team or rep, no internal rep's name and no deal out
    of its scope; its own reps' names are there."""
    unseen, own = agency_names(small_db, AGENCY)
    scan = scan_page(page, agency_views, downloads, "agency", unseen + own, signed=signed_users["amy"])
    print(f"\n{page}: {len(unseen)} names it must not read; {scan.texts:,} texts, {scan.downloads} downloads")
    leaks = {where: sorted(set(seen) - set(own))[:5] for where, seen in scan.found.items() if set(seen) - set(own)}
    assert leaks == {}, f"{page}: another agency's, an internal rep's or an out-of-scope deal's name: {leaks}"
    if page in AGENCY_SHOWS_OWN_REPS:  # the scan can fail: its own names are found, and the director's view of
        assert scan.names() & set(own), f"{page} shows none of its own reps: the scan proves nothing"
        director = scan_page(page, agency_views, downloads, "agency", unseen, signed=signed_users["dee"])
        assert len(director.names()) >= 5, f"{page}: the director's view names nothing the agency must not read"


def test_an_agency_managers_exported_report_reads_nothing_of_another_agency(small_db, agency_views, downloads,
                                                                             signed_users):
    unseen, own = agency_names(small_db, AGENCY)
    report = exported_report(agency_views, downloads, "agency", signed_users["amy"])
    scan = Scan()
    scan.add(report[0][0], file_texts(*report[0]), unseen + own)
    assert scan.names() - set(own) == set(), sorted(scan.names() - set(own))[:5]
    assert scan.names() & set(own) and "Exported by amy (Agency manager)" in file_texts(*report[0])[0]
