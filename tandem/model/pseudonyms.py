"""Presentation mode: real rep, contact and account names replaced by stable pseudonyms;
and the names a role must not see at all (`names_hidden_from`: an agency manager sees
internal reps and other agencies' reps under pseudonyms and other agencies' teams as "Other
agency"; an internal manager sees agency reps under pseudonyms).

Applied once, in the data layer (`tandem.ui.app.run`), to every frame a page receives, so
charts, tables and downloads all show the same pseudonyms and no page can forget.
Column convention: `<x>rep_name` goes with `<x>rep_id`, `<x>team_name` with `<x>team_id`,
`account_name` with `account_id`, `contact_name` with `contact_id`, `deal_name` with
`deal_id` (deal names often contain the account's name, so they become "Deal <id>"). Free
text that may hold names (`subject`) is hidden.
"""

from __future__ import annotations

import pandas as pd

HIDDEN_TEXT = "(hidden in presentation mode)"
FREE_TEXT_COLUMNS = ("subject",)
_ENTITY_OF_SUFFIX = {"rep_name": "rep", "team_name": "team", "account_name": "account", "contact_name": "contact"}


class MissingIdColumn(Exception):
    """A name column came without the id column that identifies it."""


def pseudonym_maps(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """From the `name_pseudonyms` query: entity -> {id: pseudonym}."""
    return {entity: dict(zip(rows["id"], rows["pseudonym"])) for entity, rows in table.groupby("entity")}


def names_hidden_from(table: pd.DataFrame, scope) -> dict[str, dict[str, str]] | None:
    """From the `name_pseudonyms` query run in `scope` (a `tandem.model.roles.Scope`): the
    pseudonyms of the names its role may not see even outside presentation mode, or None."""
    reps, teams = table["entity"] == "rep", table["entity"] == "team"
    hidden = pd.Series(False, index=table.index)
    if scope.agency is not None:
        hidden |= (reps & ((table["kind"] == "internal") | table["other_agency"])) | (teams & table["other_agency"])
    if scope.pseudonymise_agency_reps:
        hidden |= reps & (table["kind"] == "external")
    return pseudonym_maps(table[hidden]) if hidden.any() else None


def pseudonymise(frame: pd.DataFrame, maps: dict[str, dict[str, str]], only_listed: bool = False) -> pd.DataFrame:
    """A copy of `frame` with every name column replaced by pseudonyms: every name (presentation
    mode: a name without a pseudonym is blanked), or with `only_listed` only the names in `maps`
    (a role's hidden names; the others stay) and free text left as it is."""
    result = frame.copy()
    for column in frame.columns:
        if column in FREE_TEXT_COLUMNS and not only_listed:
            result[column] = frame[column].where(frame[column].isna(), HIDDEN_TEXT)
            continue
        if column == "deal_name" and not only_listed:
            _require(frame, "deal_id", column)
            result[column] = "Deal " + frame["deal_id"].astype(str)
            continue
        suffix = next((s for s in _ENTITY_OF_SUFFIX if column.endswith(s)), None)
        if suffix is None:
            continue
        id_column = column[: -len("name")] + "id"
        _require(frame, id_column, column)
        names = maps.get(_ENTITY_OF_SUFFIX[suffix], {})
        shown = frame[id_column].map(names)
        if only_listed:
            shown = shown.where(frame[id_column].isin(names.keys()), frame[column])
        result[column] = shown.where(frame[id_column].notna(), None)
    return result


def _require(frame: pd.DataFrame, id_column: str, column: str) -> None:
    if id_column not in frame.columns:
        raise MissingIdColumn(f"column {column!r} needs {id_column!r} beside it to be pseudonymised")
