"""Invariants of the metrics on random small contract-valid datasets (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tandem.cli.summary import compute_summary
from tandem.cli.whole_database import run
from tandem.data.contract import ALL_STAGES, STAGES
from tandem.data.db import build_database

BASE = dt.datetime(2025, 1, 6)
_counter = itertools.count()


def at(minutes: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minutes)


@st.composite
def datasets(draw):
    """Rows for every table, valid under the data contract."""
    kinds = draw(st.lists(st.sampled_from(["internal", "external"]), min_size=1, max_size=4))
    teams = [(f"t{i}", f"Team {i}", kind, None) for i, kind in enumerate(kinds)]
    reps = [(f"r{i}", f"Rep {i}", draw(st.sampled_from(teams))[0], None, dt.date(2024, 1, 1), None)
            for i in range(draw(st.integers(1, 6)))]
    rep_ids = [r[0] for r in reps]
    accounts = [(f"a{i}", f"Account {i}", draw(st.sampled_from(["smb", "enterprise"])),
                 draw(st.sampled_from(["North", "South"])), None, None) for i in range(draw(st.integers(1, 3)))]
    contacts = [(f"c{i}", a[0], f"Contact {i}", None) for i, a in enumerate(accounts)]
    minutes = st.integers(0, 60 * 24 * 60)  # within 60 days of BASE

    deals, changes = [], []
    for i in range(draw(st.integers(0, 6))):
        created = draw(minutes)
        status = draw(st.sampled_from(["open", "won", "lost"]))
        closed = None if status == "open" else at(created + draw(st.integers(0, 60 * 24 * 30)))
        stage = draw(st.sampled_from(STAGES[:-1])) if status == "open" else status
        deals.append((f"d{i}", draw(st.sampled_from(accounts))[0], f"Deal {i}", None, draw(st.integers(0, 1000)),
                      at(created), closed, status, stage, draw(st.sampled_from(rep_ids)),
                      draw(st.one_of(st.none(), st.sampled_from(rep_ids))), None))
        for change_minute in draw(st.sets(minutes, max_size=3)):
            changes.append((f"d{i}", draw(st.sampled_from(ALL_STAGES)), at(change_minute), None))
    deal_ids = [d[0] for d in deals]

    activities = []
    for i in range(draw(st.integers(0, 15))):
        rep = draw(st.sampled_from(rep_ids))
        to_rep = draw(st.booleans())
        activities.append((
            f"x{i}", at(draw(minutes)), draw(st.sampled_from(["call", "email", "meeting"])), rep,
            draw(st.sampled_from(rep_ids)) if to_rep else None,
            None if to_rep else draw(st.sampled_from(contacts))[0],
            draw(st.one_of(st.none(), st.sampled_from(deal_ids))) if deal_ids else None,
            draw(st.sampled_from(["outbound", "inbound"])), draw(st.one_of(st.none(), st.integers(0, 3600))), None))
    claims = [(draw(st.sampled_from(deal_ids)), draw(st.sampled_from(rep_ids)), at(draw(minutes)),
               draw(st.sampled_from(["registration", "credit"]))) for _ in range(draw(st.integers(0, 4)))] if deal_ids else []
    scope_rules = []
    for _ in range(draw(st.integers(0, 4))):
        low, high = sorted(draw(st.lists(st.integers(0, len(STAGES) - 1), min_size=2, max_size=2)))
        scope_rules.append((draw(st.sampled_from(teams))[0], draw(st.sampled_from(["*", "smb", "enterprise"])),
                            draw(st.sampled_from(["*", "North", "South"])), STAGES[low], STAGES[high]))
    return {"teams": teams, "reps": reps, "accounts": accounts, "contacts": contacts, "deals": deals,
            "deal_stage_changes": changes, "activities": activities, "claims": claims, "scope_rules": scope_rules}


def build(rows: dict) -> Path:
    path = Path(tempfile.gettempdir()) / "tandem-properties" / f"db{next(_counter)}.duckdb"

    def fill(con):
        for table, values in rows.items():
            if values:
                marks = ", ".join("?" * len(values[0]))
                con.executemany(f"insert into {table} values ({marks})", values)
        return {"source": "test"}

    return build_database(path, fill)


@given(rows=datasets(), start_day=st.integers(0, 70), length_days=st.integers(1, 30),
       lookback=st.integers(0, 40), overlap=st.integers(0, 10))
def test_invariants(rows, start_day, length_days, lookback, overlap):
    db = build(rows)
    start = BASE + dt.timedelta(days=start_day)
    end = start + dt.timedelta(days=length_days)
    summary = compute_summary(start, end, lookback, overlap, "owner", db=db)
    deals, contested = summary["deals"], summary["contested"]

    counts = [*deals.values(), *summary["cross_team"].values(), *summary["within_team"].values(),
              *summary["customer_touches"].values(), contested["count"], *contested["by_signal"].values()]
    assert all(n >= 0 for n in counts)
    assert contested["count"] <= deals["active"]
    assert len(contested["deal_ids"]) == contested["count"]
    assert max(contested["by_signal"].values(), default=0) <= contested["count"] <= sum(contested["by_signal"].values())
    assert (contested["rate"] is None) == (deals["active"] == 0)

    for team in summary["teams"]:
        if team["win_rate"] is None:
            assert team["won"] + team["lost"] == 0 and team["win_rate_low"] is None
        else:
            assert team["win_rate_low"] - 1e-12 <= team["win_rate"] <= team["win_rate_high"] + 1e-12
    # owner attribution: every deal has exactly one team
    for key in ("created", "won", "lost"):
        assert sum(team[key] for team in summary["teams"]) == deals[key]

    rules = dict(starts=[start], ends=[end], lookback_days=lookback, overlap_days=overlap, attribution="owner",
                 regions=[], segments=[], signals=[])
    figures = ["active", "created", "won", "lost", "contested", "double_claim", "out_of_scope", "uncoordinated_overlap"]
    per_team = [run("deal_totals", db=db, teams=[t[0]], **rules).iloc[0] for t in rows["teams"]]
    unfiltered = run("deal_totals", db=db, teams=[], **rules).iloc[0]
    for figure in figures:
        assert sum(int(t[figure]) for t in per_team) == int(unfiltered[figure])
    assert int(unfiltered["contested"]) == contested["count"]
