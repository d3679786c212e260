"""The shell and the weekly review page through Streamlit's AppTest.

The hand-built summary fixture gives exact expectations; the `small` demo database
checks the page against `tandem summary --json` on realistic data.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tandem.cli.summary import compute_summary
from tandem.data.importer import import_folder
from tandem.model import wording
from tandem.ui import widgets

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "summary"
KPI_LABELS = {
    "Cross-team calls": ("cross_team", "calls"), "Cross-team emails": ("cross_team", "emails"),
    "Customer touches, internal reps": ("customer_touches", "internal"),
    "Customer touches, external reps": ("customer_touches", "external"),
    "Deals created": ("deals", "created"), "Deals won": ("deals", "won"), "Won amount (EUR)": ("deals", "won_amount"),
    "Contested deals": ("contested", "count"), "Value at stake (EUR)": ("contested", "amount"),
}


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weekly") / "summary.duckdb"
    assert import_folder(FIXTURE, path).ok
    return path


def app(db: Path, monkeypatch, **query_params) -> AppTest:
    monkeypatch.setenv("TANDEM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query_params.items():
        at.query_params[key] = value
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def needs_attention(at: AppTest) -> pd.DataFrame:
    """The "Needs attention" Markdown table as text cells (Markdown escapes undone)."""
    (table,) = [m.value for m in at.markdown if m.value.startswith("| Evidence |")]
    rows = [[cell.strip().replace("\\", "") for cell in line.strip("|").split(" | ")] for line in table.splitlines()]
    return pd.DataFrame(rows[2:], columns=rows[0])


def as_shown(value: float) -> str:
    return f"{value:,.0f}"


def test_default_view_is_the_last_complete_week_and_equals_the_summary(fixture_db, monkeypatch):
    at = app(fixture_db, monkeypatch).run()
    assert not at.exception
    assert at.selectbox(key="review_week").value == "2025-W10"  # data ends 2025-03-10 00:00
    summary = compute_summary(dt.datetime(2025, 3, 3), dt.datetime(2025, 3, 10), db=fixture_db)
    shown = metric_values(at)
    for label, (group, key) in KPI_LABELS.items():
        assert shown[label] == as_shown(summary[group][key]), label
    # win rate by kind: internal teams won 2 of 2, external lost their only closed deal
    assert shown["Win rate, internal teams"] == "100%"
    assert shown["Win rate, external teams"] == "0%"
    # d2 and d3 became contested this week; d1 already was at its start (t01, 2025-01-11)
    table = needs_attention(at)
    assert sorted(table["Deal"]) == ["D2 lost in period", "D3 open"]
    # each links to its evidence on the contested-deals page, for the reviewed week
    assert sorted(table["Evidence"]) == ["[Why? ↗](contested_deals?start=2025-03-03&end=2025-03-10&deal=d2)",
                                         "[Why? ↗](contested_deals?start=2025-03-03&end=2025-03-10&deal=d3)"]
    # the link and the creation date first (visible without scrolling), the largest value at stake first
    assert list(table.columns) == ["Evidence", "Created", "Deal", "Account", "At stake (EUR)", "Signals", "Owner",
                                   "Team"]
    assert table["Deal"].tolist() == ["D3 open", "D2 lost in period"]
    assert table["At stake (EUR)"].tolist() == ["50,000", "20,000"]
    assert table["Created"].tolist() == ["2025-01-20", "2025-03-04"]
    assert dict(at.query_params) == {}  # the default view has a bare URL


def test_needs_attention_shows_the_largest_and_links_to_the_rest(fixture_db, monkeypatch):
    monkeypatch.setattr(widgets, "NEEDS_ATTENTION_ROWS", 1)
    at = app(fixture_db, monkeypatch).run()
    assert not at.exception
    assert needs_attention(at)["Deal"].tolist() == ["D3 open"]
    more = [m.value for m in at.markdown if "more contested deal" in m.value]
    assert more == ["[and 1 more contested deal: all of 2025-W10 on the Contested deals page ↗]"
                    "(contested_deals?start=2025-03-03&end=2025-03-10)"]


def test_team_filter_and_an_earlier_week(fixture_db, monkeypatch):
    at = app(fixture_db, monkeypatch, week="2025-W09", team="int-a")
    at.run()
    assert not at.exception
    assert at.selectbox(key="review_week").value == "2025-W09"
    shown = metric_values(at)
    # week of 24 Feb - 2 Mar for int-a: cross-team exchanges touching int-a: e10 (ey1 -> ia2,
    # Sunday 23 Feb: not in this week), e08 email ia2 -> ex2 (2 Mar): 0 calls, 1 email.
    # customer touches by int-a reps: t03 (26 Feb), t05 (2 Mar) = 2; external: none (rep filter).
    # int-a deals: d3 d1 d8 active; created none; won none; contested as of 3 Mar: d1 (t01).
    assert {k: shown[k] for k in ("Cross-team calls", "Cross-team emails", "Customer touches, internal reps",
                                  "Customer touches, external reps", "Deals created", "Deals won",
                                  "Contested deals", "Value at stake (EUR)")} == {
        "Cross-team calls": "0", "Cross-team emails": "1", "Customer touches, internal reps": "2",
        "Customer touches, external reps": "0", "Deals created": "0", "Deals won": "0",
        "Contested deals": "1", "Value at stake (EUR)": "100,000"}
    assert dict(at.query_params) == {"week": "2025-W09", "team": "int-a"}


def test_url_round_trip(fixture_db, monkeypatch):
    at = app(fixture_db, monkeypatch)
    at.session_state["filters_from_url_done"] = True  # the state comes from the widgets, not the URL
    at.session_state["filter_period"] = (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    at.session_state["filter_teams"] = ["ext-x", "int-a"]
    at.session_state["filter_regions"] = ["South"]
    at.session_state["filter_segments"] = []
    at.session_state["filter_attribution"] = "source"
    at.session_state["presentation_mode"] = True
    at.run()
    assert not at.exception
    url = dict(at.query_params)
    assert url == {"start": "2025-02-01", "end": "2025-03-01", "team": ["ext-x", "int-a"], "region": "South",
                   "attribution": "source", "presentation": "1"}
    reopened = app(fixture_db, monkeypatch, **url).run()
    assert not reopened.exception
    for key in ("filter_period", "filter_teams", "filter_regions", "filter_segments", "filter_attribution",
                "presentation_mode"):
        assert reopened.session_state[key] == at.session_state[key], key
    assert not reopened.warning


@pytest.mark.parametrize("params, notice", [
    ({"team": "no-such-team"}, "Ignored the unknown team 'no-such-team' from the URL."),
    ({"start": "2025-13-01", "end": "2025-03-01"}, "dates must look like 2026-11-23"),
    ({"region": "North' or 1=1; drop table deals; --"}, "Ignored the unknown region \"North' or 1=1; drop table deals;"),
    ({"segment": "x" * 5000}, "Ignored the unknown segment 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' from the URL."),
    ({"attribution": "everyone"}, "Ignored the attribution 'everyone' from the URL: it is owner or source."),
    ({"week": "2031-W99"}, "Ignored week '2031-W99' from the URL"),
    ({"presentation": "yes"}, "Ignored presentation='yes' from the URL: it is 1 or 0."),
    ({"colour": "red"}, "Ignored the unknown URL parameter 'colour'."),
])
def test_tampered_url_values_are_ignored_with_a_notice(fixture_db, monkeypatch, params, notice):
    at = app(fixture_db, monkeypatch, **params).run()
    assert not at.exception
    assert any(notice in wording.plain(w.value) for w in at.warning), [w.value for w in at.warning]
    assert metric_values(at)["Contested deals"] == "3"  # the default view, unharmed


def rendered_text(at: AppTest) -> str:
    parts = []
    for element in at.main.children.values() if hasattr(at.main, "children") else []:
        parts.append(str(element))
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.warning]
    parts += [e.value for e in at.info] + [e.value for e in at.subheader] + [e.value for e in at.title]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    for box in at.multiselect:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def real_names(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [row[0] for row in con.execute(
            "select name from reps union all select name from contacts union all select name from accounts").fetchall()]
    finally:
        con.close()


def test_presentation_mode_leaves_no_real_name(fixture_db, monkeypatch):
    plain = app(fixture_db, monkeypatch).run()
    names = real_names(fixture_db)
    assert any(name in rendered_text(plain) for name in names)  # the check can fail
    at = app(fixture_db, monkeypatch, presentation="1").run()
    assert not at.exception
    text = rendered_text(at)
    assert [name for name in names if name in text] == []
    assert "Internal rep 2" in text and "Agency A rep 2" in text and "Account 2" in text


def test_presentation_mode_on_the_small_demo_database(small_db, monkeypatch):
    names = real_names(small_db)
    # a week whose "Needs attention" table shows names (the default week may have none)
    for weeks_back in range(12):
        week = (dt.date(2026, 11, 16) - dt.timedelta(weeks=weeks_back)).strftime("%G-W%V")
        plain = rendered_text(app(small_db, monkeypatch, week=week).run())
        if any(name in plain for name in names):
            break
    else:
        pytest.fail("no week of the small database shows a name: the check would prove nothing")
    at = app(small_db, monkeypatch, presentation="1", week=week).run()
    assert not at.exception
    text = rendered_text(at)
    assert [name for name in names if name in text] == []


def test_small_demo_database_matches_summary_json(small_db, monkeypatch):
    at = app(small_db, monkeypatch).run()
    assert not at.exception
    week = at.selectbox(key="review_week").value
    result = subprocess.run([sys.executable, "-m", "tandem", "summary", "--db", str(small_db), "--week", week,
                             "--json"], capture_output=True, text=True, check=True)
    summary = json.loads(result.stdout)
    shown = metric_values(at)
    for label, (group, key) in KPI_LABELS.items():
        assert shown[label] == as_shown(summary[group][key]), label
    # a non-default filter: the page equals the filtered queries
    filtered = app(small_db, monkeypatch, attribution="source", week=week).run()
    assert not filtered.exception
    assert filtered.session_state["filter_attribution"] == "source"
