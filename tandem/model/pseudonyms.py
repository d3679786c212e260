"""Presentation mode: real rep, contact and account names replaced by stable pseudonyms.

Applied once, in the data layer (`tandem.ui.app.run`), to every frame a page receives, so
charts, tables and downloads all show the same pseudonyms and no page can forget.
Column convention: `<x>rep_name` goes with `<x>rep_id`, `account_name` with
`account_id`, `contact_name` with `contact_id`, `deal_name` with `deal_id` (deal
names often contain the account's name, so they become "Deal <id>"). Free text that
may hold names (`subject`) is hidden.
"""

from __future__ import annotations

import pandas as pd

HIDDEN_TEXT = "(hidden in presentation mode)"
FREE_TEXT_COLUMNS = ("subject",)
_ENTITY_OF_SUFFIX = {"rep_name": "rep", "account_name": "account", "contact_name": "contact"}


class MissingIdColumn(Exception):
    """A name column came without the id column that identifies it."""


def pseudonym_maps(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """From the `name_pseudonyms` query: entity -> {id: pseudonym}."""
    return {entity: dict(zip(rows["id"], rows["pseudonym"])) for entity, rows in table.groupby("entity")}


def pseudonymise(frame: pd.DataFrame, maps: dict[str, dict[str, str]]) -> pd.DataFrame:
    """A copy of `frame` with every name column replaced by pseudonyms."""
    result = frame.copy()
    for column in frame.columns:
        if column in FREE_TEXT_COLUMNS:
            result[column] = frame[column].where(frame[column].isna(), HIDDEN_TEXT)
            continue
        if column == "deal_name":
            _require(frame, "deal_id", column)
            result[column] = "Deal " + frame["deal_id"].astype(str)
            continue
        suffix = next((s for s in _ENTITY_OF_SUFFIX if column.endswith(s)), None)
        if suffix is None:
            continue
        id_column = column[: -len("name")] + "id"
        _require(frame, id_column, column)
        names = maps.get(_ENTITY_OF_SUFFIX[suffix], {})
        result[column] = frame[id_column].map(names).where(frame[id_column].notna(), None)
    return result


def _require(frame: pd.DataFrame, id_column: str, column: str) -> None:
    if id_column not in frame.columns:
        raise MissingIdColumn(f"column {column!r} needs {id_column!r} beside it to be pseudonymised")
