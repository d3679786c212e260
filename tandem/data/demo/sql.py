"""Writing the drawn rows: one insert statement per table in queries/demo/<table>.sql.

The tables hand over numbers (indexes into the cast, seconds since the period start);
each statement reads them from the frame registered as `demo_rows` and formats ids,
names and timestamps. The cast's lists and the period start reach SQL as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import numpy as np
import pandas as pd

from tandem.data.config import QUERIES_DIR
from tandem.data.demo.cast import (
    CHANNELS,
    CLAIM_KINDS,
    COMPANY_CORES,
    COMPANY_FORMS,
    COMPANY_PREFIXES,
    CONTACT_TITLES,
    CUSTOMER_SUBJECTS,
    DEAL_STATUSES,
    DIRECTIONS,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_SOURCES,
    PRODUCTS,
    REGIONS,
    REP_SUBJECTS,
    SEGMENTS,
    STAGES,
    TEAMS,
)
from tandem.data.queries import query_parameters

DEMO_QUERIES_DIR = QUERIES_DIR / "demo"

# Every list a statement may index ($name[index + 1]); each statement is given the ones it names.
LABELS = {
    "first": list(FIRST_NAMES), "last": list(LAST_NAMES),
    "team_ids": [t[0] for t in TEAMS], "domains": [t[4] for t in TEAMS],
    "prefixes": list(COMPANY_PREFIXES), "cores": [c for c, _ in COMPANY_CORES], "forms": list(COMPANY_FORMS),
    "industries": [i for _, i in COMPANY_CORES], "segments": list(SEGMENTS), "regions": list(REGIONS),
    "titles": list(CONTACT_TITLES),
    "products": list(PRODUCTS), "statuses": list(DEAL_STATUSES), "stages": list(STAGES),
    "lead_sources": list(LEAD_SOURCES), "kinds": list(CLAIM_KINDS),
    "channels": list(CHANNELS), "directions": list(DIRECTIONS), "subjects": list(CUSTOMER_SUBJECTS + REP_SUBJECTS),
}


def parameters(start_date: dt.date) -> dict:
    """The values the statements may bind: the period start (as a date and in microseconds
    since 1970, for make_timestamp) and the labels."""
    start = dt.datetime.combine(start_date, dt.time())
    start_us = int((start - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    return {"start_us": start_us, "start_date": start_date, **LABELS}


def statement(table: str) -> str:
    """The statement that inserts `table` from the frame registered as demo_rows."""
    return (DEMO_QUERIES_DIR / f"{table}.sql").read_text()


def used_params(sql: str, params: dict) -> dict:
    """The parameters `sql` uses (DuckDB rejects unused ones)."""
    wanted = query_parameters(sql)
    return {name: value for name, value in params.items() if name in wanted}


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: dict[str, np.ndarray] | pd.DataFrame,
           params: dict) -> None:
    """Insert `rows` into `table` by queries/demo/<table>.sql."""
    sql = statement(table)
    con.register("demo_rows", pd.DataFrame(rows))
    try:
        con.execute(sql, used_params(sql, params))
    finally:
        con.unregister("demo_rows")


def insert_in_parallel(con: duckdb.DuckDBPyConnection, table: str, rows: dict[str, np.ndarray], params: dict,
                       parts: int) -> None:
    """Insert consecutive slices of `rows` into `table` from `parts` transactions running at once.

    Constraint checks (primary key, foreign keys) dominate a big insert; separate
    transactions check them side by side (about 10% faster on 2 cores for xl). They
    commit in slice order, so the table's row order does not depend on thread timing.
    """
    sql = statement(table)
    bound = used_params(sql, params)
    frame = pd.DataFrame(rows)
    bounds = np.linspace(0, len(frame), parts + 1).astype(int)
    cursors = [con.cursor() for _ in range(parts)]
    errors: list[BaseException] = []

    def work(cur, lo, hi):
        try:
            cur.register("demo_rows", frame.iloc[lo:hi])
            cur.execute(sql, bound)
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)

    try:
        for cur in cursors:
            cur.execute("begin transaction")
        threads = [threading.Thread(target=work, args=(cur, bounds[k], bounds[k + 1])) for k, cur in enumerate(cursors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        for cur in cursors:
            cur.execute("commit")
    finally:
        for cur in cursors:
            cur.close()
