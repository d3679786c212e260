"""Export the database as contract CSVs: one file per table, columns in contract order.

The output is exactly what `tandem import` reads, so a user can fix data in a
spreadsheet and import it back, and the round trip is testable. Text that a spreadsheet
would run as a formula is written after an apostrophe (`tandem.data.formulas`), which
the import takes off again.
"""

from __future__ import annotations

import os
from pathlib import Path

from tandem.data.contract import TABLES
from tandem.data.db import connect_read_only
from tandem.data.formulas import NEUTRALISE_PARAMETER, neutralise_sql


def export_database(db: str | os.PathLike, folder: str | os.PathLike) -> dict[str, int]:
    """Write every contract table of `db` to `folder/<table>.csv`; returns row counts."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} exists and is not a folder")
    con = connect_read_only(db)  # first: no folder is made for a database that is not there
    counts = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            # text cells (ids included) neutralised; numbers, dates and booleans as they are
            columns = ", ".join(neutralise_sql(f'"{c.name}"') + f' as "{c.name}"' if c.type in ("id", "text")
                                else f'"{c.name}"' for c in table.columns)
            order = ", ".join(f'"{name}"' for name in (table.key or table.column_names))
            # Identifiers come from the contract module, never from the user; the
            # user's path is a bound parameter.
            con.execute(f"copy (select {columns} from {table.name} order by {order}) to $path (header, delimiter ',')",
                        {"path": str(folder / f"{table.name}.csv"), **NEUTRALISE_PARAMETER})
            counts[table.name] = con.execute(f"select count(*) from {table.name}").fetchone()[0]
    finally:
        con.close()
    return counts
