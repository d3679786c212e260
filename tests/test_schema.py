"""data/schema.sql and tandem/data/contract.py describe the same contract."""

import duckdb
import pytest

from tandem.data.config import SCHEMA_PATH
from tandem.data.contract import ALL_STAGES, TABLES

SQL_TYPE_OF = {"id": "VARCHAR", "text": "VARCHAR", "timestamp": "TIMESTAMP", "date": "DATE",
               "amount": "DOUBLE", "duration": "DOUBLE", "bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute(SCHEMA_PATH.read_text())
    yield con
    con.close()


def test_every_contract_column_has_its_type_and_nullability(con):
    described = {(t, c): (dtype, nullable) for t, c, dtype, nullable in con.execute(
        "select table_name, column_name, data_type, is_nullable from information_schema.columns").fetchall()}
    expected = {(t.name, c.name): (SQL_TYPE_OF[c.type], "NO" if c.required else "YES")
                for t in TABLES for c in t.columns}
    contract_tables = {t.name for t in TABLES}
    assert {k: v for k, v in described.items() if k[0] in contract_tables} == expected


def test_keys_and_references(con):
    constraints = con.execute(
        "select table_name, constraint_type, constraint_column_names from duckdb_constraints() "
        "where constraint_type in ('PRIMARY KEY', 'FOREIGN KEY')").fetchall()
    keys = {t: tuple(cols) for t, kind, cols in constraints if kind == "PRIMARY KEY"}
    refs = {(t, cols[0]) for t, kind, cols in constraints if kind == "FOREIGN KEY"}
    assert {t.name: t.key for t in TABLES if t.key} == {t: k for t, k in keys.items() if t in {x.name for x in TABLES}}
    stage_columns = {("deals", "stage"), ("deal_stage_changes", "stage"), ("scope_rules", "stage_from"),
                     ("scope_rules", "stage_to")}  # reference the stage_order lookup table
    assert refs == {(t.name, c.name) for t in TABLES for c in t.columns if c.references} | stage_columns


PARENTS = """
insert into teams values ('t', 'T', 'internal', null);
insert into reps values ('r', 'R', 't', null, '2024-01-01', null);
insert into accounts values ('a', 'A', 'smb', 'North', null, null);
insert into contacts values ('c', 'a', 'C', null);
"""
GOOD_DEAL = "('d', 'a', 'n', null, 1, '2024-01-01', null, 'open', 'lead', 'r', null, null)"
GOOD_ACTIVITY = "('x', '2024-01-01', 'call', 'r', null, 'c', null, 'outbound', 60, null)"


@pytest.mark.parametrize("table, row", [
    ("teams", "('t2', 'T', 'partner', null)"),
    ("deals", GOOD_DEAL.replace("'lead'", "'closing'")),
    ("deals", GOOD_DEAL.replace("'open'", "'pending'")),
    ("deals", GOOD_DEAL.replace(", 1,", ", -1,")),
    ("deals", GOOD_DEAL.replace("'open', 'lead'", "'open', 'won'")),
    ("deals", GOOD_DEAL.replace("null, 'open'", "'2024-02-01', 'open'")),
    ("deals", GOOD_DEAL.replace("null, 'open', 'lead'", "'2023-12-01', 'lost', 'lost'")),
    ("deals", GOOD_DEAL.replace("null, 'open', 'lead'", "'2024-02-01', 'won', 'lost'")),
    ("activities", GOOD_ACTIVITY.replace("'call'", "'sms'")),
    ("activities", GOOD_ACTIVITY.replace("null, 'c'", "'r', 'c'")),
    ("activities", GOOD_ACTIVITY.replace("null, 'c'", "null, null")),
    ("activities", GOOD_ACTIVITY.replace("'outbound'", "'sideways'")),
])
def test_schema_refuses_what_the_contract_forbids(table, row):
    con = duckdb.connect()
    con.execute(SCHEMA_PATH.read_text() + PARENTS)
    con.execute(f"insert into deals values {GOOD_DEAL}")  # the good rows pass
    con.execute(f"insert into activities values {GOOD_ACTIVITY}")
    fresh_ids = row.replace("('d',", "('d2',").replace("('x',", "('x2',")
    with pytest.raises(duckdb.ConstraintException):
        con.execute(f"insert into {table} values {fresh_ids}")


def test_stage_order(con):
    assert con.execute("select stage, position from stage_order order by position nulls last").fetchall() == [
        (s, i + 1) for i, s in enumerate(ALL_STAGES[:-1])] + [("lost", None)]
