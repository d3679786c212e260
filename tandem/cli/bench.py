"""`python -m tandem bench`: page and query speed and memory, against a pandas baseline.

Every measurement runs in a fresh Python process (`python -m tandem.cli.bench --measure ...`),
so "cold" means empty Streamlit and DuckDB caches and the peak memory is that of one
page or one figure. The parent only builds (or reuses) the database, starts the
measuring processes and prints their results side by side.

Measured per page (AppTest of dashboard.py, the page opened directly):
  cold_s   a run of the page with empty caches: no cached result, no DuckDB connection
           (after one untimed run that pays Python's one-off imports and first uses, as a
           server does for its first user);
  warm_s   a second run in the same process (results cached, as for every later user);
  duckdb_s the total time spent in `tandem.data.queries.run` during the cold run (raw DuckDB
           execution and conversion to pandas, as the page issued them);
  peak_mb  the process's peak resident memory.
  With `--agency NAME` the pages (and the rules' page) run signed in as that agency's
  manager, so in its scope (the sign-in and audit log of a users file in a temporary folder);
  otherwise with open access, which sees everything.
Measured per figure (weekly review KPIs, communication matrix, contested signals,
conversion per team), ours (DuckDB queries) against `tandem.cli.bench_pandas`:
  first interaction: ours = connect + queries; pandas = load the tables + compute;
  next interaction:  ours = the queries again for another period; pandas = compute only;
  peak_mb of each process.
Measured per report format (EXPORT_PAGE over the last 12 weeks, as the Export control builds
it, in one fresh process after one untimed HTML build that pays the imports):
  build_s  gathering the page and writing the file (charts drawn by kaleido, the PDF
           printed by Chromium), peak_mb of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tandem.data.config import ROOT

END_DATE = dt.date(2026, 11, 23)  # fixed, so that runs on different days measure the same data
SEED = 42
PAGES = ("weekly_review", "communication", "contested_deals", "rules_events", "conversion", "deal_explorer",
         "overview")
FIGURES = ("weekly_review", "communication_matrix", "contested_signals", "conversion_per_team")
EXPORT_PAGE = "contested_deals"  # the page with the most charts and tables
TARGETS = {"export_s": 10.0, "cold_s": 1.0, "warm_s": 0.2, "duckdb_factor": 1.5, "duckdb_slack_s": 0.15, "speedup": 5.0,
           "memory_ratio": 5.0, "growth": 10.0, "rule_cold_s": 1.5, "rule_warm_s": 0.2, "rule_summary_s": 1.5,
           "rule_summary_mb": 500}
# The page target at 100 million activities (issue: every page cold under 2 s, warm under 0.2 s).
TARGETS_BY_SCALE = {"xxl": {"cold_s": 2.0}}
# Rules other than the default, all in the pre-computed range (lookback 0-90, overlap 1-30):
# each end of the range, the middle, and rules a user reaches by moving one slider.
RULES_MEASURED = ((10, 3), (90, 30), (0, 1), (60, 14), (30, 21))
RULE_PAGE = "contested_deals"  # the page whose sliders set the rule
AGENCY_VARIABLE = "TANDEM_BENCH_AGENCY"  # tells the measuring processes whose scope to measure


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: Linux keeps
    ru_maxrss across exec, so a child would report its parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --- inside a measuring process --------------------------------------------------------

class QueryClock:
    """Adds up the time spent in tandem.data.queries.run (wrapped in place), and notes the
    scopes the queries ran in (their agencies; None: all the data)."""

    def __init__(self):
        from tandem.data import queries

        self.total = 0.0
        self.calls = 0
        self.agencies: set[str | None] = set()
        original = queries.run

        def timed(name, db=None, **params):
            started = time.perf_counter()
            try:
                return original(name, db=db, **params)
            finally:
                self.total += time.perf_counter() - started
                self.calls += 1
                self.agencies.add(getattr(params.get("scope"), "agency", None))

        queries.run = timed

    def reset(self) -> None:
        self.total, self.calls = 0.0, 0
        self.agencies.clear()


def scan_components_once() -> None:
    """AppTest scans every installed package for Streamlit components at each run (about
    0.5 s here); a server does it once at start-up. Scan once per process."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def _warm_up_streamlit() -> None:
    """Pay Streamlit's and the page modules' one-off import and start-up costs before
    timing: a running server has paid them before its first user."""
    import importlib

    from streamlit.testing.v1 import AppTest

    scan_components_once()
    for module in ("plotly.graph_objects", "tandem.ui.app", "tandem.figures.communication", "tandem.figures.contested", "tandem.model.contest",
                   "tandem.figures.conversion", "tandem.ui.state", "tandem.model.weekly"):
        importlib.import_module(module)

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write("import streamlit as st\nst.title('warm-up')\n")
    AppTest.from_file(script.name, default_timeout=60).run()
    os.unlink(script.name)


def empty_caches() -> None:
    """What "cold" means here: no cached query result, no open DuckDB connection (so no
    DuckDB buffer either); the operating system's file cache stays, as on a server."""
    import streamlit as st

    from tandem.data import queries
    from tandem.ui import app

    st.cache_data.clear()
    st.cache_resource.clear()
    queries.close_connections()
    app._current_files.clear()


def measure_page(db: str, page: str, warm_runs: int, url: dict[str, str] | None = None) -> dict:
    """The page opened directly, with the query parameters `url` (a rule: lookback, overlap)."""
    os.environ["TANDEM_DB"] = db
    _warm_up_streamlit()
    from streamlit.testing.v1 import AppTest

    from tandem.ui.sign_in import SIGNED_IN

    clock = QueryClock()
    manager = _agency_manager(os.environ.get(AGENCY_VARIABLE))

    def run_once() -> tuple[float, AppTest]:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=1800)
        for key, value in (url or {}).items():
            at.query_params[key] = value
        if manager is not None:
            at.session_state[SIGNED_IN] = manager()  # as the sign-in form sets it
        if page != "weekly_review":
            at.switch_page(f"pages/{page}.py")
        started = time.perf_counter()
        at.run()
        return time.perf_counter() - started, at

    run_once()  # first run: Python's lazy imports and first-use costs, which a server pays once
    empty_caches()
    clock.reset()
    cold, at = run_once()
    errors = [e.message for e in at.exception]
    duckdb_s, queries_run, agencies_seen = clock.total, clock.calls, sorted(clock.agencies, key=str)
    warm = [run_once()[0] for _ in range(warm_runs)]
    result = {"page": page, "cold_s": cold, "warm_s": statistics.median(warm), "duckdb_s": duckdb_s,
              "queries": queries_run, "scope_agencies": agencies_seen, "peak_mb": peak_mb(), "errors": errors}
    if url:  # the rule the page ran under, as its sliders show it
        result["rule_shown"] = [at.slider(key="contest_lookback").value, at.slider(key="contest_overlap").value]
    return result


def _agency_manager(agency: str | None):
    """None for open access; otherwise a users file (in a temporary folder) with one manager of
    `agency`, and a function giving the signed session value the sign-in form would set (asked
    for at each run: emptying the caches renews the server key that signs it)."""
    if not agency:
        return None
    from tandem.data.users import User, save_users
    from tandem.ui import sign_in

    folder = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    # an email, not a password: nobody signs in with it, and no hash is computed
    manager = User("bench", "agency_manager", agency=agency, email="bench@example.invalid")
    save_users({manager.name: manager}, folder / "users.toml")
    os.environ["TANDEM_USERS"] = str(folder / "users.toml")
    os.environ["TANDEM_AUDIT"] = str(folder / "audit.jsonl")
    return lambda: sign_in.session_value(manager)


class UnknownAgency(Exception):
    """--agency names no agency of the database."""


def agencies(db: str) -> list[str]:
    """The agencies of the database's external teams, as a scope names them (the team's name
    when its agency is empty: queries/shared/03_scope.sql, rep_agency)."""
    import duckdb

    with duckdb.connect(db, read_only=True) as connection:
        return [row[0] for row in connection.sql("select distinct coalesce(agency, name) from teams "
                                                 "where kind = 'external' order by 1").fetchall()]


def _figure_periods(db: str) -> dict:
    """The periods the figures are computed for: the last complete week (weekly review)
    and the 12 weeks before the data's end; the 'next interaction' uses the 12 weeks
    before those."""
    from tandem.model.weekly import monday

    end = dt.datetime.combine(monday(END_DATE), dt.time())
    first = (end - dt.timedelta(weeks=12), end)
    second = (end - dt.timedelta(weeks=24), end - dt.timedelta(weeks=12))
    return {"week": (end - dt.timedelta(weeks=1)).date(), "periods": [first, second]}


def weekly_review_series(db: str, week: dt.date, weeks: int | None = None):
    """The weekly review's KPI series with no filter, by the page's three queries: the 8
    weeks (or `weeks`) ending with `week`."""
    from tandem.cli.whole_database import run
    from tandem.model import weekly
    from tandem.model.filters import ContestRules

    starts = weekly.week_starts(week, weeks or weekly.SPARKLINE_WEEKS)
    every = {"teams": [], "regions": [], "segments": []}
    return weekly.kpi_series(
        run("exchanges_by_week", db=db, teams=[], **weekly.span(starts)),
        run("customer_touches_by_week", db=db, **every, **weekly.span(starts)),
        run("deal_totals", db=db, **weekly.week_ends(starts), **ContestRules().params(), attribution="owner", **every),
        starts)


def _ours(figure: str, db: str, start: dt.datetime, end: dt.datetime, week: dt.date) -> object:
    from tandem.cli.whole_database import run
    from tandem.model.filters import ContestRules

    every = {"attribution": "owner", "teams": [], "regions": [], "segments": []}
    if figure == "weekly_review":
        return weekly_review_series(db, week)
    if figure == "communication_matrix":
        return run("cross_team_exchanges_by_rep_pair", db=db, start=start, end=end, teams=[])
    if figure == "contested_signals":
        return run("contested_deals", db=db, start=start, end=end, **ContestRules().params(), **every)
    return run("team_conversion", db=db, start=start, end=end, **every)


def _pandas(figure: str, tables: dict, start: dt.datetime, end: dt.datetime, week: dt.date) -> object:
    from tandem.cli import bench_pandas

    if figure == "weekly_review":
        return bench_pandas.weekly_review(tables, week)
    if figure == "communication_matrix":
        return bench_pandas.communication_matrix(tables, start, end)
    if figure == "contested_signals":
        return bench_pandas.contested_signals(tables, start, end)
    return bench_pandas.conversion_per_team(tables, start, end)


def measure_figure(db: str, figure: str, side: str) -> dict:
    import importlib

    for module in ("pandas", "duckdb"):  # both sides import them before timing
        importlib.import_module(module)

    setting = _figure_periods(db)
    (first_start, first_end), (next_start, next_end) = setting["periods"]
    week = setting["week"]
    started = time.perf_counter()
    if side == "ours":
        _ours(figure, db, first_start, first_end, week)
        first = time.perf_counter() - started
        started = time.perf_counter()
        _ours(figure, db, next_start, next_end, week - dt.timedelta(weeks=12))
    else:
        from tandem.cli import bench_pandas

        tables = bench_pandas.load_tables(db)
        _pandas(figure, tables, first_start, first_end, week)
        first = time.perf_counter() - started
        started = time.perf_counter()
        _pandas(figure, tables, next_start, next_end, week - dt.timedelta(weeks=12))
    return {"figure": figure, "side": side, "first_s": first, "next_s": time.perf_counter() - started,
            "peak_mb": peak_mb()}


def measure_exports(db: str) -> dict:
    """Each format's build time for EXPORT_PAGE, in this process (see the module's docstring)."""
    from tandem.export import writers
    from tandem.export.report import build_report
    from tandem.model.filters import Filters
    from tandem.model.roles import ALL_DATA
    from tandem.model.weekly import monday

    end = monday(END_DATE)
    filters = Filters(start=end - dt.timedelta(weeks=12), end=end)

    def build(kind: str) -> float:
        started = time.perf_counter()
        writers.render(build_report(db, filters, (EXPORT_PAGE,), end - dt.timedelta(weeks=1), scope=ALL_DATA), kind)
        return time.perf_counter() - started

    build("html")
    return {"page": EXPORT_PAGE, **{f"{kind}_s": build(kind) for kind in writers.FORMATS}, "peak_mb": peak_mb()}


def measure_summary(db: str, rule: dict[str, int] | None = None) -> dict:
    clock = QueryClock()
    from tandem.cli.summary import compute_summary
    from tandem.model.weekly import monday

    end = dt.datetime.combine(monday(END_DATE), dt.time())
    started = time.perf_counter()
    compute_summary(end - dt.timedelta(weeks=1), end, db=db, **(rule or {}))
    return {"page": "summary", "cold_s": time.perf_counter() - started, "warm_s": None, "duckdb_s": clock.total,
            "queries": clock.calls, "peak_mb": peak_mb(), "errors": []}


# --- the parent process ----------------------------------------------------------------

def _in_fresh_process(*args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "tandem.cli.bench", "--measure", *args], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode != 0:
        raise RuntimeError(f"measuring {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _built_as(path: Path) -> str | None:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("select value from tandem_meta where key = 'detail'").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def ensure_database(scale: str, folder: Path, progress) -> Path:
    """The benchmark database of this scale: reused when it is there and current."""
    from tandem.data.db import derived_is_current
    from tandem.data.demo import build_demo

    path = folder / f"bench-{scale}.duckdb"
    if path.exists() and derived_is_current(path) and _built_as(path) == f"scale={scale} seed={SEED} end_date={END_DATE}":
        return path
    build_demo(path, scale=scale, seed=SEED, end_date=END_DATE, progress=progress)
    return path


def machine() -> dict:
    import duckdb
    import pandas
    import streamlit

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), None) if Path("/proc/meminfo").exists() else None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pandas.__version__, "streamlit": streamlit.__version__,
            "system": platform.platform()}


def measure_rules(db: str, repeat: int, count: int, progress) -> list[dict]:
    """The Contested deals page (cold, warm) and `summary` under the first `count` rules of
    RULES_MEASURED, each in fresh processes."""
    rules = []
    for lookback, overlap in RULES_MEASURED[:count]:
        progress(f"rule lookback {lookback}, overlap {overlap}")
        rule = [str(lookback), str(overlap)]
        page = _median_of([_in_fresh_process("page", db, RULE_PAGE, str(repeat), *rule) for _ in range(repeat)],
                          "page")
        summary = _median_of([_in_fresh_process("summary", db, *rule) for _ in range(repeat)], "page")
        rules.append({"lookback_days": lookback, "overlap_days": overlap, "page": page, "summary": summary})
    return rules


def run_benchmark(scale: str, repeat: int, folder: Path, progress=lambda message: None,
                  rules: int = len(RULES_MEASURED), pages_only: bool = False, agency: str | None = None) -> dict:
    """Every measurement of the module's docstring; `pages_only` leaves out the report formats
    and the figures against pandas (whose baseline loads every activity into memory: about
    20 GB at `xxl`); `agency`: the pages in that agency manager's scope."""
    db = str(ensure_database(scale, folder, lambda fraction, message: progress(f"building: {message}")))
    if agency is not None and agency not in agencies(db):
        raise UnknownAgency(f"no agency named {agency!r} in {db}; its agencies: {', '.join(agencies(db))}")
    os.environ.pop(AGENCY_VARIABLE, None)
    if agency is not None:
        os.environ[AGENCY_VARIABLE] = agency
    pages = []
    for page in PAGES:
        if not (ROOT / "pages" / f"{page}.py").exists():
            continue
        progress(f"page {page}")
        runs = [_in_fresh_process("page", db, page, str(repeat)) for _ in range(repeat)]
        pages.append(_median_of(runs, "page"))
    progress("summary command")
    pages.append(_median_of([_in_fresh_process("summary", db) for _ in range(repeat)], "page"))
    rule_results = measure_rules(db, repeat, rules, progress)
    targets = {**TARGETS, **TARGETS_BY_SCALE.get(scale, {})}
    if pages_only:
        return {"scale": scale, "repeat": repeat, "database": db, "machine": machine(), "agency": agency,
                "pages": pages, "rules": rule_results, "exports": None, "figures": [], "targets": targets}
    progress("report formats")
    exports = _median_of([_in_fresh_process("exports", db) for _ in range(repeat)], "exports")
    figures = []
    for figure in FIGURES:
        progress(f"figure {figure}")
        ours = _median_of([_in_fresh_process("figure", db, figure, "ours") for _ in range(repeat)], "figure")
        theirs = _median_of([_in_fresh_process("figure", db, figure, "pandas") for _ in range(repeat)], "figure")
        figures.append({"figure": figure, "ours": ours, "pandas": theirs,
                        "speedup_first": theirs["first_s"] / ours["first_s"],
                        "speedup_next": theirs["next_s"] / ours["next_s"],
                        "memory_ratio": theirs["peak_mb"] / ours["peak_mb"]})
    return {"scale": scale, "repeat": repeat, "database": db, "machine": machine(), "agency": agency,
            "pages": pages, "rules": rule_results, "exports": exports, "figures": figures, "targets": targets}


def _median_of(runs: list[dict], key: str) -> dict:
    """Field-wise median of repeated runs (numbers only), keeping the other fields of the first."""
    merged = dict(runs[0])
    for field, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[field] = statistics.median(run[field] for run in runs)
    return merged


def _as_whom(result: dict) -> str:
    agency = result.get("agency")
    return f"; pages as the agency manager of {agency}" if agency else ""


def render(result: dict) -> str:
    lines = [f"Tandem benchmark, scale {result['scale']} ({result['repeat']} run(s) each, medians); "
             f"{result['machine']['cores']} cores, {result['machine']['memory_gb']} GB, {result['machine']['cpu']}"
             + _as_whom(result),
             "", f"{'page':<17} {'cold s':>7} {'warm s':>7} {'duckdb s':>9} {'queries':>8} {'peak MB':>8}"]
    for page in result["pages"]:
        warm = "" if page["warm_s"] is None else f"{page['warm_s']:.3f}"
        lines.append(f"{page['page']:<17} {page['cold_s']:>7.3f} {warm:>7} {page['duckdb_s']:>9.3f} "
                     f"{page['queries']:>8} {page['peak_mb']:>8.0f}" + ("  ERRORS" if page["errors"] else ""))
    if result["rules"]:
        lines += ["", f"{'rule (lookback, overlap)':<25} {RULE_PAGE + ' cold s':>21} {'warm s':>7} {'peak MB':>8} "
                      f"{'summary s':>10} {'summary MB':>11}"]
        for r in result["rules"]:
            lines.append(f"{r['lookback_days']:>3} d, {r['overlap_days']:>2} d{'':<15} {r['page']['cold_s']:>21.3f} "
                         f"{r['page']['warm_s']:>7.3f} {r['page']['peak_mb']:>8.0f} {r['summary']['cold_s']:>10.3f} "
                         f"{r['summary']['peak_mb']:>11.0f}" + ("  ERRORS" if r["page"]["errors"] else ""))
    if result["exports"] is None:  # --pages-only
        return "\n".join(lines)
    lines += ["", f"{'figure':<22} {'ours 1st s':>10} {'pandas 1st s':>12} {'×':>6} {'ours next s':>11} "
                  f"{'pandas next s':>13} {'×':>6} {'ours MB':>8} {'pandas MB':>9} {'×':>5}"]
    for f in result["figures"]:
        lines.append(f"{f['figure']:<22} {f['ours']['first_s']:>10.3f} {f['pandas']['first_s']:>12.3f} "
                     f"{f['speedup_first']:>6.1f} {f['ours']['next_s']:>11.3f} {f['pandas']['next_s']:>13.3f} "
                     f"{f['speedup_next']:>6.1f} {f['ours']['peak_mb']:>8.0f} {f['pandas']['peak_mb']:>9.0f} "
                     f"{f['memory_ratio']:>5.1f}")
    e = result["exports"]
    kinds = [key.removesuffix("_s") for key in e if key.endswith("_s")]  # the writers' formats
    lines += ["", f"report of {e['page']}: " + ", ".join(f"{kind} {e[f'{kind}_s']:.1f} s" for kind in kinds)
              + f", peak {e['peak_mb']:.0f} MB"]
    return "\n".join(lines)


def render_markdown(result: dict) -> str:
    """The results as Markdown tables with the targets checked (docs/benchmarks.md)."""
    t = result["targets"]
    lines = [f"### Scale `{result['scale']}` ({result['repeat']} run(s) per measurement, medians)"
             + _as_whom(result), "",
             f"| page | cold s | warm s | DuckDB s | queries | peak MB | cold < {t['cold_s']:g} s | warm < 0.2 s | "
             "cold ≤ 1.5 × DuckDB + 0.15 s |", "|---|---:|---:|---:|---:|---:|:-:|:-:|:-:|"]
    for page in result["pages"]:
        warm = page["warm_s"]
        bound = t["duckdb_factor"] * page["duckdb_s"] + t["duckdb_slack_s"]
        lines.append(
            f"| {page['page']} | {page['cold_s']:.3f} | {'' if warm is None else f'{warm:.3f}'} | "
            f"{page['duckdb_s']:.3f} | {page['queries']} | {page['peak_mb']:.0f} | "
            f"{'yes' if page['cold_s'] < t['cold_s'] else '**no**'} | "
            f"{'' if warm is None else ('yes' if warm < t['warm_s'] else '**no**')} | "
            f"{'yes' if page['cold_s'] <= bound else '**no**'} ({bound:.3f}) |")
    if result["rules"]:
        lines += ["", f"| rule (lookback, overlap) | {RULE_PAGE} cold s | warm s | DuckDB s | peak MB | "
                      f"cold < {t['rule_cold_s']} s | warm < {t['rule_warm_s']} s | summary s | summary MB | "
                      f"summary < {t['rule_summary_s']} s and {t['rule_summary_mb']} MB |",
                  "|---|---:|---:|---:|---:|:-:|:-:|---:|---:|:-:|"]
        for r in result["rules"]:
            page, summary = r["page"], r["summary"]
            lines.append(
                f"| {r['lookback_days']} d, {r['overlap_days']} d | {page['cold_s']:.3f} | {page['warm_s']:.3f} | "
                f"{page['duckdb_s']:.3f} | {page['peak_mb']:.0f} | "
                f"{'yes' if page['cold_s'] < t['rule_cold_s'] else '**no**'} | "
                f"{'yes' if page['warm_s'] < t['rule_warm_s'] else '**no**'} | {summary['cold_s']:.3f} | "
                f"{summary['peak_mb']:.0f} | "
                + ("yes" if summary["cold_s"] < t["rule_summary_s"] and summary["peak_mb"] < t["rule_summary_mb"]
                   else "**no**") + " |")
    if result["exports"] is None:  # --pages-only
        return "\n".join(lines)
    lines += ["", "| figure | ours first s | pandas first s | × | ours next s | pandas next s | × | ours MB | "
                  "pandas MB | × |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f in result["figures"]:
        lines.append(f"| {f['figure']} | {f['ours']['first_s']:.3f} | {f['pandas']['first_s']:.3f} | "
                     f"{f['speedup_first']:.1f} | {f['ours']['next_s']:.3f} | {f['pandas']['next_s']:.3f} | "
                     f"{f['speedup_next']:.1f} | {f['ours']['peak_mb']:.0f} | {f['pandas']['peak_mb']:.0f} | "
                     f"{f['memory_ratio']:.1f} |")
    e = result["exports"]
    kinds = [key.removesuffix("_s") for key in e if key.endswith("_s")]  # the writers' formats
    lines += ["", f"| report of `{e['page']}` | " + " | ".join(kinds)
              + f" | peak MB | under {t['export_s']:.0f} s |",
              "|---|" + "---:|" * len(kinds) + "---:|:-:|",
              "| build s | " + " | ".join(f"{e[f'{kind}_s']:.1f}" for kind in kinds)
              + f" | {e['peak_mb']:.0f} | "
              + ("yes" if all(e[f"{kind}_s"] < t["export_s"] for kind in kinds) else "**no**") + " |"]
    return "\n".join(lines)


def _measure_main(args: list[str]) -> None:
    kind, db, *rest = args
    if kind == "page":
        url = {"lookback": rest[2], "overlap": rest[3]} if len(rest) > 2 else None
        result = measure_page(db, rest[0], warm_runs=max(1, int(rest[1])), url=url)
    elif kind == "summary":
        result = measure_summary(db, {"lookback_days": int(rest[0]), "overlap_days": int(rest[1])} if rest else None)
    elif kind == "exports":
        result = measure_exports(db)
    else:
        result = measure_figure(db, rest[0], rest[1])
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", nargs="+", required=True)
    _measure_main(parser.parse_args().measure)
