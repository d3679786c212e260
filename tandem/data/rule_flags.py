"""Per connection, the deal flag intervals of the contest rules of the pre-computed range that
queries have asked for (`queries/connection/ranged_flag_intervals.sql`).

Under a rule of the range other than the default, "which deals are contested as of E" merges
the pre-computed evidence into per-deal intervals (about 0.4 s at `xl`); every query of a
page needs them, so they are computed once per rule and connection, kept in the connection's
in-memory database, and read by the queries that follow. At most `KEPT_RULES` rules are kept:
the least recently used one that no query is reading is dropped first.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from typing import Iterator

import duckdb

from tandem.data.db import CONNECTION_DIR, CURSOR_SETUP_RANGED_RULE

KEPT_RULES = 12  # about 110,000 rows (7 MB) per rule at xl
FILL_SQL = (CONNECTION_DIR / "fill_ranged_flag_intervals.sql").read_text()
EVICT_SQL = (CONNECTION_DIR / "evict_ranged_flag_intervals.sql").read_text()

Rule = tuple[int, int]  # (lookback_days, overlap_days)


class RuleFlags:
    """The cache of one connection: which rules it holds, which are being read."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con  # held, so that no other connection can take this one's id while the entry exists
        self.lock = threading.Lock()  # guards the two dicts; a rule's own lock guards its filling
        self.held: OrderedDict[Rule, threading.Lock] = OrderedDict()  # filled or being filled, oldest use first
        self.filled: set[Rule] = set()
        self.readers: dict[Rule, int] = {}

    @contextlib.contextmanager
    def reading(self, rule: Rule) -> Iterator[None]:
        """The rule's flags are in the cache while the block runs (filled first if need be)."""
        with self.lock:
            rule_lock = self.held.setdefault(rule, threading.Lock())
            self.held.move_to_end(rule)
            self.readers[rule] = self.readers.get(rule, 0) + 1
        try:
            with rule_lock:  # a second query for the rule waits for the first one's filling
                if rule not in self.filled:
                    self._run(FILL_SQL, rule)
                    self.filled.add(rule)
            yield
        finally:
            with self.lock:
                self.readers[rule] -= 1
            self._evict()

    def _evict(self) -> None:
        # under the lock, so that no query can register for a rule between its leaving the
        # dicts and its rows leaving the table (it would fill them and see them deleted)
        with self.lock:
            idle = [r for r in self.held if self.readers.get(r, 0) == 0 and r in self.filled]
            for rule in idle[:max(0, len(self.held) - KEPT_RULES)]:
                del self.held[rule]
                del self.readers[rule]
                self.filled.discard(rule)
                self._run(EVICT_SQL, rule)

    def _run(self, sql: str, rule: Rule) -> None:
        cursor = self.con.cursor()
        try:
            cursor.execute(CURSOR_SETUP_RANGED_RULE)
            cursor.execute(sql, {"lookback_days": rule[0], "overlap_days": rule[1]})
        finally:
            cursor.close()


_lock = threading.Lock()
_caches: dict[int, RuleFlags] = {}


def of(con: duckdb.DuckDBPyConnection) -> RuleFlags:
    """The cache of this connection."""
    with _lock:
        cache = _caches.get(id(con))
        if cache is None or cache.con is not con:
            cache = _caches[id(con)] = RuleFlags(con)
        return cache


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """The connection is closed: its cache goes with it."""
    with _lock:
        _caches.pop(id(con), None)
