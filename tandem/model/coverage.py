"""What a database holds, and the one sentence a page shows when a feature's data is missing.

Only `teams`, `reps` and `accounts` are required by an import (docs/data-contract.md): a
CRM export often has deals and no activities, or activities and no deals. A feature whose
table has no row at all says which file would bring it, rather than showing an empty
period. `present` is the set of tables of the database that have at least one row.
"""

from __future__ import annotations

from collections.abc import Iterable

# table -> (what the sentence calls its rows, its file, what the file holds)
SOURCES = {
    "activities": ("activities", "activities.csv", "the reps' calls, emails and meetings"),
    "deals": ("deals", "deals.csv", "the opportunities with their owner, amount, stage and dates"),
    "deal_stage_changes": ("stage changes", "deal_stage_changes.csv", "each deal's stage history"),
    "claims": ("claims", "claims.csv", "the reps' registrations of deals and credit claims"),
    "scope_rules": ("scope rules", "scope_rules.csv", "which team may work which segment, region and stages"),
    "events": ("events", "events.csv", "the conventions, seminars, launches and meetings, with their dates"),
    "event_attendance": ("attendance", "event_attendance.csv", "which rep attended which event"),
}

# the tables a contest signal is judged from, besides the deals (definitions.md "Contest signals")
SIGNAL_NEEDS = {
    "double_claim": ("claims",),
    "out_of_scope": ("activities", "scope_rules"),
    "uncoordinated_overlap": ("activities",),
}


def present(row_counts) -> frozenset[str]:
    """The tables with at least one row, from the `table_row_counts` query's frame."""
    return frozenset(row_counts.loc[row_counts["row_count"] > 0, "table_name"])


def _file(table: str) -> str:
    _, file, holds = SOURCES[table]
    return f"{file} ({holds})"


def missing(table: str, feature: str) -> str:
    """'No activities in this database: to see cross-team exchanges, import activities.csv (...).'"""
    return f"No {SOURCES[table][0]} in this database: to see {feature}, import {_file(table)}."


def lacking(table: str, feature: str, present: Iterable[str]) -> str | None:
    """`missing(table, feature)` when `table` has no row, else None."""
    return None if table in set(present) else missing(table, feature)


def first_lacking(tables: Iterable[str], feature: str, present: Iterable[str]) -> str | None:
    """`missing` for the first of `tables` that has no row, else None."""
    return next(filter(None, (lacking(table, feature, present) for table in tables)), None)


def absent(tables: Iterable[str], present: Iterable[str]) -> list[str]:
    """The given tables that have no row, in the given order."""
    present = set(present)
    return [table for table in tables if table not in present]


def judgeable_signals(present: Iterable[str]) -> tuple[str, ...]:
    """The contest signals the database has evidence for (none without deals)."""
    present = set(present)
    if "deals" not in present:
        return ()
    return tuple(signal for signal, needs in SIGNAL_NEEDS.items() if set(needs) <= present)


def contest_missing(present: Iterable[str]) -> str | None:
    """The sentence replacing every contest figure when no signal can be judged, else None."""
    present = set(present)
    if "deals" not in present:
        return missing("deals", "contested deals")
    if judgeable_signals(present):
        return None
    # double claims need only claims, uncoordinated overlaps only activities: both are missing
    return (f"No claims and no activities in this database: to see contested deals, import {_file('claims')} or "
            f"{_file('activities')}.")
