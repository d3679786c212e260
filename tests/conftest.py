"""Shared fixtures: demo databases built once per test session.

The end date is fixed (a Monday) so that every figure is reproducible whatever day
the suite runs.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, settings

from tandem.cli.bench import scan_components_once

# The property tests (each example builds a database): 25 random datasets in the suite,
# more with TANDEM_PROPERTY_PROFILE=thorough (a soak outside CI).
for name, examples in (("suite", 25), ("thorough", 400)):
    settings.register_profile(name, max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("TANDEM_PROPERTY_PROFILE", "suite"))

# AppTest rescans every installed package for Streamlit components at each run (about
# 0.5 s); a server scans once. Once per test session is enough.
scan_components_once()

DEMO_END_DATE = dt.date(2026, 11, 23)
DEMO_SEED = 42


def _build(tmp_path_factory, scale: str):
    from tandem.data.demo import build_demo

    path = tmp_path_factory.mktemp(f"demo-{scale}") / f"{scale}.duckdb"
    return build_demo(path, scale=scale, seed=DEMO_SEED, end_date=DEMO_END_DATE)


@pytest.fixture(scope="session")
def small_db(tmp_path_factory):
    """Path of a `small` demo database (about 5,000 activities)."""
    return _build(tmp_path_factory, "small")


@pytest.fixture(scope="module")
def server_and_log(small_db, tmp_path_factory):
    """`streamlit run dashboard.py` on the small demo database, one per test module (its
    own caches and sessions): the base URL and the server's log."""
    from tests.browser import dashboard_server

    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with dashboard_server(small_db, log) as url:
        yield url, log


@pytest.fixture(scope="module")
def server(server_and_log):
    """The base URL of this module's dashboard server."""
    return server_and_log[0]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """Path of a `demo` scale database (about 500,000 activities)."""
    return _build(tmp_path_factory, "demo")


# What the README test command runs inside a clean copy (tests/test_readme_commands.py):
# the outer suite already runs every test on this checkout, so the clean copy checks what
# only it can (the command installs the packages and Chromium, the committed files are
# enough) on a subset touching every layer: the query runner, the hand-worked figures,
# the schema, the docs, and every page in Chromium. It keeps CI well under 10 minutes.
NESTED_RUN_SMOKE = ("tests/test_schema.py", "tests/test_docs.py", "tests/test_queries.py", "tests/test_summary.py",
                    # one page in Chromium proves the browser works; the suite itself opens every page
                    "tests/test_browser.py::test_page_renders_without_exception[-Weekly review]")


# The longest test files first: with a file per worker (--dist loadfile), a long file started
# last keeps one core busy after the other has finished (the suite took 10.3 min instead of ~7).
LONGEST_FIRST = ("test_sessions.py", "test_bench.py", "test_readme_commands.py", "test_browser.py",
                 "test_browser_report.py", "test_hostile_imports.py", "test_browser_import.py")


def pytest_configure(config):
    # the query runner ignores this warning for the whole process (tandem/data/queries.py); pytest
    # resets the warning filters around each test, so it is said again here
    config.addinivalue_line("filterwarnings", "ignore:Arrow output on a DB-API result:UserWarning")


def pytest_collection_modifyitems(config, items):
    """The longest files first; in the README test command's nested run, keep only the smoke
    subset (which also leaves out the nested test itself: it would start itself again, forever)."""
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
    if os.environ.get("TANDEM_README_NESTED_RUN") != "1":
        return
    kept = [item for item in items if item.nodeid.startswith(NESTED_RUN_SMOKE)]
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept

