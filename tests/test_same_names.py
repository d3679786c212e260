"""Two reps with the same name are two reps (issue 19, found as a new user): the rep matrix,
its click-through and the team pair's rep table key them by id and tell them apart by
their id after the name."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tandem.figures import communication
from tests.test_rules_events import FIXTURE

WEEK = dict(start=dt.datetime(2025, 3, 3), end=dt.datetime(2025, 3, 10))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    """The summary fixture with both Agency X reps named "Sam Lee" (ex1 and ex2)."""
    folder = tmp_path_factory.mktemp("same-names") / "csv"
    shutil.copytree(FIXTURE, folder)
    reps = folder / "reps.csv"
    reps.write_text(reps.read_text().replace("Xan Xu", "Sam Lee").replace("Xia Xeno", "Sam Lee"))
    db = folder.parent / "db.duckdb"
    assert import_folder(folder, db).ok
    return run("cross_team_exchanges_by_rep_pair", db=db, teams=[], **WEEK)


def test_the_matrix_keeps_two_reps_of_one_name_apart(pairs):
    # e01 ia2-ex1, e02 ex2-ia2, e03 ia1-ey1, e09 ex2-ia1: four pairs, two of them with a "Sam Lee"
    figure, _, drawn = communication.pair_matrix(pairs, "all", by_team=False)
    assert sorted(figure.layout.xaxis.categoryarray) == ["Sam Lee (ex1)", "Sam Lee (ex2)", "Yul Yates"]
    assert len(drawn) == 4 and drawn["exchanges"].sum() == 4
    # a click on the square of ia2 and ex2 opens that pair, not ia2 and ex1
    square = next(n for n, (x, y) in enumerate(zip(figure.data[0].x, figure.data[0].y))
                  if (x, y) == ("Sam Lee (ex2)", "Ines Arno"))
    clicked = {"selection": {"points": [{"customdata": int(figure.data[0].customdata[square])}]}}
    cell = communication.selected_cell(clicked, pairs, by_team=False)
    assert cell == ("ia2", "ex2")
    assert communication.pair_summary(pairs, *cell).startswith("**Ines Arno (Inside A) × Sam Lee (ex2) (Agency X)**")


def test_the_team_pairs_rep_table_tells_them_apart(pairs):
    table = communication.team_pair_reps(pairs, "int-a", "ext-x")
    assert sorted(table["external_rep_name"]) == ["Sam Lee (ex1)", "Sam Lee (ex2)", "Sam Lee (ex2)"]
