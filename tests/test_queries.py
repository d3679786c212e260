"""The query runner and the rules every query file follows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tandem.data import queries
from tandem.data.importer import import_folder
from tandem.model.roles import ALL_DATA

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture(scope="module")
def minimal_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("q") / "minimal.duckdb"
    assert import_folder(MINIMAL, path).ok
    return path


@pytest.mark.parametrize("path", sorted(queries.QUERIES_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_every_query_starts_with_a_header_naming_its_parameters(path):
    text = path.read_text()
    header = re.match(r"(--[^\n]*\n)+", text)
    assert header, f"{path.name} must start with a comment saying what it answers"
    assert "Parameters:" in header.group(0)
    for name in queries.query_parameters(text):
        assert f"${name}" in header.group(0), f"{path.name}: ${name} is not described in the header"


def test_run_returns_a_frame(minimal_db):
    counts = queries.run("table_row_counts", db=minimal_db, scope=ALL_DATA)
    assert dict(zip(counts["table_name"], counts["row_count"])) == {
        "teams": 2, "reps": 3, "accounts": 2, "contacts": 2, "deals": 3, "deal_stage_changes": 7,
        "activities": 6, "claims": 2, "scope_rules": 2, "events": 2, "event_attendance": 3}


@pytest.mark.parametrize("name, params, message", [
    ("no_such_query", {}, "unknown query 'no_such_query'"),
    ("../data/schema", {}, "unknown query '../data/schema'"),
    ("table_row_counts", {"start": "2024-01-01"}, "query 'table_row_counts': unexpected parameter(s) start"),
])
def test_wrong_calls_raise_a_clear_error(minimal_db, name, params, message):
    with pytest.raises(queries.QueryError, match=re.escape(message)):
        queries.run(name, db=minimal_db, scope=ALL_DATA, **params)


def test_missing_parameters_are_named(tmp_path, monkeypatch, minimal_db):
    (tmp_path / "deals_since.sql").write_text(
        "-- Deals created since $start in the given $statuses.\n-- Parameters: $start, $statuses, $scope_agency.\n"
        "select deal_id from deals where created_at >= $start and list_contains($statuses, status)\n"
        "    and deal_in_scope($scope_agency, deal_id) order by 1\n")
    monkeypatch.setattr(queries, "QUERIES_DIR", tmp_path)
    with pytest.raises(queries.QueryError, match=re.escape("missing parameter(s) start, statuses")):
        queries.run("deals_since", db=minimal_db, scope=ALL_DATA)
    # values are bound, lists as DuckDB lists; SQL text in a value is just a value
    assert queries.run("deals_since", db=minimal_db, scope=ALL_DATA, start="2024-03-01", statuses=["open", "lost"])[
        "deal_id"].tolist() == ["d2", "d3"]
    assert queries.run("deals_since", db=minimal_db, scope=ALL_DATA, start="2024-01-01", statuses=["open' or '1'='1"]).empty


def test_connection_follows_a_replaced_file(tmp_path):
    db = tmp_path / "t.duckdb"
    assert import_folder(MINIMAL, db).ok
    assert queries.run("table_row_counts", db=db, scope=ALL_DATA).set_index("table_name").loc["deals", "row_count"] == 3
    reduced = tmp_path / "reduced"
    reduced.mkdir()
    for csv in MINIMAL.iterdir():
        text = csv.read_text()
        if csv.name in ("deals.csv", "deal_stage_changes.csv", "claims.csv"):
            text = "\n".join(line for line in text.splitlines() if "d3" not in line) + "\n"
        (reduced / csv.name).write_text(text)
    assert import_folder(reduced, db).ok
    assert queries.run("table_row_counts", db=db, scope=ALL_DATA).set_index("table_name").loc["deals", "row_count"] == 2


def test_no_sql_is_formatted_from_values_outside_the_plumbing():
    """Pages and the app layer never build SQL text; only the runner, importer, exporter
    and demo generator hold SQL, and they format identifiers from code, not values."""
    root = queries.QUERIES_DIR.parent
    for path in [root / "dashboard.py", *(root / "pages").glob("*.py")]:
        text = path.read_text()
        assert not re.search(r"\b(select|insert|update|delete)\b.+\b(from|into|set)\b", text, re.I), path.name
        assert "duckdb" not in text, f"{path.name} must go through tandem.data.queries"
