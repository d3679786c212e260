"""Shared fixtures: demo databases built once per test session.

The end date is fixed (a Monday) so that every figure is reproducible whatever day
the suite runs.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tandem.bench import scan_components_once

# AppTest rescans every installed package for Streamlit components at each run (about
# 0.5 s); a server scans once. Once per test session is enough.
scan_components_once()

DEMO_END_DATE = dt.date(2026, 11, 23)
DEMO_SEED = 42


def _build(tmp_path_factory, scale: str):
    from tandem.demo import build_demo

    path = tmp_path_factory.mktemp(f"demo-{scale}") / f"{scale}.duckdb"
    return build_demo(path, scale=scale, seed=DEMO_SEED, end_date=DEMO_END_DATE)


@pytest.fixture(scope="session")
def small_db(tmp_path_factory):
    """Path of a `small` demo database (about 5,000 activities)."""
    return _build(tmp_path_factory, "small")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """Path of a `demo` scale database (about 500,000 activities)."""
    return _build(tmp_path_factory, "demo")


def pytest_collection_modifyitems(config, items):
    """The README test command, run by a test inside a clean copy, runs the whole
    suite there except that very test (it would start itself again, forever)."""
    if os.environ.get("TANDEM_README_NESTED_RUN") != "1":
        return
    nested = [item for item in items if item.name == "test_test_command_passes_in_a_clean_copy"]
    if nested:
        config.hook.pytest_deselected(items=nested)
        items[:] = [item for item in items if item not in nested]
