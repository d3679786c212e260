"""Building a demo database: draw the tables in dependency order and insert each one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np

from tandem.data.db import THREADS, build_database
from tandem.data.demo import sql
from tandem.data.demo.accounts import accounts_and_contacts
from tandem.data.demo.activities import activity_rows, customer_touches, draw_parts, rep_exchanges, row_slices
from tandem.data.demo.calendar import LIFECYCLE_DAYS, PERIOD_DAYS, Calendar
from tandem.data.demo.cast import SCALES, Scale
from tandem.data.demo.deals import claims, deals
from tandem.data.demo.events import events
from tandem.data.demo.sales_force import sales_force, scope_rules, teams
from tandem.data.progress import Progress, silent


def build_demo(
    path: str | Path,
    scale: str = "demo",
    seed: int = 42,
    end_date: dt.date | None = None,
    progress: Progress = silent,
) -> Path:
    """Build a demo database at `path` (atomically replaced) and return its path.

    Same `scale`, `seed` and `end_date` give exactly the same rows. All timestamps lie in
    the two years before `end_date` (exclusive, default today).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    if end_date is None:
        end_date = dt.date.today()
    elif isinstance(end_date, dt.datetime):
        end_date = end_date.date()
    start_date = end_date - dt.timedelta(days=PERIOD_DAYS)

    def fill_database(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        fill(con, SCALES[scale], seed, start_date, progress)
        return {
            "source": "demo",
            "detail": f"scale={scale} seed={seed} end_date={end_date}",
            "period_start": start_date.isoformat(),
            "period_end": end_date.isoformat(),
        }

    result = build_database(path, fill_database, lambda message: progress(0.97, message))
    progress(1.0, "demo database ready")
    return result


def fill(con: duckdb.DuckDBPyConnection, scale: Scale, seed: int, start_date: dt.date, progress: Progress) -> None:
    """Draw every table from one generator seeded with `seed` and insert it.

    The order of the calls is the order of the random draws: changing it changes the data.
    """
    rng = np.random.default_rng(seed)
    calendar = Calendar(start_date, PERIOD_DAYS + LIFECYCLE_DAYS)
    params = sql.parameters(start_date)
    parts = draw_parts(scale)

    progress(0.00, "teams, reps and scope rules")
    sql.insert(con, "teams", teams(), params)
    sql.insert(con, "scope_rules", scope_rules(), params)
    force, reps = sales_force(rng, scale)
    sql.insert(con, "reps", reps, params)

    progress(0.03, "accounts and contacts")
    accounts, account_rows, contact_rows = accounts_and_contacts(rng, scale, force)
    sql.insert(con, "accounts", account_rows, params)
    sql.insert(con, "contacts", contact_rows, params)

    progress(0.06, "deals and stage changes")
    pipeline, pair_affinity, deal_rows, change_rows = deals(rng, scale, calendar, force, accounts)
    sql.insert(con, "deals", deal_rows, params)
    sql.insert(con, "deal_stage_changes", change_rows, params)
    del deal_rows, change_rows

    progress(0.12, "claims")
    sql.insert(con, "claims", claims(rng, pipeline, force), params)

    progress(0.14, "events")
    event_rows, attendance_rows = events(rng, calendar, force)
    sql.insert(con, "events", event_rows, params)
    sql.insert(con, "event_attendance", attendance_rows, params)

    progress(0.16, "customer touches")
    touches = customer_touches(rng, scale, calendar, force, accounts, pipeline, parts)
    progress(0.30, "rep-to-rep exchanges")
    exchanges = rep_exchanges(rng, scale, calendar, force, pipeline, pair_affinity, len(touches["t"]))

    progress(0.36, "inserting activities")
    activities = activity_rows(calendar, touches, exchanges)
    del touches, exchanges
    # Ids have 8 digits, more from 100 million activities. One slice per draw part: a big
    # scale's rows are copied for DuckDB a slice at a time.
    count = len(activities["i"])
    params = {**params, "activity_digits": max(8, len(str(count)))}
    slices = row_slices(count, parts)
    for number, rows in enumerate(slices):
        progress(0.45 + 0.54 * number / len(slices), "inserting activities")
        sql.insert_in_parallel(con, "activities", {name: column[rows] for name, column in activities.items()},
                               params, parts=THREADS if rows.stop - rows.start > 200_000 else 1)
    progress(0.99, "writing the database file")
